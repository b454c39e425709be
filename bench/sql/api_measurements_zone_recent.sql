-- The measurements API's first cursor page of one zone (?zone=), newest row first (?ordering=-id; -recorded_at is refused with a 400).
-- Parameters: %(zone_id)s.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
WHERE m.school_id IN (SELECT id FROM schools_school WHERE zone_id = %(zone_id)s)
ORDER BY m.id DESC
LIMIT 26
