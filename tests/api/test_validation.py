"""Model validation runs on API writes: 400 with messages by field (problem details), and nothing saved."""

from accountability.models import Measurement, Target
from funding.models import Commitment
from tests.factories import BaselineFactory
from tests.problems import field_errors
from zones.models import Zone


def test_measurement_out_of_range(clients, world):
    body = {"school": world.schools[0].pk, "metric": world.metric.pk, "school_year": "2010-11", "period": 1}
    response = clients["state_lead"].post("/api/v1/measurements/", {**body, "value": "140"}, format="json")
    assert response.status_code == 400
    assert "out of range" in field_errors(response)["value"][0]
    response = clients["state_lead"].post(
        "/api/v1/measurements/", {**body, "value": "40", "school_year": "2010-12"}, format="json"
    )
    assert response.status_code == 400
    assert "school_year" in field_errors(response)
    assert not Measurement.objects.exists()


def test_duplicate_measurement(clients, world):
    body = {"school": world.schools[0].pk, "metric": world.metric.pk, "school_year": "2010-11", "period": 1}
    client = clients["state_lead"]
    assert client.post("/api/v1/measurements/", {**body, "value": "40"}, format="json").status_code == 201
    response = client.post("/api/v1/measurements/", {**body, "value": "42"}, format="json")
    assert response.status_code == 400
    assert "" in field_errors(response)  # about the whole record
    assert Measurement.objects.count() == 1


def test_target_below_baseline(clients, world):
    school = world.schools[0]
    BaselineFactory(school=school, metric=world.metric, value="30")
    body = {"school": school.pk, "metric": world.metric.pk, "value": "25", "target_school_year": "2011-12"}
    response = clients["state_lead"].post("/api/v1/targets/", body, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"value": ["A target is a gain: set it above the baseline of 30.00."]}
    assert not Target.objects.exists()


def test_commitment_received_without_dates(clients, world):
    from tests.factories import FunderFactory

    body = {
        "funder": FunderFactory().pk,
        "initiative": world.state.initiative_id,
        "recipient_level": "state",
        "state": world.state.pk,
        "amount": "250000.00",
        "period_start": "2010-07-01",
        "period_end": "2012-06-30",
        "status": "received",
        "pledged_on": "2010-03-01",
    }
    response = clients["state_lead"].post("/api/v1/commitments/", body, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == {"committed_on", "received_on"}
    assert not Commitment.objects.exists()


def test_zone_rules(clients, world):
    district = world.zone.districts.get()
    other_district = world.other_zone.districts.get()
    body = {"state": world.state.pk, "name": "North Zone", "districts": [district.pk], "status": "launched"}
    response = clients["admin"].post("/api/v1/zones/", body, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"status", "lead_partner"}
    body.update(status="planning", districts=[district.pk, other_district.pk])
    response = clients["admin"].post("/api/v1/zones/", body, format="json")
    assert response.status_code == 400
    assert "districts" in field_errors(response)
    assert not Zone.objects.filter(name="North Zone").exists()
    body.update(districts=[district.pk])
    response = clients["admin"].post("/api/v1/zones/", body, format="json")
    assert response.status_code == 201, response.content
    assert list(Zone.objects.get(name="North Zone").districts.all()) == [district]
