-- The state page's commitments CSV: each with its funder and zone. Parameters: %(state_id)s.
SELECT f.name AS funder, c.recipient_level, z.name AS zone, c.description, c.amount, c.source, c.status,
       c.pledged_on, c.committed_on, c.received_on, c.expected_by, c.period_start, c.period_end
FROM funding_commitment c
JOIN funding_funder f ON f.id = c.funder_id
LEFT JOIN zones_zone z ON z.id = c.zone_id
WHERE c.state_id = %(state_id)s
ORDER BY c.pledged_on, c.id
