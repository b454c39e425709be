"""Read models of Lead Partners' contracts: each contract's deliverable record, and the
initiative's comparison of Lead Partners across states. Pages, CSV and the API read these."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from accountability import calendar
from accountability.services import late_by_school

from .choices import DeliverableStatus, ReviewPart, ReviewStatus
from .models import AnnualReview, ContractDeliverable, PerformanceContract


@dataclass
class DeliverableRecord:
    """Deliverables due by a day, and how many of them were delivered on time, late or are overdue."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0

    def add(self, deliverable: ContractDeliverable, today: date) -> None:
        if deliverable.due_on > today:
            return
        self.due += 1
        status = deliverable.status_on(today)
        if status == DeliverableStatus.DELIVERED:
            self.on_time += 1
        elif status == DeliverableStatus.DELIVERED_LATE:
            self.late += 1
        elif status == DeliverableStatus.OVERDUE:
            self.overdue += 1


def deliverable_records(deliverables, key, today: date | None = None) -> dict:
    """{key(deliverable): DeliverableRecord} over ``deliverables`` as of ``today``."""
    today = today or timezone.localdate()
    records = defaultdict(DeliverableRecord)
    for deliverable in deliverables:
        records[key(deliverable)].add(deliverable, today)
    return records


@dataclass
class PartnerComparison:
    """One Lead Partner across the states: its zones under contract, its latest issued review's
    ratings, its deliverables and its schools' late reporting periods."""

    lead_partner: object
    contracts: list = field(default_factory=list)
    latest_review: AnnualReview | None = None
    deliverables: DeliverableRecord = field(default_factory=DeliverableRecord)
    late_periods: int = 0

    @property
    def zones(self) -> list:
        return sorted({contract.zone for contract in self.contracts}, key=lambda zone: (zone.state.name, zone.name))

    @property
    def zone_names(self) -> str:
        return "; ".join(f"{zone.name} ({zone.state.postal_code})" for zone in self.zones)

    @property
    def states(self) -> str:
        return ", ".join(sorted({zone.state.name for zone in self.zones}))

    def rating(self, part: ReviewPart):
        return self.latest_review.rating_of(part) if self.latest_review else None

    @property
    def ratings(self) -> list:
        return [(part, self.rating(part)) for part in ReviewPart]

    @property
    def academic(self):
        return self.rating(ReviewPart.ACADEMIC)

    @property
    def operational(self):
        return self.rating(ReviewPart.OPERATIONAL)

    @property
    def financial(self):
        return self.rating(ReviewPart.FINANCIAL)


def compare_lead_partners(today: date | None = None) -> list[PartnerComparison]:
    """Every Lead Partner with a contract the viewer reads, by name. A fixed number of queries:
    contracts, issued reviews, deliverables, and the collection calendar."""
    today = today or timezone.localdate()
    rows: dict[int, PartnerComparison] = {}
    for contract in PerformanceContract.objects.select_related("zone__state", "lead_partner"):
        row = rows.setdefault(contract.lead_partner_id, PartnerComparison(contract.lead_partner))
        row.contracts.append(contract)
    issued = (
        AnnualReview.objects.filter(status=ReviewStatus.ISSUED)
        .select_related("contract")
        .order_by("-school_year", "-issued_at", "-pk")
    )
    for review in issued:
        row = rows.get(review.contract.lead_partner_id)
        if row is not None and row.latest_review is None:
            row.latest_review = review
    records = deliverable_records(
        ContractDeliverable.objects.select_related("contract"), lambda item: item.contract.lead_partner_id, today
    )
    for partner_id, record in records.items():
        if partner_id in rows:
            rows[partner_id].deliverables = record
    for late in late_by_school(calendar.requirements(today=today)).values():
        partner_id = late[0].school.zone.lead_partner_id
        if partner_id in rows:
            rows[partner_id].late_periods += len(late)
    return sorted(rows.values(), key=lambda row: row.lead_partner.name)
