"""The meetings' use cases: save a meeting with its attendees (who must read it, and hear of it
once), attach a document. Pages, API, admin and the demo call these; the caller has checked the
permission (accounts.permissions)."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import Role, User
from core.tenancy import reads
from notifications.choices import EventKind
from notifications.events import emit

from .models import Meeting, MeetingDocument

PDF_MAGIC = b"%PDF-"
# What a meeting's document may be (by name): what people bring to a meeting.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
}
ZIP_MAGIC = b"PK\x03\x04"  # DOCX, XLSX and PPTX are zip packages
OFFICE_TYPES = {".docx", ".xlsx", ".pptx"}


def meeting_url(meeting) -> str:
    return reverse("network:meeting_detail", kwargs={"meeting_pk": meeting.pk})


def members_of(state):
    """The members who may attend a meeting of ``state`` (None: an SDG call, the whole network):
    admins, the state's staff, collaborators engaged there and staff of its zones' Lead Partners.
    Whether each one reads the meeting is then ``save_meeting``'s check."""
    members = Q(memberships__role=Role.INITIATIVE_ADMIN)
    if state is None:
        members |= Q(memberships__role__in=[Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER, Role.COLLABORATOR])
    else:
        members |= (
            Q(memberships__state=state)
            | Q(memberships__role=Role.COLLABORATOR, memberships__collaborator__engagements__state=state)
            | Q(memberships__role=Role.LEAD_PARTNER_STAFF, memberships__lead_partner__zones__state=state)
        )
    return User.objects.filter(members, is_active=True).distinct().order_by("email")


def save_meeting(meeting: Meeting, attendees, user) -> Meeting:
    """Save ``meeting`` and set its attendees: each must read the meeting (checked on the saved
    row, in the transaction, through the wall); the newly added ones hear of it."""
    attendees = list(attendees)
    meeting.full_clean()
    adding, version = meeting._state.adding, meeting.version
    try:
        with transaction.atomic():
            before = set() if adding else set(meeting.attendees.values_list("pk", flat=True))
            if adding:
                meeting.created_by = user
            meeting.save()
            outsiders = [person for person in attendees if not reads(person, meeting)]
            if outsiders:
                names = ", ".join(str(person) for person in outsiders)
                raise ValidationError({"attendees": f"{names} cannot read this meeting: choose its state's members."})
            meeting.attendees.set(attendees)
            added = [person for person in attendees if person.pk not in before]
            if added:
                emit(
                    EventKind.MEETING_SCHEDULED,
                    summary=f"{meeting.get_kind_display()}: {meeting}",
                    subject=meeting,
                    state=meeting.state,
                    zone=meeting.zone,
                    link=meeting_url(meeting),
                    actor=user,
                    recipients=added,
                    watched=False,
                )
    except ValidationError:
        unsaved(meeting, adding, version)
        raise
    return meeting


def unsaved(record, adding: bool, version: int) -> None:
    """Put back what a save rolled back by its refusal changed on ``record`` (its new pk, its
    version), so the same object can be corrected and saved again."""
    record.version = version
    if adding:
        record.pk = None
        record._state.adding = True


def check_document(upload) -> None:
    """A PDF, Word, Excel, PowerPoint, CSV or text file (by name, and by content for the binary
    ones) of at most ``MeetingDocument.MAX_BYTES``."""
    limit = MeetingDocument.MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": f"The document is larger than {limit // (1024 * 1024)} MB."})
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError({"file": "Upload a PDF, Word, Excel, PowerPoint, CSV or text file."})
    start = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if (suffix == ".pdf" and start != PDF_MAGIC) or (suffix in OFFICE_TYPES and not start.startswith(ZIP_MAGIC)):
        raise ValidationError({"file": f"The file is not the {suffix[1:].upper()} its name says."})


def add_document(meeting: Meeting, title: str, upload, user) -> MeetingDocument:
    """Attach ``upload`` to the meeting under ``title``, keeping its original file name."""
    check_document(upload)
    filename = PurePath(upload.name).name
    document = MeetingDocument(meeting=meeting, title=title, filename=filename[:255], uploaded_by=user)
    document.file = upload
    document.full_clean()
    document.save()
    return document


def document_content_type(document: MeetingDocument) -> str:
    return DOCUMENT_TYPES.get(PurePath(document.filename).suffix.lower(), "application/octet-stream")
