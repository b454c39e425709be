"""The autonomy ledger as every surface reads it: the zone's ledger page, the state-wide ledger,
the state page's "contested first" section and counts, the zone page and the zone API.

``ledger_summary`` reads a set of zones' terms with their check-ins and status changes in a
bounded number of queries (whatever the number of terms), through the tenant wall: a
collaborator, who may not read check-ins, gets terms and changes without them, and a change's
cause is shown only when the reader may read it (a draft review is the state's own).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from accountability.models import RenewalDecision
from contracts.models import AnnualReview

from .choices import Area, TermStatus
from .models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange

STATUS_ORDER = {status: rank for rank, status in enumerate(TermStatus)}  # contested first


@dataclass
class ChangeRow:
    """A status change with the cause the reader may see (None when none was cited or it is hidden)."""

    change: AutonomyTermChange
    cause: object = None

    @property
    def cause_kind(self) -> str:
        return {AutonomyCheckIn: "check-in", AnnualReview: "annual review", RenewalDecision: "renewal decision"}.get(
            type(self.cause), ""
        )


@dataclass
class TermRow:
    term: AutonomyTerm
    check_ins: list = field(default_factory=list)  # latest first
    changes: list = field(default_factory=list)  # ChangeRow, latest first

    @property
    def latest_check_in(self):
        return self.check_ins[0] if self.check_ins else None

    @property
    def earned(self) -> list:
        """The changes tied to results: caused by an annual review or a renewal decision."""
        return [row for row in self.changes if isinstance(row.cause, (AnnualReview, RenewalDecision))]


@dataclass
class AreaGroup:
    area: Area
    rows: list


@dataclass
class LedgerSummary:
    rows: list  # TermRow, contested → requested → granted → revoked, then zone, area, power

    @property
    def counts(self) -> list[tuple[TermStatus, int]]:
        """(status, number of terms) for every status, contested first."""
        found = defaultdict(int)
        for row in self.rows:
            found[row.term.status] += 1
        return [(status, found[status]) for status in TermStatus]

    @property
    def contested(self) -> list:
        return [row for row in self.rows if row.term.status == TermStatus.CONTESTED]

    def for_zone(self, zone_id) -> list:
        return [row for row in self.rows if row.term.zone_id == zone_id]

    def by_area(self) -> list[AreaGroup]:
        """The rows grouped by area (in the areas' order); each area's rows keep the status order."""
        groups = [AreaGroup(area, [row for row in self.rows if row.term.area == area]) for area in Area]
        return [group for group in groups if group.rows]

    def granted_powers(self, zone_id) -> list[str]:
        """The labels of the powers the zone holds now (granted terms), in the areas' order."""
        return [row.term.get_power_display() for row in self.for_zone(zone_id) if row.term.status == TermStatus.GRANTED]


def _sort_key(term: AutonomyTerm):
    return (STATUS_ORDER[TermStatus(term.status)], term.zone.name, list(Area).index(term.area), term.power, term.pk)


def ledger_summary(zones, *, area=None, status=None, history=True) -> LedgerSummary:
    """The terms of ``zones`` (zones or their ids) the reader may see, optionally of one ``area``
    and ``status``, contested first; with each term's check-ins and (``history``) its changes
    and their visible causes. At most six queries."""
    terms = AutonomyTerm.objects.filter(zone__in=zones).select_related("zone")
    if area:
        terms = terms.filter(area=area)
    if status:
        terms = terms.filter(status=status)
    rows = {term.pk: TermRow(term) for term in sorted(terms, key=_sort_key)}
    if not rows:
        return LedgerSummary([])
    check_ins = AutonomyCheckIn.objects.filter(term__in=list(rows)).select_related("recorded_by")
    seen_check_ins = {}
    for check_in in check_ins:
        rows[check_in.term_id].check_ins.append(check_in)
        seen_check_ins[check_in.pk] = check_in
    if history:
        changes = list(AutonomyTermChange.objects.filter(term__in=list(rows)).select_related("changed_by"))
        reviews = _visible(
            AnnualReview, {change.annual_review_id for change in changes}, "contract__lead_partner", "contract__zone"
        )
        decisions = _visible(RenewalDecision, {change.renewal_decision_id for change in changes}, "zone")
        for change in changes:
            cause = (
                seen_check_ins.get(change.check_in_id)
                or reviews.get(change.annual_review_id)
                or decisions.get(change.renewal_decision_id)
            )
            rows[change.term_id].changes.append(ChangeRow(change, cause))
    return LedgerSummary(list(rows.values()))


CAUSES = {"check_in": AutonomyCheckIn, "annual_review": AnnualReview, "renewal_decision": RenewalDecision}


def readable_causes(changes) -> dict[str, set]:
    """{cause field: ids the reader may read} among ``changes``' causes: the API names a cause only
    to a reader of it, as the pages do (a collaborator reads no check-in, nor any review)."""
    return {
        field: set(_visible(model, {getattr(change, f"{field}_id") for change in changes}))
        for field, model in CAUSES.items()
    }


def _visible(model, ids, *related) -> dict:
    """{id: row} of ``model``'s rows among ``ids`` that the reader may read (the wall's query)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return {row.pk: row for row in model.objects.filter(pk__in=ids).select_related(*related)}
