"""Reminders and escalation: one digest mail a day per person and state, never one mail per item.

What is reminded (``reminder_items``, read from the collection calendar, ``accountability.calendar``):
a state's requirements not yet submitted that are due within its ``remind_days_before``, late, or
returned for correction. Submitted and approved periods are never reminded.

To whom (``recipients``): each active Lead Partner staff member whose membership reaches the
zone's Lead Partner in the state (a membership bound to the state, or unbound), the items of the
zones of their Lead Partner; nobody else's schools, nobody in another state.

Escalation: a requirement late by the state's ``escalate_after_days`` or more is escalated. The
state's state leads then get **their own digest of the escalated items** (all Lead Partners of the
state in one mail), and the Lead Partner's digest says the state lead was copied on them. Not a Cc
on each Lead Partner staff member's mail: that would send a state lead one copy per staff member,
and their copies could not be claimed once per day.

Once (``send_digest``): the ``ReminderDigest`` row (unique recipient, state, day) is claimed before
the mail goes, so two beats or a retried task send it once; a failed send deletes the claim, so
the next beat sends it again.

In the app (``record_events``): each due or late item is also an event (``notifications``) for
the same people, recorded once per requirement and status by its key however often the job runs;
in the app only by default, since the digest already mails it.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.formats import date_format

from accounts.models import Membership
from notifications.choices import EventKind
from notifications.events import emit

from .calendar import Requirement, requirements
from .choices import Collection
from .models import ReminderDigest, period_form_url

logger = logging.getLogger(__name__)

REMINDED = (Collection.LATE, Collection.RETURNED, Collection.DUE)
EVENT_KINDS = {Collection.DUE: EventKind.PERIOD_DUE, Collection.LATE: EventKind.PERIOD_LATE}


@dataclass
class ReminderItem:
    """One requirement as a digest lists it, with the link straight to its grid."""

    requirement: Requirement
    escalated: bool  # late by the state's escalate_after_days or more: the state lead is copied

    @property
    def school(self):
        return self.requirement.school

    @property
    def reporting_period(self):
        return self.requirement.reporting_period

    @property
    def status(self) -> Collection:
        return self.requirement.status

    @property
    def required(self) -> int:
        return len(self.requirement.indicators)

    @property
    def link(self) -> str:
        """The period grid of this school and period, absolute (the mail is read outside the site)."""
        return settings.SITE_URL.rstrip("/") + period_form_url(self.school.pk, self.reporting_period.pk)

    def sort_key(self):
        """Late first (longest late first), then returned, then due (soonest first)."""
        return (
            REMINDED.index(self.status),
            -self.requirement.days_late,
            self.reporting_period.due_on,
            self.school.name,
        )


def reminder_items(state, today: date) -> list[ReminderItem]:
    """The state's requirements to remind of on ``today`` (read in the current scope), worst first."""
    items = []
    for requirement in requirements(states=[state], today=today):
        due_soon = (requirement.reporting_period.due_on - today).days <= state.remind_days_before
        if requirement.status in (Collection.LATE, Collection.RETURNED) or (
            requirement.status == Collection.DUE and due_soon
        ):
            escalated = requirement.status == Collection.LATE and requirement.days_late >= state.escalate_after_days
            items.append(ReminderItem(requirement, escalated))
    return sorted(items, key=ReminderItem.sort_key)


@dataclass
class Digest:
    """What one person is sent for one state: their Lead Partners' items, and as a state lead the
    escalated items of the state."""

    recipient: object
    items: list[ReminderItem]
    copied: list[ReminderItem]  # escalated items they receive as a state lead

    @property
    def all_items(self) -> list[ReminderItem]:
        """Every item once (a person may reach an item as staff and as a state lead), worst first."""
        unique = {(item.school.pk, item.reporting_period.pk): item for item in self.items + self.copied}
        return sorted(unique.values(), key=ReminderItem.sort_key)

    @property
    def escalated(self) -> bool:
        return any(item.escalated for item in self.all_items)


