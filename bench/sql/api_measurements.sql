-- The measurements API's first cursor page (25 rows and one to know there is a next page), in the
-- viewset's order: the unique index's.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
ORDER BY m.school_id, m.metric_id, m.school_year, m.period
LIMIT 26
