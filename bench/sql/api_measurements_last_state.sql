-- The measurements API's first cursor page of the last state (?state=): its schools' rows in the
-- unique index's order. Parameters: %(last_state_id)s.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
WHERE m.school_id IN (
    SELECT sc.id FROM schools_school sc JOIN zones_district d ON d.id = sc.district_id WHERE d.state_id = %(last_state_id)s
)
ORDER BY m.school_id, m.metric_id, m.school_year, m.period
LIMIT 26
