"""Every model registered in the Django admin lists and offers its add form to a superuser
(except the models that are only ever created through their own flow)."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.urls import reverse

from schools.models import School
from tests.factories import (
    ActionItemFactory,
    ActivityReportFactory,
    ApiTokenFactory,
    AutonomyCheckInFactory,
    AutonomyTermChangeFactory,
    AwardAmendmentFactory,
    BaselineFactory,
    BudgetFactory,
    CalendarFeedFactory,
    ChangeProposalFactory,
    CollaboratorEngagementFactory,
    CommentFactory,
    ContractDeliverableFactory,
    ContractTargetFactory,
    DispatchCursorFactory,
    EmailDeliveryFactory,
    ExitCriterionFactory,
    ExpenditureFactory,
    IdempotencyRecordFactory,
    ImportBatchFactory,
    InvitationFactory,
    LaunchedZoneFactory,
    MatchRuleFactory,
    MeasurementFactory,
    MeetingDocumentFactory,
    NotificationFactory,
    PeriodSubmissionFactory,
    PreferenceFactory,
    PurgeHorizonFactory,
    RecurringCostFactory,
    ReminderDigestFactory,
    RenewalDecisionFactory,
    ReportRunFactory,
    ReviewEvidenceFactory,
    SchoolFactory,
    SeenStatusFactory,
    StatusUpdateFactory,
    TargetFactory,
    TombstoneReaderFactory,
    WatchFactory,
    WebhookDeliveryFactory,
)
from tests.project import project_models

# Created only through their own flow: an import is an uploaded file checked in a dry run.
NO_ADD_FORM = {
    "imports.ImportBatch",
    "notifications.Event",  # written by notifications.events.emit
    "notifications.Notification",
    "notifications.EmailDelivery",  # written by the mail tasks
    "network.CalendarFeed",  # made on the user's calendar page, which shows the URL once
    "autonomy.AutonomyTermChange",
    "funding.AwardAmendment",
    "web.IdempotencyRecord",  # written by web.idempotency
    "changes.Tombstone",  # written by deletes (changes.tombstones)
    "changes.TombstoneReader",
    "webhooks.WebhookSubscription",  # made by its owner, who alone sees its secret, once
    "webhooks.WebhookDelivery",  # written by the dispatcher (webhooks.dispatch)
    "webhooks.DispatchCursor",
    "webhooks.SeenStatus",
    "changes.PurgeHorizon",  # written by changes.tombstones.purge_expired
    "accountability.SchoolMetricProgress",  # the progress read model, written on write (accountability.progress)
    "accountability.SchoolProgress",
}  # written by its use case
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture(scope="module")
def world_builder():
    """The rows every admin page test reads: made once for the module (tests/worlds.py)."""
    return make_rows


@pytest.fixture
def rows(world):
    """At least one row for every model, so list pages render real rows."""


def make_rows():
    school = LaunchedZoneFactory().schools.first()
    for factory in (BaselineFactory, TargetFactory, MeasurementFactory, StatusUpdateFactory, PeriodSubmissionFactory):
        factory(school=school)
    RenewalDecisionFactory(zone=school.zone)
    for factory in (ChangeProposalFactory, CommentFactory):
        factory(school=school)
    for factory in (ContractDeliverableFactory, ContractTargetFactory, ReviewEvidenceFactory):
        factory()
    AutonomyCheckInFactory(term=AutonomyTermChangeFactory().term)
    for factory in (
        ExpenditureFactory,
        AwardAmendmentFactory,
        MatchRuleFactory,
        BudgetFactory,
        RecurringCostFactory,
        CollaboratorEngagementFactory,
        InvitationFactory,
        ApiTokenFactory,
        ReportRunFactory,
        ImportBatchFactory,
        ExitCriterionFactory,
        ReminderDigestFactory,
        ActivityReportFactory,
        ActionItemFactory,
        MeetingDocumentFactory,
        CalendarFeedFactory,
        NotificationFactory,
        EmailDeliveryFactory,
        PreferenceFactory,
        WatchFactory,
        IdempotencyRecordFactory,
        TombstoneReaderFactory,
        WebhookDeliveryFactory,
        DispatchCursorFactory,
        SeenStatusFactory,
        PurgeHorizonFactory,
    ):
        factory()


def admin_url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_and_add_page(admin_client, rows, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    if model in project_models():
        assert changelist.context["cl"].result_count >= 1
    expected = 403 if model._meta.label in NO_ADD_FORM else 200
    assert admin_client.get(admin_url(model, "add")).status_code == expected


def test_every_project_model_is_registered():
    assert project_models() - set(admin.site._registry) == set()


def test_a_rule_broken_while_saving_is_the_pages_message_not_a_500(admin_client, monkeypatch):
    """What ``clean()`` let through (as when a concurrent change landed between the check and the
    write) is refused by the model's locked recheck in ``save()``: the admin says why, nothing saved."""
    zone = LaunchedZoneFactory()
    district = zone.districts.get()
    SchoolFactory.create_batch(2, district=district, zone=zone)
    sixth = SchoolFactory(district=district, zone=None)
    monkeypatch.setattr(School, "clean", lambda self: None)
    url = reverse("admin:schools_school_change", args=[sixth.pk])

    response = admin_client.post(url, {**model_to_dict(sixth), "zone": zone.pk})

    assert (response.status_code, response["Location"]) == (302, url)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{zone} already holds 5 schools, the most a zone may hold."
    ]
    assert zone.schools.count() == 5 and School.objects.get(pk=sixth.pk).zone is None
