"""The match: which private money counts as match for which public money, and whether a place
(the initiative, a state, a zone) reaches the ratio its rule aims for.

The rule (``MatchRule``): a state's own, else the initiative's, else the initiative's private
target per public target, counting committed money at every level. Public money at the counted
stage is what is matched; private money at that stage and at the counted levels is the match.
A stage counts every commitment that reached it (a received commitment is also committed); a
withdrawn commitment never counts (and, looking back, stops counting on the day it was withdrawn).

Figures as they stand today follow the commitments' statuses (as ``funding.services`` totals do);
the monthly series (``match_series``) follows their dates.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django_scopes import scopes_disabled

from .choices import MatchStatus
from .models import Commitment, MatchRule, Source, add_months

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RATIO_PLACES = Decimal("0.001")
Level = Commitment.RecipientLevel
STAGE_STATUSES = {
    "pledged": set(Commitment.LIVE_STATUSES),
    "committed": {Commitment.Status.COMMITTED, Commitment.Status.RECEIVED},
    "received": {Commitment.Status.RECEIVED},
}
STAGE_DATES = {"pledged": "pledged_on", "committed": "committed_on", "received": "received_on"}
ROW_FIELDS = (
    "pk",
    "initiative_id",
    "state_id",
    "zone_id",
    "funder_id",
    "funder__name",
    "recipient_level",
    "source",
    "amount",
    "status",
    "pledged_on",
    "committed_on",
    "received_on",
    "withdrawn_on",
)


@dataclass(frozen=True)
class MatchTerms:
    """What a place's match counts and aims for."""

    target_ratio: Decimal | None
    counted_stage: str = "committed"
    levels: frozenset = frozenset(Level.values)
    own: bool = False  # the state's own rule (not the initiative's)
    ratio_from_targets: bool = True  # the ratio is the initiative's private target per public target
    # The ratio unrounded (30/45 is 0.666…): what the target asks for is computed from it, so money
    # exactly at the targets' ratio is not "below" by a rounding cent; ``target_ratio`` is shown.
    exact_ratio: Decimal | None = None

    def __post_init__(self):
        if self.exact_ratio is None:
            object.__setattr__(self, "exact_ratio", self.target_ratio)

    @property
    def stage_label(self) -> str:
        return MatchRule.Stage(self.counted_stage).label.lower()

    @property
    def levels_label(self) -> str:
        return ", ".join(label.lower() for value, label in Level.choices if value in self.levels)

    @classmethod
    def of(cls, rule: MatchRule | None, initiative, *, own=False) -> "MatchTerms":
        exact = initiative.target_match_ratio if initiative is not None else None
        default = Decimal(exact).quantize(RATIO_PLACES) if exact is not None else None
        if rule is None:
            return cls(target_ratio=default, exact_ratio=exact)
        levels = {
            Level.INITIATIVE: rule.counts_initiative_level,
            Level.STATE: rule.counts_state_level,
            Level.ZONE: rule.counts_zone_level,
        }
        return cls(
            target_ratio=rule.target_ratio if rule.target_ratio is not None else default,
            exact_ratio=rule.target_ratio if rule.target_ratio is not None else exact,
            ratio_from_targets=rule.target_ratio is None,
            counted_stage=rule.counted_stage,
            levels=frozenset(level for level, counted in levels.items() if counted),
            own=own,
        )


def terms_by_state(states) -> dict:
    """{state id: MatchTerms} for ``states`` (with their initiative loaded). One query; rules are
    read whatever the viewer's reach (they are how a figure is defined, not tenant data)."""
    states = list(states)
    initiative_ids = {state.initiative_id for state in states}
    with scopes_disabled():
        rules = list(MatchRule._base_manager.filter(initiative_id__in=initiative_ids))
    by_state = {rule.state_id: rule for rule in rules if rule.state_id}
    by_initiative = {rule.initiative_id: rule for rule in rules if not rule.state_id}
    terms = {}
    for state in states:
        own = by_state.get(state.pk)
        rule = own or by_initiative.get(state.initiative_id)
        terms[state.pk] = MatchTerms.of(rule, state.initiative, own=own is not None)
    return terms


def initiative_terms(initiative) -> MatchTerms:
    with scopes_disabled():
        rule = MatchRule._base_manager.filter(initiative=initiative, state__isnull=True).first()
    return MatchTerms.of(rule, initiative)


