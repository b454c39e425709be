-- The status-updates API's first cursor page in the viewset's order (each school's latest first).
SELECT u.id, u.school_id, u.author_id, u.reported_on, u.rating, u.narrative, u.staffing_notes, u.scheduling_notes,
       u.curriculum_notes, u.budget_notes, u.created_at, u.updated_at, u.change_version
FROM accountability_statusupdate u
ORDER BY u.school_id, u.reported_on DESC, u.id DESC
LIMIT 26
