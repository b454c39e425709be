"""Finding 8 on the API: another tenant's rows answer exactly like rows that do not exist (filters,
the browsable API's forms, creates), and someone who may add nothing is refused before the data
is looked at."""

import pytest

from config.api_urls import router
from schools.models import School
from tests.api.conftest import build_world_with_records
from tests.problems import comparable
from web.rest import ScopedModelViewSet

LIST_PATHS = [f"/api/v1/{prefix}/" for prefix, _viewset, _name in router.registry]
# Lists read-only roles may add to: comments (any member who reads a subject comments on it;
# tests/comments/test_api.py).
READ_ONLY_ROLES = ("state_viewer", "commissioner", "collaborator")
# What read-only roles may add: comments on what they read, their own notification preferences and
# watches, their own webhook subscriptions (any member may subscribe to what they read), and a
# collaborator its activity reports.
READERS_ADD_TO = {
    "/api/v1/comments/": READ_ONLY_ROLES,
    "/api/v1/notification-preferences/": READ_ONLY_ROLES,
    "/api/v1/watches/": READ_ONLY_ROLES,
    "/api/v1/webhook-subscriptions/": READ_ONLY_ROLES,
    "/api/v1/activity-reports/": ("collaborator",),
}
MODEL_PATHS = [
    f"/api/v1/{prefix}/" for prefix, viewset, _name in router.registry if issubclass(viewset, ScopedModelViewSet)
]
MISSING = 10**9


@pytest.fixture(scope="module")
def world_builder():
    """Hundreds of cases read the same members and records: made once for the module."""
    return build_world_with_records


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("name", ["state", "district", "zone", "school"])
def test_a_filter_answers_alike_for_another_tenants_id_and_a_missing_one(clients, records, path, name):
    """``?state=<Kansas>`` as Colorado's lead: the same status and bytes as ``?state=<no such id>``."""
    foreign = {"state": records["states"], "district": records["districts"], "zone": records["zones"]}
    foreign["school"] = records["schools"]
    other_id = foreign[name][1].pk

    answers = [clients["state_lead"].get(path, {name: value}) for value in (other_id, MISSING)]

    assert answers[0].status_code == answers[1].status_code
    assert comparable(answers[0]) == comparable(answers[1]).replace(str(MISSING).encode(), str(other_id).encode())


@pytest.mark.parametrize("path", LIST_PATHS)
def test_the_browsable_api_shows_only_visible_rows(clients, records, world, path):
    """The filter form and the create form of every list name nothing of another state."""
    page = clients["state_lead"].get(path, HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    text = page.content.decode()
    for other in (world.other_state, world.other_zone, world.other_schools[0], records["districts"][1]):
        assert str(other) not in text


@pytest.mark.parametrize(
    ("role", "path"),
    [(role, path) for path in MODEL_PATHS for role in READ_ONLY_ROLES if role not in READERS_ADD_TO.get(path, ())],
)
def test_who_may_add_nothing_is_refused_before_validation(clients, world, path, role):
    response = clients[role].post(path, {"name": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and "errors" not in response.json()


def test_a_viewer_learns_nothing_about_another_states_nces_id(clients, world):
    """The finding: a viewer posting Kansas's NCES id was told it "already exists"."""
    district = world.zone.districts.get()
    school = {"name": "New", "district": district.pk, "lowest_grade": "6", "highest_grade": "8"}

    response = clients["state_viewer"].post("/api/v1/schools/", {**school, "nces_id": world.other_schools[0].nces_id})

    assert response.status_code == 403
    assert response.json()["detail"] == "You may not add schools." and "errors" not in response.json()


def test_another_states_nces_id_answers_like_an_unused_one(clients, world):
    """Behind the tenant wall another state's school does not exist: its NCES id gets exactly the
    answer of an unused id of the same district prefix."""
    district = world.zone.districts.get()
    school = {"name": "New", "district": district.pk, "lowest_grade": "6", "highest_grade": "8", "enrollment": 300}
    post = clients["state_lead"].post
    taken = world.other_schools[0].nces_id
    unused = taken[:7] + "99999"
    assert not School.objects.filter(nces_id=unused).exists()

    foreign = post("/api/v1/schools/", {**school, "nces_id": taken}, format="json")
    absent = post("/api/v1/schools/", {**school, "nces_id": unused}, format="json")

    assert foreign.status_code == absent.status_code == 400
    assert comparable(foreign) == comparable(absent)


@pytest.mark.parametrize(
    ("path", "field", "pair"),
    [
        ("/api/v1/schools/", "district", "districts"),
        ("/api/v1/zones/", "state", "states"),
        ("/api/v1/commitments/", "state", "states"),
        ("/api/v1/baselines/", "school", "schools"),
        ("/api/v1/measurements/", "school", "schools"),
        ("/api/v1/status-updates/", "school", "schools"),
    ],
)
def test_another_tenants_parent_does_not_exist_like_a_missing_one(clients, records, path, field, pair):
    other_id = records[pair][1].pk

    answers = [clients["state_lead"].post(path, {field: value}, format="json") for value in (other_id, MISSING)]

    assert answers[0].status_code == answers[1].status_code == 400
    assert comparable(answers[0]) == comparable(answers[1]).replace(str(MISSING).encode(), str(other_id).encode())
    assert b"does not exist" in answers[0].content
