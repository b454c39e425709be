-- The state page's expenditures CSV: each with its commitment's funder, zone and school.
-- Parameters: %(state_id)s.
SELECT e.spent_on, f.name AS funder, z.name AS zone, sc.name AS school, e.category, e.amount, e.description,
       e.voided_on, e.void_reason
FROM funding_expenditure e
JOIN funding_commitment c ON c.id = e.commitment_id
JOIN funding_funder f ON f.id = c.funder_id
LEFT JOIN zones_zone z ON z.id = e.zone_id
LEFT JOIN schools_school sc ON sc.id = e.school_id
WHERE e.state_id = %(state_id)s
ORDER BY e.spent_on, e.id