@dataclass
class MatchStanding:
    """A place's public money at the counted stage, the private money counting as its match, and
    how that stands against the target."""

    terms: MatchTerms
    public: Decimal = ZERO
    private: Decimal = ZERO

    @property
    def ratio(self) -> Decimal | None:
        """Private dollars counted per public dollar; None without public money."""
        if not self.public:
            return None
        return (self.private / self.public).quantize(RATIO_PLACES)

    @property
    def target_ratio(self) -> Decimal | None:
        return self.terms.target_ratio

    @property
    def needed(self) -> Decimal | None:
        """Private money the target asks for, given the public money."""
        if self.terms.exact_ratio is None:
            return None
        return (self.public * self.terms.exact_ratio).quantize(CENT)

    @property
    def gap(self) -> Decimal:
        """Private money (at the counted stage) that would close the gap to the target; 0 when met."""
        needed = self.needed
        return max(needed - self.private, ZERO) if needed is not None else ZERO

    @property
    def status(self) -> MatchStatus:
        if not self.public:
            return MatchStatus.NO_PUBLIC
        return MatchStatus.BELOW if self.gap > 0 else MatchStatus.MET

    @property
    def below(self) -> bool:
        return self.status == MatchStatus.BELOW

    def add(self, row: dict) -> bool:
        """Count a commitment row that reached the counted stage: public money is matched, private
        money at a counted level is the match (True: the row is match)."""
        if row["source"] == Source.PUBLIC:
            self.public += row["amount"]
        elif row["recipient_level"] in self.terms.levels:
            self.private += row["amount"]
            return True
        return False

    def as_dict(self) -> dict:
        return {
            "status": self.status.value,
            "ratio": self.ratio,
            "target_ratio": self.target_ratio,
            "counted_stage": self.terms.counted_stage,
            "counted_levels": sorted(self.terms.levels),
            "own_rule": self.terms.own,
            "public": self.public,
            "private": self.private,
            "gap": self.gap,
        }


def counts(row: dict, stage: str, on: date | None = None) -> bool:
    """Whether a commitment row counts at ``stage``: today (by status) or on day ``on`` (by its dates)."""
    if on is None:
        return row["status"] in STAGE_STATUSES[stage]
    reached = row[STAGE_DATES[stage]]
    withdrawn = row["withdrawn_on"]
    return reached is not None and reached <= on and (withdrawn is None or withdrawn > on)


@dataclass
class FunderMatch:
    """What one private funder's money adds to a place's match."""

    funder_id: int
    name: str
    private: Decimal = ZERO

    def share(self, total: Decimal) -> Decimal | None:
        return (self.private / total).quantize(RATIO_PLACES) if total else None


@dataclass
class StateMatch:
    """A state's match, its zones' (zone-level money) and what each private funder adds."""

    standing: MatchStanding
    zones: dict = field(default_factory=dict)  # zone id -> MatchStanding
    by_funder: dict = field(default_factory=dict)  # funder id -> FunderMatch

    @property
    def funders(self) -> list:
        """What each private funder adds, largest first."""
        return sorted(self.by_funder.values(), key=lambda funder: (-funder.private, funder.name))

    def count(self, row: dict) -> None:
        """Count a commitment row as it stands today: the place's match, its zone's (for the zones
        shown) and its funder's part."""
        if not counts(row, self.standing.terms.counted_stage):
            return
        if self.standing.add(row):
            funder = self.by_funder.setdefault(row["funder_id"], FunderMatch(row["funder_id"], row["funder__name"]))
            funder.private += row["amount"]
        if row["zone_id"] in self.zones:
            self.zones[row["zone_id"]].add(row)


def commitment_rows(commitments) -> list[dict]:
    return list(commitments.order_by().values(*ROW_FIELDS))


def state_matches(states, commitments, *, zone_ids=None) -> dict:
    """{state id: StateMatch} from the ``commitments`` queryset (the reader's), for ``states``."""
    states = list(states)
    terms = terms_by_state(states)
    matches = {state.pk: StateMatch(MatchStanding(terms[state.pk])) for state in states}
    for zone_id, state_id in zone_ids or ():
        if state_id in matches:
            matches[state_id].zones[zone_id] = MatchStanding(terms[state_id])
    for row in commitment_rows(commitments.filter(state__in=list(matches))):
        matches[row["state_id"]].count(row)
    return matches


def initiative_match(initiative, commitments) -> StateMatch:
    """The initiative's match over every commitment of it in ``commitments`` (all levels)."""
    match = StateMatch(MatchStanding(initiative_terms(initiative)))
    for row in commitment_rows(commitments.filter(initiative=initiative)):
        match.count(row)
    return match


@dataclass(frozen=True)
class MatchPoint:
    month: date  # the month's last day
    public: Decimal
    private: Decimal
    ratio: Decimal | None
    target_ratio: Decimal | None
    funders: dict  # private funder's name -> its money counting as match that month


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month from ``start``'s to ``end``'s (``end`` itself for the last)."""
    ends = []
    month = start.replace(day=1)
    while month <= end:
        last = add_months(month, 1) - timedelta(days=1)
        ends.append(min(last, end))
        month = add_months(month, 1)
    return ends


def match_series(terms: MatchTerms, commitments, *, until: date, zone=None) -> list[MatchPoint]:
    """The match at the end of every month, from the first pledge to ``until``, by the
    commitments' dates (``commitments``: the place's, already filtered). One query."""
    rows = commitment_rows(commitments.filter(zone=zone) if zone is not None else commitments)
    if not rows:
        return []
    start = min(row["pledged_on"] for row in rows)
    points = []
    for day in month_ends(start, until):
        standing = MatchStanding(terms)
        funders = defaultdict(lambda: ZERO)
        for row in rows:
            if counts(row, terms.counted_stage, on=day) and standing.add(row):
                funders[row["funder__name"]] += row["amount"]
        points.append(
            MatchPoint(day, standing.public, standing.private, standing.ratio, terms.target_ratio, dict(funders))
        )
    return points
