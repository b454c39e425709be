"""Imports of the state's money: commitments, expenditures and zone budgets. Each guard (a
commitment within its award, spending within what was received, budgets within the zone's
committed money) refuses a row at the dry run, counting the file's rows above it, and again at
apply when the money changed in between; Lead Partner staff cannot import money."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from funding.models import Budget, Commitment, Expenditure, Funder
from imports import services
from imports.forms import ImportForm
from imports.models import ImportBatch, ImportScope
from imports.services import apply_import, import_scopes_for
from tests.factories import AwardFactory, BudgetFactory, CommitmentFactory, ExpenditureFactory, FunderFactory
from tests.problems import field_errors

from .conftest import build_world as build_schools_world
from .conftest import upload

AWARD = "FY2010 1003(g) SIG"
COMMITMENT_HEADER = "funder,level,zone,award,amount,status,pledged_on,committed_on,received_on,period_start,period_end"
EXPENDITURE_HEADER = "commitment,zone,nces_id,category,amount,spent_on,description"
BUDGET_HEADER = "zone,fiscal_year,category,amount,notes"


@pytest.fixture(scope="module")
def world_builder():
    return build_world


def build_world():
    """The imports world, with Colorado's money: a $1,000,000 award of which $700,000 is committed,
    $200,000 received for the Front Range Zone (of which $50,000 spent), a pledge to the Mesa Zone;
    and Illinois' received commitment."""
    world = build_schools_world()
    colorado, zone = world.colorado, world.zone
    education = FunderFactory(name="US Department of Education", kind=Funder.Kind.FEDERAL_FORMULA)
    foundation = FunderFactory(name="Gates Foundation")
    award = AwardFactory(funder=education, state=colorado, name=AWARD, amount=Decimal("1000000.00"))
    CommitmentFactory(funder=education, state=colorado, award=award, amount=Decimal("700000.00"))
    received = CommitmentFactory(
        funder=foundation,
        state=colorado,
        zone=zone,
        recipient_level=Commitment.RecipientLevel.ZONE,
        status=Commitment.Status.RECEIVED,
        amount=Decimal("200000.00"),
        pledged_on=datetime.date(2010, 3, 1),
    )
    ExpenditureFactory(commitment=received, zone=zone, amount=Decimal("50000.00"))
    pledged = CommitmentFactory(
        funder=foundation,
        state=colorado,
        zone=world.other_zone,
        recipient_level=Commitment.RecipientLevel.ZONE,
        amount=Decimal("80000.00"),
        pledged_on=datetime.date(2010, 4, 1),
    )
    illinois = CommitmentFactory(
        funder=foundation,
        state=world.illinois,
        zone=world.illinois_zone,
        recipient_level=Commitment.RecipientLevel.ZONE,
        status=Commitment.Status.RECEIVED,
    )
    illinois_funds = FunderFactory(name="Illinois State Funds", kind=Funder.Kind.STATE, state=world.illinois)
    world.money = SimpleNamespace(
        education=education,
        foundation=foundation,
        illinois_funds=illinois_funds,
        award=award,
        received=received,
        pledged=pledged,
        illinois=illinois,
    )
    return world


def csv(header: str, *rows: str) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def errors_of(batch) -> dict:
    return {(error["row"], error["column"]): error["message"] for error in batch.errors}


@pytest.fixture
def preview_money(world):
    """Preview a money file as Colorado's state lead (or another user and scope)."""

    def run(kind, data, *, user=None, scope=None):
        return services.preview_import(
            user=user or world.users.lead,
            scope=scope or ImportScope(world.colorado),
            kind=kind,
            upload=upload(f"{kind}.csv", data),
        )

    return run


def commitment_row(amount, *, funder="US Department of Education", level="state", zone="", award=AWARD, **dates):
    status = dates.get("status", "committed")
    committed_on = dates.get("committed_on", "2010-05-01")
    pledged_on = dates.get("pledged_on", "2010-04-15")
    return f"{funder},{level},{zone},{award},{amount},{status},{pledged_on},{committed_on},,2010-07-01,2012-09-30"


# Commitments


