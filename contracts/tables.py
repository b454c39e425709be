"""The comparison of Lead Partners as it is downloaded (CSV); the page shows the same rows."""

from web.tables import Column, Table

COMPARISON = Table(
    "comparison",
    (
        Column.of("Lead Partner", "lead_partner.name"),
        Column.of("States", "states"),
        Column.of("Zones", "zone_names"),
        Column.of("Latest review", "latest_review.school_year"),
        Column.of("Academic rating", "academic.label"),
        Column.of("Operational rating", "operational.label"),
        Column.of("Financial rating", "financial.label"),
        Column.of("Deliverables due", "deliverables.due"),
        Column.of("Delivered on time", "deliverables.on_time"),
        Column.of("Overdue", "deliverables.overdue"),
        Column.of("Late reporting periods", "late_periods"),
    ),
)
