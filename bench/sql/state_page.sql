-- The state page: its districts with their school counts, its zones' rollup, the first page of 25
-- school standings (needing attention first), engagements, commitments and expenditures with their
-- totals. Parameters: %(state_id)s.
WITH
-- include: _state_schools
-- include: _progress
-- include: _zone_rollup
standings AS (
    SELECT sc.id, sc.name, sc.nces_id, z.name AS zone, st.status, st.rating, st.reported_on
    FROM school sc JOIN standing st ON st.school_id = sc.id LEFT JOIN zones_zone z ON z.id = sc.zone_id
)
SELECT
    (SELECT json_agg(d ORDER BY d.name) FROM (
        SELECT d.id, d.name, d.nces_lea_id, count(sc.id) AS schools
        FROM zones_district d LEFT JOIN schools_school sc ON sc.district_id = d.id
        WHERE d.state_id = %(state_id)s GROUP BY d.id
    ) d) AS districts,
    (SELECT json_agg(z ORDER BY z.name) FROM zone_rollup z) AS zones,
    (SELECT json_agg(s) FROM (
        SELECT * FROM standings ORDER BY status NOT IN ('off_track', 'at_risk'), name LIMIT 25
    ) s) AS standings_page,
    (SELECT count(*) FROM standings) AS schools,
    (SELECT json_agg(e) FROM (
        SELECT e.*, c.name AS collaborator FROM partners_collaboratorengagement e
        JOIN partners_nationalcollaborator c ON c.id = e.collaborator_id WHERE e.state_id = %(state_id)s
    ) e) AS engagements,
    (SELECT json_build_object('rows', count(*), 'committed', sum(amount) FILTER (WHERE status IN ('committed', 'received')),
                              'received', sum(amount) FILTER (WHERE status = 'received'))
     FROM funding_commitment WHERE state_id = %(state_id)s) AS commitments,
    (SELECT json_build_object('rows', count(*), 'spent', sum(amount) FILTER (WHERE voided_on IS NULL))
     FROM funding_expenditure WHERE state_id = %(state_id)s) AS expenditures
