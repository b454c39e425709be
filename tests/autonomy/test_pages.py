"""The ledger's pages per role: a zone's ledger, the state-wide ledger, the state and zone pages'
autonomy sections, the term, status change and check-in forms (with the labels the browser flow
uses), and bounded query counts."""

import datetime

import pytest
from django.urls import reverse

from autonomy import ledger
from autonomy.models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange
from tests.factories import AnnualReviewFactory, AutonomyCheckInFactory, AutonomyTermFactory, PerformanceContractFactory
from tests.worlds import query_counts

pytestmark = pytest.mark.django_db
Status, Power = AutonomyTerm.Status, AutonomyTerm.Power
DAY = datetime.date(2011, 9, 20)


@pytest.fixture
def ledger_world(world):
    """Tenant A's zone: a granted staffing term with a check-in, a contested hiring term."""
    zone = world.home.zone
    world.staffing = AutonomyTermFactory(zone=zone, power=Power.STAFFING)
    world.hiring = AutonomyTermFactory(zone=zone, power=Power.HIRING, status=Status.CONTESTED)
    world.check_in = AutonomyCheckInFactory(term=world.hiring, note="The district placed 4 teachers.")
    return world


def as_role(login, world, role):
    return login(world.home.users[role])


def zone_ledger_url(zone):
    return reverse("autonomy:zone_ledger", kwargs={"zone_pk": zone.pk})


def test_the_zone_ledger_groups_terms_by_area_with_check_ins_and_history(ledger_world, login):
    world = ledger_world
    review = AnnualReviewFactory(contract=PerformanceContractFactory(zone=world.home.zone))
    lead = world.home.users["state_lead"]
    ledger.change_term_status(
        world.staffing, Status.REVOKED, reason="Exit after review.", by=lead, effective_on=DAY, annual_review=review
    )
    response = login(lead).get(zone_ledger_url(world.home.zone))
    body = response.content.decode()
    assert response.status_code == 200
    assert [group.area for group in response.context["summary"].by_area()] == ["people"]
    assert "The district placed 4 teachers." in body
    assert "Exit after review." in body and "Earned autonomy" in body and "annual review 2010-11" in body
    assert f'href="{reverse("autonomy:term_status", kwargs={"autonomyterm_pk": world.hiring.pk})}"' in body
    assert body.index('id="contested-heading"') < body.index('id="area-people-heading"')


@pytest.mark.parametrize(
    ("role", "buttons", "sees_check_ins"),
    [
        ("state_lead", {"New term", "Change status", "Record check-in"}, True),
        ("lead_partner_staff", {"Request autonomy", "Record check-in"}, True),
        ("state_viewer", set(), True),
        ("collaborator", set(), False),
    ],
)
def test_each_role_sees_what_it_may_do(ledger_world, login, role, buttons, sees_check_ins):
    body = as_role(login, ledger_world, role).get(zone_ledger_url(ledger_world.home.zone)).content.decode()
    for label in ("New term", "Request autonomy", "Change status", "Record check-in"):
        assert (label in body) == (label in buttons), label
    assert ("The district placed 4 teachers." in body) == sees_check_ins


def test_another_states_ledger_is_not_found(ledger_world, login):
    client = as_role(login, ledger_world, "state_lead")
    assert client.get(zone_ledger_url(ledger_world.away.zone)).status_code == 404
    url = reverse("autonomy:state_ledger", kwargs={"state_pk": ledger_world.away.state.pk})
    assert client.get(url).status_code == 404


def test_a_lead_partner_requests_a_term(ledger_world, login):
    zone = ledger_world.home.zone
    client = as_role(login, ledger_world, "lead_partner_staff")
    url = reverse("autonomy:term_create", kwargs={"zone_pk": zone.pk})
    page = client.get(url)
    assert "status" not in page.context["form"].fields
    data = {"area": "money", "power": "budget", "status": "granted", "reason": "The zone needs its own budget."}
    response = client.post(url, data)
    assert response.status_code == 302
    term = AutonomyTerm.objects.get(zone=zone, power="budget")
    assert term.status == Status.REQUESTED  # a posted status is not the Lead Partner's to set
    assert term.changes.get().reason == "The zone needs its own budget."


def test_the_state_lead_records_a_granted_term_and_is_told_what_it_lacks(ledger_world, login):
    zone = ledger_world.home.zone
    client = as_role(login, ledger_world, "state_lead")
    url = reverse("autonomy:term_create", kwargs={"zone_pk": zone.pk})
    data = {"area": "money", "power": "hiring", "status": "granted"}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"power", "source", "effective_from"}
    data = {**data, "power": "budget", "source": "state_waiver", "effective_from": "2011-07-01"}
    assert client.post(url, data).status_code == 302
    assert AutonomyTerm.objects.get(zone=zone, power="budget").status == Status.GRANTED


def test_editing_a_term_leaves_its_status_alone(ledger_world, login):
    term = ledger_world.staffing
    url = reverse("autonomy:term_edit", kwargs={"autonomyterm_pk": term.pk})
    assert as_role(login, ledger_world, "lead_partner_staff").get(url).status_code == 403
    client = as_role(login, ledger_world, "state_lead")
    form = client.get(url).context["form"]
    assert "status" not in form.fields
    data = {
        "area": "people",
        "power": "staffing",
        "source": "bargaining_article",
        "source_reference": "Article 12",
        "effective_from": "2010-07-01",
        "version": term.version,
        "status": "revoked",
    }
    assert client.post(url, data).status_code == 302
    term.refresh_from_db()
    assert (term.source, term.status) == ("bargaining_article", Status.GRANTED)


