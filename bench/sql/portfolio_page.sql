-- The portfolio page: per state its zones and schools by standing (the worse of the stored latest
-- rating and projection, from the progress read model), stale schools and the latest update, and its
-- money (committed, received, spent), with the initiative's totals.
WITH severity(value, rank) AS (VALUES ('off_track', 0), ('at_risk', 1), ('on_track', 2)),
standing AS (
    SELECT p.school_id, p.state_id, p.reported_on,
           LEAST(coalesce(r.rank, 3), coalesce(j.rank, 3)) AS rank
    FROM accountability_schoolprogress p
    JOIN schools_school sc ON sc.id = p.school_id AND sc.zone_id IS NOT NULL
    LEFT JOIN severity r ON r.value = p.rating
    LEFT JOIN severity j ON j.value = p.projection
),
per_state AS (
    SELECT st.id, st.name, st.postal_code,
           (SELECT count(*) FROM zones_zone z WHERE z.state_id = st.id) AS zones,
           count(s.school_id) AS schools,
           count(*) FILTER (WHERE s.rank = 2) AS on_track,
           count(*) FILTER (WHERE s.rank = 1) AS at_risk,
           count(*) FILTER (WHERE s.rank = 0) AS off_track,
           count(*) FILTER (WHERE s.rank = 3) AS no_data,
           count(*) FILTER (WHERE s.reported_on < current_date - st.stale_after_days) AS stale,
           max(s.reported_on) AS last_update,
           (SELECT coalesce(sum(amount), 0) FROM funding_commitment c
            WHERE c.state_id = st.id AND c.status IN ('committed', 'received')) AS committed,
           (SELECT coalesce(sum(amount), 0) FROM funding_commitment c
            WHERE c.state_id = st.id AND c.status = 'received') AS received,
           (SELECT coalesce(sum(amount), 0) FROM funding_expenditure e
            WHERE e.state_id = st.id AND e.voided_on IS NULL) AS spent
    FROM zones_state st
    LEFT JOIN standing s ON s.state_id = st.id
    GROUP BY st.id
)
SELECT (SELECT json_agg(p ORDER BY p.name) FROM per_state p) AS states,
       (SELECT json_build_object('schools', sum(schools), 'committed', sum(committed), 'received', sum(received),
                                 'spent', sum(spent)) FROM per_state) AS totals
