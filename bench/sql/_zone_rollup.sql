-- Each zone of the state: its Lead Partner, schools by standing, and its money (committed,
-- received, spent). Needs the CTEs "school" and "standing".
zone_rollup AS (
    SELECT z.id, z.name, z.status, z.launch_school_year, lp.name AS lead_partner,
           count(sc.id) AS schools,
           count(*) FILTER (WHERE st.status = 'on_track') AS on_track,
           count(*) FILTER (WHERE st.status = 'at_risk') AS at_risk,
           count(*) FILTER (WHERE st.status = 'off_track') AS off_track,
           count(*) FILTER (WHERE st.status = 'no_data') AS no_data,
           (SELECT coalesce(sum(amount), 0) FROM funding_commitment c
            WHERE c.zone_id = z.id AND c.status IN ('committed', 'received')) AS committed,
           (SELECT coalesce(sum(amount), 0) FROM funding_commitment c
            WHERE c.zone_id = z.id AND c.status = 'received') AS received,
           (SELECT coalesce(sum(amount), 0) FROM funding_expenditure e
            WHERE e.zone_id = z.id AND e.voided_on IS NULL) AS spent
    FROM zones_zone z
    LEFT JOIN partners_leadpartner lp ON lp.id = z.lead_partner_id
    LEFT JOIN school sc ON sc.zone_id = z.id
    LEFT JOIN standing st ON st.school_id = sc.id
    WHERE z.state_id = %(state_id)s
    GROUP BY z.id, lp.name
),
