-- The measurements API's first cursor page of one zone (?zone=), newest row first (?ordering=-id; -recorded_at is refused with a 400).
-- Sorted from the zone's rows: ORDER BY m.id itself lets the planner walk the primary key over every school's history.
-- Parameters: %(zone_id)s.
SELECT
-- include: _measurement_columns
FROM accountability_measurement m
WHERE m.school_id IN (SELECT id FROM schools_school WHERE zone_id = %(zone_id)s)
ORDER BY COALESCE(m.id, m.id) DESC
LIMIT 26
