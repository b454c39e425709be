-- The portfolio page: per state its zones and schools by standing (every school rated) and its
-- money (committed, received, spent), with the initiative's totals.
WITH school AS (SELECT * FROM schools_school),
-- include: _progress
per_state AS (
    SELECT st.id, st.name, st.postal_code,
           (SELECT count(*) FROM zones_zone z WHERE z.state_id = st.id) AS zones,
           count(sc.id) AS schools,
           count(*) FILTER (WHERE s.status = 'on_track') AS on_track,
           count(*) FILTER (WHERE s.status = 'at_risk') AS at_risk,
           count(*) FILTER (WHERE s.status = 'off_track') AS off_track,
           count(*) FILTER (WHERE s.status = 'no_data') AS no_data,
           (SELECT coalesce(sum(amount), 0) FROM funding_commitment c
            WHERE c.state_id = st.id AND c.status IN ('committed', 'received')) AS committed,
           (SELECT coalesce(sum(amount), 0) FROM funding_commitment c
            WHERE c.state_id = st.id AND c.status = 'received') AS received,
           (SELECT coalesce(sum(amount), 0) FROM funding_expenditure e
            WHERE e.state_id = st.id AND e.voided_on IS NULL) AS spent
    FROM zones_state st
    JOIN zones_district d ON d.state_id = st.id
    LEFT JOIN school sc ON sc.district_id = d.id
    LEFT JOIN standing s ON s.school_id = sc.id
    GROUP BY st.id
)
SELECT (SELECT json_agg(p ORDER BY p.name) FROM per_state p) AS states,
       (SELECT json_build_object('schools', sum(schools), 'committed', sum(committed), 'received', sum(received),
                                 'spent', sum(spent)) FROM per_state) AS totals
