"""The thread pages: the slot on each subject's page, posting and replying with and without htmx,
errors as form errors (never a 500), resolving, the status updates' links, the workspace's
needs-action region, and query counts that do not grow with the thread."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from comments import services
from comments.models import MAX_BODY, Comment
from tests.factories import CommentFactory, PeriodSubmissionFactory, ReportingPeriodFactory, StatusUpdateFactory
from tests.worlds import query_counts

from .conftest import V

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def thread(school):
    return reverse("comments:school", kwargs={"school_pk": school.pk})


def saved(school):
    with scopes_disabled():
        return list(Comment.objects.filter(school=school))


def test_each_subject_page_loads_its_thread(people, tenant, school):
    client = signed_in(people["state_lead"])
    submission = PeriodSubmissionFactory(school=school)
    pages = {
        reverse("portfolio:school_detail", kwargs={"school_pk": school.pk}): thread(school),
        reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk}): reverse(
            "comments:zone", kwargs={"zone_pk": tenant.zone.pk}
        ),
        reverse("accountability:submission_detail", kwargs={"periodsubmission_pk": submission.pk}): reverse(
            "comments:submission", kwargs={"periodsubmission_pk": submission.pk}
        ),
    }
    for page, url in pages.items():
        body = client.get(page).text
        assert f'hx-get="{url}" hx-trigger="load"' in body, page  # loaded in place by htmx
        assert f'<a href="{url}">Read and post comments</a>' in body, page  # the link without it


def test_status_updates_link_to_their_threads_with_the_count_the_reader_reads(people, school):
    with scopes_disabled():
        update = school.status_updates.get()
    CommentFactory(status_update=update, school=school, subject="status_update", visibility=V.EVERYONE)
    CommentFactory(status_update=update, school=school, subject="status_update", visibility=V.STATE_STAFF)
    url = reverse("comments:status_update", kwargs={"statusupdate_pk": update.pk})
    page = reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})
    assert f'href="{url}">Comments (2)' in signed_in(people["state_lead"]).get(page).text
    assert f'href="{url}">Comments (1)' in signed_in(people["lead_partner_staff"]).get(page).text


def test_posting_without_htmx_redirects_to_the_thread(people, school):
    client = signed_in(people["lead_partner_staff"])
    response = client.post(thread(school), {"body": "Hiring is late", "visibility": V.PARTNER_AND_STATE})
    (comment,) = saved(school)
    assert response.status_code == 302 and response["Location"] == f"{thread(school)}#comment-{comment.pk}"
    assert (comment.author, comment.visibility) == (people["lead_partner_staff"], V.PARTNER_AND_STATE)
    assert "Hiring is late" in client.get(response["Location"]).text


def test_posting_with_htmx_answers_with_the_thread(people, school):
    client = signed_in(people["state_lead"])
    owner = people["lead_partner_staff"]
    data = {"body": "Send the plan", "visibility": V.PARTNER_AND_STATE, "needs_action": "on", "owner": owner.pk}
    response = client.post(thread(school), data, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Comment posted." in response.text and f"Needs action: {owner}" in response.text
    assert "Lead Partner and state" in response.text  # the visibility badge's label


def test_a_reply_is_posted_under_its_comment(people, school):
    root = services.post_comment(school, body="Root", visibility=V.PARTNER_AND_STATE, by=people["state_lead"])
    client = signed_in(people["lead_partner_staff"])
    response = client.post(thread(school), {"body": "Answer", "visibility": V.PARTNER_AND_STATE, "parent": root.pk})
    assert response.status_code == 302
    (reply,) = [comment for comment in saved(school) if comment.parent_id]
    assert reply.parent == root
    page = client.get(thread(school)).text
    assert page.index("Root") < page.index('class="timeline comment-replies"') < page.index("Answer")


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        ("state_lead", {"body": "  ", "visibility": V.EVERYONE}, "This field is required."),
        ("state_lead", {"body": "x" * (MAX_BODY + 1), "visibility": V.EVERYONE}, "at most 5000 characters"),
        ("lead_partner_staff", {"body": "Hi", "visibility": V.STATE_STAFF}, "Select a valid choice."),
        ("collaborator", {"body": "Hi", "visibility": V.PARTNER_AND_STATE}, "Select a valid choice."),
        ("state_lead", {"body": "Hi", "visibility": V.EVERYONE, "needs_action": "on"}, "Name who must act"),
        ("state_lead", {"body": "Hi", "visibility": V.EVERYONE, "parent": "999999999"}, None),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(people, school, role, data, message):
    client = signed_in(people[role])
    for headers in ({}, HTMX):
        response = client.post(thread(school), data, headers=headers)
        if message is None:
            assert response.status_code == 404  # a parent one may not read is as good as none
            continue
        assert response.status_code == 400
        assert message in response.text
    assert saved(school) == []


def test_a_reply_wider_than_its_parent_is_refused_beside_it(people, school):
    root = services.post_comment(school, body="Root", visibility=V.STATE_STAFF, by=people["state_lead"])
    client = signed_in(people["state_viewer"])
    response = client.post(
        thread(school), {"body": "Open it up", "visibility": V.EVERYONE, "parent": root.pk}, headers=HTMX
    )
    assert response.status_code == 400
    assert "A reply is never wider than the comment it answers" in response.text
    assert f'id="comment-{root.pk}"' in response.text and '<details class="reply" open>' in response.text
    assert "Open it up" in response.text  # the input is kept


def test_the_form_offers_the_levels_and_owners_of_the_role(people, school):
    partner_form = signed_in(people["lead_partner_staff"]).get(thread(school)).text
    assert 'value="partner_and_state"' in partner_form and 'value="state_staff"' not in partner_form
    collaborator_form = signed_in(people["collaborator"]).get(thread(school)).text
    assert 'value="everyone"' in collaborator_form and 'value="partner_and_state"' not in collaborator_form
    lead_form = signed_in(people["state_lead"]).get(thread(school)).text
    for candidate in ("state_lead", "lead_partner_staff"):
        assert f'<option value="{people[candidate].pk}">' in lead_form
    assert f'<option value="{people["state_viewer"].pk}">' not in lead_form


def test_resolving_with_and_without_htmx(people, school):
    owner = people["lead_partner_staff"]
    make = lambda: services.post_comment(  # noqa: E731
        school, body="Do it", visibility=V.EVERYONE, by=people["state_lead"], needs_action=True, owner=owner
    )
    client = signed_in(owner)
    first, second = make(), make()
    response = client.post(reverse("comments:resolve", kwargs={"comment_pk": first.pk}))
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{first.pk}")
    response = client.post(reverse("comments:resolve", kwargs={"comment_pk": second.pk}), headers=HTMX)
    assert response.status_code == 200 and "Marked resolved." in response.text
    assert f"Resolved by {owner}" in response.text
    again = client.post(reverse("comments:resolve", kwargs={"comment_pk": second.pk}), headers=HTMX)
    assert again.status_code == 400 and "This comment is already resolved." in again.text
    reopened = client.post(reverse("comments:reopen", kwargs={"comment_pk": second.pk}), headers=HTMX)
    assert reopened.status_code == 200 and "Opened again." in reopened.text


def test_someone_who_may_not_resolve_gets_no_button_and_a_403(people, school):
    comment = services.post_comment(
        school,
        body="Do it",
        visibility=V.EVERYONE,
        by=people["state_lead"],
        needs_action=True,
        owner=people["state_lead"],
    )
    client = signed_in(people["collaborator"])
    assert "Mark resolved" not in client.get(thread(school)).text
    assert client.post(reverse("comments:resolve", kwargs={"comment_pk": comment.pk})).status_code == 403
    assert "Mark resolved" in signed_in(people["state_lead"]).get(thread(school)).text


def test_the_workspace_loads_the_needs_action_list(people, school):
    owner = people["lead_partner_staff"]
    comment = services.post_comment(
        school,
        body="Send the hiring plan",
        visibility=V.PARTNER_AND_STATE,
        by=people["state_lead"],
        needs_action=True,
        owner=owner,
    )
    client = signed_in(owner)
    workspace = client.get(reverse("accountability:workspace")).text
    url = reverse("comments:needs_action")
    assert f'hx-get="{url}" hx-trigger="load"' in workspace
    region = client.get(url, headers=HTMX).text
    assert "Send the hiring plan" in region and f"{thread(school)}#comment-{comment.pk}" in region
    assert reverse("portfolio:school_detail", kwargs={"school_pk": school.pk}) in region
    services.resolve(comment, by=owner)
    assert "Nothing needs your action." in client.get(url, headers=HTMX).text


def test_query_counts_do_not_grow_with_the_thread_or_the_list(people, tenant, school):
    lead, partner = people["state_lead"], people["lead_partner_staff"]
    client = signed_in(partner)

    years = iter(range(2001, 2030))

    def add(count):
        for _ in range(count):
            year = next(years)
            period = ReportingPeriodFactory(state=tenant.state, school_year=f"{year}-{str(year + 1)[2:]}")
            root = CommentFactory(school=school, author=lead, needs_action=True, owner=partner)
            CommentFactory(school=school, author=partner, parent=root, visibility=V.PARTNER_AND_STATE)
            update = StatusUpdateFactory(school=school)
            CommentFactory(
                status_update=update, school=school, subject="status_update", owner=partner, needs_action=True
            )
            CommentFactory(
                zone=tenant.zone, state=tenant.state, school=None, subject="zone", owner=partner, needs_action=True
            )
            CommentFactory(
                period_submission=PeriodSubmissionFactory(school=school, reporting_period=period),
                school=school,
                subject="period_submission",
                owner=partner,
                needs_action=True,
            )

    urls = [thread(school), reverse("comments:needs_action"), reverse("api:comment-list")]
    add(1)
    few = query_counts(client, urls) | {"htmx": query_counts(client, urls[:2], headers=HTMX)}
    add(6)
    many = query_counts(client, urls) | {"htmx": query_counts(client, urls[:2], headers=HTMX)}
    assert few == many


def test_a_reply_to_another_subjects_comment_is_refused_with_its_message(people, tenant, school):
    elsewhere = services.post_comment(tenant.zone, body="On the zone", visibility=V.EVERYONE, by=people["state_lead"])
    client = signed_in(people["state_lead"])
    for headers in ({}, HTMX):
        response = client.post(
            thread(school), {"body": "Misplaced", "visibility": V.EVERYONE, "parent": elsewhere.pk}, headers=headers
        )
        assert response.status_code == 400
        assert "A reply sits on the same subject as the comment it answers." in response.text
    assert saved(school) == []
