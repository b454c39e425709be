-- The schools list: the first page of 25 of every school (by name) with its state, district, zone,
-- standing and latest rating, and the count for the pager.
WITH school AS (SELECT * FROM schools_school ORDER BY name, id LIMIT 25),
-- include: _progress
rows AS (
    SELECT sc.id, sc.name, sc.nces_id, st.name AS state, d.name AS district, z.name AS zone, z.status AS zone_status,
           s.status, s.rating, s.reported_on
    FROM school sc
    JOIN zones_district d ON d.id = sc.district_id
    JOIN zones_state st ON st.id = d.state_id
    LEFT JOIN zones_zone z ON z.id = sc.zone_id
    JOIN standing s ON s.school_id = sc.id
)
SELECT (SELECT json_agg(r ORDER BY r.name, r.id) FROM rows r) AS page, (SELECT count(*) FROM schools_school) AS schools
