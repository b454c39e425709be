"""Meeting and action item pages: thin views over the use cases (network.meetings, network.actions).
Reads are walled by the request's scope (a state's meeting is 404 in another state); writes ask the
permission table on the object first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Q, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from comments.models import Comment
from comments.subjects import thread_url
from contracts.models import AnnualReview
from web.files import private_file_response
from web.forms import add_model_errors, object_form_page
from web.tables import paginate
from zones.models import State, Zone

from ..actions import action_item_url, close_action_item, create_action_item, days_overdue, item_about
from ..choices import OPEN
from ..meeting_forms import (
    ActionItemFilterForm,
    ActionItemForm,
    CloseForm,
    DocumentForm,
    MeetingFilterForm,
    MeetingForm,
)
from ..meetings import add_document, document_content_type, meeting_url, save_meeting
from ..models import ActionItem, Meeting, MeetingDocument

MEETINGS = Meeting.objects.select_related("state", "zone")
ITEMS = ActionItem.objects.select_related("owner", "state", "meeting", "zone")


def _require(request, permission: str, obj) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _meetings_page(request, meetings, context: dict, template: str):
    """Upcoming meetings (soonest first) and past ones (latest first), filtered by kind and time."""
    filters = MeetingFilterForm(request.GET or None)
    if "state" in context:
        del filters.fields["state"]
    wanted = filters.cleaned_data if filters.is_valid() else {}
    if wanted.get("kind"):
        meetings = meetings.filter(kind=wanted["kind"])
    if wanted.get("state"):
        meetings = meetings.filter(Q(state=wanted["state"]) | Q(state__isnull=True))
    now = timezone.now()
    upcoming = meetings.filter(starts_at__gte=now).order_by("starts_at", "pk")
    past = meetings.filter(starts_at__lt=now)
    context |= {
        "filters": filters,
        "upcoming": [] if wanted.get("when") == "past" else list(upcoming),
        "past": paginate(request, [] if wanted.get("when") == "upcoming" else past),
    }
    return render(request, template, context)


@login_required
@require_safe
def meeting_list(request):
    """The network's meetings page: SDG calls and every meeting the reader may see."""
    context = {"can_add": _may_add_meeting(request.user)}
    return _meetings_page(request, MEETINGS.all(), context, "network/meeting_list.html")


@login_required
@require_safe
def state_meetings(request, state_pk):
    """A state's meetings and site visits, with the network's SDG calls."""
    state = get_object_or_404(State, pk=state_pk)
    meetings = MEETINGS.filter(Q(state=state) | Q(state__isnull=True))
    context = {"state": state, "can_add": request.user.has_perm("network.add_meeting", Meeting(state=state))}
    return _meetings_page(request, meetings, context, "network/meeting_list.html")


def _may_add_meeting(user) -> bool:
    return user.scope.is_admin or bool(user.scope.lead_state_ids)


def _meeting_form_page(request, meeting, title, cancel_url):
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)

    def save(form):
        return save_meeting(form.instance, form.cleaned_data["attendees"], request.user)

    return object_form_page(request, form, title=title, cancel_url=cancel_url, success_url=meeting_url, save=save)


@login_required
def meeting_create(request):
    """A new meeting: admins an SDG call (or any state's meeting), state leads one of their
    states' (``?state=`` preselects it)."""
    state = None
    if request.GET.get("state"):
        state = get_object_or_404(State, pk=_pk(request.GET["state"]))
    elif not request.user.scope.is_admin and request.user.scope.lead_state_ids:
        state = State.objects.filter(pk__in=request.user.scope.lead_state_ids).first()
    kind = Meeting.Kind.STATE_MEETING if state else Meeting.Kind.SDG_CALL
    meeting = Meeting(kind=kind, state=state)
    if state is None:
        cancel = reverse("network:meeting_list")
    else:
        cancel = reverse("network:state_meetings", kwargs={"state_pk": state.pk})
    return _meeting_form_page(request, meeting, "New meeting", cancel)


@login_required
def meeting_edit(request, meeting_pk):
    meeting = get_object_or_404(MEETINGS, pk=meeting_pk)
    return _meeting_form_page(request, meeting, f"Edit {meeting}", meeting_url(meeting))


@login_required
@require_safe
def meeting_detail(request, meeting_pk):
    meeting = get_object_or_404(MEETINGS, pk=meeting_pk)
    user = request.user
    today = timezone.localdate()
    items = list(ITEMS.filter(meeting=meeting))
    context = {
        "meeting": meeting,
        "attendees": meeting.attendees.order_by("email"),
        "decisions": [line.strip() for line in meeting.decisions.splitlines() if line.strip()],
        "documents": meeting.documents.all(),
        "items": [(item, days_overdue(item, today)) for item in items],
        "can_edit": user.has_perm("network.change_meeting", meeting),
        "can_upload": user.has_perm("network.add_meetingdocument", MeetingDocument(meeting=meeting)),
        "can_add_item": user.has_perm("network.add_actionitem", item_about(meeting)),
    }
    return render(request, "network/meeting_detail.html", context)


