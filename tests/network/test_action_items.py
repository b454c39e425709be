"""Action items: the owner must read the item and is told, closing needs a note (form, API and the
database), who may close, overdue items flagged once, the workspace and state page panels, the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from comments import services as comments
from network.actions import close_action_item, create_action_item, flag_overdue_action_items
from network.models import ActionItem, Meeting
from network.tasks import flag_overdue
from notifications.choices import EventKind
from notifications.models import Event, Notification
from tests.factories import ActionItemFactory, AnnualReviewFactory, MeetingFactory
from tests.problems import field_errors

TODAY = timezone.localdate()


def told(user, kind) -> int:
    return Notification._base_manager.filter(recipient=user, event__kind=kind).count()


def detail(item):
    return reverse("network:action_item_detail", kwargs={"actionitem_pk": item.pk})


def close_url(item):
    return reverse("network:action_item_close", kwargs={"actionitem_pk": item.pk})


@pytest.fixture
def meeting(tenant):
    with scopes_disabled():
        return MeetingFactory(state=tenant.state)


@pytest.fixture
def item(tenant, meeting):
    """An open item of the state's meeting, owned by the state viewer, created by the state lead."""
    with scopes_disabled():
        return ActionItemFactory(
            meeting=meeting,
            owner=tenant.users["state_viewer"],
            created_by=tenant.users["state_lead"],
            due_on=TODAY + datetime.timedelta(days=7),
        )


def new_item(meeting, owner, **fields):
    return ActionItem(
        meeting=meeting, state=meeting.state, title="Send the budget", owner=owner, due_on=TODAY, **fields
    )


def test_an_owner_who_does_not_read_the_item_is_refused(tenant, other_tenant, meeting):
    lead = tenant.users["state_lead"]
    for outsider in (other_tenant.users["state_lead"], other_tenant.users["lead_partner_staff"]):
        with scopes_disabled(), pytest.raises(ValidationError) as refused:
            create_action_item(new_item(meeting, outsider), lead)
        assert list(refused.value.message_dict) == ["owner"]
        assert str(outsider) in refused.value.message_dict["owner"][0]
    with scopes_disabled():
        assert not ActionItem.objects.exists()
        # the partner's staff read the items they own in a state where the partner leads a zone
        item = create_action_item(new_item(meeting, tenant.users["lead_partner_staff"]), lead)
    assert item.pk and item.created_by == lead and item.status == ActionItem.Status.OPEN


def test_the_owner_is_told_of_the_assignment(tenant, meeting):
    owner = tenant.users["commissioner"]
    with scopes_disabled():
        item = create_action_item(new_item(meeting, owner), tenant.users["state_lead"])
    event = Event._base_manager.get(kind=EventKind.ACTION_ITEM_ASSIGNED)
    assert event.subject_id == item.pk and event.link == f"/network/action-items/{item.pk}/"
    assert told(owner, EventKind.ACTION_ITEM_ASSIGNED) == 1


def test_the_create_page_prefills_from_a_meeting_and_offers_the_states_members(login, tenant, other_tenant, meeting):
    client = login(tenant.users["state_lead"])
    url = f"{reverse('network:action_item_create')}?meeting={meeting.pk}"
    owners = client.get(url).context["form"].fields["owner"].queryset
    assert tenant.users["state_viewer"] in owners and other_tenant.users["state_viewer"] not in owners
    data = {"title": "Draft the plan", "owner": tenant.users["state_viewer"].pk, "due_on": "2030-01-10"}
    assert client.post(url, data).status_code == 302
    with scopes_disabled():
        item = ActionItem.objects.get(title="Draft the plan")
    assert item.meeting == meeting and item.state == tenant.state
    assert login(tenant.users["state_viewer"]).get(url).status_code == 403
    away = f"{reverse('network:action_item_create')}?meeting={meeting.pk}"
    assert login(other_tenant.users["state_lead"]).get(away).status_code == 404


