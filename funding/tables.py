"""Funding tables as they are downloaded (CSV); the pages show the same rows."""

from web.tables import Column, Table

COMMITMENTS = Table(
    "commitments",
    (
        Column.of("Funder", "funder.name"),
        Column.of("Funder kind", "funder.get_kind_display"),
        Column.of("Source", "get_source_display"),
        Column.of("Recipient", "recipient_label"),
        Column.of("Description", "description"),
        Column.of("Amount", "amount"),
        Column.of("Status", "get_status_display"),
        Column.of("Pledged on", "pledged_on"),
        Column.of("Committed on", "committed_on"),
        Column.of("Received on", "received_on"),
        Column.of("Period start", "period_start"),
        Column.of("Period end", "period_end"),
    ),
)

EXPENDITURES = Table(
    "expenditures",
    (
        Column.of("Spent on", "spent_on"),
        Column.of("Category", "get_category_display"),
        Column.of("Amount", "amount"),
        Column.of("Zone", "zone.name"),
        Column.of("School", "school.name"),
        Column.of("Funder", "commitment.funder.name"),
        Column.of("Description", "description"),
    ),
)
