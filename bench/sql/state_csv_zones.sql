-- The state page's zones CSV: each zone's rollup. Parameters: %(state_id)s.
WITH
-- include: _state_schools
-- include: _progress
-- include: _zone_rollup
rows AS (SELECT * FROM zone_rollup)
SELECT * FROM rows ORDER BY name
