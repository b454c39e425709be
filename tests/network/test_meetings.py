"""Meetings: who reads SDG calls and a state's meetings, attendees who must read the meeting and
hear of it once, documents handed out to readers only, the pages and the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from network.meetings import save_meeting
from network.models import Meeting, MeetingDocument
from notifications.choices import EventKind
from notifications.models import Notification
from tests.factories import MeetingDocumentFactory, MeetingFactory
from tests.problems import field_errors

FUTURE = datetime.datetime(2030, 5, 4, 16, 0, tzinfo=datetime.UTC)


def detail(meeting):
    return reverse("network:meeting_detail", kwargs={"meeting_pk": meeting.pk})


def scheduled(user) -> int:
    return Notification._base_manager.filter(recipient=user, event__kind=EventKind.MEETING_SCHEDULED).count()


@pytest.fixture
def sdg_call(world):
    with scopes_disabled():
        return MeetingFactory(kind=Meeting.Kind.SDG_CALL, state=None, title="SDG call on budgets", starts_at=FUTURE)


@pytest.fixture
def state_meeting(tenant):
    with scopes_disabled():
        return MeetingFactory(state=tenant.state, title="Colorado planning meeting", starts_at=FUTURE)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("home.state_lead", 200),
        ("away.state_lead", 200),
        ("home.collaborator", 200),
        ("away.commissioner", 200),
        ("home.lead_partner_staff", 404),
        ("away.lead_partner_staff", 404),
    ],
)
def test_an_sdg_call_is_read_by_every_states_staff_and_collaborators_but_not_lead_partners(
    world, login, sdg_call, who, status
):
    side, role = who.split(".")
    client = login(getattr(world, side).users[role])
    assert client.get(detail(sdg_call)).status_code == status
    listed = client.get(reverse("network:meeting_list")).content.decode()
    assert (sdg_call.title in listed) == (status == 200)


def test_a_states_meeting_is_invisible_to_another_state(world, login, state_meeting, other_tenant, tenant):
    away = login(other_tenant.users["state_lead"])
    assert away.get(detail(state_meeting)).status_code == 404
    assert state_meeting.title not in away.get(reverse("network:meeting_list")).content.decode()
    page = reverse("network:state_meetings", kwargs={"state_pk": tenant.state.pk})
    assert away.get(page).status_code == 404
    home = login(tenant.users["state_viewer"])
    assert state_meeting.title in home.get(page).content.decode()


def test_the_state_page_lists_its_meetings_and_the_networks_calls(login, tenant, other_tenant, sdg_call):
    with scopes_disabled():
        away_meeting = MeetingFactory(state=other_tenant.state, title="Louisiana meeting", starts_at=FUTURE)
    client = login(tenant.users["state_lead"])
    body = client.get(reverse("network:state_meetings", kwargs={"state_pk": tenant.state.pk})).content.decode()
    assert sdg_call.title in body and "State Development Group call" in body
    assert away_meeting.title not in body
    kinds = client.get(reverse("network:meeting_list"), {"kind": "state_meeting"}).content.decode()
    assert sdg_call.title not in kinds


def test_an_attendee_who_does_not_read_the_meeting_is_refused(tenant, state_meeting):
    lead, partner = tenant.users["state_lead"], tenant.users["lead_partner_staff"]
    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        save_meeting(state_meeting, [tenant.users["state_viewer"], partner], lead)
    assert list(refused.value.message_dict) == ["attendees"]
    assert str(partner) in refused.value.message_dict["attendees"][0]
    with scopes_disabled():
        assert not state_meeting.attendees.exists()
        # A site visit of the partner's zone is the partner's to read: it may attend.
        state_meeting.kind, state_meeting.zone = Meeting.Kind.SITE_VISIT, tenant.zone
        save_meeting(state_meeting, [partner], lead)
        assert list(state_meeting.attendees.all()) == [partner]


def test_only_newly_added_attendees_hear_of_the_meeting(tenant, state_meeting):
    lead, viewer, commissioner = (tenant.users[role] for role in ("state_lead", "state_viewer", "commissioner"))
    with scopes_disabled():
        save_meeting(state_meeting, [viewer], lead)
        save_meeting(state_meeting, [viewer, commissioner, lead], lead)
    assert scheduled(viewer) == 1
    assert scheduled(commissioner) == 1
    assert scheduled(lead) == 0  # the actor
    notification = Notification._base_manager.get(recipient=commissioner)
    assert notification.event.link == f"/network/meetings/{state_meeting.pk}/"


def test_a_state_lead_schedules_a_meeting_with_attendees_on_the_page(login, tenant, other_tenant):
    lead, viewer = tenant.users["state_lead"], tenant.users["state_viewer"]
    client = login(lead)
    form = client.get(reverse("network:meeting_create"), {"state": tenant.state.pk})
    assert form.status_code == 200
    choices = form.context["form"].fields["attendees"].queryset
    assert viewer in choices and other_tenant.users["state_lead"] not in choices
    data = {
        "kind": "state_meeting",
        "state": tenant.state.pk,
        "title": "Budget review",
        "starts_at": "2030-05-04T10:00",
        "duration_minutes": 90,
        "attendees": [viewer.pk],
    }
    response = client.post(reverse("network:meeting_create"), data)
    assert response.status_code == 302
    with scopes_disabled():
        meeting = Meeting.objects.get(title="Budget review")
    assert meeting.created_by == lead and list(meeting.attendees.all()) == [viewer]
    assert scheduled(viewer) == 1
    refused = client.post(reverse("network:meeting_create"), {**data, "kind": "sdg_call", "state": ""})
    assert refused.status_code == 400  # an SDG call is the admins'


def test_a_meeting_page_shows_its_record_and_documents(login, tenant, state_meeting):
    with scopes_disabled():
        state_meeting.decisions = "Launch in the fall\nHire a coach"
        state_meeting.save()
        MeetingDocumentFactory(meeting=state_meeting, title="Slides")
    body = login(tenant.users["state_viewer"]).get(detail(state_meeting)).content.decode()
    assert "<li>Launch in the fall</li>" in body and "<li>Hire a coach</li>" in body
    assert "Slides" in body and "Edit meeting" not in body


def test_documents_are_uploaded_by_the_state_lead_and_downloaded_by_readers_only(
    login, tenant, other_tenant, state_meeting
):
    url = reverse("network:document_upload", kwargs={"meeting_pk": state_meeting.pk})
    lead = login(tenant.users["state_lead"])
    fake = SimpleUploadedFile("minutes.pdf", b"MZ not a pdf")
    assert lead.post(url, {"title": "Minutes", "file": fake}).status_code == 400
    exe = SimpleUploadedFile("run.exe", b"%PDF-1.4")
    assert lead.post(url, {"title": "Minutes", "file": exe}).status_code == 400
    pdf = SimpleUploadedFile("Signed minutes.pdf", b"%PDF-1.4 minutes")
    assert lead.post(url, {"title": "Minutes", "file": pdf}).status_code == 302
    with scopes_disabled():
        document = MeetingDocument.objects.get()
    assert document.filename == "Signed minutes.pdf" and document.uploaded_by == tenant.users["state_lead"]
    download = reverse("network:document_download", kwargs={"meetingdocument_pk": document.pk})
    response = login(tenant.users["collaborator"]).get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
    assert 'filename="Signed minutes.pdf"' in response["Content-Disposition"]
    assert login(other_tenant.users["state_lead"]).get(download).status_code == 404
    assert login(tenant.users["lead_partner_staff"]).get(download).status_code == 404
    assert login(tenant.users["state_viewer"]).post(url, {"title": "x", "file": pdf}).status_code == 403


def test_the_api_schedules_through_the_use_case(login, tenant, other_tenant):
    client = login(tenant.users["state_lead"])
    viewer = tenant.users["state_viewer"]
    data = {
        "kind": "state_meeting",
        "state": tenant.state.pk,
        "title": "API meeting",
        "starts_at": "2030-05-04T10:00:00Z",
        "attendees": [viewer.pk],
    }
    created = client.post("/api/v1/meetings/", data, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["attendees"] == [viewer.pk] and scheduled(viewer) == 1
    outsider = other_tenant.users["state_lead"].pk
    pk = created.json()["id"]
    refused = client.patch(f"/api/v1/meetings/{pk}/", {"attendees": [outsider]}, content_type="application/json")
    assert refused.status_code == 400 and "attendees" in field_errors(refused)
    partner = tenant.users["lead_partner_staff"].pk  # a member of the state, but not a reader of it
    refused = client.patch(f"/api/v1/meetings/{pk}/", {"attendees": [partner]}, content_type="application/json")
    assert refused.status_code == 400 and "attendees" in field_errors(refused)
    kept = client.patch(f"/api/v1/meetings/{pk}/", {"minutes": "Done."}, content_type="application/json")
    assert kept.status_code == 200 and kept.json()["attendees"] == [viewer.pk]
    sdg = client.post("/api/v1/meetings/", {**data, "kind": "sdg_call", "state": None}, content_type="application/json")
    assert sdg.status_code == 403
    away = login(other_tenant.users["state_lead"])
    assert away.get(f"/api/v1/meetings/{pk}/").status_code == 404


def test_the_api_lists_documents_with_a_download_url(login, tenant, other_tenant, state_meeting):
    with scopes_disabled():
        document = MeetingDocumentFactory(meeting=state_meeting)
    rows = login(tenant.users["state_viewer"]).get("/api/v1/meeting-documents/").json()["results"]
    assert [row["id"] for row in rows] == [document.pk]
    assert rows[0]["download_url"].endswith(f"/network/documents/{document.pk}/")
    assert login(other_tenant.users["state_lead"]).get("/api/v1/meeting-documents/").json()["results"] == []
