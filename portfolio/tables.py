"""Zone and portfolio tables as they are downloaded (CSV); the pages show the same rows."""

from web.tables import Column, Table

PORTFOLIO = Table(
    "portfolio",
    (
        Column.of("State", "state.name"),
        Column.of("Network status", "state.get_network_status_display"),
        Column.of("Zones", "zones"),
        Column.of("Schools in zones", "schools"),
        Column.of("First launch year", "launch_year"),
        Column.of("Pledged", "funding.pledged"),
        Column.of("Committed", "funding.committed"),
        Column.of("Received", "funding.received"),
        Column.of("Spent", "funding.spent"),
        Column.of("Public committed", "funding.committed_public"),
        Column.of("Private committed", "funding.committed_private"),
        Column.of("Match ratio (private per public)", "funding.match_ratio"),
        Column.of("Share on track", "on_track_share"),
        Column.of("Share at risk", "at_risk_share"),
        Column.of("Share off track", "off_track_share"),
        Column.of("Last status update", "last_update"),
        Column.of("Days since last update", "days_since_update"),
    ),
)

ZONES = Table(
    "zones",
    (
        Column.of("Zone", "name"),
        Column.of("Status", "get_status_display"),
        Column.of("Launch school year", "launch_school_year"),
        Column.of("Lead Partner", "lead_partner.name"),
        Column.of("Schools", "school_count"),
        Column("Autonomies", lambda zone: ", ".join(zone.autonomies)),
    ),
)

DISTRICTS = Table(
    "districts",
    (
        Column.of("District", "name"),
        Column.of("NCES LEA id", "nces_lea_id"),
        Column.of("Schools", "school_count"),
        Column.of("Central office contact", "central_office_contact_name"),
        Column.of("Contact email", "central_office_contact_email"),
    ),
)

ENGAGEMENTS = Table(
    "engagements",
    (
        Column.of("Collaborator", "collaborator.name"),
        Column.of("Service area", "get_service_area_display"),
        Column.of("Status", "get_status_display"),
        Column.of("Start", "start_date"),
        Column.of("End", "end_date"),
        Column.of("Description", "description"),
    ),
)
