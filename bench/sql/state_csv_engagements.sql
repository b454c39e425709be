-- The state page's engagements CSV. Parameters: %(state_id)s.
SELECT c.name AS collaborator, e.service_area, e.start_date, e.end_date, e.status, e.description
FROM partners_collaboratorengagement e JOIN partners_nationalcollaborator c ON c.id = e.collaborator_id
WHERE e.state_id = %(state_id)s
ORDER BY c.name, e.start_date
