-- The Lead Partner workspace's CSV: every school of the partner's zones with its district, zone,
-- latest rating, projection and standing, worst standing first. Parameters: %(partner_id)s.
WITH school AS (
    SELECT sc.* FROM schools_school sc JOIN zones_zone z ON z.id = sc.zone_id WHERE z.lead_partner_id = %(partner_id)s
),
-- include: _progress
ranked AS (
    SELECT sc.name, sc.nces_id, d.name AS district, z.name AS zone, sc.lowest_grade, sc.highest_grade,
           sc.enrollment, st.rating, st.reported_on, st.status,
           array_position(ARRAY['off_track', 'at_risk', 'no_data', 'on_track'], st.status) AS severity
    FROM school sc
    JOIN standing st ON st.school_id = sc.id
    JOIN zones_district d ON d.id = sc.district_id
    JOIN zones_zone z ON z.id = sc.zone_id
)
SELECT * FROM ranked ORDER BY severity, name
