"""The use cases of comment threads: post a comment (or a reply), resolve and reopen a
needs-action comment. Every surface (pages, API, admin actions, the demo) calls these.

Who reads a comment is the tenant wall's to decide (``Comment.TenantScope``): a comment is saved,
then read back through the author's (and a needs-action owner's) scope inside the same
transaction, and refused when they could not read it, so the rules of reading live in one place.
``visibilities_for`` only offers the levels in forms (tests/comments check it matches the wall).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, User
from contracts.choices import ReviewStatus
from core.tenancy import reads, scope_of
from notifications.choices import EventKind
from notifications.events import emit

from .choices import Visibility
from .mentions import mentioned_users
from .models import MAX_BODY, Comment
from .subjects import SUBJECTS, kind_of, placement, reads_comment, thread_url


def thread_of(subject_obj):
    """The subject's comments (in the current scope: what the reader may read), oldest first."""
    return Comment.objects.filter(**{kind_of(subject_obj).field: subject_obj}).select_related(
        "author", "owner", "resolved_by"
    )


def visibilities_for(user, comment) -> list[Visibility]:
    """The levels ``user`` may post ``comment`` (placed on its subject) at: those their role reads
    (``Comment.TenantScope``), widest first."""
    scope = scope_of(user)
    state_id = comment.state_id
    if scope.is_admin or state_id in scope.state_ids:
        return list(Visibility)
    partner_id = comment.zone.lead_partner_id if comment.zone else None
    draft_review = comment.annual_review is not None and comment.annual_review.status != ReviewStatus.ISSUED
    if scope.reaches_partner_in(partner_id, state_id) and not draft_review:
        return [Visibility.EVERYONE, Visibility.PARTNER_AND_STATE]
    narrative = comment.status_update is not None or comment.annual_review is not None
    if state_id in scope.collaborator_state_ids and not narrative:
        return [Visibility.EVERYONE]
    return []


def owner_candidates(comment):
    """Who a needs-action comment on this subject may be assigned to: the state's leads and the
    staff of the zone's Lead Partner (bound to the state or unbound). The service still checks
    that the chosen owner reads the comment at its visibility."""
    members = Membership.objects.state_leads(comment.state_id)
    if comment.zone is not None and comment.zone.lead_partner_id:
        members |= Membership.objects.lead_partner_staff(comment.state_id, [comment.zone.lead_partner_id])
    return User.objects.filter(pk__in=members.values("user_id"), is_active=True).order_by(
        "first_name", "last_name", "email"
    )


