-- The Lead Partner workspace page: its first page of 25 schools, worst standing first (which needs
-- every school's standing), the number of schools for the pager, and the school picker's options.
-- Parameters: %(partner_id)s.
WITH school AS (
    SELECT sc.* FROM schools_school sc JOIN zones_zone z ON z.id = sc.zone_id WHERE z.lead_partner_id = %(partner_id)s
),
-- include: _progress
ranked AS (
    SELECT sc.id, sc.name, sc.nces_id, d.name AS district, z.name AS zone, sc.enrollment,
           st.rating, st.reported_on, st.status,
           array_position(ARRAY['off_track', 'at_risk', 'no_data', 'on_track'], st.status) AS severity
    FROM school sc
    JOIN standing st ON st.school_id = sc.id
    JOIN zones_district d ON d.id = sc.district_id
    JOIN zones_zone z ON z.id = sc.zone_id
)
SELECT (SELECT json_agg(p) FROM (SELECT * FROM ranked ORDER BY severity, name LIMIT 25) p) AS page,
       (SELECT count(*) FROM ranked) AS schools,
       (SELECT json_agg(json_build_array(id, name) ORDER BY name) FROM school) AS picker
