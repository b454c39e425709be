"""The comment use cases: where a comment sits, who may post at which visibility, threading,
needs-action ownership and resolution."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from comments import services
from comments.models import MAX_BODY, Comment
from contracts.choices import ReviewStatus
from tests.factories import (
    AnnualReviewFactory,
    CommentFactory,
    PerformanceContractFactory,
    PeriodSubmissionFactory,
    StatusUpdateFactory,
)

from .conftest import READERS, ROLE_NAMES, V

pytestmark = pytest.mark.django_db


def refused(call, *fields):
    with pytest.raises(ValidationError) as caught:
        call()
    assert set(caught.value.message_dict) == set(fields), caught.value.message_dict
    return caught.value.message_dict


@pytest.fixture
def review(tenant):
    contract = PerformanceContractFactory(zone=tenant.zone, lead_partner=tenant.zone.lead_partner)
    return AnnualReviewFactory(contract=contract, status=ReviewStatus.ISSUED)


def test_a_comment_takes_its_place_from_its_subject(tenant, school, review, post):
    update = StatusUpdateFactory(school=school)
    submission = PeriodSubmissionFactory(school=school)
    expected = {
        school: ("school", "school_id"),
        tenant.zone: ("zone", "zone_id"),
        update: ("status_update", "status_update_id"),
        submission: ("period_submission", "period_submission_id"),
        review: ("annual_review", "annual_review_id"),
    }
    for subject, (kind, field) in expected.items():
        comment = post(subject)
        assert (comment.subject, getattr(comment, field)) == (kind, subject.pk)
        assert (comment.state_id, comment.zone_id) == (tenant.state.pk, tenant.zone.pk)


def test_only_a_reader_of_the_subject_comments(other_tenant, school, post):
    with pytest.raises(PermissionDenied):
        post(other_tenant.schools[0])  # another state's school
    with pytest.raises(PermissionDenied):
        post(school, by="other_partner_staff")  # another partner's zone
    with pytest.raises(PermissionDenied):
        post(school, by="idle_collaborator")
    with pytest.raises(PermissionDenied):
        post(StatusUpdateFactory(school=school), by="collaborator")  # narratives are not theirs
    with scopes_disabled():
        assert not Comment.objects.filter(school=school).exists()


def test_authorization_comes_before_validation(school, post):
    with pytest.raises(PermissionDenied):
        post(school, "nonsense", by="idle_collaborator", body=" ")


def test_a_body_is_required_and_bounded(school, post):
    assert refused(lambda: post(school, body="   \n "), "body") == {"body": ["Write the comment."]}
    assert "at most 5,000 characters" in refused(lambda: post(school, body="x" * (MAX_BODY + 1)), "body")["body"][0]
    assert post(school, body=f"  {'x' * MAX_BODY}  ").body == "x" * MAX_BODY


@pytest.mark.parametrize("role", ["lead_partner_staff", "collaborator"])
def test_a_role_posts_only_at_levels_it_reads(school, post, role):
    for level in V:
        if role in READERS[level]:
            assert post(school, level, by=role).visibility == level
        else:
            assert (
                "choose one your role reads"
                in refused(lambda level=level: post(school, level, by=role), "visibility")["visibility"][0]
            )


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_levels_offered_are_those_the_wall_lets_the_author_read(tenant, school, review, people, role):
    """``visibilities_for`` (the forms' choices) agrees with the tenant wall on every subject."""
    draft_review = AnnualReviewFactory(contract=review.contract, school_year="2011-12", status=ReviewStatus.DRAFT)
    subjects = [school, tenant.zone, StatusUpdateFactory(school=school), review, draft_review]
    user = people[role]
    for subject in subjects:
        offered = services.visibilities_for(user, Comment(**services.placement(subject)))
        for level in V:
            comment = CommentFactory(
                **{k: v for k, v in services.placement(subject).items() if k != "state_id"},
                state=tenant.state,
                visibility=level,
            )
            assert (level in offered) == services.reads_comment(user, comment), (subject, level)


def test_a_reply_defaults_to_its_parents_visibility_and_is_never_wider(school, post):
    parent = post(school, V.PARTNER_AND_STATE)
    reply = services.post_comment(school, body="Agreed", by=parent.author, parent=parent)
    assert (reply.parent, reply.visibility) == (parent, V.PARTNER_AND_STATE)
    narrower = post(school, V.STATE_STAFF, parent=parent)
    assert narrower.visibility == V.STATE_STAFF
    message = refused(lambda: post(school, V.EVERYONE, parent=parent), "visibility")["visibility"][0]
    assert message == "A reply is never wider than the comment it answers (Lead Partner and state)."


def test_a_reply_sits_on_its_parents_subject(tenant, school, post):
    parent = post(school)
    assert "same subject" in refused(lambda: post(tenant.zone, parent=parent), "parent")["parent"][0]
    assert "same subject" in refused(lambda: post(tenant.schools[1], parent=parent), "parent")["parent"][0]


def test_nobody_replies_to_a_comment_they_cannot_read(school, post):
    hidden = post(school, V.STATE_STAFF)
    with pytest.raises(PermissionDenied):
        post(school, V.PARTNER_AND_STATE, by="lead_partner_staff", parent=hidden)


def test_a_needs_action_comment_names_an_owner_who_reads_it(school, people, post):
    assert refused(lambda: post(school, needs_action=True), "owner") == {
        "owner": ["Name who must act on a needs-action comment."]
    }
    assert refused(lambda: post(school, owner=people["lead_partner_staff"]), "owner") == {
        "owner": ["Only a needs-action comment has an owner."]
    }
    partner = people["lead_partner_staff"]
    message = refused(lambda: post(school, V.STATE_STAFF, needs_action=True, owner=partner), "owner")["owner"][0]
    assert message.startswith(f"{partner} cannot read a comment on this at this visibility")
    with scopes_disabled():
        assert not Comment.objects.filter(school=school).exists()  # the refused comment was rolled back
    comment = post(school, V.PARTNER_AND_STATE, needs_action=True, owner=partner)
    assert comment.owner == partner and comment.is_open


def test_owner_candidates_are_the_state_leads_and_the_zones_partner_staff(school, people):
    candidates = set(services.owner_candidates(Comment(**services.placement(school))))
    assert candidates == {people["state_lead"], people["lead_partner_staff"]}


@pytest.mark.parametrize("role", ["state_lead", "admin"])
def test_the_owner_the_author_and_the_state_resolve(school, people, post, role):
    owner = people["lead_partner_staff"]
    for resolver in (owner, people["state_viewer"], people[role]):
        comment = post(school, V.PARTNER_AND_STATE, by="state_viewer", needs_action=True, owner=owner)
        resolved = services.resolve(comment, by=resolver)
        assert (resolved.is_open, resolved.resolved_by) == (False, resolver)
        assert resolved.resolved_at is not None


@pytest.mark.parametrize("role", ["commissioner", "collaborator", "other_partner_staff"])
def test_nobody_else_resolves(school, people, post, role):
    comment = post(school, needs_action=True, owner=people["lead_partner_staff"])
    with pytest.raises(PermissionDenied):
        services.resolve(comment, by=people[role])
    comment.refresh_from_db()
    assert comment.is_open


def test_only_an_open_needs_action_comment_resolves_and_only_a_resolved_one_reopens(school, people, post):
    lead = people["state_lead"]
    plain = post(school)
    with pytest.raises(ValidationError, match="does not need action"):
        services.resolve(plain, by=lead)
    comment = post(school, needs_action=True, owner=people["lead_partner_staff"])
    with pytest.raises(ValidationError, match="already open"):
        services.reopen(comment, by=lead)
    services.resolve(comment, by=lead)
    with pytest.raises(ValidationError, match="already resolved"):
        services.resolve(comment, by=lead)  # the stale object: the locked row decides
    reopened = services.reopen(comment, by=lead)
    assert reopened.is_open and reopened.resolved_by is None


def test_open_for_is_the_one_list_of_what_waits_for_someone(school, people, post):
    partner = people["lead_partner_staff"]
    waiting = post(school, needs_action=True, owner=partner)
    done = post(school, needs_action=True, owner=partner)
    services.resolve(done, by=partner)
    post(school, needs_action=True, owner=people["state_lead"])
    with scopes_disabled():
        assert list(Comment.objects.open_for(partner)) == [waiting]
