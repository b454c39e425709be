"""Reads are tenant-scoped per role: lists show only what the role may see, and another
state's object is a 404, whether asked for directly or by filter."""

import pytest

from autonomy.models import AutonomyTerm
from tests.factories import AutonomyTermFactory, FunderFactory, UserFactory
from web.rest import PageNumberPages

ROLES = ["admin", "state_lead", "state_viewer", "commissioner", "lead_partner_staff", "collaborator"]
TENANT_ENDPOINTS = [
    "states",
    "districts",
    "zones",
    "schools",
    "engagements",
    "commitments",
    "expenditures",
    "baselines",
    "targets",
    "measurements",
    "status-updates",
    "state-funding",
    "zone-funding",
    "school-progress",
]
# What a role does not see even in its own state (from the scoping rules in accounts.scoping).
HIDDEN_FROM = {
    "lead_partner_staff": {"engagements", "commitments", "expenditures"},
    "collaborator": {"status-updates"},
}


def list_ids(client, endpoint, **params):
    response = client.get(f"/api/v1/{endpoint}/", {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("endpoint", TENANT_ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail_are_scoped(clients, records, role, endpoint):
    own, other = records[endpoint]
    client = clients[role]
    ids = list_ids(client, endpoint)
    sees_own = endpoint not in HIDDEN_FROM.get(role, set())
    assert (own.pk in ids) is sees_own
    assert client.get(f"/api/v1/{endpoint}/{own.pk}/").status_code == (200 if sees_own else 404)
    sees_other = role == "admin"
    assert (other.pk in ids) is sees_other
    assert client.get(f"/api/v1/{endpoint}/{other.pk}/").status_code == (200 if sees_other else 404)


def test_filter_by_another_state_shows_nothing(clients, records, world):
    assert list_ids(clients["state_viewer"], "schools", state=world.other_state.pk) == set()
    assert list_ids(clients["state_viewer"], "schools", state=world.state.pk) == {s.pk for s in world.schools}


def test_directory_is_read_by_members_only(clients, world, client):
    funder = FunderFactory()
    for role in ROLES:
        assert funder.pk in list_ids(clients[role], "funders")
        assert world.metric.pk in list_ids(clients[role], "metrics")
    client.force_login(UserFactory())  # signed in, but no membership
    assert list_ids(client, "funders") == set()
    assert list_ids(client, "zones") == set()


def test_anonymous_is_refused(world, client):
    response = client.get("/api/v1/zones/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_zone_list_has_schools_lead_partner_autonomy_and_progress(clients, world):
    term = AutonomyTermFactory(zone=world.zone, status=AutonomyTerm.Status.CONTESTED)
    response = clients["state_viewer"].get("/api/v1/zones/")
    [zone] = response.json()["results"]
    assert zone["id"] == world.zone.pk
    assert zone["lead_partner_detail"] == {
        "id": world.zone.lead_partner.pk,
        "name": world.zone.lead_partner.name,
        "kind": "independent",
    }
    assert zone["autonomy_terms"] == [
        {
            "id": term.pk,
            "area": "people",
            "area_label": "People",
            "power": "hiring",
            "power_label": "Hiring",
            "status": "contested",
            "status_label": "Contested",
            "source": "mou_clause",
            "source_label": "MOU clause",
            "source_reference": "MOU §4.2",
            "effective_from": "2010-07-01",
            "effective_until": None,
        }
    ]
    assert sorted(s["id"] for s in zone["schools"]) == [s.pk for s in world.schools]
    assert all(s["progress"]["standing"] == "no_data" and s["progress"]["metrics"] == [] for s in zone["schools"])


def test_page_size_is_bounded(clients, world, monkeypatch):
    """Up to the max a page has that many rows; beyond it is a 400 (web.filtering), not a silent cap."""
    monkeypatch.setattr(PageNumberPages, "max_page_size", 4)
    body = clients["admin"].get("/api/v1/schools/", {"page_size": 4}).json()
    assert (body["count"], len(body["results"])) == (6, 4)
    assert clients["admin"].get("/api/v1/schools/", {"page_size": 5}).status_code == 400


def test_filters_ordering_pagination_and_sparse_fields(clients, world):
    client = clients["admin"]
    names = [s.name for s in sorted(world.schools + world.other_schools, key=lambda s: s.name, reverse=True)]
    response = client.get("/api/v1/schools/", {"ordering": "-name", "page_size": 2, "fields": "id,name"})
    body = response.json()
    assert body["count"] == 6
    assert [row["name"] for row in body["results"]] == names[:2]
    assert all(set(row) == {"id", "name"} for row in body["results"])
    assert body["next"] is not None
    zone_ids = list_ids(client, "zones", state=world.other_state.pk, status="launched")
    assert zone_ids == {world.other_zone.pk}
    assert client.get("/api/v1/schools/", {"state": "not-a-number"}).status_code == 400
