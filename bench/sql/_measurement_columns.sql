m.id, m.school_id, m.metric_id, m.school_year, m.period, m.value, m.source, m.recorded_by_id, m.recorded_at,
m.created_at, m.updated_at, m.change_version
