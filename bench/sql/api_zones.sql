-- One page of the zones API list, as one hand-written query: the zones (in the API's order) with
-- their Lead Partner, districts and schools, and for every school and metric the baseline, latest
-- measurement, target, gain, share of target, trend projection and status, plus each school's
-- overall status (its weakest metric with data) and the total count for the pager. Flat rows (one
-- per zone, school and metric): nesting them is presentation, left to the client. The rules are
-- those of accountability.services (bench/sql/_progress.sql); bench/sql_ratio.py checks the rows
-- against the API's.
-- Parameters: %(limit)s, %(offset)s.
WITH page AS (
    SELECT z.*, s.name AS state_name
    FROM zones_zone z
    JOIN zones_state s ON s.id = z.state_id
    ORDER BY s.name, z.name, z.id
    LIMIT %(limit)s OFFSET %(offset)s
),
school AS (
    SELECT sc.* FROM schools_school sc JOIN page ON sc.zone_id = page.id
),
-- include: _progress
zone_districts AS (
    SELECT zone_id, array_agg(district_id ORDER BY district_id) AS districts
    FROM zones_zone_districts
    WHERE zone_id IN (SELECT id FROM page)
    GROUP BY zone_id
)
-- One row per zone, school and metric (a zone without schools or a school without metrics once).
SELECT page.id AS zone_id, page.state_id, page.name AS zone_name, page.status AS zone_status,
       page.launch_school_year, page.lead_partner_id, page.autonomy_agreement_date, page.autonomy_agreement_url,
       lp.name AS lead_partner_name, lp.kind AS lead_partner_kind, zd.districts,
       sc.id AS school_id, sc.name AS school_name, sc.nces_id, sc.district_id, sc.enrollment, sc.turnaround_status,
       -- a school is as good as its weakest metric with data
       coalesce((ARRAY['off_track', 'at_risk', 'on_track'])[
           min(array_position(ARRAY['off_track', 'at_risk', 'on_track'], r.status)) OVER (PARTITION BY sc.id)
       ], 'no_data') AS school_status,
       r.metric_id, r.code AS metric_code, r.name AS metric_name, r.baseline, r.baseline_year, r.latest,
       r.latest_year, r.latest_period, r.target, r.target_year, r.gain, r.share_of_target, r.projected, r.status,
       (SELECT count(*) FROM zones_zone) AS total
FROM page
LEFT JOIN partners_leadpartner lp ON lp.id = page.lead_partner_id
LEFT JOIN zone_districts zd ON zd.zone_id = page.id
LEFT JOIN school sc ON sc.zone_id = page.id
LEFT JOIN rated r ON r.school_id = sc.id
ORDER BY page.state_name, page.name, page.id, sc.name, sc.id, r.name
