"""API v1 ``comments``: create through the use case, filters, resolve, no changes, errors."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from comments import services
from comments.models import Comment
from tests.problems import field_errors

from .conftest import V

pytestmark = pytest.mark.django_db

LIST = reverse("api:comment-list")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create(client, **data):
    return client.post(LIST, data, content_type="application/json")


def test_a_comment_and_a_reply_are_posted_through_the_use_case(people, school):
    partner = signed_in(people["lead_partner_staff"])
    made = create(
        partner, subject="school", subject_id=school.pk, body="Hiring is late", visibility=V.PARTNER_AND_STATE
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["subject"], body["subject_id"], body["zone"]) == ("school", school.pk, school.zone_id)
    assert (body["visibility_label"], body["author_name"]) == (
        "Lead Partner and state",
        str(people["lead_partner_staff"]),
    )
    reply = create(
        signed_in(people["state_lead"]), subject="school", subject_id=school.pk, body="On it", parent=body["id"]
    )
    assert reply.status_code == 201 and reply.json()["visibility"] == V.PARTNER_AND_STATE  # the parent's


@pytest.mark.parametrize(
    ("role", "data", "field"),
    [
        ("lead_partner_staff", {"visibility": V.STATE_STAFF}, "visibility"),
        ("collaborator", {"visibility": V.PARTNER_AND_STATE}, "visibility"),
        ("state_lead", {"body": " "}, "body"),
        ("state_lead", {"subject_id": 10**12}, "subject_id"),
        ("state_lead", {"parent": 10**12}, "parent"),
        ("state_lead", {"needs_action": True}, "owner"),
        ("state_lead", {"needs_action": True, "owner": 10**12}, "owner"),
        ("state_lead", {"visibility": "nobody"}, "visibility"),
    ],
)
def test_bad_input_is_a_400_by_field(people, school, role, data, field):
    given = {"subject": "school", "subject_id": school.pk, "body": "Hi", **data}
    response = create(signed_in(people[role]), **given)
    assert response.status_code == 400 and field in field_errors(response), response.json()
    with scopes_disabled():
        assert not Comment.objects.filter(school=school).exists()


def test_another_tenants_subject_does_not_exist_and_a_non_reader_is_refused(people, school, other_tenant):
    lead = signed_in(people["state_lead"])
    response = create(lead, subject="school", subject_id=other_tenant.schools[0].pk, body="Hi")
    assert response.status_code == 400 and field_errors(response) == {"subject_id": ["No such school."]}
    partner = signed_in(people["other_partner_staff"])  # reads nothing of this zone
    assert create(partner, subject="school", subject_id=school.pk, body="Hi").status_code == 400


def test_filters_by_subject_needs_action_open_and_owner(people, school, tenant):
    lead, partner = people["state_lead"], people["lead_partner_staff"]
    on_school = services.post_comment(school, body="a", visibility=V.EVERYONE, by=lead)
    on_zone = services.post_comment(tenant.zone, body="b", visibility=V.EVERYONE, by=lead)
    mine = services.post_comment(school, body="c", visibility=V.EVERYONE, by=lead, needs_action=True, owner=partner)
    done = services.post_comment(school, body="d", visibility=V.EVERYONE, by=lead, needs_action=True, owner=partner)
    services.resolve(done, by=partner)
    theirs = services.post_comment(school, body="e", visibility=V.EVERYONE, by=lead, needs_action=True, owner=lead)
    client = signed_in(partner)

    def ids(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(subject="school", subject_id=school.pk) == [on_school.pk, mine.pk, done.pk, theirs.pk]
    assert ids(subject_id=tenant.zone.pk, subject="zone") == [on_zone.pk]
    assert ids(needs_action="true") == [mine.pk, done.pk, theirs.pk]
    assert ids(open="true") == [mine.pk, theirs.pk]
    assert ids(open="false") == [done.pk]
    assert ids(open="true", owner="me") == [mine.pk]
    assert ids(owner=str(lead.pk)) == [theirs.pk]
    assert ids(id=on_zone.pk) == [on_zone.pk]
    assert client.get(LIST, {"owner": "someone"}).status_code == 400


def test_resolve_action(people, school):
    partner = people["lead_partner_staff"]
    comment = services.post_comment(
        school, body="Do it", visibility=V.EVERYONE, by=people["state_lead"], needs_action=True, owner=partner
    )
    url = reverse("api:comment-resolve", kwargs={"pk": comment.pk})
    assert signed_in(people["commissioner"]).post(url).status_code == 403
    resolved = signed_in(partner).post(url)
    assert resolved.status_code == 200 and resolved.json()["is_open"] is False
    assert resolved.json()["resolved_by_name"] == str(partner)
    again = signed_in(partner).post(url)
    assert again.status_code == 400 and field_errors(again) == {"": ["This comment is already resolved."]}


def test_no_one_changes_or_deletes_a_comment_through_the_api(people, school):
    author = people["state_lead"]
    comment = services.post_comment(school, body="Mine", visibility=V.EVERYONE, by=author)
    url = reverse("api:comment-detail", kwargs={"pk": comment.pk})
    client = signed_in(author)
    assert client.patch(url, {"body": "Changed"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    comment.refresh_from_db()
    assert comment.body == "Mine"
