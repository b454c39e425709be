"""/api/v1/metrics/: the catalog for every member, a state's own indicators in that state only; a
state lead adds and changes their state's (the catalog is admins'). Values are numbers only, and
the progress endpoint carries the projection's band."""

from decimal import Decimal

from accountability.models import Measurement, Metric
from accounts.models import Role
from tests.factories import BaselineFactory, MeasurementFactory, MetricFactory, TargetFactory
from tests.problems import field_errors
from tests.worlds import membership as member

from .conftest import token_client

INDICATOR = {
    "code": "co-tutoring",
    "name": "Tutoring hours",
    "kind": "leading",
    "unit": "count",
    "direction": "higher",
    "min_value": "0",
    "max_value": "500",
}


def test_a_states_indicator_is_not_there_for_another_state(clients, world):
    kansas_own = MetricFactory(code="ks-own", state=world.other_state)
    colorado_own = MetricFactory(code="co-own", state=world.state)
    for role in ("state_lead", "state_viewer", "lead_partner_staff", "collaborator"):
        codes = {row["code"] for row in clients[role].get("/api/v1/metrics/", {"page_size": 100}).json()["results"]}
        assert "co-own" in codes and "sig-truancy" in codes and "ks-own" not in codes, role
        assert clients[role].get(f"/api/v1/metrics/{kansas_own.pk}/").status_code == 404, role
    row = clients["state_lead"].get(f"/api/v1/metrics/{colorado_own.pk}/").json()
    assert (row["state"], row["kind"], row["grade_span"]) == (world.state.pk, "lagging", "grades PK–12")
    assert clients["admin"].get(f"/api/v1/metrics/{kansas_own.pk}/").status_code == 200
    catalog = clients["state_viewer"].get("/api/v1/metrics/", {"catalog": "true", "kind": "leading"}).json()
    assert catalog["count"] == 12


def test_a_state_lead_adds_and_changes_their_states_indicators(clients, world):
    client = clients["state_lead"]
    response = client.post("/api/v1/metrics/", {**INDICATOR, "state": world.state.pk}, format="json")
    assert response.status_code == 201, response.json()
    added = Metric.objects.get(code="co-tutoring")
    assert added.state == world.state
    response = client.patch(f"/api/v1/metrics/{added.pk}/", {"name": "Tutoring hours per student"}, format="json")
    assert response.status_code == 200
    added.refresh_from_db()
    assert added.name == "Tutoring hours per student"


def test_the_catalog_and_other_states_stay_out_of_a_state_leads_reach(clients, world):
    client = clients["state_lead"]
    catalog = Metric.objects.get(code="sig-truancy")
    assert client.post("/api/v1/metrics/", INDICATOR, format="json").status_code == 403  # no state: the catalog
    assert client.patch(f"/api/v1/metrics/{catalog.pk}/", {"name": "Truancy"}, format="json").status_code == 403
    other = client.post("/api/v1/metrics/", {**INDICATOR, "state": world.other_state.pk}, format="json")
    assert other.status_code == 400 and "state" in field_errors(other)  # Kansas "does not exist" for them
    own = MetricFactory(code="co-own", state=world.state)
    moved = client.patch(f"/api/v1/metrics/{own.pk}/", {"state": None}, format="json")
    assert moved.status_code == 403  # into the catalog
    assert (
        clients["state_viewer"]
        .post("/api/v1/metrics/", {**INDICATOR, "state": world.state.pk}, format="json")
        .status_code
        == 403
    )
    kansas_lead = token_client(member(Role.STATE_LEAD, state=world.other_state))
    assert kansas_lead.patch(f"/api/v1/metrics/{own.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert not Metric.objects.filter(code="co-tutoring").exists()
    assert Metric.objects.get(pk=catalog.pk).name == catalog.name


def test_a_code_taken_by_an_indicator_you_cannot_see_is_a_400_not_a_500(clients, world):
    MetricFactory(code="co-tutoring", state=world.other_state)
    response = clients["state_lead"].post("/api/v1/metrics/", {**INDICATOR, "state": world.state.pk}, format="json")
    assert response.status_code == 400
    assert "code" in field_errors(response)


def test_a_measurement_of_another_states_indicator_is_refused(clients, world):
    kansas_own = MetricFactory(code="ks-own", state=world.other_state)
    body = {"school": world.other_schools[0].pk, "metric": kansas_own.pk, "school_year": "2010-11", "period": 1}
    response = clients["admin"].post(
        "/api/v1/measurements/", {**body, "school": world.schools[0].pk, "value": "4"}, format="json"
    )
    assert response.status_code == 400
    assert "another state's own indicator" in field_errors(response)["metric"][0]
    assert clients["admin"].post("/api/v1/measurements/", {**body, "value": "4"}, format="json").status_code == 201


def test_values_are_numbers_only(clients, world):
    body = {"school": world.schools[0].pk, "metric": world.metric.pk, "school_year": "2010-11", "period": 1}
    for text in ("N/A", "n/a", "-", ""):
        response = clients["state_lead"].post("/api/v1/measurements/", {**body, "value": text}, format="json")
        assert response.status_code == 400, text
        assert list(field_errors(response)) == ["value"]  # the API's validation answer: messages by field
    assert not Measurement.objects.exists()


def test_progress_carries_the_band(clients, world):
    school = world.schools[0]
    BaselineFactory(school=school, metric=world.metric, school_year="2009-10", value=Decimal("40"))
    TargetFactory(school=school, metric=world.metric, target_school_year="2011-12", value=Decimal("60"))
    MeasurementFactory(school=school, metric=world.metric, school_year="2010-11", period=4, value=Decimal("46"))
    progress = clients["state_viewer"].get(f"/api/v1/school-progress/{school.pk}/").json()["progress"]
    (reading,) = progress["metrics"]
    assert (reading["projected"], reading["band_low"], reading["band_high"]) == ("52.00", "48.00", "56.00")
    assert reading["status"] == "at_risk"
