-- The progress rules of accountability.services over the schools of a CTE named "school" (included
-- by the queries that rate schools): per school and metric the baseline, latest measurement (one
-- backward step on the unique index), target (schools and metrics with a baseline or a
-- target: every measured pair has one in the scale data), gain, linear projection and status; per school its
-- standing (its weakest metric with data) and its latest status update.
pairs AS (  -- every school and metric with a baseline or a target
    SELECT school_id, metric_id FROM accountability_baseline WHERE school_id IN (SELECT id FROM school)
    UNION
    SELECT school_id, metric_id FROM accountability_target WHERE school_id IN (SELECT id FROM school)
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
    LEFT JOIN LATERAL (
        SELECT value, school_year FROM accountability_baseline WHERE school_id = p.school_id AND metric_id = mt.id LIMIT 1
    ) b ON true
    LEFT JOIN LATERAL (
        SELECT value, target_school_year FROM accountability_target
        WHERE school_id = p.school_id AND metric_id = mt.id LIMIT 1
    ) t ON true
    LEFT JOIN LATERAL (
        SELECT value, school_year, period FROM accountability_measurement
        WHERE school_id = p.school_id AND metric_id = mt.id
        ORDER BY school_year DESC, period DESC LIMIT 1
    ) l ON true
),
rated AS (
    SELECT pj.*,
           CASE WHEN needed_gain <> 0 THEN round(gain / needed_gain, 3) END AS share_of_target,
           CASE WHEN projected IS NULL OR coalesce(needed_gain, 0) = 0 THEN 'no_data'
                WHEN sign * (projected - baseline) / needed_gain >= 1 THEN 'on_track'
                WHEN sign * (projected - baseline) / needed_gain >= 0.5 THEN 'at_risk'
                ELSE 'off_track'
           END AS status
    FROM (
        SELECT pr.*, sign * (latest - baseline) AS gain, sign * (target - baseline) AS needed_gain,
               CASE WHEN latest_at > start_at
                    THEN round(baseline + (latest - baseline) / (latest_at - start_at) * (target_at - start_at), 2)
               END AS projected
        FROM progress pr
    ) pj
),
standing AS (
    SELECT sc.id AS school_id,
           coalesce((ARRAY['off_track', 'at_risk', 'on_track'])[
               min(array_position(ARRAY['off_track', 'at_risk', 'on_track'], r.status))
           ], 'no_data') AS status,
           u.rating, u.reported_on
    FROM school sc
    LEFT JOIN rated r ON r.school_id = sc.id
    LEFT JOIN LATERAL (
        SELECT rating, reported_on FROM accountability_statusupdate
        WHERE school_id = sc.id ORDER BY reported_on DESC, created_at DESC LIMIT 1
    ) u ON true
    GROUP BY sc.id, u.rating, u.reported_on
),
