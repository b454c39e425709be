"""accountability/progress.py: the progress read model kept on write equals the one rebuilt from
scratch after any sequence of writes through the real write paths, and school standings read it."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountability.models import Baseline, Measurement, SchoolMetricProgress, SchoolProgress, StatusUpdate, Target
from accountability.progress import rebuild
from accountability.recording import change_measurement, post_status_update, record_measurements
from accountability.services import StandingCounts, progress_for_schools, stored_progress_for_schools
from accounts.models import Role
from core.tenancy import reach_scope
from reports.rollups import state_rollups
from schools.models import School
from tests.factories import LaunchedZoneFactory, MetricFactory, ReportingPeriodFactory, StatusUpdateFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db

YEARS = ["2009-10", "2010-11", "2011-12", "2012-13"]
METRIC_FIELDS = [f.attname for f in SchoolMetricProgress._meta.fields if f.name not in ("id", "refreshed_at")]
SCHOOL_FIELDS = [f.attname for f in SchoolProgress._meta.fields if f.name not in ("id", "refreshed_at")]


def stored_rows() -> tuple[set, set]:
    with scopes_disabled():
        return (
            set(SchoolMetricProgress.objects.values_list(*METRIC_FIELDS)),
            set(SchoolProgress.objects.values_list(*SCHOOL_FIELDS)),
        )


@pytest.fixture
def setting():
    """Two launched zones of one state (four schools each), two metrics, its initiative admin."""
    zone = LaunchedZoneFactory(schools=4, launch_school_year="2010-11")
    other = LaunchedZoneFactory(schools=4, state=zone.state, launch_school_year="2010-11")
    schools = [*zone.schools.order_by("pk"), *other.schools.order_by("pk")]
    metrics = [MetricFactory(direction="higher"), MetricFactory(direction="lower")]
    return {
        "state": zone.state,
        "zones": [zone, other],
        "schools": schools,
        "metrics": metrics,
        "user": member(Role.INITIATIVE_ADMIN),
    }


values = st.decimals(min_value=0, max_value=100, places=2)
keys = st.tuples(st.integers(0, 2), st.integers(0, 1))  # few keys: writes pile up into projections
periods = st.tuples(keys, st.sampled_from(YEARS[1:]), st.integers(1, 4), values)
# a series' measurements as shares of the needed gain: projections on every side of the thresholds
shares = st.lists(st.integers(-50, 150), min_size=1, max_size=3)
ratings = st.sampled_from(["on_track", "at_risk", "off_track"])
writes = st.one_of(
    periods.map(lambda entry: ("measure", *entry)),
    st.tuples(st.just("measure many"), st.lists(periods, max_size=6)),
    st.tuples(st.just("series"), keys, shares),
    st.tuples(st.just("unmeasure"), st.integers(0, 50)),
    st.tuples(st.just("baseline"), keys, values),
    st.tuples(st.just("unbaseline"), keys),
    st.tuples(st.just("target"), keys, values, st.sampled_from(YEARS[2:])),
    st.tuples(st.just("untarget"), keys),
    st.tuples(st.just("status update"), st.integers(0, 7), st.integers(0, 400), ratings),
    st.tuples(st.just("delete status update"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 7), st.integers(0, 1)),
    st.tuples(st.just("thresholds"), st.sampled_from([("1.00", "0.50"), ("0.99", "0.98"), ("0.05", "0.01")])),
    st.tuples(st.just("range"), st.integers(0, 1)),
)  # fmt: skip


def apply(write, setting) -> None:
    """One write through its real path: the recording use cases, model saves and deletes."""
    kind, *args = write
    schools, metrics, user = setting["schools"], setting["metrics"], setting["user"]

    def value_key(key):
        return {"school": schools[key[0]], "metric": metrics[key[1]]}

    with scopes_disabled():
        if kind in ("measure", "measure many"):
            entries = [args] if kind == "measure" else args[0]
            chosen = {}
            for key, year, period, value in entries:
                fields = {**value_key(key), "school_year": year, "period": period}
                measurement = Measurement.objects.filter(**fields).first() or Measurement(**fields)
                measurement.value = value
                chosen[(key, year, period)] = measurement
            record_measurements(user, list(chosen.values()), reason="test")
        elif kind == "series":  # baseline 40, target 60 (needed gain 20), then measurements
            key, measured = args
            Baseline.objects.update_or_create(**value_key(key), defaults={"value": 40, "school_year": YEARS[0]})
            Target.objects.update_or_create(**value_key(key), defaults={"value": 60, "target_school_year": YEARS[2]})
            for period, share in enumerate(measured, start=2):
                gain = Decimal(share) / 5 * (1 if metrics[key[1]].higher_is_better else -1)
                apply(("measure", key, YEARS[1], period, Decimal(40) + gain), setting)
        elif kind == "unmeasure":
            measurement = Measurement.objects.order_by("pk")[args[0] :].first()
            if measurement is not None:
                record_measurements(user, [], deleted=[measurement], reason="test")
        elif kind == "baseline":
            Baseline.objects.update_or_create(
                **value_key(args[0]), defaults={"value": args[1], "school_year": YEARS[0]}
            )
        elif kind == "target":
            Target.objects.update_or_create(
                **value_key(args[0]), defaults={"value": args[1], "target_school_year": args[2]}
            )
        elif kind in ("unbaseline", "untarget"):
            model = Baseline if kind == "unbaseline" else Target
            for row in model.objects.filter(**value_key(args[0])):
                row.delete()
        elif kind == "status update":
            update = StatusUpdateFactory.build(
                school=schools[args[0]],
                reported_on=datetime.date(2010, 9, 1) + datetime.timedelta(days=args[1]),
                rating=args[2],
            )
            post_status_update(user, update)
        elif kind == "delete status update":
            update = setting["updates"].order_by("pk")[args[0] :].first()
            if update is not None:
                update.delete()
        elif kind == "move":
            school = schools[args[0]]
            school.refresh_from_db()
            school.zone = setting["zones"][args[1]]
            school.save()
        elif kind == "thresholds":
            state = setting["state"]
            state.refresh_from_db()
            state.on_track_share, state.at_risk_share = (Decimal(share) for share in args[0])
            state.save()
        elif kind == "range":  # a projection past the new maximum is kept within it
            metric = metrics[args[0]]
            metric.max_value = Decimal(45) if metric.max_value == 100 else Decimal(100)
            metric.save()


FIGURES = ["baseline", "target", "latest", "latest_year", "latest_period", "gain", "share_of_target"]
FIGURES += ["projected", "band_low", "band_high", "band_is_prior", "status"]


def figures(progress) -> dict:
    return {
        school_id: [(item.metric.pk, *(getattr(item, name) for name in FIGURES)) for item in items]
        for school_id, items in progress.items()
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(writes, min_size=1, max_size=15))
def test_maintained_rows_equal_the_rebuilt_ones(setting, sequence):
    """After each write (its own transaction, refreshing what it changed) the rows equal a rebuild
    from scratch, and the stored progress the lists read equals the one computed from every
    measurement."""
    setting["updates"] = StatusUpdate._base_manager.filter(school__in=setting["schools"])
    ids = [school.pk for school in setting["schools"]]
    with transaction.atomic():
        for write in sequence:
            try:
                with transaction.atomic():
                    apply(write, setting)
            except ValidationError:
                pass  # a write its rules refuse (a zone left with too few schools) changes nothing
            maintained = stored_rows()
            with scopes_disabled():
                assert figures(stored_progress_for_schools(ids)) == figures(progress_for_schools(ids)), write
                rebuild()
            assert stored_rows() == maintained, write
        transaction.set_rollback(True)
    for metric in setting["metrics"]:
        metric.refresh_from_db()


def stored(school, metric) -> SchoolMetricProgress:
    with scopes_disabled():
        return SchoolMetricProgress.objects.get(school=school, metric=metric)


def at_risk_series(setting, key=(0, 0)):
    """40 → 60 with one measurement at 43 in the winter: projected 52 (0.6 of the gain, the prior
    band 44–60): at risk with the default thresholds (on track at 1.00, at risk from 0.50)."""
    apply(("series", key, [15]), setting)
    school, metric = setting["schools"][key[0]], setting["metrics"][key[1]]
    assert stored(school, metric).status == "at_risk"
    return school, metric


def test_a_states_new_thresholds_rejudge_its_schools(setting):
    school, metric = at_risk_series(setting)
    apply(("thresholds", ("0.05", "0.01")), setting)
    assert stored(school, metric).status == "on_track"
    with scopes_disabled():
        assert SchoolProgress.objects.get(school=school).projection == "on_track"


def test_a_metrics_new_range_rejudges_its_schools(setting):
    school, metric = at_risk_series(setting)
    apply(("range", 0), setting)
    assert stored(school, metric).band_high == Decimal(45)  # the band is kept within the range
    assert stored(school, metric).status == "off_track"


def test_a_measurement_moved_to_another_school_refreshes_both(setting):
    school, metric = at_risk_series(setting)
    other = setting["schools"][1]
    with scopes_disabled():
        measurement = Measurement.objects.get(school=school)
        measurement.school = other
        change_measurement(setting["user"], measurement)
        assert stored(school, metric).latest is None
        assert stored(other, metric).latest == measurement.value


def test_a_moved_school_is_counted_in_its_new_zone_and_a_deleted_one_leaves_no_row(setting):
    school = setting["schools"][0]
    apply(("move", 0, 1), setting)
    with scopes_disabled():
        assert SchoolProgress.objects.get(school=school).zone == setting["zones"][1]
        at_risk_series(setting, key=(1, 0))
        deleted = setting["schools"][1]
        School.objects.filter(pk=deleted.pk).delete()  # its measurements cascade: nothing refreshed
        connection.check_constraints()  # no row written for it meanwhile (checked at commit otherwise)
        assert not SchoolMetricProgress.objects.filter(school=deleted.pk).exists()
        assert not SchoolProgress.objects.filter(school=deleted.pk).exists()


def test_recording_for_many_schools_refreshes_them_in_the_same_queries_as_one(setting):
    def queries(schools):
        with CaptureQueriesContext(connection) as captured, scopes_disabled():
            apply(("measure many", [((school, 0), YEARS[1], 2, Decimal(50)) for school in schools]), setting)
        return len(captured)

    assert queries([0]) == queries([1, 2])
    with scopes_disabled():
        assert {row.school_id for row in SchoolMetricProgress.objects.filter(latest=50)} == {
            school.pk for school in setting["schools"][:3]
        }


def test_rebuild_progress_recomputes_a_states_rows_from_scratch(setting):
    from django.core.management import CommandError, call_command

    school, metric = at_risk_series(setting)
    with scopes_disabled():
        SchoolMetricProgress.objects.filter(school=school).update(status="on_track", latest=None)
        SchoolProgress.objects.filter(school=school).delete()
    call_command("rebuild_progress", "--state", setting["state"].postal_code.lower(), stdout=io.StringIO())
    assert (stored(school, metric).status, stored(school, metric).latest) == ("at_risk", Decimal("43.00"))
    with scopes_disabled():
        assert SchoolProgress.objects.get(school=school).projection == "at_risk"
    with pytest.raises(CommandError, match="No state with postal code ZZ"):
        call_command("rebuild_progress", "--state", "zz")


def test_migrate_fills_the_rows_of_schools_from_before_the_read_model(setting):
    """A database migrated from before the read model (or written with signals off) gets its rows
    when ``migrate`` ends, so no page reads an empty read model."""
    from django.core.management import call_command

    school, metric = at_risk_series(setting)
    expected = stored_rows()
    with scopes_disabled():
        SchoolMetricProgress.objects.all().delete()
        SchoolProgress.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert stored_rows() == expected
    assert stored(school, metric).status == "at_risk"


def tallied_and_listed(rollups) -> list[tuple]:
    """Per zone: what the rollup counts from the read model (``standing_tallies``) and what its
    listed schools' standings say, side by side."""
    return [
        (
            (zone.counts, zone.stale, zone.tally.rated_on, zone.late),
            (
                StandingCounts.of(zone.schools),
                sum(school.stale for school in zone.schools),
                max((school.rated_on for school in zone.schools if school.rated_on), default=None),
                sum(len(school.late) for school in zone.schools),
            ),
        )
        for state in rollups
        for zone in state.zones
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(writes, min_size=1, max_size=10), days=st.integers(0, 900))
def test_rollup_counts_equal_the_standings_of_its_schools(setting, sequence, days):
    """A rollup's counts, stale schools, latest rating date and late requirements (one GROUP BY over
    the read model) equal what its schools' standings say, on any day after any writes."""
    setting["updates"] = StatusUpdate._base_manager.filter(school__in=setting["schools"])
    today = datetime.date(2010, 9, 1) + datetime.timedelta(days=days)
    with transaction.atomic():
        with scopes_disabled():
            ReportingPeriodFactory(state=setting["state"])  # due 2011-05-31: late after it
        for write in sequence:
            try:
                with transaction.atomic():
                    apply(write, setting)
            except ValidationError:
                pass
        with scopes_disabled():
            for tallied, listed in tallied_and_listed(state_rollups(today=today, schools=True)):
                assert tallied == listed, sequence
        transaction.set_rollback(True)
    for metric in setting["metrics"]:
        metric.refresh_from_db()


