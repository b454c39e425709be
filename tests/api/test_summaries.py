"""Contract tests for the computed summaries: funding totals and progress against target, with
the expected numbers worked out by hand from the fixtures below."""

import pytest

from funding.models import Funder
from tests.factories import (
    BaselineFactory,
    CommitmentFactory,
    ExpenditureFactory,
    FunderFactory,
    MeasurementFactory,
    MetricFactory,
    TargetFactory,
)


@pytest.fixture
def funding(world):
    """Colorado: $300k private received (state), $450k public received (zone), $100k public
    pledged (state), $50k private pledged (zone); $35k spent, $25k of it on teachers."""
    private, federal, state_funder = (
        FunderFactory(kind=Funder.Kind.PRIVATE_FOUNDATION),
        FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA),
        FunderFactory(kind=Funder.Kind.STATE),
    )
    zone_level = {"recipient_level": "zone", "zone": world.zone}
    received = CommitmentFactory(state=world.state, funder=private, amount="300000", status="received")
    zone_grant = CommitmentFactory(state=world.state, funder=federal, amount="450000", status="received", **zone_level)
    CommitmentFactory(state=world.state, funder=state_funder, amount="100000", status="pledged")
    CommitmentFactory(state=world.state, funder=private, amount="50000", status="pledged", **zone_level)
    ExpenditureFactory(commitment=received, zone=world.zone, category="elt_compensation", amount="20000")
    ExpenditureFactory(commitment=received, zone=None, school=world.schools[0], category="incentive_pay", amount="5000")
    ExpenditureFactory(commitment=zone_grant, zone=world.zone, category="partner_services", amount="10000")
    CommitmentFactory(state=world.other_state, funder=private, amount="999999", status="received")


STATE_TOTALS = {
    "pledged": "900000.00",
    "committed": "750000.00",
    "received": "750000.00",
    "spent": "35000.00",
    "public": {"pledged": "550000.00", "committed": "450000.00", "received": "450000.00"},
    "private": {"pledged": "350000.00", "committed": "300000.00", "received": "300000.00"},
    "spent_by_category": {"elt_compensation": "20000.00", "incentive_pay": "5000.00", "partner_services": "10000.00"},
    "teacher_compensation": "25000.00",
}
# The zone counts zone-level money only, spending included: of the $35k spent in the zone, $25k
# came from the state-level private commitment (shown apart as state_level_spent).
ZONE_TOTALS = {
    **STATE_TOTALS,
    "spent": "10000.00",
    "spent_by_category": {"partner_services": "10000.00"},
    "teacher_compensation": "0.00",
    "pledged": "500000.00",
    "committed": "450000.00",
    "received": "450000.00",
    "public": {"pledged": "450000.00", "committed": "450000.00", "received": "450000.00"},
    "private": {"pledged": "50000.00", "committed": "0.00", "received": "0.00"},
}


def test_state_funding_totals(clients, world, funding):
    body = clients["state_viewer"].get("/api/v1/state-funding/").json()
    assert [row["id"] for row in body["results"]] == [world.state.pk]
    assert body["results"][0]["funding"] == STATE_TOTALS
    detail = clients["state_viewer"].get(f"/api/v1/state-funding/{world.state.pk}/").json()
    assert detail["funding"] == STATE_TOTALS
    # The match follows the initiative's rule (committed money, every level): 300,000 : 450,000
    match = detail["match"]
    assert (match["ratio"], match["public"], match["private"]) == ("0.667", "450000.00", "300000.00")
    assert (match["counted_stage"], match["own_rule"]) == ("committed", False)


def test_zone_funding_totals(clients, world, funding):
    body = clients["state_viewer"].get("/api/v1/zone-funding/").json()
    assert [row["funding"] for row in body["results"]] == [ZONE_TOTALS]
    assert [row["state_level_spent"] for row in body["results"]] == ["25000.00"]
    # The zone's match counts its zone-level money: 450,000 public committed, no private
    assert [(row["match"]["ratio"], row["match"]["private"]) for row in body["results"]] == [("0.000", "0.00")]


def test_admin_sees_every_state_separately(clients, world, funding):
    rows = {row["id"]: row["funding"] for row in clients["admin"].get("/api/v1/state-funding/").json()["results"]}
    assert rows[world.state.pk] == STATE_TOTALS
    assert rows[world.other_state.pk]["received"] == "999999.00"
    other = clients["admin"].get(f"/api/v1/state-funding/{world.other_state.pk}/").json()["match"]
    assert (other["ratio"], other["status"]) == (None, "no_public")  # no public money committed


