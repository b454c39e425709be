-- The school-progress API's first page: 25 schools (by id) with each metric's progress and the
-- school's status, and the count for the pager.
WITH school AS (SELECT * FROM schools_school ORDER BY id LIMIT 25),
-- include: _progress
rows AS (
    SELECT sc.id, sc.name, sc.nces_id, sc.district_id, sc.zone_id, s.status AS school_status, r.metric_id,
           r.baseline, r.baseline_year, r.latest, r.latest_year, r.latest_period, r.target, r.target_year, r.gain,
           r.share_of_target, r.projected, r.status
    FROM school sc JOIN standing s ON s.school_id = sc.id LEFT JOIN rated r ON r.school_id = sc.id
)
SELECT r.*, (SELECT count(*) FROM schools_school) AS total FROM rows r ORDER BY r.id, r.metric_id