def test_the_state_lead_contests_a_term_citing_the_check_in(ledger_world, login):
    world = ledger_world
    term = world.staffing
    check_in = AutonomyCheckInFactory(term=term, practice="does_not_hold")
    url = reverse("autonomy:term_status", kwargs={"autonomyterm_pk": term.pk})
    assert as_role(login, world, "lead_partner_staff").get(url).status_code == 403
    client = as_role(login, world, "state_lead")
    page = client.get(url).content.decode()
    for label in ("New status", "Reason", "Effective on", "Change status"):
        assert label in page
    data = {
        "to_status": "contested",
        "reason": "The district overrides the MOU.",
        "effective_on": "2011-09-20",
        "cause": f"check_in:{check_in.pk}",
        "version": term.version,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    change = AutonomyTermChange.objects.get(term=term)
    assert (change.to_status, change.check_in, change.reason) == (
        "contested",
        check_in,
        "The district overrides the MOU.",
    )
    stale = client.post(url, {**data, "to_status": "revoked"})  # the version the form was opened at
    assert stale.status_code == 400
    assert "changed by someone else" in stale.content.decode()
    missing = client.post(url, {**data, "to_status": "revoked", "reason": "", "version": term.version + 1})
    assert missing.status_code == 400 and "reason" in missing.context["form"].errors
    assert AutonomyTerm.objects.get(pk=term.pk).status == Status.CONTESTED


def test_a_cause_from_another_zone_is_not_offered(ledger_world, login):
    elsewhere = AutonomyCheckInFactory(term=AutonomyTermFactory(zone=ledger_world.away.zone))
    url = reverse("autonomy:term_status", kwargs={"autonomyterm_pk": ledger_world.staffing.pk})
    client = as_role(login, ledger_world, "state_lead")
    data = {"to_status": "revoked", "reason": "r", "effective_on": "2011-09-20", "cause": f"check_in:{elsewhere.pk}"}
    response = client.post(url, {**data, "version": ledger_world.staffing.version})
    assert response.status_code == 400 and "cause" in response.context["form"].errors


def test_a_lead_partner_records_a_check_in(ledger_world, login):
    term = ledger_world.staffing
    url = reverse("autonomy:check_in", kwargs={"autonomyterm_pk": term.pk})
    assert as_role(login, ledger_world, "collaborator").get(url).status_code == 403
    client = as_role(login, ledger_world, "lead_partner_staff")
    page = client.get(url).content.decode()
    for label in ("Practice", "Note", "Observed on", "Record check-in"):
        assert label in page
    data = {"practice": "partly", "note": "The district placed 4 teachers.", "observed_on": "2011-09-01"}
    assert client.post(url, data).status_code == 302
    made = AutonomyCheckIn.objects.get(term=term)
    assert made.recorded_by == ledger_world.home.users["lead_partner_staff"]
    assert client.post(url, {**data, "note": ""}).status_code == 400


def test_the_state_page_shows_contested_terms_first_with_counts(ledger_world, login):
    state = ledger_world.home.state
    response = as_role(login, ledger_world, "state_viewer").get(
        reverse("portfolio:state_detail", kwargs={"state_pk": state.pk})
    )
    body = response.content.decode()
    assert body.index('id="autonomy-heading"') < body.index('id="zones-heading"')
    assert 'data-figure="terms_contested" data-value="1"' in body
    assert 'data-figure="terms_granted" data-value="1"' in body
    section = body[body.index('id="autonomy-heading"') : body.index('id="zones-heading"')]
    assert "Hiring" in section and "The district placed 4 teachers." in section


def test_the_zone_page_shows_the_ledger_by_area_and_links_to_it(ledger_world, login):
    zone = ledger_world.home.zone
    body = (
        as_role(login, ledger_world, "lead_partner_staff")
        .get(reverse("portfolio:zone_detail", kwargs={"zone_pk": zone.pk}))
        .content.decode()
    )
    assert f'href="{zone_ledger_url(zone)}"' in body
    assert 'data-term-status="contested"' in body and "Latest check-in" in body


def test_the_state_ledger_sorts_contested_first_and_filters(ledger_world, login):
    world = ledger_world
    AutonomyTermFactory(zone=world.home.zone, power=Power.BUDGET, area="money", status=Status.REVOKED)
    AutonomyTermFactory(zone=world.away.zone)
    client = as_role(login, world, "state_lead")
    url = reverse("autonomy:state_ledger", kwargs={"state_pk": world.home.state.pk})
    statuses = [row.term.status for row in client.get(url).context["summary"].rows]
    assert statuses == ["contested", "granted", "revoked"]
    assert [row.term.power for row in client.get(url, {"area": "money"}).context["summary"].rows] == ["budget"]
    assert [row.term.power for row in client.get(url, {"status": "granted"}).context["summary"].rows] == ["staffing"]


def test_the_ledger_pages_cost_the_same_queries_whatever_the_number_of_terms(ledger_world, login):
    world = ledger_world
    client = as_role(login, world, "state_lead")
    zone = world.home.zone
    urls = [
        zone_ledger_url(zone),
        reverse("autonomy:state_ledger", kwargs={"state_pk": world.home.state.pk}),
        reverse("portfolio:zone_detail", kwargs={"zone_pk": zone.pk}),
    ]
    before = query_counts(client, urls)
    lead = world.home.users["state_lead"]
    for power in (Power.BUDGET, Power.SCHEDULE, Power.CURRICULUM):
        term = AutonomyTermFactory(zone=zone, power=power, area=power.area)
        check_in = AutonomyCheckInFactory(term=term)
        ledger.change_term_status(term, Status.CONTESTED, reason="r", by=lead, effective_on=DAY, check_in=check_in)
    assert query_counts(client, urls) == before
