"""The thread of a subject (loaded into the subject's page by htmx, or a page of its own without
it), posting and replying, resolving and reopening, and the user's open needs-action comments.

Every lookup goes through the tenant wall: a comment the user may not read is not in the thread,
and a subject or comment they may not read is a 404. The rules are comments.services'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from web.forms import add_model_errors

from . import services
from .choices import Subject, Visibility
from .forms import CommentForm
from .models import MAX_BODY, Comment
from .subjects import SUBJECTS, placement, subject_page_url, thread_url

# What a needs-action list joins to name each comment's subject.
SUBJECT_JOINS = (
    "school",
    "zone",
    "status_update__school",
    "period_submission__school",
    "period_submission__reporting_period",
    "annual_review__contract__zone",
    "annual_review__contract__lead_partner",
    "author",
)


def _subject(subject: Subject, pk):
    kind = SUBJECTS[subject]
    return get_object_or_404(kind.model.objects.select_related(*kind.related), pk=pk)


def thread_rows(comments, user, levels) -> list[dict]:
    """The thread as a tree in reading order: each comment with the replies that answer it and what
    the user may do on it: reply (at the levels no wider than the comment's), resolve, reopen."""
    comments = list(comments)
    present = {comment.pk for comment in comments}
    rows = {
        comment.pk: {
            "comment": comment,
            "visibility": Visibility(comment.visibility),
            "reply_levels": [level for level in levels if not level.is_wider_than(comment.visibility)],
            "may_resolve": comment.needs_action and services.may_resolve(user, comment),
            "replies": [],
        }
        for comment in comments
    }
    roots = []
    for comment in comments:
        parent = rows[comment.parent_id]["replies"] if comment.parent_id in present else roots
        parent.append(rows[comment.pk])
    return roots


def _levels(user, subject_obj) -> list[Visibility]:
    """The visibilities ``user`` may post at on the subject (none: they may not comment)."""
    draft = Comment(author=user, **placement(subject_obj))
    return services.visibilities_for(user, draft) if user.has_perm("comments.add_comment", draft) else []


def _thread(request, subject: Subject, pk):
    """GET: the thread; POST: post a comment or a reply (``parent``), then the thread again."""
    subject_obj = _subject(subject, pk)
    user = request.user
    levels = _levels(user, subject_obj)
    form, replying_to, status = None, None, 200
    if request.method == "POST":
        if not levels:
            return _render(request, subject_obj, levels, error="You may not comment on this.", status=403)
        owners = services.owner_candidates(Comment(**placement(subject_obj)))
        form = CommentForm(request.POST, levels=levels, owners=owners)
        if form.is_valid():
            data = dict(form.cleaned_data)
            parent_pk = data.pop("parent")
            replying_to = parent_pk
            parent = get_object_or_404(Comment, pk=parent_pk) if parent_pk else None
            try:
                comment = services.post_comment(subject_obj, by=user, parent=parent, **data)
            except ValidationError as error:
                if "parent" in getattr(error, "error_dict", {}):  # the parent is a hidden field
                    error.error_dict[NON_FIELD_ERRORS] = error.error_dict.pop("parent")
                add_model_errors(form, error)
            else:
                done = "Reply posted." if parent else "Comment posted."
                if not request.htmx:
                    messages.success(request, done)
                    return redirect(f"{thread_url(subject_obj)}#comment-{comment.pk}")
                return _render(request, subject_obj, levels, saved=done)
        else:
            replying_to = form.cleaned_data.get("parent") or _int(request.POST.get("parent"))
        status = 400
    return _render(request, subject_obj, levels, form=form, replying_to=replying_to, status=status)


def _int(value):
    return int(value) if value and value.isdigit() else None


def _render(request, subject_obj, levels, *, form=None, replying_to=None, saved=None, error=None, status=200):
    """The thread region (htmx) or its page."""
    user = request.user
    draft = Comment(author=user, **placement(subject_obj))
    comments = list(services.thread_of(subject_obj))
    if replying_to not in {comment.pk for comment in comments}:
        replying_to = None  # a reply to a comment of another thread: its errors go with the main form
    fresh = CommentForm(levels=levels, owners=services.owner_candidates(draft)) if levels else None
    context = {
        "kind": services.kind_of(subject_obj),
        "subject_obj": subject_obj,
        "subject_page": subject_page_url(draft),
        "thread_url": thread_url(subject_obj),
        "rows": thread_rows(comments, user, levels),
        "count": len(comments),
        "form": form if form is not None and not replying_to else fresh,
        "reply_form": form if replying_to else None,
        "replying_to": replying_to,
        "levels": levels,
        "max_body": MAX_BODY,
        "saved": saved,
        "error": error,
    }
    template = "comments/_thread.html" if request.htmx else "comments/thread.html"
    return render(request, template, context, status=status)


@login_required
def school_thread(request, school_pk):
    return _thread(request, Subject.SCHOOL, school_pk)


@login_required
def zone_thread(request, zone_pk):
    return _thread(request, Subject.ZONE, zone_pk)


@login_required
def status_update_thread(request, statusupdate_pk):
    return _thread(request, Subject.STATUS_UPDATE, statusupdate_pk)


@login_required
def submission_thread(request, periodsubmission_pk):
    return _thread(request, Subject.PERIOD_SUBMISSION, periodsubmission_pk)


@login_required
def review_thread(request, annualreview_pk):
    return _thread(request, Subject.ANNUAL_REVIEW, annualreview_pk)


def _step(request, comment_pk, step, done: str):
    """Resolve or reopen a needs-action comment, then the thread again (htmx) or its page."""
    comment = get_object_or_404(Comment, pk=comment_pk)
    kind = SUBJECTS[comment.subject]
    subject_obj = _subject(kind.subject, getattr(comment, f"{kind.field}_id"))
    error = None
    try:
        step(comment, by=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or done)
        return redirect(f"{thread_url(subject_obj)}#comment-{comment.pk}")
    return _render(
        request,
        subject_obj,
        _levels(request.user, subject_obj),
        saved=None if error else done,
        error=error,
        status=400 if error else 200,
    )


@login_required
@require_POST
def resolve_comment(request, comment_pk):
    return _step(request, comment_pk, services.resolve, "Marked resolved.")


@login_required
@require_POST
def reopen_comment(request, comment_pk):
    return _step(request, comment_pk, services.reopen, "Opened again.")


@login_required
@require_GET
def needs_action(request):
    """The user's open needs-action comments, oldest first, each with its subject and thread."""
    comments = Comment.objects.open_for(request.user).select_related(*SUBJECT_JOINS)
    rows = [
        {
            "comment": comment,
            "subject": getattr(comment, SUBJECTS[comment.subject].field),
            "thread_url": thread_url(comment),
            "page_url": subject_page_url(comment),
        }
        for comment in comments
    ]
    template = "comments/_needs_action.html" if request.htmx else "comments/needs_action.html"
    return render(request, template, {"rows": rows})
