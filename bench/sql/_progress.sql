-- The progress rules of accountability.services over the schools of a CTE named "school" (included
-- by the queries that rate schools): per school and metric (with a baseline or a target: every
-- measured pair has one in the scale data) the baseline, latest measurement (one backward step on
-- the unique index), target, gain, share of target, the least-squares trend through the baseline
-- and every later measurement read at the end of the target year with its 80 percent band (Student's t),
-- clamped to the metric's range, and its status by the state's thresholds; per school its standing
-- (its weakest metric with data) and its latest status update.
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
points AS (  -- the trend's points: the baseline (end of its year), then every measurement after it
    SELECT school_id, metric_id, start_at::numeric AS x, baseline AS y
    FROM progress WHERE baseline IS NOT NULL AND target IS NOT NULL
    UNION ALL
    SELECT pr.school_id, pr.metric_id, left(m.school_year, 4)::int + m.period / 4.0, m.value
    FROM progress pr
    JOIN accountability_measurement m ON m.school_id = pr.school_id AND m.metric_id = pr.metric_id
    WHERE pr.baseline IS NOT NULL AND pr.target IS NOT NULL AND left(m.school_year, 4)::int + m.period / 4.0 > pr.start_at
),
fit AS (  -- least squares in exact numerics: n, means, sums of squares
    SELECT school_id, metric_id, n, mx, my, first_x, last_x,
           sxx, sxy, syy - sxy * sxy / sxx AS sse
    FROM (
        SELECT school_id, metric_id, count(*) AS n, avg(x) AS mx, avg(y) AS my, min(x) AS first_x, max(x) AS last_x,
               sum(x * x) - sum(x) * sum(x) / count(*) AS sxx,
               sum(x * y) - sum(x) * sum(y) / count(*) AS sxy,
               sum(y * y) - sum(y) * sum(y) / count(*) AS syy
        FROM points GROUP BY school_id, metric_id HAVING count(*) >= 2
    ) sums
),
trend AS (  -- the line read at the end of the target year, with its 80 percent prediction band
    SELECT pr.school_id, pr.metric_id, round(center, 2) AS center,
           round(center - half, 2) AS low, round(center + half, 2) AS high
    FROM progress pr
    JOIN fit f ON f.school_id = pr.school_id AND f.metric_id = pr.metric_id
    CROSS JOIN LATERAL (SELECT f.my + f.sxy / f.sxx * (pr.target_at - f.mx) AS center) c
    CROSS JOIN LATERAL (
        SELECT CASE WHEN f.n >= 3
            THEN coalesce((SELECT t FROM (VALUES
                     (1, 3.078), (2, 1.886), (3, 1.638), (4, 1.533), (5, 1.476), (6, 1.440), (7, 1.415), (8, 1.397),
                     (9, 1.383), (10, 1.372), (11, 1.363), (12, 1.356), (13, 1.350), (14, 1.345), (15, 1.341),
                     (16, 1.337), (17, 1.333), (18, 1.330), (19, 1.328), (20, 1.325), (21, 1.323), (22, 1.321),
                     (23, 1.319), (24, 1.318), (25, 1.316), (26, 1.315), (27, 1.314), (28, 1.313), (29, 1.311),
                     (30, 1.310), (40, 1.303), (60, 1.296), (120, 1.289)
                 ) t90(df, t) WHERE df <= f.n - 2 AND f.n - 2 <= 120 ORDER BY df DESC LIMIT 1), 1.282)
                 * sqrt(greatest(f.sse, 0) / (f.n - 2))
                 * sqrt(1 + 1.0 / f.n + (pr.target_at - f.mx) ^ 2 / f.sxx)
            ELSE 0.10 * abs(pr.sign * (pr.target - pr.baseline))
                 * greatest(1, (pr.target_at - f.first_x) / (f.last_x - f.first_x))
        END AS half
    ) h
),
rated AS (  -- clamped to the metric's range, judged with the state's thresholds
    SELECT pr.*, mt.min_value, mt.max_value,
           pr.sign * (pr.latest - pr.baseline) AS gain,
           CASE WHEN pr.target <> pr.baseline
                THEN round(pr.sign * (pr.latest - pr.baseline) / (pr.sign * (pr.target - pr.baseline)), 3)
           END AS share_of_target,
           v.center AS projected, v.low AS band_low, v.high AS band_high,
           CASE WHEN v.center IS NULL OR pr.target = pr.baseline THEN 'no_data'
                WHEN (v.center - pr.baseline) / (pr.target - pr.baseline) >= st.on_track_share THEN 'on_track'
                WHEN (v.center - pr.baseline) / (pr.target - pr.baseline) >= st.at_risk_share
                  OR greatest(pr.sign * (v.low - pr.baseline), pr.sign * (v.high - pr.baseline))
                     / (pr.sign * (pr.target - pr.baseline)) >= st.on_track_share THEN 'at_risk'
                ELSE 'off_track'
           END AS status
    FROM progress pr
    JOIN accountability_metric mt ON mt.id = pr.metric_id
    JOIN schools_school sc ON sc.id = pr.school_id
    JOIN zones_district d ON d.id = sc.district_id
    JOIN zones_state st ON st.id = d.state_id
    LEFT JOIN trend tr ON tr.school_id = pr.school_id AND tr.metric_id = pr.metric_id
    LEFT JOIN LATERAL (
        SELECT greatest(mt.min_value, least(coalesce(mt.max_value, tr.center), tr.center)) AS center,
               greatest(mt.min_value, least(coalesce(mt.max_value, tr.low), tr.low)) AS low,
               greatest(mt.min_value, least(coalesce(mt.max_value, tr.high), tr.high)) AS high
    ) v ON true
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
