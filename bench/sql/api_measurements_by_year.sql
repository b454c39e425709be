-- The measurements API's first cursor page ordered by ?ordering=-school_year (the API refuses
-- ?ordering=-value with a 400: values mix metrics' units, and no index serves it).
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
ORDER BY m.school_year DESC, m.id DESC
LIMIT 26