def test_a_collaborator_counts_schools_by_projection_alone(tenant):
    """Where ratings are hidden from a national collaborator, the rollup counts schools by their
    projection and shows no rating date, as their listed standings do; state staff count ratings."""
    school = tenant.schools[1]
    with scopes_disabled():
        StatusUpdateFactory(school=school, rating="off_track", reported_on=datetime.date(2012, 1, 10))
    collaborator, commissioner = member(Role.COLLABORATOR, tenant), member(Role.COMMISSIONER, tenant)
    tallies = {}
    for user in (collaborator, commissioner):
        with reach_scope(user):
            (rollup,) = state_rollups(user, states=[tenant.state], schools=True)
        zone = next(zone for zone in rollup.zones if zone.zone == tenant.zone)
        assert [tallied for tallied, _listed in tallied_and_listed([rollup])] == [
            listed for _tallied, listed in tallied_and_listed([rollup])
        ]
        tallies[user] = zone
    by_projection = StandingCounts()
    for row in tallies[collaborator].schools:
        by_projection.add(row.projection)
    assert tallies[collaborator].counts == by_projection
    assert tallies[collaborator].tally.rated_on is None
    assert tallies[commissioner].tally.rated_on == datetime.date(2012, 1, 10)
    assert tallies[commissioner].counts.off_track >= 2  # the tenant's first school and this one, rated


