-- One page of the zones API list, as one hand-written query: the zones (in the API's order) with
-- their Lead Partner, districts and schools, and for every school and metric the baseline, latest
-- measurement, target, gain, share of target, linear projection and status, plus each school's
-- overall status (its weakest metric with data) and the total count for the pager. The rules are
-- those of accountability.services; bench/sql_ratio.py checks the rows against the API's.
-- Parameters: %(limit)s, %(offset)s.
WITH page AS (
    SELECT z.*, s.name AS state_name
    FROM zones_zone z
    JOIN zones_state s ON s.id = z.state_id
    ORDER BY s.name, z.name, z.id
    LIMIT %(limit)s OFFSET %(offset)s
),
school AS (
    SELECT sc.* FROM schools_school sc WHERE sc.zone_id IN (SELECT id FROM page)
),
latest AS (
    SELECT DISTINCT ON (m.school_id, m.metric_id) m.school_id, m.metric_id, m.value, m.school_year, m.period
    FROM accountability_measurement m
    WHERE m.school_id IN (SELECT id FROM school)
    ORDER BY m.school_id, m.metric_id, m.school_year DESC, m.period DESC
),
pairs AS (
    SELECT school_id, metric_id FROM accountability_baseline WHERE school_id IN (SELECT id FROM school)
    UNION SELECT school_id, metric_id FROM accountability_target WHERE school_id IN (SELECT id FROM school)
    UNION SELECT school_id, metric_id FROM latest
),
progress AS (
    SELECT p.school_id, mt.id AS metric_id, mt.code, mt.name,
           CASE WHEN mt.direction = 'higher' THEN 1 ELSE -1 END AS sign,
           b.value AS baseline, b.school_year AS baseline_year,
           t.value AS target, t.target_school_year AS target_year,
           l.value AS latest, l.school_year AS latest_year, l.period AS latest_period,
           left(b.school_year, 4)::int + 1 AS start_at,
           left(l.school_year, 4)::int + l.period / 4.0 AS latest_at,
           left(t.target_school_year, 4)::int + 1 AS target_at
    FROM pairs p
    JOIN accountability_metric mt ON mt.id = p.metric_id
    LEFT JOIN accountability_baseline b ON b.school_id = p.school_id AND b.metric_id = p.metric_id
    LEFT JOIN accountability_target t ON t.school_id = p.school_id AND t.metric_id = p.metric_id
    LEFT JOIN latest l ON l.school_id = p.school_id AND l.metric_id = p.metric_id
),
projected AS (
    SELECT pr.*,
           sign * (latest - baseline) AS gain,
           sign * (target - baseline) AS needed_gain,
           CASE WHEN latest_at > start_at
                THEN round(baseline + (latest - baseline) / (latest_at - start_at) * (target_at - start_at), 2)
           END AS projected
    FROM progress pr
),
rated AS (
    SELECT pj.*,
           CASE WHEN needed_gain <> 0 THEN round(gain / needed_gain, 3) END AS share_of_target,
           CASE WHEN projected IS NULL OR coalesce(needed_gain, 0) = 0 THEN 'no_data'
                WHEN sign * (projected - baseline) / needed_gain >= 1 THEN 'on_track'
                WHEN sign * (projected - baseline) / needed_gain >= 0.5 THEN 'at_risk'
                ELSE 'off_track'
           END AS status
    FROM projected pj
),
school_json AS (
    SELECT sc.zone_id, sc.name,
           json_build_object(
               'id', sc.id, 'name', sc.name, 'nces_id', sc.nces_id, 'district', sc.district_id,
               'enrollment', sc.enrollment, 'turnaround_status', sc.turnaround_status,
               'progress', json_build_object(
                   'status', coalesce(
                       (SELECT (array_agg(r.status ORDER BY array_position(
                                    ARRAY['off_track', 'at_risk', 'on_track'], r.status)))[1]
                        FROM rated r WHERE r.school_id = sc.id AND r.status <> 'no_data'),
                       'no_data'),
                   'metrics', coalesce(
                       (SELECT json_agg(json_build_object(
                                   'metric', r.metric_id, 'metric_code', r.code, 'metric_name', r.name,
                                   'baseline', r.baseline, 'baseline_year', coalesce(r.baseline_year, ''),
                                   'latest', r.latest, 'latest_year', coalesce(r.latest_year, ''),
                                   'latest_period', r.latest_period,
                                   'target', r.target, 'target_year', coalesce(r.target_year, ''),
                                   'gain', r.gain, 'share_of_target', r.share_of_target,
                                   'projected', r.projected, 'status', r.status)
                               ORDER BY r.name)
                        FROM rated r WHERE r.school_id = sc.id),
                       '[]'::json)
               )
           ) AS body
    FROM school sc
)
SELECT page.id, page.state_id, page.name, page.status, page.launch_school_year, page.lead_partner_id,
       page.staffing_autonomy, page.scheduling_autonomy, page.curriculum_autonomy, page.budget_autonomy,
       page.autonomy_agreement_date, page.autonomy_agreement_url,
       lp.name AS lead_partner_name, lp.kind AS lead_partner_kind,
       (SELECT array_agg(zd.district_id ORDER BY zd.district_id)
        FROM zones_zone_districts zd WHERE zd.zone_id = page.id) AS districts,
       coalesce((SELECT json_agg(sj.body ORDER BY sj.name) FROM school_json sj WHERE sj.zone_id = page.id),
                '[]'::json) AS schools,
       (SELECT count(*) FROM zones_zone) AS total
FROM page
LEFT JOIN partners_leadpartner lp ON lp.id = page.lead_partner_id
ORDER BY page.state_name, page.name, page.id