def test_totals_count_only_commitments_the_reader_may_see(clients, world, funding):
    """Lead Partner staff see their zone but not the state's commitments."""
    [row] = clients["lead_partner_staff"].get("/api/v1/zone-funding/").json()["results"]
    assert row["id"] == world.zone.pk
    assert (row["funding"]["pledged"], row["funding"]["spent"]) == ("0.00", "0.00")


@pytest.fixture
def progress(world):
    """School 0 — reading (higher is better): baseline 30 (2009-10), target 50 (2011-12), 34 in winter
    and 40 at the end of 2010-11 → projected 49.67 (band 43.60–55.74), at risk. Chronic absence (lower
    is better): baseline 25, target 15, latest 23 in winter 2010-11 → projected 17, at risk. School 1
    has no data."""
    school = world.schools[0]
    absence = MetricFactory(code="chronic-absence", name="Chronic absence", direction="lower")
    BaselineFactory(school=school, metric=world.metric, value="30", school_year="2009-10")
    TargetFactory(school=school, metric=world.metric, value="50", target_school_year="2011-12")
    MeasurementFactory(school=school, metric=world.metric, value="34", school_year="2010-11", period=2)
    MeasurementFactory(school=school, metric=world.metric, value="40", school_year="2010-11", period=4)
    BaselineFactory(school=school, metric=absence, value="25", school_year="2009-10")
    TargetFactory(school=school, metric=absence, value="15", target_school_year="2011-12")
    MeasurementFactory(school=school, metric=absence, value="23", school_year="2010-11", period=2)
    return absence


NO_PROGRESS = {
    "status": "no_data",
    "rating": "no_data",
    "rated_on": None,
    "standing": "no_data",
    "needs_attention": False,
    "metrics": [],
}


def expected_progress(world, absence):
    """The school's standing: projected at risk (its weakest metric), no rating yet."""
    return {
        "status": "at_risk",
        "rating": "no_data",
        "rated_on": None,
        "standing": "at_risk",
        "needs_attention": False,
        "metrics": [
            {
                "metric": absence.pk,
                "metric_code": "chronic-absence",
                "metric_name": "Chronic absence",
                "baseline": "25.00",
                "baseline_year": "2009-10",
                "latest": "23.00",
                "latest_year": "2010-11",
                "latest_period": 2,
                "target": "15.00",
                "target_year": "2011-12",
                "gain": "2.00",
                "share_of_target": "0.200",
                "projected": "17.00",
                "band_low": "13.00",  # the prior spread: 10% of 10 needed, widened 2 / 0.5 = 4 times
                "band_high": "21.00",
                "status": "at_risk",
            },
            {
                "metric": world.metric.pk,
                "metric_code": "reading",
                "metric_name": "Reading proficiency",
                "baseline": "30.00",
                "baseline_year": "2009-10",
                "latest": "40.00",
                "latest_year": "2010-11",
                "latest_period": 4,
                "target": "50.00",
                "target_year": "2011-12",
                "gain": "10.00",
                "share_of_target": "0.500",
                # The least-squares line through 30, 34, 40 at 2010, 2010.5, 2011: slope 10, 49.67 at 2012;
                # s = √(2/3), t(0.90, 1) = 3.078, √(1 + 1/3 + 1.5² / 0.5) → ± 6.07. Short of 50, the band reaches it.
                "projected": "49.67",
                "band_low": "43.60",
                "band_high": "55.74",
                "status": "at_risk",
            },
        ],
    }


def test_school_progress(clients, world, progress):
    client = clients["lead_partner_staff"]
    school = world.schools[0]
    detail = client.get(f"/api/v1/school-progress/{school.pk}/").json()
    assert detail["progress"] == expected_progress(world, progress)
    rows = {row["id"]: row["progress"] for row in client.get("/api/v1/school-progress/").json()["results"]}
    assert set(rows) == {s.pk for s in world.schools}
    assert rows[school.pk] == expected_progress(world, progress)
    assert rows[world.schools[1].pk] == NO_PROGRESS


def test_zone_carries_school_progress(clients, world, progress):
    for url in ("/api/v1/zones/", f"/api/v1/zones/{world.zone.pk}/"):
        body = clients["state_viewer"].get(url).json()
        zone = body["results"][0] if "results" in body else body
        schools = {s["id"]: s["progress"] for s in zone["schools"]}
        assert schools[world.schools[0].pk] == expected_progress(world, progress)