def test_a_commitments_file_is_previewed_then_applied_and_imported_twice_records_nothing_twice(world, preview_money):
    data = csv(
        COMMITMENT_HEADER,
        commitment_row("200000", level="zone", zone="Front Range Zone"),
        'gates foundation,State,,,"$75,000.00",Received,2010-06-01,06/15/2010,2010-07-01T00:00:00,'
        "2010-07-01,2011-06-30",
    )
    before = Commitment.objects.count()

    batch = preview_money("commitments", data)

    assert batch.counts == {"create": 2, "update": 0, "skip": 0, "errors": 0}, batch.errors
    batch = apply_import(batch, world.users.lead)
    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert Commitment.objects.count() == before + 2
    federal = Commitment.objects.get(award=world.money.award, zone=world.zone)
    assert (federal.amount, federal.status, federal.recipient_level) == (Decimal("200000.00"), "committed", "zone")
    assert federal.history.first().history_user == world.users.lead
    assert federal.history.first().history_change_reason == f"Import #{batch.pk}: commitments.csv"
    private = Commitment.objects.get(funder=world.money.foundation, pledged_on=datetime.date(2010, 6, 1))
    assert (private.state, private.zone, private.amount, private.source) == (
        world.colorado,
        None,
        Decimal("75000.00"),
        "private",
    )
    assert (private.committed_on, private.received_on) == (datetime.date(2010, 6, 15), datetime.date(2010, 7, 1))

    again = preview_money("commitments", data)

    assert again.counts == {"create": 0, "update": 0, "skip": 2, "errors": 0}


def test_a_commitment_beyond_what_its_award_has_left_is_refused(world, preview_money):
    """$1,000,000 awarded, $700,000 committed: $300,000 left."""
    batch = preview_money("commitments", csv(COMMITMENT_HEADER, commitment_row("400000")))

    assert errors_of(batch) == {
        (2, "amount"): (
            f"{AWARD} is $1,000,000.00, of which $300,000.00 is left to commit; this commitment asks for $400,000.00."
        )
    }
    assert not batch.can_apply


def test_two_commitments_of_one_file_together_beyond_the_award_are_refused(world, preview_money):
    data = csv(COMMITMENT_HEADER, commitment_row("200000"), commitment_row("150000", pledged_on="2010-04-20"))

    batch = preview_money("commitments", data)

    assert errors_of(batch) == {
        (3, "amount"): (
            f"{AWARD} is $1,000,000.00, of which $100,000.00 is left to commit; this commitment asks for "
            "$150,000.00. Rows above in this file take $200,000.00 of it first."
        )
    }


def test_a_commitment_that_took_the_award_after_the_preview_fails_the_apply(world, preview_money):
    batch = preview_money("commitments", csv(COMMITMENT_HEADER, commitment_row("250000")))
    assert batch.can_apply, batch.errors
    CommitmentFactory(funder=world.money.education, state=world.colorado, award=world.money.award, amount=100000)
    before = Commitment.objects.count()

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == {
        (2, "amount"): (
            f"{AWARD} is $1,000,000.00, of which $200,000.00 is left to commit; this commitment asks for $250,000.00."
        )
    }
    assert Commitment.objects.count() == before


def test_the_award_is_checked_again_on_its_locked_row_when_the_rows_are_written(world, preview_money, monkeypatch):
    """Money taken between the apply's check and its write: the model's save() refuses on the
    locked award, the batch fails with its message and nothing of the file is written."""
    batch = preview_money("commitments", csv(COMMITMENT_HEADER, commitment_row("250000")))
    plan_import = services.plan_import

    def checked_then_taken(*args, **kwargs):
        plan = plan_import(*args, **kwargs)
        CommitmentFactory(funder=world.money.education, state=world.colorado, award=world.money.award, amount=100000)
        return plan

    monkeypatch.setattr(services, "plan_import", checked_then_taken)

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == [
        {
            "row": None,
            "column": "",
            "message": f"{AWARD} is $1,000,000.00, of which $200,000.00 is left to commit; "
            "this commitment asks for $250,000.00. Nothing was written.",
        }
    ]
    assert not Commitment.objects.filter(amount=Decimal("250000.00")).exists()


def test_commitments_follow_the_models_rules(world, preview_money):
    data = csv(
        COMMITMENT_HEADER,
        commitment_row("1000", funder="Illinois State Funds", award=""),
        commitment_row("1000", level="zone", zone="Lakeshore Zone"),
        commitment_row("1000", committed_on="2010-01-01"),
        commitment_row("1000", committed_on=""),
        commitment_row("1000", status="withdrawn"),
        commitment_row("1000", funder="Gates Foundation"),
    )

    errors = errors_of(preview_money("commitments", data))

    assert errors == {
        (2, "funder"): (
            "Illinois State Funds are Illinois's own money: commit them to Illinois or its zones, not to Colorado."
        ),
        (3, "zone"): "No zone named “Lakeshore Zone” (or with that id) in Colorado.",
        (4, "committed_on"): "Money is committed on or after the day it is pledged.",
        (5, "committed_on"): "Give the date the money was committed.",
        (6, "status"): "“withdrawn” is not one of: pledged, committed, received.",
        (7, "award"): f"{AWARD} is US Department of Education's; this commitment is from Gates Foundation.",
    }


