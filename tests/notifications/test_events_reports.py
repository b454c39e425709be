"""A report run that finishes tells whoever asked for it, once per run (its key), however often
its task is retried or the run re-leased; a failed run tells nobody."""

import pytest
from django.core.files.base import ContentFile

from accounts.models import Role
from notifications.choices import Delivery, EventKind
from reports import services, tasks
from reports.models import ReportRun
from tests.factories import ReportRunFactory, WatchFactory

from .told import events, told

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_reports(settings, tmp_path, monkeypatch):
    """Reports stored in this test's folder, rendered as a stub (what is in them is not the point)."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    monkeypatch.setattr(services, "render_run", lambda run: ("report.pdf", b"%PDF-stub"))


def test_a_finished_run_tells_its_requester_once(world):
    lead = world.home.users[Role.STATE_LEAD]
    WatchFactory(user=world.home.users[Role.STATE_VIEWER], state=world.home.state)  # not their report
    run = ReportRunFactory(state=world.home.state, requested_by=lead)

    tasks.generate_report.delay(run.pk)
    tasks.generate_report.delay(run.pk)  # the message delivered again: the run is done already

    (event,) = events(EventKind.BRIEF_READY)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert event.subject == run and event.key == f"report_ready:{run.pk}"
    assert event.link == run.get_absolute_url()
    assert told(event) == {lead}
    assert event.notifications.get().delivery == Delivery.IMMEDIATE


def test_a_run_finished_again_after_a_new_lease_is_not_told_twice(world):
    lead = world.home.users[Role.STATE_LEAD]
    run = ReportRunFactory(state=world.home.state, requested_by=lead)
    tasks.generate_report.delay(run.pk)
    ReportRun._base_manager.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING, lease="second worker")

    again = ReportRun._base_manager.get(pk=run.pk)
    assert again.mark_done("report.pdf", ContentFile(b"%PDF-again"))

    (event,) = events(EventKind.BRIEF_READY)
    assert told(event) == {lead}


def test_a_failed_run_tells_nobody_and_a_beats_run_nobody_in_particular(world, monkeypatch):
    lead = world.home.users[Role.STATE_LEAD]
    failing = ReportRunFactory(state=world.home.state, requested_by=lead)
    monkeypatch.setattr(services, "render_run", lambda run: 1 / 0)
    tasks.generate_report.delay(failing.pk)
    assert ReportRun._base_manager.get(pk=failing.pk).status == ReportRun.Status.FAILED
    assert events(EventKind.BRIEF_READY) == []

    monkeypatch.setattr(services, "render_run", lambda run: ("brief.pdf", b"%PDF-stub"))
    monthly = ReportRunFactory(state=world.away.state, kind=ReportRun.Kind.COMMISSIONER_BRIEF)
    tasks.generate_report.delay(monthly.pk)
    (event,) = events(EventKind.BRIEF_READY)
    assert event.subject == monthly and told(event) == set()