def test_closing_needs_a_note_in_the_use_case_the_form_and_the_database(login, tenant, item):
    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        close_action_item(item, tenant.users["state_viewer"], ActionItem.Status.DONE, "  ")
    assert list(refused.value.message_dict) == ["closing_note"]
    response = login(tenant.users["state_viewer"]).post(close_url(item), {"status": "done", "closing_note": ""})
    assert response.status_code == 400 and "Say how the item was closed." in response.content.decode()
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=item.pk).update(status=ActionItem.Status.DONE)


def test_the_owner_closes_the_item_and_a_viewer_may_not(login, tenant, other_tenant, item):
    assert (
        login(tenant.users["commissioner"]).post(close_url(item), {"status": "done", "closing_note": "x"}).status_code
        == 403
    )
    assert login(other_tenant.users["state_lead"]).get(close_url(item)).status_code == 404
    owner = tenant.users["state_viewer"]
    client = login(owner)
    assert "Close" in client.get(detail(item)).content.decode()
    response = client.post(close_url(item), {"status": "dropped", "closing_note": "Superseded by the new plan."})
    assert response.status_code == 302
    with scopes_disabled():
        item.refresh_from_db()
    assert item.status == ActionItem.Status.DROPPED and item.closed_by == owner and item.closed_at
    page = client.get(detail(item)).content.decode()
    assert "Superseded by the new plan." in page and "Dropped" in page
    again = client.post(close_url(item), {"status": "done", "closing_note": "twice"})
    assert again.status_code == 400 and "already closed" in again.content.decode()


def test_overdue_items_are_flagged_once_to_the_owner_and_the_creator(tenant, item):
    with scopes_disabled():
        ActionItem.objects.filter(pk=item.pk).update(due_on=TODAY - datetime.timedelta(days=3))
        done = ActionItemFactory(meeting=item.meeting, owner=item.owner, due_on=TODAY - datetime.timedelta(days=3))
        close_action_item(done, tenant.users["state_lead"], ActionItem.Status.DONE, "Sent.")
    assert flag_overdue_action_items(TODAY) == 1
    assert flag_overdue() == 0  # the daily task, run again (a retry, a second worker): nothing new
    assert told(item.owner, EventKind.ACTION_ITEM_OVERDUE) == 1
    assert told(tenant.users["state_lead"], EventKind.ACTION_ITEM_OVERDUE) == 1
    assert Event._base_manager.get(kind=EventKind.ACTION_ITEM_OVERDUE).key == f"action_item_overdue:{item.pk}"


def test_the_action_items_page_flags_overdue_items_and_shows_a_leads_states(login, tenant, other_tenant, item):
    with scopes_disabled():
        late = ActionItemFactory(
            meeting=item.meeting, owner=item.owner, title="Late report", due_on=TODAY - datetime.timedelta(days=4)
        )
        ActionItemFactory(owner=other_tenant.users["state_viewer"], meeting__state=other_tenant.state, title="Away")
    body = login(item.owner).get(reverse("network:action_items")).content.decode()
    assert "Overdue by 4 days" in body
    assert body.index(late.title) < body.index(item.title)  # soonest due first
    lead_page = login(tenant.users["state_lead"]).get(reverse("network:action_items")).content.decode()
    assert "Open in your states" in lead_page and late.title in lead_page and "Away" not in lead_page
    closed = login(item.owner).get(reverse("network:action_items"), {"status": "closed"}).content.decode()
    assert late.title not in closed


def test_the_workspace_shows_the_lead_partners_own_action_items(login, tenant, meeting):
    staff = tenant.users["lead_partner_staff"]
    with scopes_disabled():
        ActionItemFactory(
            meeting=meeting,
            zone=tenant.zone,
            owner=staff,
            title="Send the coaching plan",
            due_on=TODAY - datetime.timedelta(days=2),
        )
        ActionItemFactory(meeting=meeting, owner=tenant.users["state_viewer"], title="Not the partner's")
    body = login(staff).get(reverse("accountability:workspace")).content.decode()
    assert "Your action items" in body and "Send the coaching plan" in body and "Overdue by 2 days" in body
    assert "Not the partner&#x27;s" not in body and "Not the partner's" not in body


