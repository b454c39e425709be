"""The renewal API: /api/v1/renewal-decisions/ (recorded through accountability.renewal, like the
renewal page), /api/v1/exit-criteria/ and the zone's ``renewal_on`` and ``latest_decision``."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import ExitCriterion, RenewalDecision
from tests.factories import ExitCriterionFactory, LaunchedZoneFactory, RenewalDecisionFactory
from tests.problems import field_errors

DECISIONS, CRITERIA = "/api/v1/renewal-decisions/", "/api/v1/exit-criteria/"


def decision_body(zone, **changes) -> dict:
    return {
        "zone": zone.pk,
        "decision": "intensify",
        "reasons": "Attendance fell two periods in a row.",
        "decided_on": "2012-06-01",
        **changes,
    }


def test_the_state_lead_records_a_decision_shown_on_the_zone(world, clients, memberships):
    response = clients["state_lead"].post(DECISIONS, decision_body(world.zone), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    lead = memberships["state_lead"].user
    assert body["decided_by"] == str(lead) and body["decision_label"] == "Intensify support"
    decision = RenewalDecision.objects.get(pk=body["id"])
    assert decision.decided_by == lead and decision.history.get().history_user == lead

    zone = clients["lead_partner_staff"].get(f"/api/v1/zones/{world.zone.pk}/").json()
    assert zone["latest_decision"]["id"] == decision.pk and zone["latest_decision"]["decision"] == "intensify"
    listed = clients["collaborator"].get(DECISIONS, {"zone": world.zone.pk}).json()
    assert [row["id"] for row in listed["results"]] == [decision.pk]


@pytest.mark.parametrize("role", ["lead_partner_staff", "state_viewer", "commissioner", "collaborator"])
def test_readers_may_not_decide(world, clients, role):
    response = clients[role].post(DECISIONS, decision_body(world.zone), format="json")
    assert response.status_code == 403
    assert not RenewalDecision.objects.exists()


def test_another_states_zone_does_not_exist(world, clients):
    response = clients["state_lead"].post(DECISIONS, decision_body(world.other_zone), format="json")
    assert response.status_code == 400 and "does not exist" in field_errors(response)["zone"][0]
    theirs = RenewalDecisionFactory(zone=world.other_zone)
    assert clients["state_lead"].get(f"{DECISIONS}{theirs.pk}/").status_code == 404
    assert clients["state_lead"].get(DECISIONS).json()["count"] == 0


def test_a_bad_decision_is_a_clear_error(world, clients):
    response = clients["state_lead"].post(
        DECISIONS, decision_body(world.zone, decision="retire", reasons="", decided_on="2999-01-01"), format="json"
    )
    assert response.status_code == 400
    assert set(field_errors(response)) >= {"decision", "reasons", "decided_on"}


def test_a_decision_stands_as_recorded(world, clients):
    decision = RenewalDecisionFactory(zone=world.zone)
    url = f"{DECISIONS}{decision.pk}/"
    assert clients["state_lead"].patch(url, {"decision": "exit"}, format="json").status_code == 405
    assert clients["state_lead"].delete(url).status_code == 405


def test_decisions_filter_by_zone_state_and_decision(world, clients):
    second = LaunchedZoneFactory(state=world.state)
    exit_ = RenewalDecisionFactory(zone=world.zone, decision="exit", decided_on=datetime.date(2012, 6, 1))
    keep = RenewalDecisionFactory(zone=second, decision="continue", decided_on=datetime.date(2012, 6, 2))
    RenewalDecisionFactory(zone=world.other_zone, decision="exit")

    def ids(**params):
        return [row["id"] for row in clients["admin"].get(DECISIONS, params).json()["results"]]

    assert ids(state=world.state.pk) == [keep.pk, exit_.pk]  # newest first
    assert ids(zone=second.pk) == [keep.pk]
    assert ids(state=world.state.pk, decision="exit") == [exit_.pk]


def test_the_zone_api_shows_and_sets_the_renewal_date(world, clients):
    RenewalDecisionFactory(zone=world.zone, decision="continue", decided_on=datetime.date(2012, 5, 1))
    latest = RenewalDecisionFactory(zone=world.zone, decision="exit", decided_on=datetime.date(2012, 6, 1))
    url = f"/api/v1/zones/{world.zone.pk}/"
    response = clients["state_lead"].patch(url, {"renewal_on": "2013-06-30"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["renewal_on"] == "2013-06-30" and response.json()["latest_decision"]["id"] == latest.pk
    world.zone.refresh_from_db()
    assert world.zone.renewal_on == datetime.date(2013, 6, 30)
    assert clients["lead_partner_staff"].patch(url, {"renewal_on": "2014-06-30"}, format="json").status_code == 403


def test_latest_decisions_of_a_page_of_zones_cost_one_query(world, clients):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert clients["admin"].get("/api/v1/zones/").status_code == 200
        return len(captured)

    queries()  # the token's first use costs its own queries
    before = queries()
    for zone in [world.zone, world.other_zone, LaunchedZoneFactory(), LaunchedZoneFactory()]:
        RenewalDecisionFactory(zone=zone)
    assert queries() == before


def test_the_state_lead_manages_their_states_exit_criteria(world, clients):
    body = {"state": world.state.pk, "kind": "targets_met", "years": 2, "metric": world.metric.pk}
    response = clients["state_lead"].post(CRITERIA, body, format="json")
    assert response.status_code == 201, response.json()
    url = f"{CRITERIA}{response.json()['id']}/"
    assert clients["state_lead"].patch(url, {"years": 3}, format="json").json()["years"] == 3
    assert clients["lead_partner_staff"].get(url).json()["kind"] == "targets_met"
    assert clients["lead_partner_staff"].patch(url, {"years": 1}, format="json").status_code == 403
    assert clients["state_lead"].post(CRITERIA, {**body, "years": 9}, format="json").status_code == 400
    elsewhere = clients["state_lead"].post(CRITERIA, {**body, "state": world.other_state.pk}, format="json")
    assert elsewhere.status_code == 400 and "does not exist" in field_errors(elsewhere)["state"][0]
    theirs = ExitCriterionFactory(state=world.other_state)
    assert clients["state_lead"].get(f"{CRITERIA}{theirs.pk}/").status_code == 404
    assert clients["state_lead"].delete(url).status_code == 204
    assert not ExitCriterion.objects.filter(state=world.state).exists()
