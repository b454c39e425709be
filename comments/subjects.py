"""The kinds of subject a thread sits on, where a comment on each sits for scoping, and who reads
a comment (read through the tenant wall, never decided here)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from accountability.models import PeriodSubmission, StatusUpdate
from contracts.models import AnnualReview
from core.tenancy import scope_of, state_scope
from schools.models import School
from zones.models import Zone

from .choices import Subject
from .models import SUBJECT_FIELDS, Comment


@dataclass(frozen=True)
class SubjectKind:
    """What the app needs to know about one kind of subject: its model, the comment's foreign key
    to it, its thread's URL (name and kwarg) and what its lookup joins."""

    subject: Subject
    model: type
    url_name: str
    kwarg: str
    related: tuple

    @property
    def field(self) -> str:
        return SUBJECT_FIELDS[self.subject]


SUBJECTS = {
    kind.subject: kind
    for kind in (
        SubjectKind(Subject.SCHOOL, School, "comments:school", "school_pk", ("district", "zone")),
        SubjectKind(Subject.ZONE, Zone, "comments:zone", "zone_pk", ()),
        SubjectKind(
            Subject.STATUS_UPDATE,
            StatusUpdate,
            "comments:status_update",
            "statusupdate_pk",
            ("school__district", "school__zone", "author"),
        ),
        SubjectKind(
            Subject.PERIOD_SUBMISSION,
            PeriodSubmission,
            "comments:submission",
            "periodsubmission_pk",
            ("school__district", "school__zone", "reporting_period"),
        ),
        SubjectKind(
            Subject.ANNUAL_REVIEW,
            AnnualReview,
            "comments:review",
            "annualreview_pk",
            ("contract__zone", "contract__lead_partner"),
        ),
    )
}


def kind_of(subject_obj) -> SubjectKind:
    for kind in SUBJECTS.values():
        if isinstance(subject_obj, kind.model):
            return kind
    raise TypeError(f"{type(subject_obj).__name__} has no comment thread.")


def placement(subject_obj) -> dict:
    """The comment's fields that follow from its subject: the subject, its foreign key, and the
    school, zone and state it sits in (for scoping: the zone's Lead Partner reads it)."""
    kind = kind_of(subject_obj)
    school = zone = None
    if kind.subject == Subject.SCHOOL:
        school = subject_obj
    elif kind.subject == Subject.ZONE:
        zone = subject_obj
    elif kind.subject == Subject.ANNUAL_REVIEW:
        zone = subject_obj.contract.zone
    else:  # a status update or a period submission: the school's
        school = subject_obj.school
    if school is not None:
        zone, state_id = school.zone, school.district.state_id
    else:
        state_id = zone.state_id
    return {"subject": kind.subject, kind.field: subject_obj, "school": school, "zone": zone, "state_id": state_id}


def reads_comment(user, comment) -> bool:
    """Whether ``user`` reads ``comment``, in its state's scope: for recipients of a mail or the
    owner of a needs-action comment, also outside any request."""
    with state_scope(comment.state_id):
        return Comment.objects.visible_to(scope_of(user)).filter(pk=comment.pk).exists()


def thread_url(comment_or_subject) -> str:
    """The thread page of a subject, or of a comment's subject."""
    if isinstance(comment_or_subject, Comment):
        kind = SUBJECTS[comment_or_subject.subject]
        pk = getattr(comment_or_subject, f"{kind.field}_id")
    else:
        kind, pk = kind_of(comment_or_subject), comment_or_subject.pk
    return reverse(kind.url_name, kwargs={kind.kwarg: pk})


# The page of each kind of subject (a status update's is its school's page); a page that is not
# installed (yet) has no link.
SUBJECT_PAGES = {
    Subject.SCHOOL: ("portfolio:school_detail", "school_pk", "school_id"),
    Subject.ZONE: ("portfolio:zone_detail", "zone_pk", "zone_id"),
    Subject.STATUS_UPDATE: ("portfolio:school_detail", "school_pk", "school_id"),
    Subject.PERIOD_SUBMISSION: ("accountability:submission_detail", "periodsubmission_pk", "period_submission_id"),
    Subject.ANNUAL_REVIEW: ("contracts:review_detail", "annualreview_pk", "annual_review_id"),
}


def subject_page_url(comment) -> str | None:
    """The page of the comment's subject, or None when there is none to link to."""
    url_name, kwarg, attribute = SUBJECT_PAGES[comment.subject]
    try:
        return reverse(url_name, kwargs={kwarg: getattr(comment, attribute)})
    except NoReverseMatch:
        return None
