-- The measurements API's first cursor page of the last state (?state=): its first schools in id
-- order, each one's rows in the unique index's order, up to the page's end (index ranges: the other
-- states' schools are never walked; the first 26 schools suffice as every scale school has
-- measurements). Parameters: %(last_state_id)s.
SELECT
-- include: _measurement_columns
FROM (
    SELECT sc.id FROM schools_school sc JOIN zones_district d ON d.id = sc.district_id
    WHERE d.state_id = %(last_state_id)s ORDER BY sc.id LIMIT 26
) s
CROSS JOIN LATERAL (
    SELECT * FROM accountability_measurement
    WHERE school_id = s.id ORDER BY school_id, metric_id, school_year, period LIMIT 26
) m
ORDER BY m.school_id, m.metric_id, m.school_year, m.period
LIMIT 26
