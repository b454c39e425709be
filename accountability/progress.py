"""The progress read model maintained on write: ``SchoolMetricProgress`` (one row per school and
metric with a baseline, target or measurement) and ``SchoolProgress`` (one row per school), so
lists, counts and rollups read one indexed query over stored rows instead of every measurement.

Its figures come from the one computation (``services.progress_for_schools``: ``MetricProgress``,
``project``, ``overall_status``); ``refresh`` loads a batch of schools' inputs, computes them with
it and replaces their rows. A school is the unit of refresh: its rows, its latest status update and
its state's thresholds are read together.

Maintained in the transaction of every write that changes an input: single saves and deletes
through the signals below (measurement, baseline, target, status update, school moved or created,
a state's thresholds, a metric's direction or range); bulk writes (``recording.record_measurements``,
the imports' writer, ``devdata.scale_data``) hold ``refreshing()`` around their block and ``touch``
the schools they wrote, refreshed once, set-based, at the block's end. ``rebuild`` (``manage.py
rebuild_progress``) recomputes every row from scratch.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_scopes import scopes_disabled

from schools.models import School
from zones.models import State

from .models import Baseline, Measurement, Metric, SchoolMetricProgress, SchoolProgress, StatusUpdate, Target
from .services import latest_status_updates, overall_status, progress_for_schools

BATCH_SIZE = 1000  # schools refreshed per round of queries
_pending: ContextVar[set | None] = ContextVar("progress_pending", default=None)


def refresh(school_ids) -> int:
    """Recompute the rows of ``school_ids`` (every metric) from their inputs, in batches of
    ``BATCH_SIZE`` schools: each batch locks its schools (pk order), so two writes to one school
    refresh one after the other and the later sees the earlier's rows, then reads baselines, targets,
    measurements and latest status updates in five queries and replaces the stored rows. Returns
    the number of schools."""
    ids = sorted(set(school_ids))
    with scopes_disabled(), transaction.atomic():
        for start in range(0, len(ids), BATCH_SIZE):
            _refresh_batch(ids[start : start + BATCH_SIZE])
    return len(ids)


def _refresh_batch(ids: list[int]) -> None:
    schools = list(
        School._base_manager.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "district__state_id", "zone_id")
    )
    ids = [pk for pk, _state, _zone in schools]
    progress = progress_for_schools(ids)
    latest = {
        update.school_id: update
        for update in latest_status_updates(StatusUpdate.objects.filter(school__in=ids).order_by(), 1)
    }
    SchoolMetricProgress.objects.filter(school__in=ids).delete()
    SchoolProgress.objects.filter(school__in=ids).delete()
    SchoolMetricProgress.objects.bulk_create(
        [_metric_row(item) for items in progress.values() for item in items], batch_size=BATCH_SIZE
    )
    SchoolProgress.objects.bulk_create(
        [
            SchoolProgress(
                school_id=pk,
                state_id=state_id,
                zone_id=zone_id,
                projection=overall_status(progress.get(pk, [])),
                metrics=len(progress.get(pk, [])),
                latest_update=latest.get(pk),
                rating=latest[pk].rating if pk in latest else "",
                reported_on=latest[pk].reported_on if pk in latest else None,
            )
            for pk, state_id, zone_id in schools
        ],
        batch_size=BATCH_SIZE,
    )


def _metric_row(item) -> SchoolMetricProgress:
    """The stored row of one ``MetricProgress``."""
    trend = item.trend
    return SchoolMetricProgress(
        school_id=item.school_id,
        metric=item.metric,
        baseline=item.baseline,
        baseline_year=item.baseline_year,
        target=item.target,
        target_year=item.target_year,
        latest=item.latest,
        latest_year=item.latest_year,
        latest_period=item.latest_period,
        points=trend.points if trend else 0,
        projected=item.projected,
        band_low=item.band_low,
        band_high=item.band_high,
        band_is_prior=item.band_is_prior,
        status=item.status,
    )


def rebuild(states=None) -> int:
    """Recompute the rows of every school (of ``states``, default all) from scratch; the number of
    schools. Rows of schools that no longer exist go with their school (cascade)."""
    with scopes_disabled():
        schools = School._base_manager.order_by("pk")
        if states is not None:
            schools = schools.filter(district__state__in=states)
        return refresh(schools.values_list("pk", flat=True))


def fill_missing(**kwargs) -> int:
    """After ``migrate``: compute the rows of every school that has none (a database from before the
    read model, or one written with signals off), so no page reads an empty read model; the number
    of schools. A migrated, maintained database costs one query."""
    with scopes_disabled():
        missing = School._base_manager.filter(progress__isnull=True).values_list("pk", flat=True)
        return refresh(list(missing))


@contextmanager
def refreshing():
    """Collect the schools written inside the block (``touch`` and the signals) and refresh them
    once at its end, inside the caller's transaction; nested blocks join the outermost."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(set())
    try:
        yield
        school_ids = _pending.get()
    finally:
        _pending.reset(token)
    refresh(school_ids)


def touch(school_ids) -> None:
    """Schools whose inputs changed: refreshed at the end of the enclosing ``refreshing()`` block,
    or now without one."""
    pending = _pending.get()
    if pending is None:
        refresh(school_ids)
    else:
        pending.update(school_ids)


def _deleted_with_its_school(origin) -> bool:
    """Whether a delete cascades from deleting a school (its rows go with it: nothing to refresh)."""
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is School


INPUTS = (Baseline, Target, Measurement, StatusUpdate)


def _input_saving(sender, instance, raw=False, **kwargs):
    """An edit may move the record to another school: that school is refreshed too."""
    if not raw and instance.pk is not None:
        instance._progress_school_id = sender._base_manager.filter(pk=instance.pk).values_list("school_id").first()


def _input_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        before = getattr(instance, "_progress_school_id", None)
        touch([instance.school_id, *(before or ())])


def _input_deleted(sender, instance, origin=None, **kwargs):
    if origin is None or not _deleted_with_its_school(origin):
        touch([instance.school_id])


for _model in INPUTS:
    pre_save.connect(_input_saving, sender=_model)
    post_save.connect(_input_saved, sender=_model)
    post_delete.connect(_input_deleted, sender=_model)


@receiver(post_save, sender=School)
def _school_saved(sender, instance, raw=False, **kwargs):
    """A new school gets its row; a school moved to another zone or district has it moved."""
    if not raw:
        touch([instance.pk])


# The inputs of other models: a state's thresholds, a metric's direction and valid range.
INPUT_FIELDS = {State: ("on_track_share", "at_risk_share"), Metric: ("direction", "min_value", "max_value")}


@receiver(pre_save, sender=State)
@receiver(pre_save, sender=Metric)
def _note_inputs(sender, instance, raw=False, **kwargs):
    """Keep the stored values of the inputs, to refresh after the save only when one changed."""
    if raw or instance.pk is None:
        return
    fields = INPUT_FIELDS[sender]
    instance._progress_inputs = sender._base_manager.filter(pk=instance.pk).values_list(*fields).first()


@receiver(post_save, sender=State)
@receiver(post_save, sender=Metric)
def _inputs_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return
    now = tuple(getattr(instance, name) for name in INPUT_FIELDS[sender])
    if getattr(instance, "_progress_inputs", now) == now:
        return
    with scopes_disabled():
        if sender is State:
            schools = School._base_manager.filter(district__state=instance)
        else:
            schools = School._base_manager.filter(metric_progress__metric=instance)
        touch(schools.values_list("pk", flat=True).distinct())
