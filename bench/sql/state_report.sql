-- The state progress report page: every zone's rollup, and every school of the state with each of
-- its metrics (baseline, latest, target, gain, projection, status) and its standing.
-- Parameters: %(state_id)s.
WITH
-- include: _state_schools
-- include: _progress
-- include: _zone_rollup
rows AS (
    SELECT z.name AS zone, sc.name AS school, st.status AS standing, st.rating, r.code, r.baseline, r.latest,
           r.latest_year, r.latest_period, r.target, r.gain, r.share_of_target, r.projected, r.status
    FROM school sc
    JOIN standing st ON st.school_id = sc.id
    LEFT JOIN zones_zone z ON z.id = sc.zone_id
    LEFT JOIN rated r ON r.school_id = sc.id
)
SELECT (SELECT json_agg(z ORDER BY z.name) FROM zone_rollup z) AS zones,
       (SELECT json_agg(r ORDER BY r.zone, r.school, r.code) FROM rows r) AS schools
