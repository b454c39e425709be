"""Who may import what: state leads for their state, Lead Partner staff measurements for their schools."""

from accountability.models import Measurement
from imports.models import ImportScope
from imports.services import apply_import, import_scopes_for
from schools.forms import SchoolForm

from .conftest import database_fingerprint

MEASUREMENTS = "nces_id,metric,school_year,period,value\n"


def scope_keys(user):
    return {(scope.state.name, scope.lead_partner) for scope in import_scopes_for(user)}


def test_import_scopes_per_role(world):
    assert scope_keys(world.users.lead) == {("Colorado", None)}
    assert scope_keys(world.users.partner) == {("Colorado", world.zone.lead_partner)}
    assert scope_keys(world.users.viewer) == set()
    assert scope_keys(world.users.admin) == {("Colorado", None), ("Illinois", None)}


def test_lead_partner_staff_import_measurements_for_their_schools_only(world, preview):
    partner_scope = ImportScope(world.colorado, world.zone.lead_partner)
    data = (
        MEASUREMENTS + "080000100001,ela-proficiency,2010-11,1,40\n"
        "080000200001,ela-proficiency,2010-11,1,40\n"  # Mesa zone: another Lead Partner's school
    ).encode()
    before = database_fingerprint()

    batch = preview("partner.csv", data, user=world.users.partner, scope=partner_scope)

    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "nces_id")]
    assert "No school with NCES id 080000200001 in your scope" in batch.errors[0]["message"]
    assert database_fingerprint() == before

    fixed = preview("partner.csv", data.rsplit(b"\n", 2)[0] + b"\n", user=world.users.partner, scope=partner_scope)
    assert apply_import(fixed, world.users.partner).status == "applied"
    assert Measurement.objects.get().school.nces_id == "080000100001"


def test_lead_partner_staff_cannot_import_baselines(world, preview):
    partner_scope = ImportScope(world.colorado, world.zone.lead_partner)

    batch = preview("baselines_valid.csv", kind="baselines", user=world.users.partner, scope=partner_scope)

    assert [e["message"] for e in batch.errors] == [
        f"You may not add baselines for {nces_id} · ela-proficiency."
        for nces_id in ("080000100001", "080000100002", "080000100003")
    ]


def test_a_state_lead_cannot_reach_another_state(world, preview):
    batch = preview("measurements_valid.csv", user=world.users.illinois_lead, scope=ImportScope(world.illinois))

    assert {e["column"] for e in batch.errors} == {"nces_id"}
    assert len(batch.errors) == 6


def test_the_scope_limits_even_an_admin(world, preview):
    """An admin importing for Illinois does not write Colorado rows by mistake."""
    batch = preview("measurements_valid.csv", user=world.users.admin, scope=ImportScope(world.illinois))

    assert len(batch.errors) == 6


SCHOOLS = "nces_id,name,district_nces_lea_id,lowest_grade,highest_grade,enrollment\n"


def test_another_states_nces_id_gets_the_message_of_any_duplicate(world, preview):
    """Finding 8: the import said "already used by a school outside your scope"; now it says what
    the school page says for any taken NCES id, with nothing about whose school it is."""
    district = world.zone.districts.get()
    row = {"name": "New School", "district": district.pk, "lowest_grade": "6", "highest_grade": "8", "enrollment": 1}
    on_the_page = SchoolForm({**row, "nces_id": "080000100001"}, user=world.users.lead, state=world.colorado)
    assert not on_the_page.is_valid()

    batch = preview("schools.csv", (SCHOOLS + "170000100001,New School,0800001,6,8,1\n").encode(), kind="schools")

    assert batch.errors == [{"row": 2, "column": "nces_id", "message": on_the_page.errors["nces_id"][0]}]
