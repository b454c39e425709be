-- The measurements API's first cursor page of one zone (?zone=), most recently recorded first.
-- Parameters: %(zone_id)s.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
WHERE m.school_id IN (SELECT id FROM schools_school WHERE zone_id = %(zone_id)s)
ORDER BY m.recorded_at DESC, m.id DESC
LIMIT 26