def post_comment(subject_obj, *, body, visibility=None, by, parent=None, needs_action=False, owner=None) -> Comment:
    """Post a comment on ``subject_obj`` (a school, zone, status update, period submission or
    annual review), or a reply to ``parent`` on the same subject.

    Authorization first: ``by`` must read the subject and hold ``comments.add_comment`` on the
    comment as it would be saved (PermissionDenied). Then the input (ValidationError by field):
    a body; a visibility ``by`` reads (default: the parent's, else everyone), never wider than the
    parent's; a needs-action comment's owner, who must read it. Everyone concerned is told
    (``tell_people``: events that commit with the comment)."""
    comment = Comment(author=by, parent=parent, needs_action=bool(needs_action), owner=owner, **placement(subject_obj))
    if not reads(by, subject_obj) or not by.has_perm("comments.add_comment", comment):
        raise PermissionDenied("You may not comment on this.")
    if parent is not None and not reads(by, parent):
        raise PermissionDenied("You may not reply to this comment.")
    comment.body = (body or "").strip()
    comment.visibility = visibility or (parent.visibility if parent is not None else Visibility.EVERYONE)
    try:
        comment.full_clean()  # the thread's rules (Comment.clean)
        errors = {}
    except ValidationError as error:
        errors = error.message_dict
    if not comment.body:
        errors["body"] = ["Write the comment."]
    elif len(comment.body) > MAX_BODY:
        errors["body"] = [f"A comment is at most {MAX_BODY:,} characters (this one has {len(comment.body):,})."]
    if comment.visibility not in Visibility.values:
        errors["visibility"] = ["Choose who may read the comment."]
    elif "visibility" not in errors and comment.visibility not in visibilities_for(by, comment):
        errors["visibility"] = ["You may not post at this visibility: choose one your role reads."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        comment.save()
        if not reads_comment(by, comment):
            raise ValidationError(
                {"visibility": "You could not read this comment yourself: choose another visibility."}
            )
        if owner is not None and not reads_comment(owner, comment):
            raise ValidationError(
                {"owner": f"{owner} cannot read a comment on this at this visibility: choose another owner."}
            )
        tell_people(comment)
    return comment


def thread_participants(comment) -> list:
    """The authors of the thread ``comment`` sits in (its root and every reply under it), and a
    needs-action root's owner, each once."""
    with scopes_disabled():
        field = SUBJECTS[comment.subject].field
        on_subject = list(
            Comment._base_manager.filter(**{f"{field}_id": getattr(comment, f"{field}_id")}).select_related(
                "author", "owner"
            )
        )
    by_pk = {item.pk: item for item in on_subject}
    root = comment
    while root.parent_id in by_pk:
        root = by_pk[root.parent_id]
    in_thread, frontier = {root.pk}, [root.pk]
    while frontier:
        frontier = [item.pk for item in on_subject if item.parent_id in frontier]
        in_thread.update(frontier)
    people = {}
    for item in on_subject:
        if item.pk in in_thread:
            for person in (item.author, item.owner if item.needs_action else None):
                if person is not None:
                    people.setdefault(person.pk, person)
    return list(people.values())


def tell_people(comment) -> None:
    """The events of a new comment (``notifications``, in its transaction), each person told once:
    the owner of a needs-action comment that it is theirs, the people it mentions (``@<email>``)
    that it names them, and for a reply the thread's other people. ``emit`` tells only those who
    read the comment (a state-only comment never reaches a Lead Partner) and never its author.
    Placed where the comment sits, but not told to watchers: they would hear of every comment."""
    told = {comment.author_id}
    link = f"{thread_url(comment)}#comment-{comment.pk}"
    where = str(getattr(comment, SUBJECTS[comment.subject].field))
    audiences = [
        (EventKind.COMMENT_ASSIGNED, f"needs your action on {where}", [comment.owner] if comment.needs_action else []),
        (EventKind.COMMENT_MENTION, f"mentioned you on {where}", mentioned_users(comment.body)),
        (EventKind.COMMENT_REPLY, f"replied on {where}", thread_participants(comment) if comment.parent_id else []),
    ]
    for kind, what, people in audiences:
        recipients = [person for person in people if person is not None and person.pk not in told]
        told.update(person.pk for person in recipients)
        if recipients:
            emit(
                kind,
                summary=f"{comment.author} {what}: {comment.body}",
                subject=comment,
                state=comment.state,
                zone=comment.zone,
                school=comment.school,
                link=link,
                actor=comment.author,
                recipients=recipients,
                watched=False,
            )


def may_resolve(user, comment) -> bool:
    """Whether ``user`` may resolve or reopen ``comment`` (accounts.permissions)."""
    return user.has_perm("comments.resolve_comment", comment)


def _lock_open_comment(comment, *, by, open_: bool) -> Comment:
    if not may_resolve(by, comment):
        raise PermissionDenied("Only the owner, the author or a state lead may do this.")
    locked = Comment._base_manager.select_for_update().get(pk=comment.pk)
    if not locked.needs_action:
        raise ValidationError("This comment does not need action.", code="not_needs_action")
    if locked.is_open != open_:
        already = "resolved" if open_ else "open"
        raise ValidationError(f"This comment is already {already}.", code=f"already_{already}")
    return locked


@transaction.atomic
def resolve(comment, *, by) -> Comment:
    """Mark an open needs-action comment resolved by ``by`` (its owner, its author, or a state lead
    or admin of its state), on the locked row: two resolutions at once resolve it once."""
    locked = _lock_open_comment(comment, by=by, open_=True)
    locked.resolved_at, locked.resolved_by = timezone.now(), by
    locked.save(update_fields=["resolved_at", "resolved_by"])
    return locked


@transaction.atomic
def reopen(comment, *, by) -> Comment:
    """Open a resolved needs-action comment again (the action turned out not done)."""
    locked = _lock_open_comment(comment, by=by, open_=False)
    locked.resolved_at = locked.resolved_by = None
    locked.save(update_fields=["resolved_at", "resolved_by"])
    return locked
