"""Every ``?ordering=`` the API offers is an index range, never a sort of every row in scope: each
allowed field leads an index of the list's table (its key, a unique constraint, a foreign key's or
a declared index). A new ordering without its index fails here; add the index or leave it out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from accounts.models import Role
from config.api_urls import router
from tests.api.conftest import token_client
from tests.factories import LaunchedZoneFactory, MeasurementFactory, MetricFactory, StatusUpdateFactory
from tests.worlds import membership

# Lists of tables bounded by the directory or by one state's handful of records (tens of rows per
# state at national scale): sorting them costs less than an index on every write. Each entry is a
# (resource, field); any other table's ordering needs its index.
BOUNDED = {
    ("districts", "name"): "a state's few districts",
    ("metrics", "name"): "the metric catalog",
    ("engagements", "start_date"): "a collaborator's engagements",
    ("engagements", "end_date"): "a collaborator's engagements",
    ("commitments", "amount"): "tens per state",
    ("commitments", "pledged_on"): "tens per state",
    ("commitments", "period_start"): "tens per state",
    ("expenditures", "amount"): "tens per zone",
    ("expenditures", "spent_on"): "tens per zone",
    ("reporting-periods", "school_year"): "four per state and year",
    ("reporting-periods", "period"): "four per state and year",
    ("reporting-periods", "due_on"): "four per state and year",
    ("period-submissions", "status"): "one per school and period, read per state",
    ("period-submissions", "submitted_at"): "one per school and period, read per state",
    ("renewal-decisions", "decided_on"): "one per zone and renewal",
    ("renewal-decisions", "created_at"): "one per zone and renewal",
    ("exit-criteria", "kind"): "a state's few criteria",
    ("autonomy-terms", "area"): "a zone's few terms",
    ("autonomy-terms", "power"): "a zone's few terms",
    ("autonomy-terms", "status"): "a zone's few terms",
    ("autonomy-terms", "effective_from"): "a zone's few terms",
    ("autonomy-check-ins", "observed_on"): "a zone's check-ins",
    ("autonomy-check-ins", "created_at"): "a zone's check-ins",
    ("autonomy-term-changes", "effective_on"): "a term's changes",
    ("autonomy-term-changes", "changed_at"): "a term's changes",
    ("change-proposals", "proposed_at"): "a state's open and decided proposals",
    ("change-proposals", "status"): "a state's open and decided proposals",
    ("comments", "created_at"): "threads on a state's records",
    ("awards", "name"): "a state's awards",
    ("awards", "amount"): "a state's awards",
    ("awards", "obligation_deadline"): "a state's awards",
    ("award-amendments", "effective_on"): "an award's amendments",
    ("award-amendments", "recorded_at"): "an award's amendments",
    ("budgets", "fiscal_year"): "a zone's budgets per fiscal year",
    ("budgets", "amount"): "a zone's budgets per fiscal year",
    ("recurring-costs", "annual_cost"): "a zone's recurring costs",
    ("notifications", "created_at"): "one person's notifications",
    ("activity-reports", "date"): "a collaborator's reports",
    ("activity-reports", "hours"): "a collaborator's reports",
    ("meetings", "starts_at"): "a state's meetings",
    ("action-items", "due_on"): "a state's action items",
    ("action-items", "created_at"): "a state's action items",
}


def offered_orderings():
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        for field in getattr(viewset, "ordering_fields", None) or ():
            yield prefix, queryset.model, field


def leading_columns(model) -> set[str]:
    """The columns some index of the model's table starts with."""
    opts = model._meta
    columns = {field.column for field in opts.concrete_fields if field.primary_key or field.unique or field.db_index}
    for index in [*opts.indexes, *opts.constraints]:
        fields = getattr(index, "fields", None)
        if fields:
            columns.add(opts.get_field(fields[0].lstrip("-")).column)
    columns |= {opts.get_field(fields[0]).column for fields in opts.unique_together}
    return columns


def test_orderings_are_enumerated():
    for prefix, viewset, _basename in router.registry:
        assert getattr(viewset, "ordering_fields", None) != "__all__", prefix


@pytest.mark.parametrize(("resource", "model", "field"), list(offered_orderings()), ids=lambda v: str(v))
def test_every_ordering_is_an_index_range(resource, model, field):
    if (resource, field) in BOUNDED:
        return
    assert model._meta.get_field(field).column in leading_columns(model), (
        f"?ordering={field} of /api/v1/{resource}/ sorts every row: index {model.__name__}.{field} or drop it"
    )


def test_the_bounded_list_names_only_offered_unindexed_orderings():
    offered = {(resource, field): model for resource, model, field in offered_orderings()}
    for key in BOUNDED:
        assert key in offered, f"{key} is no longer offered: remove it from BOUNDED"
        assert offered[key]._meta.get_field(key[1]).column not in leading_columns(offered[key]), f"{key} is indexed"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize(
    ("resource", "ordering"), [("measurements", "-school_year"), ("schools", "name"), ("zones", "-name")]
)
def test_the_planner_reads_the_index_not_a_sort(resource, ordering):
    """On PostgreSQL the large lists' orderings are an index scan with sequential scans off (the
    planner may still sort a handful of test rows when it is cheaper)."""
    model = next(model for prefix, model, _field in offered_orderings() if prefix == resource)
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        sql, params = model._base_manager.order_by(ordering).values("pk")[:25].query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index" in plan and "Sort" not in plan, plan


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize("resource", ["measurements", "status-updates"])
@pytest.mark.parametrize("ordering", ["-id", "id", "-school_year", "-reported_on", None])
def test_a_narrowed_list_is_sorted_from_its_rows(resource, ordering):
    """Narrowed to a zone, a list never walks an index in its order over every school's rows: a
    plan the planner picks when its estimates are off (the first zone's ``?ordering=-id``: 5.3 s
    over 50 years of history). With sorts off the plan still has to sort the zone's rows."""
    model = next(model for prefix, model, _field in offered_orderings() if prefix == resource)
    offered = dict.fromkeys(field for prefix, _model, field in offered_orderings() if prefix == resource)
    if ordering is not None and ordering.lstrip("-") not in offered:
        pytest.skip(f"/{resource}/ offers no ordering by {ordering}")
    zone, metric = LaunchedZoneFactory(), MetricFactory()
    for school in zone.schools.all():
        MeasurementFactory(school=school, metric=metric)
        StatusUpdateFactory(school=school)
    client = token_client(membership(Role.INITIATIVE_ADMIN))
    params = {"zone": zone.pk} | ({"ordering": ordering} if ordering else {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == zone.schools.count()
    table = model._meta.db_table
    (page,) = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]]
    with scopes_disabled(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {page}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" in plan, plan