@login_required
def document_upload(request, meeting_pk):
    meeting = get_object_or_404(MEETINGS, pk=meeting_pk)
    _require(request, "network.add_meetingdocument", MeetingDocument(meeting=meeting))
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_document(meeting, form.cleaned_data["title"], form.cleaned_data["file"], request.user)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, "Document added.")
            return redirect(meeting_url(meeting))
    context = {"form": form, "title": f"Add a document to {meeting}", "cancel_url": meeting_url(meeting)}
    return render(request, "web/object_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_safe
def document_download(request, meetingdocument_pk):
    """A meeting's document: only for those who read the meeting."""
    document = get_object_or_404(MeetingDocument, pk=meetingdocument_pk)
    if not document.file:
        raise Http404("No file.")
    content_type = document_content_type(document)
    return private_file_response(document.file, filename=document.filename, content_type=content_type)


# --- Action items ---


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise Http404("No such object.") from error


CONCERNS = {
    "meeting": Meeting.objects.select_related("state", "zone"),
    "annual_review": AnnualReview.objects.select_related("contract__zone__state"),
    "comment": Comment.objects.select_related("state", "zone", "school"),
    "zone": Zone.objects.select_related("state"),
}


@login_required
def action_item_create(request):
    """A new action item about the meeting, review, comment or zone named in the query (none: a
    network item, admins only)."""
    concern = None
    for field, queryset in CONCERNS.items():
        if request.GET.get(field):
            concern = get_object_or_404(queryset, pk=_pk(request.GET[field]))
            break
    item = item_about(concern) if concern is not None else ActionItem()
    form = ActionItemForm(request.POST or None, instance=item)
    cancel = _concern_url(item) or reverse("network:action_items")

    def save(form):
        return create_action_item(form.instance, request.user)

    return object_form_page(
        request, form, title="New action item", cancel_url=cancel, success_url=action_item_url, save=save
    )


def _concern_url(item) -> str:
    """The page of what the item concerns ("" for none)."""
    if item.comment_id:
        return thread_url(item.comment)
    if item.annual_review_id:
        return item.annual_review.get_absolute_url()
    if item.meeting_id:
        return meeting_url(item.meeting)
    if item.school_id:
        return reverse("portfolio:school_detail", kwargs={"school_pk": item.school_id})
    if item.zone_id:
        return reverse("portfolio:zone_detail", kwargs={"zone_pk": item.zone_id})
    return ""


@login_required
@require_safe
def action_item_detail(request, actionitem_pk):
    item = get_object_or_404(ITEMS.select_related("created_by", "closed_by"), pk=actionitem_pk)
    context = {
        "item": item,
        "overdue": item.is_overdue(),
        "concern_url": _concern_url(item),
        "history": item.history.select_related("history_user").order_by("-history_date", "-history_id"),
        "can_close": not item.is_closed and request.user.has_perm("network.close_actionitem", item),
    }
    return render(request, "network/action_item_detail.html", context)


@login_required
def action_item_close(request, actionitem_pk):
    """Close the item as done or dropped; the note is required."""
    item = get_object_or_404(ITEMS, pk=actionitem_pk)
    _require(request, "network.close_actionitem", item)
    form = CloseForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            close_action_item(item, request.user, data["status"], data["closing_note"], version=data["version"])
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"Closed {item}.")
            return redirect(action_item_url(item))
    context = {"form": form, "title": f"Close {item}", "cancel_url": action_item_url(item), "item": item}
    return render(request, "web/object_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_safe
def action_items(request):
    """The reader's own items (open first, overdue flagged), and as state lead their states' open ones."""
    user = request.user
    filters = ActionItemFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    mine = ITEMS.filter(owner=user)
    if status == "open":
        mine = mine.open()
    elif status == "closed":
        mine = mine.exclude(status__in=OPEN)
    mine = mine.order_by(Case(When(status__in=OPEN, then=0), default=1), "due_on", "pk")
    page = paginate(request, mine)
    today = timezone.localdate()
    states = ITEMS.open().filter(state__in=user.scope.lead_state_ids).exclude(owner=user)
    context = {
        "filters": filters,
        "page": page,
        "mine": [(item, days_overdue(item, today)) for item in page],
        "states": [] if status == "closed" else [(item, days_overdue(item, today)) for item in states],
        # A network item (about no meeting, review, comment or zone) is the initiative's: state leads
        # add theirs from the meeting, review or zone it is about.
        "can_add": user.has_perm("network.add_actionitem", ActionItem()),
    }
    return render(request, "network/action_item_list.html", context)
