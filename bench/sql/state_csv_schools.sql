-- The state page's schools CSV: every school's standing. Parameters: %(state_id)s.
WITH
-- include: _state_schools
-- include: _progress
rows AS (
    SELECT sc.name, sc.nces_id, d.name AS district, z.name AS zone, sc.lowest_grade, sc.highest_grade,
           sc.enrollment, st.rating, st.reported_on, st.status
    FROM school sc
    JOIN standing st ON st.school_id = sc.id
    JOIN zones_district d ON d.id = sc.district_id
    LEFT JOIN zones_zone z ON z.id = sc.zone_id
)
SELECT * FROM rows ORDER BY status NOT IN ('off_track', 'at_risk'), name
