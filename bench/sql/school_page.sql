-- The school page: the school with its district, zone and state; each metric's progress; every
-- measurement of each metric (the charts' series); its status updates (latest first) and its
-- expenditures. Parameters: %(school_id)s.
WITH school AS (SELECT * FROM schools_school WHERE id = %(school_id)s),
-- include: _progress
series AS (
    SELECT metric_id, json_agg(json_build_array(school_year, period, value) ORDER BY school_year, period) AS points
    FROM accountability_measurement WHERE school_id = %(school_id)s GROUP BY metric_id
)
SELECT (SELECT row_to_json(s) FROM (
            SELECT sc.*, d.name AS district, z.name AS zone, st.name AS state
            FROM school sc JOIN zones_district d ON d.id = sc.district_id JOIN zones_state st ON st.id = d.state_id
            LEFT JOIN zones_zone z ON z.id = sc.zone_id
        ) s) AS school,
       (SELECT row_to_json(st) FROM standing st) AS standing,
       (SELECT json_agg(r ORDER BY r.name) FROM (
            SELECT rated.*, series.points FROM rated LEFT JOIN series ON series.metric_id = rated.metric_id
        ) r) AS metrics,
       (SELECT json_agg(u) FROM (
            SELECT reported_on, rating, narrative FROM accountability_statusupdate
            WHERE school_id = %(school_id)s ORDER BY reported_on DESC, created_at DESC LIMIT 25
        ) u) AS status_updates,
       (SELECT json_agg(e) FROM (
            SELECT spent_on, category, amount FROM funding_expenditure WHERE school_id = %(school_id)s ORDER BY spent_on
        ) e) AS expenditures