def test_the_state_page_shows_its_open_action_items_to_state_staff(login, tenant, other_tenant, item):
    state_page = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})
    body = login(tenant.users["commissioner"]).get(state_page).content.decode()
    assert item.title in body and reverse("network:state_meetings", kwargs={"state_pk": tenant.state.pk}) in body
    assert item.title not in login(tenant.users["collaborator"]).get(state_page).content.decode()


def test_needs_action_comments_and_review_pages_link_to_a_new_action_item(login, tenant, world):
    lead = tenant.users["state_lead"]
    with scopes_disabled():
        comment = comments.post_comment(
            tenant.zone, body="Fix the budget", by=lead, needs_action=True, owner=tenant.users["state_viewer"]
        )
        review = AnnualReviewFactory(contract__zone=tenant.zone)
    thread = reverse("comments:zone", kwargs={"zone_pk": tenant.zone.pk})
    link = f"{reverse('network:action_item_create')}?comment={comment.pk}"
    assert link in login(lead).get(thread).content.decode()
    assert link not in login(tenant.users["state_viewer"]).get(thread).content.decode()
    review_link = f"{reverse('network:action_item_create')}?annual_review={review.pk}"
    assert review_link in login(lead).get(review.get_absolute_url()).content.decode()
    form = login(lead).get(link)
    assert form.status_code == 200 and form.context["form"].instance.zone == tenant.zone


def test_the_api_creates_and_closes_items_through_the_use_cases(login, tenant, other_tenant, meeting):
    lead, owner = tenant.users["state_lead"], tenant.users["state_viewer"]
    client = login(lead)
    data = {
        "title": "API item",
        "meeting": meeting.pk,
        "state": tenant.state.pk,
        "owner": owner.pk,
        "due_on": "2030-01-01",
    }
    created = client.post("/api/v1/action-items/", data, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert told(owner, EventKind.ACTION_ITEM_ASSIGNED) == 1
    outsider = {**data, "owner": other_tenant.users["state_lead"].pk}
    assert client.post("/api/v1/action-items/", outsider, content_type="application/json").status_code == 400
    patched = client.patch(f"/api/v1/action-items/{pk}/", {"status": "done"}, content_type="application/json")
    assert patched.status_code == 400 and "status" in field_errors(patched)
    moved = client.patch(f"/api/v1/action-items/{pk}/", {"status": "in_progress"}, content_type="application/json")
    assert moved.status_code == 200
    close = f"/api/v1/action-items/{pk}/close/"
    viewer = login(tenant.users["commissioner"])
    assert (
        viewer.post(close, {"status": "done", "closing_note": "x"}, content_type="application/json").status_code == 403
    )
    owner_client = login(owner)
    no_note = owner_client.post(close, {"status": "done"}, content_type="application/json")
    assert no_note.status_code == 400 and "closing_note" in field_errors(no_note)
    closed = owner_client.post(close, {"status": "done", "closing_note": "Sent."}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "done" and closed.json()["closed_by"] == owner.pk


def test_a_network_item_is_the_admins_to_create(login, world, tenant):
    client = login(tenant.users["state_lead"])
    assert client.get(reverse("network:action_item_create")).status_code == 403
    with scopes_disabled():
        call = MeetingFactory(kind=Meeting.Kind.SDG_CALL, state=None)
    admin = login(world.admin)
    url = f"{reverse('network:action_item_create')}?meeting={call.pk}"
    data = {"title": "Share the toolkit", "owner": world.away.users["state_lead"].pk, "due_on": "2030-01-01"}
    assert admin.post(url, data).status_code == 302
