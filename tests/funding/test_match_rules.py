"""The match rule: which private money counts as match and the ratio aimed for, resolved state →
initiative → the initiative's targets; what it changes in a state's and a zone's match; the monthly
series by the commitments' dates; and the rule's pages and API (admins write, members read)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from funding.choices import MatchStatus
from funding.match import MatchStanding, MatchTerms, initiative_terms, match_series, state_matches, terms_by_state
from funding.models import Commitment, Funder, MatchRule
from tests.factories import (
    CommitmentFactory,
    FunderFactory,
    InitiativeFactory,
    LaunchedZoneFactory,
    MatchRuleFactory,
    StateFactory,
)
from tests.worlds import member

pytestmark = pytest.mark.django_db
D = datetime.date
S = Commitment.Status
LEVEL = Commitment.RecipientLevel

# --- Which rule ----------------------------------------------------------------------------------------


def test_a_states_own_rule_wins_then_the_initiatives_then_its_targets():
    initiative = InitiativeFactory()  # $30M private per $45M public
    own, follower = StateFactory(initiative=initiative), StateFactory(initiative=initiative)
    MatchRuleFactory(state=own, target_ratio=Decimal("0.250"), counted_stage=MatchRule.Stage.RECEIVED)

    assert terms_by_state([follower])[follower.pk].target_ratio == Decimal("0.667")  # no initiative rule: 30/45
    MatchRule.objects.create(initiative=initiative, target_ratio=Decimal("1.000"), counts_initiative_level=False)
    terms = terms_by_state([own, follower])

    assert (terms[own.pk].target_ratio, terms[own.pk].counted_stage, terms[own.pk].own) == (
        Decimal("0.250"),
        "received",
        True,
    )
    assert (terms[follower.pk].target_ratio, terms[follower.pk].own) == (Decimal("1.000"), False)
    assert terms[follower.pk].levels == {LEVEL.STATE, LEVEL.ZONE}
    assert initiative_terms(initiative).target_ratio == Decimal("1.000")


def test_a_rule_without_a_ratio_aims_for_the_initiatives_targets():
    initiative = InitiativeFactory(
        public_funding_target=Decimal("40000000"), private_funding_target=Decimal("10000000")
    )
    state = StateFactory(initiative=initiative)
    MatchRule.objects.create(initiative=initiative, target_ratio=Decimal("2.000"))
    MatchRuleFactory(state=state, target_ratio=None, counts_state_level=False)

    terms = terms_by_state([state])[state.pk]

    assert terms.target_ratio == Decimal("0.250") and terms.ratio_from_targets
    assert terms.levels_label == "initiative, zone" and terms.stage_label == "committed"


# --- What the rule counts ----------------------------------------------------------------------------


@pytest.fixture
def money():
    """A state and a zone with public and private money at every stage and level."""
    state = StateFactory()
    zone = LaunchedZoneFactory(state=state)
    public, private = FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA), FunderFactory()

    def commit(funder, amount, status, level=LEVEL.STATE, **dates):
        return CommitmentFactory(
            funder=funder,
            state=state,
            zone=zone if level == LEVEL.ZONE else None,
            recipient_level=level,
            amount=Decimal(amount),
            status=status,
            **dates,
        )

    rows = [
        commit(public, "1000000.00", S.RECEIVED),
        commit(public, "200000.00", S.COMMITTED),
        commit(public, "100000.00", S.PLEDGED, LEVEL.ZONE),
        commit(public, "400000.00", S.RECEIVED, LEVEL.ZONE),
        commit(private, "300000.00", S.COMMITTED),
        commit(private, "100000.00", S.RECEIVED, LEVEL.ZONE),
        commit(private, "50000.00", S.PLEDGED, LEVEL.ZONE),
        commit(private, "80000.00", S.WITHDRAWN, LEVEL.ZONE, committed_on=D(2010, 5, 1), withdrawn_on=D(2010, 9, 1)),
    ]
    return state, zone, rows


REACHED = {  # the statuses that have reached each stage, as the rule's help text says
    "pledged": {S.PLEDGED, S.COMMITTED, S.RECEIVED},
    "committed": {S.COMMITTED, S.RECEIVED},
    "received": {S.RECEIVED},
}


def expected(rows, stage, levels, zone=None):
    """(public, private) counted, added up here from the rows themselves."""
    counted = [row for row in rows if row.status in REACHED[stage] and (zone is None or row.zone_id == zone.pk)]
    public = sum((row.amount for row in counted if row.funder.kind != Funder.Kind.PRIVATE_FOUNDATION), Decimal(0))
    private = sum(
        (
            row.amount
            for row in counted
            if row.funder.kind == Funder.Kind.PRIVATE_FOUNDATION and row.recipient_level in levels
        ),
        Decimal(0),
    )
    return public, private


RULES = [
    ("committed", {LEVEL.INITIATIVE, LEVEL.STATE, LEVEL.ZONE}),
    ("pledged", {LEVEL.INITIATIVE, LEVEL.STATE, LEVEL.ZONE}),
    ("received", {LEVEL.INITIATIVE, LEVEL.STATE, LEVEL.ZONE}),
    ("committed", {LEVEL.ZONE}),
    ("pledged", {LEVEL.STATE}),
]


@pytest.mark.parametrize(("stage", "levels"), RULES)
def test_the_counted_stage_and_levels_decide_the_match_of_a_state_and_of_its_zone(money, stage, levels):
    state, zone, rows = money
    MatchRuleFactory(
        state=state,
        target_ratio=Decimal("0.500"),
        counted_stage=stage,
        counts_initiative_level=LEVEL.INITIATIVE in levels,
        counts_state_level=LEVEL.STATE in levels,
        counts_zone_level=LEVEL.ZONE in levels,
    )

    match = state_matches([state], Commitment.objects.all(), zone_ids=[(zone.pk, state.pk)])[state.pk]

    assert (match.standing.public, match.standing.private) == expected(rows, stage, levels)
    zone_standing = match.zones[zone.pk]
    assert (zone_standing.public, zone_standing.private) == expected(rows, stage, levels, zone=zone)


def test_the_funders_share_of_the_match_follows_the_rule(money):
    state = money[0]
    MatchRuleFactory(state=state, counted_stage=MatchRule.Stage.RECEIVED)

    (funder,) = state_matches([state], Commitment.objects.all())[state.pk].funders

    assert funder.private == Decimal("100000.00")  # only the received private money
    assert funder.share(Decimal("400000.00")) == Decimal("0.250")


def test_the_gap_is_the_target_times_the_public_money_less_the_private():
    terms = MatchTerms(target_ratio=Decimal("0.500"))

    below = MatchStanding(terms, public=Decimal("1000000.00"), private=Decimal("400000.00"))
    met = MatchStanding(terms, public=Decimal("1000000.00"), private=Decimal("650000.00"))
    unmatched = MatchStanding(terms, private=Decimal("10.00"))

    assert below.gap == Decimal("0.500") * Decimal("1000000.00") - Decimal("400000.00")
    assert (below.ratio, below.status, below.below) == (Decimal("0.400"), MatchStatus.BELOW, True)
    assert (met.gap, met.status) == (Decimal("0.00"), MatchStatus.MET)
    assert (unmatched.ratio, unmatched.status, unmatched.gap) == (None, MatchStatus.NO_PUBLIC, Decimal("0.00"))
    assert below.as_dict()["gap"] == Decimal("100000.00")


# --- The monthly series --------------------------------------------------------------------------------


def test_the_monthly_series_follows_the_dates_and_drops_a_withdrawal_from_its_day():
    state = StateFactory()
    public, private = FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA, name="ED"), FunderFactory(name="Gates")
    base = {"state": state, "pledged_on": D(2010, 3, 1)}
    CommitmentFactory(funder=public, amount=Decimal("1000.00"), status=S.COMMITTED, committed_on=D(2010, 5, 1), **base)
    CommitmentFactory(
        funder=private,
        amount=Decimal("500.00"),
        status=S.WITHDRAWN,
        committed_on=D(2010, 6, 15),
        withdrawn_on=D(2010, 8, 10),
        **base,
    )
    CommitmentFactory(funder=private, amount=Decimal("200.00"), status=S.COMMITTED, committed_on=D(2010, 7, 1), **base)
    CommitmentFactory(funder=private, amount=Decimal("900.00"), status=S.PLEDGED, **base)  # never committed
    terms = MatchTerms(target_ratio=Decimal("0.500"))

    series = match_series(terms, Commitment.objects.filter(state=state), until=D(2010, 9, 20))

    assert [(point.month, point.public, point.private, point.ratio) for point in series] == [
        (D(2010, 3, 31), Decimal("0"), Decimal("0"), None),
        (D(2010, 4, 30), Decimal("0"), Decimal("0"), None),
        (D(2010, 5, 31), Decimal("1000.00"), Decimal("0"), Decimal("0.000")),
        (D(2010, 6, 30), Decimal("1000.00"), Decimal("500.00"), Decimal("0.500")),
        (D(2010, 7, 31), Decimal("1000.00"), Decimal("700.00"), Decimal("0.700")),
        (D(2010, 8, 31), Decimal("1000.00"), Decimal("200.00"), Decimal("0.200")),  # withdrawn on Aug 10
        (D(2010, 9, 20), Decimal("1000.00"), Decimal("200.00"), Decimal("0.200")),
    ]
    assert series[4].funders == {"Gates": Decimal("700.00")}
    assert all(point.target_ratio == Decimal("0.500") for point in series)


def test_a_zones_series_counts_only_the_zones_own_money():
    state = StateFactory()
    zone = LaunchedZoneFactory(state=state)
    public, private = FunderFactory(kind=Funder.Kind.FEDERAL_COMPETITIVE), FunderFactory(name="Broad")
    at_zone = {"state": state, "zone": zone, "recipient_level": LEVEL.ZONE, "pledged_on": D(2010, 4, 1)}
    CommitmentFactory(
        funder=public, amount=Decimal("1000.00"), status=S.COMMITTED, committed_on=D(2010, 5, 1), **at_zone
    )
    CommitmentFactory(
        funder=private, amount=Decimal("250.00"), status=S.RECEIVED, committed_on=D(2010, 6, 1), **at_zone
    )
    CommitmentFactory(
        funder=private, state=state, amount=Decimal("999.00"), status=S.COMMITTED, pledged_on=D(2010, 3, 1)
    )  # the state's, not the zone's

    series = match_series(
        MatchTerms(target_ratio=None), Commitment.objects.filter(state=state), until=D(2010, 6, 30), zone=zone
    )

    assert [(point.month, point.public, point.private) for point in series] == [
        (D(2010, 4, 30), Decimal("0"), Decimal("0")),
        (D(2010, 5, 31), Decimal("1000.00"), Decimal("0")),
        (D(2010, 6, 30), Decimal("1000.00"), Decimal("250.00")),
    ]
    assert series[-1].ratio == Decimal("0.250") and series[-1].target_ratio is None


# --- The pages -------------------------------------------------------------------------------------------


def rule_page(state):
    return reverse("funding:state_match_rule", kwargs={"state_pk": state.pk})


RULE_DATA = {
    "target_ratio": "0.400",
    "counted_stage": "received",
    "counts_state_level": "on",
    "counts_zone_level": "on",
}


def test_a_state_viewer_reads_the_rule_in_words_and_cannot_change_it(tenant, other_tenant, login):
    MatchRuleFactory(
        state=tenant.state, target_ratio=Decimal("0.750"), counted_stage="pledged", counts_zone_level=False
    )
    viewer = login(member(Role.STATE_VIEWER, tenant))

    page = viewer.get(rule_page(tenant.state))

    html = page.content.decode()
    assert page.status_code == 200 and page.context["form"] is None
    assert "has its own rule" in html and "$0.75 private per public dollar" in html
    assert "pledged or further along" in html and "initiative, state" in html
    assert viewer.post(rule_page(tenant.state), RULE_DATA).status_code == 403
    assert MatchRule.objects.get(state=tenant.state).target_ratio == Decimal("0.750")
    assert viewer.get(rule_page(other_tenant.state)).status_code == 404


def test_a_state_lead_reads_the_rule_but_only_admins_change_it(tenant, login):
    lead = login(member(Role.STATE_LEAD, tenant))
    page = lead.get(rule_page(tenant.state))
    assert page.status_code == 200 and "follows the initiative's rule" in page.content.decode()
    assert lead.post(rule_page(tenant.state), RULE_DATA).status_code == 403
    assert not MatchRule.objects.filter(state=tenant.state).exists()


def test_an_admin_gives_a_state_its_own_rule_then_removes_it(world, login):
    state = world.home.state
    admin = login(world.admin)

    refused = admin.post(rule_page(state), {**RULE_DATA, "counts_state_level": "", "counts_zone_level": ""})
    saved = admin.post(rule_page(state), RULE_DATA)

    assert refused.status_code == 400
    assert "Count private money at one level at least." in refused.content.decode()
    assert saved.status_code == 302
    rule = MatchRule.objects.get(state=state)
    assert (rule.target_ratio, rule.counted_stage, rule.counts_initiative_level) == (
        Decimal("0.400"),
        "received",
        False,
    )
    assert "$0.40 private per public dollar" in admin.get(rule_page(state)).content.decode()
    assert admin.post(rule_page(state), {"follow_initiative": "1"}).status_code == 302
    assert not MatchRule.objects.filter(state=state).exists()


def test_an_admin_sets_the_initiatives_rule_which_members_read(world, login):
    url = reverse("funding:initiative_match_rule")
    admin = login(world.admin)

    assert admin.post(url, {**RULE_DATA, "target_ratio": ""}).status_code == 302

    rule = MatchRule.objects.get(state__isnull=True)
    assert rule.target_ratio is None and rule.counted_stage == "received"
    lead = login(world.home.users["state_lead"])
    page = lead.get(url)
    assert page.status_code == 200 and "the initiative's private target per public target" in page.content.decode()
    assert lead.post(url, RULE_DATA).status_code == 403


# --- The API ---------------------------------------------------------------------------------------------


def test_admins_write_rules_through_the_api_and_members_read_their_states(world, login):
    home, away = world.home.state, world.away.state
    theirs = MatchRuleFactory(state=away)
    url = reverse("api:matchrule-list")
    data = {"initiative": home.initiative_id, "state": home.pk, "target_ratio": "0.300", "counted_stage": "pledged"}

    lead = login(world.home.users["state_lead"])
    assert lead.post(url, data, content_type="application/json").status_code == 403
    admin = login(world.admin)
    created = admin.post(url, data, content_type="application/json")
    assert created.status_code == 201, created.json()
    no_level = {**data, "state": away.pk, "counts_state_level": False, "counts_zone_level": False}
    no_level["counts_initiative_level"] = False
    assert (
        admin.put(
            reverse("api:matchrule-detail", kwargs={"pk": theirs.pk}), no_level, content_type="application/json"
        ).status_code
        == 400
    )

    viewer = login(world.home.users["state_viewer"])
    assert [row["id"] for row in viewer.get(url).json()["results"]] == [created.json()["id"]]
    assert viewer.get(reverse("api:matchrule-detail", kwargs={"pk": theirs.pk})).status_code == 404
    detail = reverse("api:matchrule-detail", kwargs={"pk": created.json()["id"]})
    assert viewer.patch(detail, {"target_ratio": "9.000"}, content_type="application/json").status_code == 403


def test_money_exactly_at_the_targets_ratio_is_not_below_by_a_rounding_cent():
    """The initiative's targets ask 30M per 45M: 300,000 private to 450,000 public meets it, although
    the ratio shown (0.667) times the public money would ask 150 dollars more."""
    initiative = InitiativeFactory(
        public_funding_target=Decimal("45000000"), private_funding_target=Decimal("30000000")
    )
    standing = MatchStanding(MatchTerms.of(None, initiative), public=Decimal("450000.00"), private=Decimal("300000.00"))

    assert (standing.target_ratio, standing.gap, standing.status) == (
        Decimal("0.667"),
        Decimal("0.00"),
        MatchStatus.MET,
    )
