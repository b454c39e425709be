-- The measurements API's first cursor page ordered by ?ordering=-value.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
ORDER BY m.value DESC, m.id DESC
LIMIT 26
