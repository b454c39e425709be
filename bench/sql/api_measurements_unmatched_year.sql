-- The measurements API's first cursor page of a school year no row has (an empty page).
-- Parameters: %(unmatched_school_year)s.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
WHERE m.school_year = %(unmatched_school_year)s
ORDER BY m.school_id, m.metric_id, m.school_year, m.period
LIMIT 26