def recipients(state, items: list[ReminderItem]) -> list[Digest]:
    """A digest per person the state's ``items`` go to (by email), in two queries."""
    digests: dict[int, Digest] = {}
    partner_ids = {item.school.zone.lead_partner_id for item in items}
    for membership in Membership.objects.lead_partner_staff(state, partner_ids).active().select_related("user"):
        digest = digests.setdefault(membership.user_id, Digest(membership.user, [], []))
        digest.items.extend(item for item in items if item.school.zone.lead_partner_id == membership.lead_partner_id)
    escalated = [item for item in items if item.escalated]
    if escalated:
        for membership in Membership.objects.state_leads(state).active().select_related("user"):
            digests.setdefault(membership.user_id, Digest(membership.user, [], [])).copied.extend(escalated)
    return sorted((digest for digest in digests.values() if digest.recipient.email), key=lambda d: d.recipient.email)


def claim(recipient, state, today: date, digest: Digest) -> ReminderDigest | None:
    """The day's digest row for this person and state, or None when it is already claimed (sent)."""
    try:
        with transaction.atomic():
            return ReminderDigest.objects.create(
                recipient=recipient, state=state, sent_on=today, items=len(digest.all_items), escalated=digest.escalated
            )
    except IntegrityError:
        return None


def send_digest(state, today: date, digest: Digest) -> bool:
    """Claim, then mail one digest; False when it was already sent today or the mail failed (the
    claim is then released for the next beat)."""
    row = claim(digest.recipient, state, today, digest)
    if row is None:
        return False
    context = {
        "recipient": digest.recipient,
        "state": state,
        "today": today,
        "items": digest.all_items,
        "copied": digest.copied,
        "Collection": Collection,
    }
    try:
        mail = EmailMultiAlternatives(
            subject=render_to_string("accountability/email/reminder_digest_subject.txt", context).strip(),
            body=render_to_string("accountability/email/reminder_digest.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[digest.recipient.email],
        )
        mail.attach_alternative(render_to_string("accountability/email/reminder_digest.html", context), "text/html")
        mail.send()
    except Exception as error:  # any mail failure: release the claim, the next beat sends it
        logger.warning("Reminder digest to %s for %s not sent: %r", digest.recipient.email, state, error)
        row.delete()
        return False
    return True


def record_events(items: list[ReminderItem], digests: list[Digest]) -> None:
    """Log each due or late item once (``notifications``, in the app by default: the digest mails
    it) to the people whose digest lists it; an escalated late item once more, now with the state
    leads. Returned items were logged when the state returned them."""
    people = defaultdict(list)
    for digest in digests:
        for item in digest.all_items:
            people[item.school.pk, item.reporting_period.pk].append(digest.recipient)
    for item in items:
        if item.status not in EVENT_KINDS:
            continue
        school, period = item.school, item.reporting_period
        kind = EVENT_KINDS[item.status]
        key = f"{kind.value}:{school.pk}:{period.pk}"
        when = f"due on {date_format(period.due_on)}"
        if item.status == Collection.LATE:
            when = f"{item.requirement.days_late} days late"
            if item.escalated:
                key, when = f"{key}:escalated", f"{when}, escalated to the state lead"
        with transaction.atomic():
            emit(
                kind,
                summary=f"{school}: {period.get_period_display()} {period.school_year} is {when}.",
                subject=school,
                school=school,
                link=period_form_url(school.pk, period.pk),
                recipients=people[school.pk, period.pk],
                key=key,
            )


def send_state_reminders(state, today: date) -> int:
    """Log the state's due and late items and send its reminder digests for ``today`` (inside the
    state's scope); how many digests went."""
    items = reminder_items(state, today)
    if not items:
        return 0
    digests = recipients(state, items)
    record_events(items, digests)
    return sum(send_digest(state, today, digest) for digest in digests)
