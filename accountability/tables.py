"""Accountability tables as they are downloaded (CSV); the pages show the same rows."""

from web.tables import Column, Table

STANDINGS = Table(
    "schools",
    (
        Column.of("School", "school.name"),
        Column.of("NCES id", "school.nces_id"),
        Column.of("District", "school.district.name"),
        Column.of("Zone", "school.zone.name"),
        Column.of("Grades", "school.grade_span"),
        Column.of("Enrollment", "school.enrollment"),
        Column.of("Latest rating", "rating.label"),
        Column.of("Rated on", "rated_on"),
        Column.of("Projection", "projection.label"),
        Column.of("Standing", "standing.label"),
    ),
)

STATUS_UPDATES = Table(
    "status-updates",
    (
        Column.of("Reported on", "reported_on"),
        Column.of("School", "school.name"),
        Column.of("Rating", "get_rating_display"),
        Column.of("Narrative", "narrative"),
        Column.of("Staffing", "staffing_notes"),
        Column.of("Scheduling", "scheduling_notes"),
        Column.of("Curriculum", "curriculum_notes"),
        Column.of("Budget", "budget_notes"),
        Column.of("Author", "author.email"),
    ),
)

MEASUREMENTS = Table(
    "measurements",
    (
        Column.of("Metric", "metric.name"),
        Column.of("School year", "school_year"),
        Column.of("Period", "get_period_display"),
        Column.of("Value", "value"),
        Column.of("Source", "source"),
    ),
)

PROGRESS = Table(
    "progress",
    (
        Column.of("Metric", "metric.name"),
        Column.of("Baseline", "baseline"),
        Column.of("Baseline year", "baseline_year"),
        Column.of("Latest", "latest"),
        Column.of("Latest year", "latest_year"),
        Column.of("Target", "target"),
        Column.of("Target year", "target_year"),
        Column.of("Share of target gained", "share_of_target"),
        Column.of("Projected", "projected"),
        Column.of("Band low (80%)", "band_low"),
        Column.of("Band high (80%)", "band_high"),
        Column.of("Status", "status_label"),
    ),
)

REQUIREMENTS = Table(
    "calendar",
    (
        Column.of("School", "school.name"),
        Column.of("NCES id", "school.nces_id"),
        Column.of("Zone", "school.zone.name"),
        Column.of("Lead Partner", "school.zone.lead_partner.name"),
        Column.of("School year", "reporting_period.school_year"),
        Column.of("Period", "reporting_period.get_period_display"),
        Column.of("Due on", "reporting_period.due_on"),
        Column.of("Status", "status.label"),
        Column.of("Entered", "entered"),
        Column("Required", lambda row: len(row.indicators)),
        Column.of("Days late", "days_late"),
    ),
)
