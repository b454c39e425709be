-- The schools of state %(state_id)s (a CTE named "school", for the progress rules).
school AS (
    SELECT sc.* FROM schools_school sc JOIN zones_district d ON d.id = sc.district_id WHERE d.state_id = %(state_id)s
),
