-- The state page's districts CSV: each district with its number of schools. Parameters: %(state_id)s.
SELECT d.name, d.nces_lea_id, d.central_office_contact_email, count(sc.id) AS schools
FROM zones_district d LEFT JOIN schools_school sc ON sc.district_id = d.id
WHERE d.state_id = %(state_id)s
GROUP BY d.id
ORDER BY d.name
