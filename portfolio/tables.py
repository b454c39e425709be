"""Zone and portfolio tables as they are downloaded (CSV); the pages show the same rows (state
and zone rollups, ``reports.rollups``)."""

from web.tables import Column, Table

# A state's or zone's match (``funding.match.MatchStanding``), as its page shows it.
MATCH_COLUMNS = (
    Column.of("Match ratio (private per public)", "match.ratio"),
    Column.of("Match target (private per public)", "match.target_ratio"),
    Column.of("Match status", "match.status.label"),
    Column.of("Private money to close the match gap", "match.gap"),
    Column.of("Match counted at", "match.terms.stage_label"),
)

PORTFOLIO = Table(
    "portfolio",
    (
        Column.of("State", "state.name"),
        Column.of("Network status", "state.get_network_status_display"),
        Column("Zones", lambda row: len(row.zones)),
        Column.of("Schools in zones", "school_count"),
        Column.of("On track", "counts.on_track"),
        Column.of("At risk", "counts.at_risk"),
        Column.of("Off track", "counts.off_track"),
        Column.of("No data", "counts.no_data"),
        Column.of("First launch year", "launch_year"),
        Column.of("Pledged", "funding.pledged"),
        Column.of("Committed", "funding.committed"),
        Column.of("Received", "funding.received"),
        Column.of("Spent", "funding.spent"),
        Column.of("Public committed", "funding.committed_public"),
        Column.of("Private committed", "funding.committed_private"),
        *MATCH_COLUMNS,
        Column.of("Money at risk of lapsing", "money.at_risk"),
        Column("Awards at risk of lapsing", lambda row: len(row.money.awards_at_risk)),
        Column.of("Share on track", "on_track_share"),
        Column.of("Share at risk", "at_risk_share"),
        Column.of("Share off track", "off_track_share"),
        Column.of("Last status update", "last_update"),
        Column.of("Days since last update", "days_since_update"),
        Column.of("Late requirements", "late"),
        Column.of("Stale schools", "stale"),
        Column("Renewals due in 90 days", lambda row: len(row.renewals_due)),
        Column(
            "Renewals due: zone, date, latest decision",
            lambda row: "; ".join(
                f"{item.zone} {item.zone.renewal_on:%Y-%m-%d} "
                f"{item.latest_decision.get_decision_display() if item.latest_decision else 'no decision yet'}"
                for item in row.renewals_due
            ),
        ),
    ),
)

ZONES = Table(
    "zones",
    (
        Column.of("Zone", "zone.name"),
        Column.of("Status", "zone.get_status_display"),
        Column.of("Launch school year", "zone.launch_school_year"),
        Column.of("Lead Partner", "zone.lead_partner.name"),
        Column.of("Schools", "school_count"),
        Column.of("On track", "counts.on_track"),
        Column.of("At risk", "counts.at_risk"),
        Column.of("Off track", "counts.off_track"),
        Column.of("No data", "counts.no_data"),
        Column.of("Zone-level pledged", "funding.pledged"),
        Column.of("Zone-level committed", "funding.committed"),
        Column.of("Zone-level received", "funding.received"),
        Column.of("Zone-level spent", "funding.spent"),
        *MATCH_COLUMNS,
        Column.of("State-level funds spent in zone", "state_level_spent"),
        Column.of("Late requirements", "late"),
        Column.of("Stale schools", "stale"),
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

SCHOOL_LIST = Table(
    "schools",
    (
        Column.of("School", "school.name"),
        Column.of("NCES id", "school.nces_id"),
        Column.of("District", "school.district.name"),
        Column.of("State", "state.name"),
        Column.of("Zone", "zone.name"),
        Column.of("Lead Partner", "lead_partner.name"),
        Column.of("Standing", "standing.standing.label"),
        Column.of("Projection", "standing.projection.label"),
        Column.of("Latest rating", "standing.rating.label"),
        Column.of("Rated on", "standing.rated_on"),
        Column.of("Days since last update", "standing.days_since_update"),
        Column("Stale", lambda row: "yes" if row.standing.stale else "no"),
        Column.of("Late requirements", "late"),
        Column.of("Renewal date", "zone.renewal_on"),
        Column.of("Latest renewal decision", "decision.get_decision_display"),
        Column("Renewal due", lambda row: "yes" if row.renewal_due else "no"),
    ),
)
