"""seed_demo loads the demo initiative from the real facts, validly, and only once."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command

from accountability.calendar import requirements
from accountability.choices import Collection
from accountability.models import Measurement, StatusUpdate
from accountability.services import overall_status, progress_for_schools
from accounts.models import Membership, Role
from devdata.demo import DEMO_PASSWORD
from funding.models import Commitment, Expenditure, Funder
from partners.models import LeadPartner, NationalCollaborator
from schools.models import School
from zones.models import Initiative, State, Zone

pytestmark = pytest.mark.django_db

SIX_STATES = {
    ("Colorado", "CO", "08"),
    ("Delaware", "DE", "10"),
    ("Illinois", "IL", "17"),
    ("Louisiana", "LA", "22"),
    ("Massachusetts", "MA", "25"),
    ("New York", "NY", "36"),
}
SEVEN_COLLABORATORS = {
    "Education Counsel",
    "Education First Consulting",
    "Education Resource Strategies",
    "KSA-Plus Communications",
    "The New Teacher Project",
    "The Parthenon Group",
    "Turnaround for Children",
}
DEMO_LOGINS = {
    "admin@demo.zoneportfolio.org": (Role.INITIATIVE_ADMIN, None),
    "lead.co@demo.zoneportfolio.org": (Role.STATE_LEAD, "Colorado"),
    "viewer.co@demo.zoneportfolio.org": (Role.STATE_VIEWER, "Colorado"),
    "commissioner.co@demo.zoneportfolio.org": (Role.COMMISSIONER, "Colorado"),
    "partner@demo.zoneportfolio.org": (Role.LEAD_PARTNER_STAFF, None),
    "collaborator@demo.zoneportfolio.org": (Role.COLLABORATOR, "Education Resource Strategies"),
}


def row_counts():
    """Rows of every model, audit history included: a second run must write nothing."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def test_seed_demo_is_idempotent(demo_database):
    after_first = row_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    second = out.getvalue()
    assert row_counts() == after_first
    assert "created: 0, updated: 0" in second
    assert "created: 0" not in demo_database  # the first seed's output


def test_demo_meets_the_facts(demo_database):
    initiative = Initiative.objects.get()
    assert (initiative.public_funding_target, initiative.private_funding_target) == (
        Decimal("45000000.00"),
        Decimal("30000000.00"),
    )
    assert (initiative.initial_term_start.isoformat(), initiative.initial_term_end.isoformat()) == (
        "2010-07-01",
        "2013-06-30",
    )
    assert initiative.extension_term_end.isoformat() == "2015-06-30"
    assert set(State.objects.values_list("name", "postal_code", "fips_code")) == SIX_STATES
    assert set(NationalCollaborator.objects.values_list("name", flat=True)) == SEVEN_COLLABORATORS
    assert all(collaborator.engagements.exists() for collaborator in NationalCollaborator.objects.all())

    for state in State.objects.all():
        assert 1 <= state.districts.count() <= 2
        assert state.zones.exists()
    for zone in Zone.objects.all():
        zone.full_clean()
        if zone.status in Zone.OPERATING_STATUSES:
            assert 3 <= zone.schools.count() <= 5, zone
    assert Zone.objects.filter(status__in=Zone.OPERATING_STATUSES).count() >= 6
    for school in School.objects.select_related("district__state", "zone"):
        assert school.is_demo and school.nces_id.startswith(school.district.nces_lea_id)
        assert school.district.nces_lea_id.startswith(school.district.state.fips_code)
    assert set(LeadPartner.objects.values_list("kind", flat=True)) == {"independent", "district_unit"}

    carnegie = Commitment.objects.get(funder__name="Carnegie Corporation of New York", amount=Decimal("1500000"))
    gates = Commitment.objects.get(funder__name="Bill & Melinda Gates Foundation", recipient_level="initiative")
    assert carnegie.recipient_level == "initiative" and carnegie.source == "private"
    assert (carnegie.period_end - carnegie.period_start).days in (729, 730)
    assert Decimal(0) < gates.amount < carnegie.amount  # a partial match
    kinds = dict(Funder.objects.values_list("name", "kind"))
    assert kinds["School Improvement Grants (ESEA Section 1003(g))"] == "federal_formula"
    assert kinds["Race to the Top"] == "federal_competitive"
    assert "state" in kinds.values()
    assert set(Commitment.objects.values_list("recipient_level", flat=True)) == {"initiative", "state", "zone"}
    assert set(Commitment.objects.values_list("status", flat=True)) == {"pledged", "committed", "received", "withdrawn"}
    categories = set(Expenditure.objects.values_list("category", flat=True))
    assert set(Expenditure.TEACHER_COMPENSATION) <= categories

    operating_schools = School.objects.filter(zone__status__in=Zone.OPERATING_STATUSES)
    statuses = {overall_status(items) for items in progress_for_schools(operating_schools).values()}
    assert statuses == {"on_track", "at_risk", "off_track"}
    assert Measurement.objects.values("school_year").distinct().count() >= 2
    assert StatusUpdate.objects.exists()
    assert "Demo logins" in demo_database


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_demo_logins_work(demo_database, client, email):
    role, scope_name = DEMO_LOGINS[email]
    membership = Membership.objects.get(user__email=email)
    assert membership.role == role
    if scope_name:
        assert str(membership.scope_object) == scope_name
    assert EmailAddress.objects.filter(email=email, verified=True, primary=True).exists()
    assert client.login(email=email, password=DEMO_PASSWORD)


def test_the_partner_login_leads_colorados_zones(demo_database):
    partner = Membership.objects.get(user__email="partner@demo.zoneportfolio.org").lead_partner
    colorado_zones = Zone.objects.filter(state__postal_code="CO")
    assert colorado_zones.exists()
    assert set(colorado_zones.values_list("lead_partner", flat=True)) == {partner.pk}
    admin = Membership.objects.get(user__email="admin@demo.zoneportfolio.org").user
    assert admin.is_staff and admin.is_superuser


def test_the_demo_calendar_has_approved_late_and_returned_periods_with_their_values(demo_database):
    found = requirements()
    statuses = Counter(requirement.status for requirement in found)
    (late,) = [requirement for requirement in found if requirement.status == Collection.LATE]
    (returned,) = [requirement for requirement in found if requirement.status == Collection.RETURNED]

    assert statuses[Collection.APPROVED] > statuses[Collection.SUBMITTED] > 0
    assert {requirement.reporting_period.state.name for requirement in found} == {
        name for name, _postal, _fips in SIX_STATES
    }
    assert late.submission is not None and late.days_late > 0
    assert returned.submission.comment and returned.submission.times_returned == 1
    assert all(requirement.entered == len(requirement.indicators) > 0 for requirement in found)
    history = returned.submission.history.order_by("history_date", "history_id")
    assert [row.history_change_reason.split(":")[0] for row in history] == ["Started", "Submitted", "Returned"]
