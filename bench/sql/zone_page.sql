-- The zone page: the zone with its Lead Partner, districts and money; each school with each metric's
-- progress and its standing; the latest status updates; its commitments and expenditures.
-- Parameters: %(zone_id)s.
WITH school AS (SELECT * FROM schools_school WHERE zone_id = %(zone_id)s),
-- include: _progress
rows AS (
    SELECT sc.id, sc.name, sc.nces_id, sc.enrollment, st.status AS standing, st.rating, st.reported_on,
           r.code, r.baseline, r.latest, r.target, r.gain, r.share_of_target, r.projected, r.status
    FROM school sc JOIN standing st ON st.school_id = sc.id LEFT JOIN rated r ON r.school_id = sc.id
)
SELECT (SELECT row_to_json(z) FROM (
            SELECT z.*, lp.name AS lead_partner,
                   (SELECT array_agg(d.name ORDER BY d.name) FROM zones_zone_districts zd
                    JOIN zones_district d ON d.id = zd.district_id WHERE zd.zone_id = z.id) AS districts
            FROM zones_zone z LEFT JOIN partners_leadpartner lp ON lp.id = z.lead_partner_id
            WHERE z.id = %(zone_id)s
        ) z) AS zone,
       (SELECT json_agg(r ORDER BY r.name, r.code) FROM rows r) AS schools,
       (SELECT json_agg(u) FROM (
            SELECT u.reported_on, u.rating, u.narrative, sc.name AS school FROM accountability_statusupdate u
            JOIN school sc ON sc.id = u.school_id ORDER BY u.reported_on DESC, u.created_at DESC LIMIT 10
        ) u) AS status_updates,
       (SELECT json_agg(c) FROM (
            SELECT c.*, f.name AS funder FROM funding_commitment c JOIN funding_funder f ON f.id = c.funder_id
            WHERE c.zone_id = %(zone_id)s
        ) c) AS commitments,
       (SELECT json_build_object('rows', count(*), 'spent', sum(amount) FILTER (WHERE voided_on IS NULL))
        FROM funding_expenditure WHERE zone_id = %(zone_id)s) AS expenditures
