"""Each visibility level × each role, on every surface that shows a comment: the thread page (and
its htmx region), the API list and detail, the needs-action list (the workspace's region) and the
mail. Who reads what is ``READERS`` (conftest); nobody else sees the comment anywhere."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment
from contracts.choices import ReviewStatus
from notifications.choices import EventKind
from notifications.models import Event, Notification
from tests.factories import AnnualReviewFactory, CommentFactory, PerformanceContractFactory, StatusUpdateFactory

from .conftest import READERS, ROLE_NAMES, V

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def comments_on(school, tenant, **values):
    """A comment per level on ``school``, marked with its level."""
    return {
        level: CommentFactory(school=school, zone=tenant.zone, state=tenant.state, visibility=level, body=f"[{level}]")
        for level in V
    } | values


@pytest.fixture
def levels(tenant, school):
    return comments_on(school, tenant)


def shown(body: str) -> set:
    return {level for level in V if f"[{level}]" in body}


def expected_for(role) -> set:
    return {level for level in V if role in READERS[level]}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_thread_page_and_region_show_each_role_its_levels(people, school, levels, role):
    client = signed_in(people[role])
    url = reverse("comments:school", kwargs={"school_pk": school.pk})
    page, region = client.get(url), client.get(url, headers=HTMX)
    if role in {"other_partner_staff", "idle_collaborator"}:
        assert (page.status_code, region.status_code) == (404, 404)  # the school is not theirs
        return
    assert shown(page.text) == shown(region.text) == expected_for(role)
    assert "<html" in page.text and "<html" not in region.text


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_api_lists_and_details_each_role_its_levels(people, school, levels, role):
    client = signed_in(people[role])
    listed = client.get(reverse("api:comment-list"), {"subject": "school", "subject_id": school.pk}).json()
    assert {row["visibility"] for row in listed["results"]} == expected_for(role)
    for level, comment in levels.items():
        detail = client.get(reverse("api:comment-detail", kwargs={"pk": comment.pk}))
        assert detail.status_code == (200 if role in READERS[level] else 404), level


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_needs_action_list_shows_only_comments_its_owner_reads(people, school, tenant, role):
    """Owners are chosen among readers; one who is not (any more) never sees the comment."""
    user = people[role]
    comments_on(school, tenant)  # others' comments never show
    for level in V:
        CommentFactory(school=school, body=f"[{level}]", visibility=level, needs_action=True, owner=user)
    client = signed_in(user)
    page = client.get(reverse("comments:needs_action"))
    region = client.get(reverse("comments:needs_action"), headers=HTMX)
    assert page.status_code == region.status_code == 200
    readable = expected_for(role) if role not in {"other_partner_staff", "idle_collaborator"} else set()
    assert shown(page.text) == shown(region.text) == readable


@pytest.mark.parametrize("level", list(V))
def test_a_reply_is_told_only_to_participants_who_read_it(people, school, tenant, level):
    """Everyone took part in the thread (some before losing access); the state lead replies."""
    root = CommentFactory(school=school, author=people["admin"], visibility=V.EVERYONE, body="root")
    for role in ROLE_NAMES:
        CommentFactory(school=school, author=people[role], parent=root, body=f"by {role}")
    reply = services.post_comment(school, body="A reply", visibility=level, by=people["state_lead"], parent=root)
    event = Event.objects.get(kind=EventKind.COMMENT_REPLY, subject_id=reply.pk)
    told = {notification.recipient for notification in event.notifications.all()}
    assert told == {people[role] for role in READERS[level]} - {people["state_lead"]}
    assert "A reply" in event.summary and event.link.endswith(f"#comment-{reply.pk}")


def test_a_lead_partner_is_never_told_of_a_state_only_comment(people, school):
    partner = people["lead_partner_staff"]
    root = CommentFactory(school=school, author=partner, visibility=V.PARTNER_AND_STATE)
    hidden = CommentFactory(school=school, parent=root, visibility=V.STATE_STAFF, needs_action=True, owner=partner)
    services.tell_people(hidden)  # owner, thread participant: each would be told of a comment they read
    assert not Notification.objects.filter(recipient=partner).exists()
    assert Event.objects.filter(subject_id=hidden.pk, kind=EventKind.COMMENT_ASSIGNED).exists()


def test_threads_on_a_draft_review_are_the_states_own(people, tenant):
    contract = PerformanceContractFactory(zone=tenant.zone, lead_partner=tenant.zone.lead_partner)
    review = AnnualReviewFactory(contract=contract, status=ReviewStatus.DRAFT)
    comment = services.post_comment(review, body="[draft]", visibility=V.EVERYONE, by=people["state_lead"])
    partner = signed_in(people["lead_partner_staff"])
    assert partner.get(reverse("comments:review", kwargs={"annualreview_pk": review.pk})).status_code == 404
    assert partner.get(reverse("api:comment-detail", kwargs={"pk": comment.pk})).status_code == 404
    assert not services.reads_comment(people["lead_partner_staff"], comment)
    review.status = ReviewStatus.ISSUED
    review.save()
    page = partner.get(reverse("comments:review", kwargs={"annualreview_pk": review.pk}))
    assert "[draft]" in page.text  # once issued, the review and its open thread are the partner's too


def test_collaborators_read_no_thread_on_a_status_update(people, school):
    update = StatusUpdateFactory(school=school)
    services.post_comment(update, body="[narrative]", visibility=V.EVERYONE, by=people["state_lead"])
    collaborator = signed_in(people["collaborator"])
    assert collaborator.get(reverse("comments:status_update", kwargs={"statusupdate_pk": update.pk})).status_code == 404
    listed = collaborator.get(reverse("api:comment-list")).json()["results"]
    assert "[narrative]" not in {row["body"] for row in listed}
    assert Comment.Subject.STATUS_UPDATE not in {row["subject"] for row in listed}