def test_a_recorded_commitment_is_not_changed_by_a_file(world, preview_money):
    apply_import(preview_money("commitments", csv(COMMITMENT_HEADER, commitment_row("1000"))), world.users.lead)

    batch = preview_money("commitments", csv(COMMITMENT_HEADER, commitment_row("1000", status="pledged")))

    [(key, message)] = errors_of(batch).items()
    assert key == (2, "status")
    assert "but another status; change it on its page, not by import." in message


# Expenditures


def test_an_expenditures_file_is_applied(world, preview_money):
    received = world.money.received
    data = csv(
        "commitment,funder,commitment_pledged_on,zone,nces_id,category,amount,spent_on,description",
        f"{received.pk},,,Front Range Zone,,elt_compensation,40000,2010-09-01,Summer session",
        ",Gates Foundation,2010-03-01,,080000100002,Teacher compensation — incentive pay,10000,2010-10-01,",
    )

    batch = apply_import(preview_money("expenditures", data), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    spent = {(e.category, e.amount, e.school_id, e.zone_id) for e in received.expenditures.filter(amount__lt=50000)}
    school = world.schools["080000100002"]
    assert spent == {
        ("elt_compensation", Decimal("40000.00"), None, world.zone.pk),
        ("incentive_pay", Decimal("10000.00"), school.pk, world.zone.pk),
    }
    assert preview_money("expenditures", data).counts == {"create": 0, "update": 0, "skip": 2, "errors": 0}


def test_spending_beyond_what_was_received_is_refused(world, preview_money):
    """$200,000 received, $50,000 spent: $150,000 left."""
    row = f"{world.money.received.pk},Front Range Zone,,other,160000,2010-09-01,"

    batch = preview_money("expenditures", csv(EXPENDITURE_HEADER, row))

    assert errors_of(batch) == {(2, "amount"): "Only $150,000.00 of this commitment's received money is left to spend."}


def test_two_expenditures_of_one_file_together_beyond_what_was_received_are_refused(world, preview_money):
    pk = world.money.received.pk
    data = csv(
        EXPENDITURE_HEADER,
        f"{pk},Front Range Zone,,other,100000,2010-09-01,",
        f"{pk},Front Range Zone,,other,60000,2010-09-02,",
    )

    batch = preview_money("expenditures", data)

    assert errors_of(batch) == {
        (3, "amount"): (
            "Only $50,000.00 of this commitment's received money is left to spend. "
            "Rows above in this file take $100,000.00 of it first."
        )
    }


def test_spending_a_commitment_not_yet_received_is_refused(world, preview_money):
    row = f"{world.money.pledged.pk},Mesa Zone,,other,1000,2010-09-01,"

    batch = preview_money("expenditures", csv(EXPENDITURE_HEADER, row))

    assert errors_of(batch) == {
        (2, "amount"): (
            "This commitment is pledged, not yet received; record its money as received before spending it."
        )
    }


def test_spending_recorded_after_the_preview_fails_the_apply(world, preview_money):
    row = f"{world.money.received.pk},Front Range Zone,,other,120000,2010-09-01,"
    batch = preview_money("expenditures", csv(EXPENDITURE_HEADER, row))
    assert batch.can_apply, batch.errors
    ExpenditureFactory(commitment=world.money.received, zone=world.zone, amount=Decimal("40000.00"))
    before = Expenditure.objects.count()

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == {(2, "amount"): "Only $110,000.00 of this commitment's received money is left to spend."}
    assert Expenditure.objects.count() == before


def test_another_states_commitment_or_zone_is_not_found(world, preview_money):
    data = csv(
        EXPENDITURE_HEADER,
        f"{world.money.illinois.pk},Front Range Zone,,other,10,2010-09-01,",
        f"{world.money.received.pk},Lakeshore Zone,,other,10,2010-09-01,",
    )

    batch = preview_money("expenditures", data)

    assert errors_of(batch) == {
        (2, "commitment"): f"No commitment #{world.money.illinois.pk} in Colorado.",
        (3, "zone"): "No zone named “Lakeshore Zone” (or with that id) in Colorado.",
    }


def test_a_commitment_named_by_funder_and_pledge_date_must_be_the_only_one(world, preview_money):
    CommitmentFactory(
        funder=world.money.foundation,
        state=world.colorado,
        status=Commitment.Status.RECEIVED,
        pledged_on=datetime.date(2010, 3, 1),
    )
    data = csv(
        "funder,commitment_pledged_on,zone,category,amount,spent_on",
        "Gates Foundation,2010-03-01,Front Range Zone,other,10,2010-09-01",
        "Gates Foundation,2010-03-02,Front Range Zone,other,10,2010-09-01",
        "Gates Foundation,,Front Range Zone,other,10,2010-09-01",
    )

    errors = errors_of(preview_money("expenditures", data))

    assert errors == {
        (2, "funder"): (
            "2 commitments of “Gates Foundation” pledged on 2010-03-01 in Colorado; name the commitment by its id."
        ),
        (3, "funder"): (
            "No live commitment of “Gates Foundation” pledged on 2010-03-02 in Colorado; name the commitment by its id."
        ),
        (4, "commitment_pledged_on"): (
            "Name the commitment by its id (“commitment”), or by its funder and the day it was pledged "
            "(“commitment_pledged_on”)."
        ),
    }


# Zone budgets


def budgets(zone) -> dict:
    return {(line.fiscal_year, line.category): line.amount for line in Budget.objects.filter(zone=zone)}


def test_a_budgets_file_creates_then_updates_the_zones_lines(world, preview_money):
    """The Front Range Zone has $200,000 received (committed) for it."""
    data = csv(
        BUDGET_HEADER,
        "Front Range Zone,2011,elt_compensation,100000,Summer",
        f"{world.zone.pk},FY2012,Partner services,50000,",
    )
    batch = apply_import(preview_money("budgets", data), world.users.lead)
    assert batch.status == ImportBatch.Status.APPLIED, batch.errors

    update = csv(BUDGET_HEADER, "front range zone,fy 2011,ELT_COMPENSATION,140000,")
    batch = preview_money("budgets", update)

    assert batch.counts == {"create": 0, "update": 1, "skip": 0, "errors": 0}, batch.errors
    assert apply_import(batch, world.users.lead).status == ImportBatch.Status.APPLIED
    assert budgets(world.zone) == {
        (2011, "elt_compensation"): Decimal("140000.00"),
        (2012, "partner_services"): Decimal("50000.00"),
    }
    assert Budget.objects.get(zone=world.zone, fiscal_year=2011).notes == "Summer"  # a blank note keeps it


def test_a_fiscal_year_is_a_year_or_fy_and_a_year(world, preview_money):
    data = csv(BUDGET_HEADER, "Front Range Zone,11,other,1,", "Front Range Zone,FY2011-12,other,1,")

    errors = errors_of(preview_money("budgets", data))

    message = "is not a fiscal year: write 2011 or FY2011 (July 2010 – June 2011)."
    assert errors == {(2, "fiscal_year"): f"“11” {message}", (3, "fiscal_year"): f"“FY2011-12” {message}"}


def test_a_budget_beyond_the_zones_committed_money_is_refused(world, preview_money):
    batch = preview_money("budgets", csv(BUDGET_HEADER, "Front Range Zone,2011,other,250000,"))

    assert errors_of(batch) == {
        (2, "amount"): (
            "The zone's budgets would total $250,000.00, more than the $200,000.00 it may draw on "
            "($200,000.00 committed to the zone and $0.00 of the state's own money not budgeted by its other zones); "
            "$200,000.00 is left to budget."
        )
    }


def test_two_budget_lines_of_one_file_together_beyond_the_zones_money_are_refused(world, preview_money):
    data = csv(BUDGET_HEADER, "Front Range Zone,2011,other,150000,", "Front Range Zone,2012,other,80000,")

    batch = preview_money("budgets", data)

    assert errors_of(batch) == {
        (3, "amount"): (
            "The zone's budgets would total $230,000.00, more than the $200,000.00 it may draw on "
            "($200,000.00 committed to the zone and $0.00 of the state's own money not budgeted by its other zones); "
            "$50,000.00 is left to budget. Rows above in this file take $150,000.00 of it first."
        )
    }


def test_lines_a_file_raises_are_written_once_the_lines_it_lowers_are(world, preview_money):
    """$200,000 committed, $150,000 budgeted: each raised line fits alone (its old amount replaced),
    both together only with the lowered line's $100,000 freed; they were recorded before it."""
    for fiscal_year, amount in ((2012, "20000.00"), (2013, "30000.00"), (2011, "100000.00")):
        BudgetFactory(zone=world.zone, fiscal_year=fiscal_year, category="other", amount=Decimal(amount))
    data = csv(
        BUDGET_HEADER,
        "Front Range Zone,2011,other,0,",
        "Front Range Zone,2012,other,60000,",
        "Front Range Zone,2013,other,70000,",
    )

    batch = preview_money("budgets", data)

    assert batch.counts == {"create": 0, "update": 3, "skip": 0, "errors": 0}, batch.errors
    assert apply_import(batch, world.users.lead).status == ImportBatch.Status.APPLIED, batch.errors
    assert budgets(world.zone) == {
        (2011, "other"): Decimal("0.00"),
        (2012, "other"): Decimal("60000.00"),
        (2013, "other"): Decimal("70000.00"),
    }


def test_a_budget_line_added_after_the_preview_fails_the_apply(world, preview_money):
    batch = preview_money("budgets", csv(BUDGET_HEADER, "Front Range Zone,2011,other,180000,"))
    assert batch.can_apply, batch.errors
    BudgetFactory(zone=world.zone, fiscal_year=2012, category="other", amount=Decimal("50000.00"))

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert errors_of(batch) == {
        (2, "amount"): (
            "The zone's budgets would total $230,000.00, more than the $200,000.00 it may draw on "
            "($200,000.00 committed to the zone and $0.00 of the state's own money not budgeted by its other zones); "
            "$150,000.00 is left to budget."
        )
    }
    assert budgets(world.zone) == {(2012, "other"): Decimal("50000.00")}


def test_another_states_zone_is_not_found_for_a_budget(world, preview_money):
    batch = preview_money("budgets", csv(BUDGET_HEADER, f"{world.illinois_zone.pk},2011,other,1,"))

    assert errors_of(batch) == {(2, "zone"): f"No zone named “{world.illinois_zone.pk}” (or with that id) in Colorado."}


# Who imports money


MONEY_KINDS = ["commitments", "expenditures", "budgets"]


@pytest.mark.parametrize("kind", MONEY_KINDS)
def test_lead_partner_staff_cannot_import_money(world, preview_money, kind, client):
    partner = world.users.partner
    [scope] = import_scopes_for(partner)
    label = ImportBatch.Kind(kind).label
    message = f"{label} are imported by state staff for their state, not for {scope}."

    batch = preview_money(kind, csv(BUDGET_HEADER, "Front Range Zone,2011,other,1,"), user=partner, scope=scope)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == [{"row": None, "column": "", "message": message}]
    api = APIClient()
    api.force_authenticate(partner)
    data = {"kind": kind, "state": world.colorado.pk, "lead_partner": scope.lead_partner.pk}
    response = api.post("/api/v1/imports/", {**data, "file": upload("x.csv", b"a\n1\n")}, format="multipart")
    assert response.status_code == 400
    assert field_errors(response)["kind"] == [message]
    client.force_login(partner)
    page = client.get("/imports/new/")
    assert kind not in [value for value, _label in page.context["form"].fields["kind"].choices]
    assert "measurements" in [value for value, _label in page.context["form"].fields["kind"].choices]


def test_the_form_refuses_money_for_a_lead_partner_among_a_users_scopes(world):
    """Someone who imports for a state and for a Lead Partner is offered the money kinds, for the state only."""
    state = ImportScope(world.colorado)
    [partner] = import_scopes_for(world.users.partner)
    files = {"file": upload("budgets.csv", csv(BUDGET_HEADER, "Front Range Zone,2011,other,1,"))}

    form = ImportForm({"kind": "budgets", "scope": partner.key}, files, scopes=[state, partner])

    assert not form.is_valid()
    assert form.errors["kind"] == [f"Zone budgets are imported by state staff for their state, not for {partner}."]
    assert ImportForm({"kind": "budgets", "scope": state.key}, files, scopes=[state, partner]).is_valid()


def test_state_staff_upload_money_through_the_api(world):
    api = APIClient()
    api.force_authenticate(world.users.lead)
    data = csv(BUDGET_HEADER, "Front Range Zone,FY2011,other,1000,")

    response = api.post(
        "/api/v1/imports/",
        {"kind": "budgets", "state": world.colorado.pk, "file": upload("budgets.csv", data)},
        format="multipart",
    )

    assert response.status_code == 201, response.data
    response = api.post(f"/api/v1/imports/{response.data['id']}/apply/")
    assert response.status_code == 200 and response.data["status"] == "applied"
    assert budgets(world.zone) == {(2011, "other"): Decimal("1000.00")}


def test_the_import_page_explains_the_money_columns_and_offers_templates(world, client):
    client.force_login(world.users.lead)

    page = client.get("/imports/new/").content.decode()

    assert "commitment_pledged_on" in page and "FY2011" in page
    assert '<a href="/imports/template/budgets.csv">' in page
    template = client.get("/imports/template/budgets.csv")
    assert template.content.decode().strip() == "zone,fiscal_year,category,amount,notes"
    assert client.get("/imports/template/loans.csv").status_code == 404