def test_a_rollup_of_every_state_counts_without_listing_schools(setting):
    """Without ``schools`` the rollup reads no school's progress row by row: the same counts in a
    number of queries that does not grow with the schools."""
    with scopes_disabled():
        listed = {zone.zone.pk: zone.counts for state in state_rollups(schools=True) for zone in state.zones}
        with CaptureQueriesContext(connection) as few:
            counted = state_rollups()
        LaunchedZoneFactory(schools=5, state=setting["state"], launch_school_year="2010-11")
        with CaptureQueriesContext(connection) as more:
            state_rollups()
    assert {zone.zone.pk: zone.counts for state in counted for zone in state.zones} == listed
    assert all(zone.schools is None for state in counted for zone in state.zones)
    assert len(more) == len(few)


def test_stale_counts_turn_on_the_day_after_the_cutoff(setting):
    """On the boundaries of the staleness rule the rollup's count follows each school's flag: an update
    exactly ``stale_after_days`` old is not stale, one a day older is, and never-updated schools turn
    stale the same way counted from their zone's operating start (1 July 2010 here)."""
    state, (first, second, *_rest) = setting["state"], setting["schools"]
    reported = datetime.date(2011, 2, 1)
    with scopes_disabled():
        StatusUpdateFactory(school=first, reported_on=reported)
        StatusUpdateFactory(school=second, reported_on=reported - datetime.timedelta(days=1))
        days = datetime.timedelta(days=state.stale_after_days)
        for today, stale in ((reported + days, 1), (reported + days + datetime.timedelta(days=1), 2)):
            rollups = state_rollups(today=today, schools=True)
            assert [tallied for tallied, _listed in tallied_and_listed(rollups)] == [
                listed for _tallied, listed in tallied_and_listed(rollups)
            ]
            zone = next(zone for zone in rollups[0].zones if zone.zone == first.zone)
            assert zone.stale == stale + 2  # and the zone's two schools never updated
        on_the_cutoff = datetime.date(2010, 7, 1) + days
        assert [zone.stale for zone in state_rollups(today=on_the_cutoff)[0].zones] == [0, 0]
