"""The national-scale data generator: deterministic for a seed, valid, and clear of demo data."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from accountability.models import Baseline, Measurement, Metric, StatusUpdate, Target
from accounts.models import Membership
from autonomy.models import AutonomyTerm
from devdata.scale_data import INITIATIVE_NAME, ScaleDataError, ScaleDataGenerator, clear_scale_data
from funding.models import Commitment, Expenditure, Funder
from partners.models import CollaboratorEngagement, LeadPartner
from schools.models import School
from tests.factories import StateFactory
from zones.models import District, Initiative, State, Zone

SMALL = {"states": 2, "zones_per_state": 4, "schools_per_zone": 4, "years": 1}
pytestmark = pytest.mark.django_db


def rows(queryset):
    return sorted(queryset, key=repr)


def snapshot():
    """Every generated value, by natural keys (primary keys depend on the database's sequences)."""
    return {
        "states": rows(State.objects.values_list("name", "postal_code", "fips_code", "resource_commitment")),
        "zones": rows(
            Zone.objects.values_list(
                "name",
                "status",
                "launch_school_year",
                "lead_partner__name",
                "districts__nces_lea_id",
            )
        ),
        "autonomy": rows(AutonomyTerm.objects.values_list("zone__name", "power", "status", "effective_from")),
        "schools": rows(
            School.objects.values_list(
                "nces_id", "name", "zone__name", "lowest_grade", "enrollment", "improvement_tier"
            )
        ),
        "baselines": rows(Baseline.objects.values_list("school__nces_id", "metric__code", "value", "school_year")),
        "targets": rows(Target.objects.values_list("school__nces_id", "metric__code", "value", "target_school_year")),
        "measurements": rows(
            Measurement.objects.values_list("school__nces_id", "metric__code", "school_year", "period", "value")
        ),
        "commitments": rows(
            Commitment.objects.values_list(
                "funder__name", "state__name", "zone__name", "amount", "status", "pledged_on"
            )
        ),
        "expenditures": rows(
            Expenditure.objects.values_list("commitment__zone__name", "school__nces_id", "category", "amount")
        ),
        "status_updates": rows(
            StatusUpdate.objects.values_list("school__nces_id", "author__email", "reported_on", "rating")
        ),
    }


def test_same_seed_same_data_other_seed_other_data():
    ScaleDataGenerator(**SMALL, seed=7).generate()
    first = snapshot()
    clear_scale_data()
    ScaleDataGenerator(**SMALL, seed=7).generate()
    assert snapshot() == first
    clear_scale_data()
    ScaleDataGenerator(**SMALL, seed=8).generate()
    other = snapshot()
    assert other["measurements"] != first["measurements"]
    assert other["schools"] != first["schools"]


def test_sizes_follow_the_options():
    report = ScaleDataGenerator(**SMALL, seed=1).generate()
    assert State.objects.count() == 2
    assert Zone.objects.count() == 8
    assert School.objects.count() == 32
    metrics = Metric.objects.filter(kind=Metric.Kind.LAGGING)  # beside the SIG catalog
    assert metrics.count() == 10
    # Each school is measured on the metrics of its grades (graduation rate where grade 12 is taught).
    measured = sum(not metric.grade_error(school) for school in School.objects.all() for metric in metrics)
    assert 32 * 6 < measured < 32 * 10
    assert Baseline.objects.count() == Target.objects.count() == measured
    assert Measurement.objects.count() == measured * 4
    assert StatusUpdate.objects.count() == 32 * 2
    assert report.rows["measurements"] == measured * 4


def test_generated_rows_pass_model_validation():
    ScaleDataGenerator(states=2, zones_per_state=6, schools_per_zone=3, years=5, seed=3).generate()
    for model in (Baseline, Target, Measurement):  # every value, not only the sample, is in its metric's range
        assert not model.objects.filter(value__lt=F("metric__min_value")).exists()
        assert not model.objects.filter(metric__max_value__isnull=False, value__gt=F("metric__max_value")).exists()
        assert not [
            row for row in model.objects.select_related("school", "metric") if row.metric.grade_error(row.school)
        ]
    models = [
        Initiative, State, District, Zone, School, LeadPartner, CollaboratorEngagement, Funder, Commitment,
        Expenditure, Metric, Baseline, Target, Measurement, StatusUpdate, Membership,
    ]  # fmt: skip
    for model in models:
        sample = list(model.objects.order_by("?")[:40])
        assert sample, model
        for obj in sample:
            obj.full_clean()
    for zone in Zone.objects.annotate(schools_count=Count("schools", distinct=True)):
        assert zone.schools_count == 3
        districts = list(zone.districts.all())
        assert 1 <= len(districts) <= 2
        assert {d.state_id for d in districts} == {zone.state_id}
        assert {s.district_id for s in zone.schools.all()} <= {d.pk for d in districts}


def test_every_zone_spends_money():
    """Every scope holds rows of every kind, so list endpoints are measured on real rows."""
    ScaleDataGenerator(states=2, zones_per_state=3, schools_per_zone=3, years=1, seed=7).generate()
    assert set(Expenditure.objects.values_list("zone", flat=True)) == set(Zone.objects.values_list("pk", flat=True))


def test_lead_partner_scopes_of_very_different_sizes():
    """National partners lead every other zone of every state (in turn); local partners lead two."""
    ScaleDataGenerator(states=3, zones_per_state=20, schools_per_zone=5, years=1, seed=1).generate()
    zones_led = dict(LeadPartner.objects.annotate(n=Count("zones")).values_list("name", "n"))
    national = {name: n for name, n in zones_led.items() if "National" in name}
    local = {name: n for name, n in zones_led.items() if "National" not in name}
    assert national == {f"Scale National Partner {i}": 3 * 2 for i in range(1, 6)}
    assert set(local.values()) == {2}
    assert len(local) == 3 * 5


def test_one_partner_leads_the_schools_asked_for_at_any_size():
    """--partner-schools: National Partner 1 leads that many schools, spread over every state."""
    options = {"states": 3, "zones_per_state": 20, "schools_per_zone": 5, "years": 1, "partner_schools": 100}
    ScaleDataGenerator(**options, seed=1).generate()
    partner = LeadPartner.objects.get(name="Scale National Partner 1")
    schools = School.objects.filter(zone__lead_partner=partner)
    assert schools.count() == 100
    assert schools.values("district__state").distinct().count() == 3
    led = dict(LeadPartner.objects.annotate(n=Count("zones")).filter(n__gt=0).values_list("name", "n"))
    assert sum(led.values()) == 60
    assert {n for name, n in led.items() if "National" not in name} == {1, 2}  # local partners still lead zones
    with pytest.raises(ScaleDataError, match="partner-schools"):
        ScaleDataGenerator(states=1, zones_per_state=3, schools_per_zone=3, partner_schools=10)


def test_lives_beside_demo_states_and_clear_removes_only_scale_data():
    colorado = StateFactory(name="Colorado", postal_code="CO", fips_code="08")
    call_command("generate_scale_data", states=3, zones_per_state=3, schools_per_zone=3, years=1, stdout=None)
    assert State.objects.count() == 4
    assert not State.objects.exclude(pk=colorado.pk).filter(fips_code__in=["08", "10", "17", "22", "25", "36"])
    with pytest.raises(CommandError, match="already"):
        call_command("generate_scale_data", states=1, zones_per_state=3, schools_per_zone=3, years=1)
    clear_scale_data()
    assert list(State.objects.all()) == [colorado]
    assert not Initiative.objects.filter(name=INITIATIVE_NAME).exists()
    assert not School.objects.exists() and not Measurement.objects.exists()


def test_rejects_sizes_the_domain_forbids():
    with pytest.raises(ScaleDataError, match="3 to 5"):
        ScaleDataGenerator(schools_per_zone=6)
    with pytest.raises(ScaleDataError, match="FIPS"):
        ScaleDataGenerator(states=95)
