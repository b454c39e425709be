"""The portfolio's rules hold under concurrent clients (issue #13, findings 1, 2, 3 and 9).

Each test builds its world once, then runs TRIALS trials: CONCURRENT_CLIENTS real HTTP clients
(API tokens or session cookies, one each) against the live server send their writes at once; the
rule must hold after every trial, every answer is a 2xx or a clean 4xx (never a 500), and what was
acknowledged is in the database. Between trials the world is put back with plain UPDATEs."""

import re
import secrets
from decimal import Decimal

import requests
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from accountability.models import Measurement
from accounts.models import Role
from accounts.tokens import issue_token
from funding.models import Commitment, Expenditure
from schools.models import School
from tests.factories import (
    CommitmentFactory,
    LaunchedZoneFactory,
    MembershipFactory,
    MetricFactory,
    SchoolFactory,
    UserFactory,
)
from zones.models import ZONE_MAX_SCHOOLS, ZONE_MIN_SCHOOLS

from .conftest import CONCURRENT_CLIENTS, TRIALS, concurrently

TIMEOUT = 60


def state_lead_keys(state, count=CONCURRENT_CLIENTS) -> list[str]:
    """API keys of ``count`` state leads of ``state``: one client each (no shared token throttle)."""
    return [issue_token(MembershipFactory(role=Role.STATE_LEAD, state=state), f"client {n}")[1] for n in range(count)]


def api_call(base_url, key, method, path, body, headers=None):
    def call():
        return requests.request(
            method,
            base_url + path,
            json=body,
            headers={"Authorization": f"Bearer {key}", **(headers or {})},
            timeout=TIMEOUT,
        )

    return call


def answers(results) -> list[int]:
    """Every client's status code, after checking each got an answer and none is a 500."""
    errors = [result for result in results if isinstance(result, Exception)]
    assert not errors, errors
    codes = [result.status_code for result in results]
    assert all(200 <= code < 500 for code in codes), [(r.status_code, r.text[:300]) for r in results]
    return codes


def zone_size(zone) -> int:
    return School._base_manager.filter(zone=zone).count()


def test_parallel_moves_into_a_zone_never_give_it_more_than_five_schools(live_server):
    zone = LaunchedZoneFactory(schools=3)
    district = zone.districts.get()
    movers = [SchoolFactory(district=district) for _ in range(6)]
    keys = state_lead_keys(zone.state, len(movers))
    sizes = []
    for _trial in range(TRIALS):
        calls = [
            api_call(live_server.url, key, "PATCH", f"/api/v1/schools/{school.pk}/", {"zone": zone.pk})
            for key, school in zip(keys, movers, strict=True)
        ]
        codes = answers(concurrently(calls))
        sizes.append(zone_size(zone))
        moved = set(School._base_manager.filter(pk__in=[s.pk for s in movers], zone=zone).values_list("pk", flat=True))
        acknowledged = {school.pk for school, code in zip(movers, codes, strict=True) if code == 200}
        assert acknowledged == moved  # every 200 is a school in the zone, every refusal is not
        School._base_manager.filter(pk__in=[s.pk for s in movers]).update(zone=None)
    broken = sum(size != ZONE_MAX_SCHOOLS for size in sizes)
    assert broken == 0, f"{broken}/{TRIALS} trials left the zone with other than 5 schools: {sizes}"


def test_parallel_moves_out_of_a_zone_never_leave_it_below_three_schools(live_server):
    zone = LaunchedZoneFactory(schools=4)
    schools = list(School._base_manager.filter(zone=zone))
    keys = state_lead_keys(zone.state, CONCURRENT_CLIENTS)
    sizes = []
    for _trial in range(TRIALS):
        # 10 clients: each of the 4 schools moved out by two or three of them at once.
        calls = [
            api_call(live_server.url, key, "PATCH", f"/api/v1/schools/{schools[n % 4].pk}/", {"zone": None})
            for n, key in enumerate(keys)
        ]
        answers(concurrently(calls))
        sizes.append(zone_size(zone))
        School._base_manager.filter(pk__in=[s.pk for s in schools]).update(zone=zone)
    broken = sum(size != ZONE_MIN_SCHOOLS for size in sizes)
    assert broken == 0, f"{broken}/{TRIALS} trials left the zone with other than 3 schools: {sizes}"


def test_parallel_expenditures_never_spend_more_than_the_commitment(live_server):
    zone = LaunchedZoneFactory(schools=3)
    commitment = CommitmentFactory(
        state=zone.state, amount=Decimal("100000.00"), status=Commitment.Status.RECEIVED, funder__name="Big Funder"
    )
    keys = state_lead_keys(zone.state)
    body = {
        "commitment": commitment.pk,
        "zone": zone.pk,
        "category": Expenditure.Category.PARTNER_SERVICES,
        "amount": "60000.00",
        "spent_on": "2010-09-15",
    }
    spent = []
    for _trial in range(TRIALS):
        codes = answers(
            concurrently([api_call(live_server.url, key, "POST", "/api/v1/expenditures/", body) for key in keys])
        )
        saved = Expenditure._base_manager.filter(commitment=commitment)
        spent.append(saved.aggregate(total=Sum("amount"))["total"])
        assert saved.count() == codes.count(201)
        saved.delete()
    broken = sum(total != Decimal("60000.00") for total in spent)
    assert broken == 0, f"{broken}/{TRIALS} trials spent other than one $60,000: {[f'{t:,.0f}' for t in spent]}"


def reverts(values) -> bool:
    """Whether a value comes back after another replaced it: a write made from a stale read (each
    client sends a value of its own, so a correct history shows each value in one run)."""
    seen, previous = set(), object()
    for value in values:
        if value != previous:
            if value in seen:
                return True
            seen.add(value)
            previous = value
    return False


def test_concurrent_patches_of_a_commitment_never_move_it_back_nor_lose_an_edit(live_server):
    """Four clients mark a committed commitment received, three send "committed" (true when they
    read it), three change its description: all at once, without If-Match."""
    commitment = CommitmentFactory(status=Commitment.Status.COMMITTED, description="")
    keys = state_lead_keys(commitment.state)
    path = f"/api/v1/commitments/{commitment.pk}/"
    received = {"status": "received", "received_on": "2010-09-01", "reason": "The wire arrived"}
    backwards, lost = [], []
    for trial in range(TRIALS):
        seen = commitment.history.order_by("-history_id").values_list("history_id", flat=True).first()
        bodies = [received] * 4 + [{"status": "committed"}] * 3
        bodies += [{"description": f"trial {trial} client {n}"} for n in range(3)]
        calls = [api_call(live_server.url, key, "PATCH", path, body) for key, body in zip(keys, bodies, strict=True)]
        codes = answers(concurrently(calls))
        final = Commitment._base_manager.get(pk=commitment.pk)
        rows = list(commitment.history.filter(history_id__gt=seen).order_by("history_id"))
        acked = [body for body, code in zip(bodies, codes, strict=True) if code == 200]
        statuses = ["committed"] + [row.status for row in rows]
        if (received in acked and final.status != "received") or reverts(statuses):
            backwards.append(trial)
        descriptions = [""] + [row.description for row in rows]
        sent = {body["description"] for body in acked if "description" in body}
        if reverts(descriptions) or not sent <= set(descriptions) or (sent and final.description not in sent):
            lost.append(trial)
        Commitment._base_manager.filter(pk=commitment.pk).update(status="committed", received_on=None, description="")
    assert (backwards, lost) == ([], []), (
        f"moved back in {len(backwards)}/{TRIALS} trials; an acknowledged edit lost in {len(lost)}/{TRIALS} trials"
    )


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_the_same_workspace_measurement_from_ten_sessions_is_recorded_once_never_a_500(live_server):
    zone = LaunchedZoneFactory(schools=3)
    school = School._base_manager.filter(zone=zone).first()
    metric = MetricFactory()
    users = [UserFactory() for _ in range(CONCURRENT_CLIENTS)]
    for user in users:
        MembershipFactory(user=user, role=Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner)
    cookies = [session_cookie(user) for user in users]
    url = live_server.url + reverse("accountability:post_measurement")
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as the cookie and the form field
    form = {
        "csrfmiddlewaretoken": csrf,
        "school": school.pk,
        "metric": metric.pk,
        "school_year": "2010-11",
        "period": Measurement.Period.FALL,
        "value": "41.5",
        "source": "State assessment",
    }

    def post(cookie):
        headers = {"Cookie": f"sessionid={cookie}; csrftoken={csrf}"}  # sent over http although "Secure"
        return lambda: requests.post(url, data=form, headers=headers, timeout=TIMEOUT, allow_redirects=False)

    recorded, codes = [], []
    for _trial in range(TRIALS):
        results = concurrently([post(cookie) for cookie in cookies])
        assert not [result for result in results if isinstance(result, Exception)]
        trial_codes = [result.status_code for result in results]
        codes += trial_codes
        recorded.append(Measurement._base_manager.filter(school=school, metric=metric).count())
        if 500 not in trial_codes:
            assert trial_codes.count(302) == 1 and trial_codes.count(400) == CONCURRENT_CLIENTS - 1, trial_codes
        Measurement._base_manager.filter(school=school, metric=metric).delete()
    assert recorded == [1] * TRIALS, recorded
    assert codes.count(500) == 0, f"{codes.count(500)}/{len(codes)} posts answered 500"


def test_ten_sessions_saving_one_commitment_form_lose_no_acknowledged_edit(live_server):
    """Ten state leads opened the same commitment's edit page and save it at once, each with a
    description of their own: one is saved, the others are told it changed since they opened it."""
    commitment = CommitmentFactory(status=Commitment.Status.PLEDGED, description="")
    cookies = [session_cookie(MembershipFactory(role=Role.STATE_LEAD, state=commitment.state).user) for _ in range(10)]
    url = live_server.url + reverse("funding:commitment_edit", kwargs={"commitment_pk": commitment.pk})
    csrf = secrets.token_hex(16)
    form = {
        "csrfmiddlewaretoken": csrf,
        "funder": commitment.funder.pk,
        "recipient_level": "state",
        "amount": "100000.00",
        "status": "pledged",
        "pledged_on": "2010-03-01",
        "period_start": "2010-07-01",
        "period_end": "2012-06-30",
    }

    def headers(cookie):
        return {"Cookie": f"sessionid={cookie}; csrftoken={csrf}"}

    def open_page(cookie) -> dict:
        """The hidden fields of the edit page as this session's browser has them."""
        page = requests.get(url, headers=headers(cookie), timeout=TIMEOUT).text
        return dict(re.findall(r'<input type="hidden" name="(version)" value="(\d+)"', page))

    def save(cookie, description, hidden):
        data = {**form, **hidden, "description": description}
        return lambda: requests.post(url, data=data, headers=headers(cookie), timeout=TIMEOUT, allow_redirects=False)

    lost = []
    for trial in range(TRIALS):
        opened = open_page(cookies[0])  # all ten opened the page at this version
        descriptions = [f"trial {trial} lead {n}" for n in range(len(cookies))]
        calls = [save(cookie, description, opened) for cookie, description in zip(cookies, descriptions, strict=True)]
        results = concurrently(calls)
        codes = answers(results)
        saved = [d for d, code in zip(descriptions, codes, strict=True) if code == 302]
        refused = [r for r in results if r.status_code == 400]
        assert all("changed by someone else since you opened it" in r.text for r in refused)
        final = Commitment._base_manager.get(pk=commitment.pk).description
        if len(saved) != 1 or final != saved[0]:
            lost.append(trial)
    assert lost == [], f"{len(lost)}/{TRIALS} trials acknowledged a save that is not there"


def test_a_zone_page_and_api_clients_changing_one_zone_at_once_keep_it_at_three_to_five(live_server):
    """One state lead saves the zone's edit page without its fourth school while nine API clients
    move its other schools out: the page (schools.services.save_zone) and the API both lock the zone."""
    zone = LaunchedZoneFactory(schools=4)
    schools = list(School._base_manager.filter(zone=zone).order_by("pk"))
    keys = state_lead_keys(zone.state, 9)
    cookie = session_cookie(MembershipFactory(role=Role.STATE_LEAD, state=zone.state).user)
    url = live_server.url + reverse("schools:zone_edit", kwargs={"zone_pk": zone.pk})
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"sessionid={cookie}; csrftoken={csrf}"}
    form = {
        "csrfmiddlewaretoken": csrf,
        "name": zone.name,
        "status": zone.status,
        "lead_partner": zone.lead_partner.pk,
        "launch_school_year": zone.launch_school_year,
        "districts": [zone.districts.get().pk],
        "schools": [school.pk for school in schools[:3]],
    }
    sizes = []
    for _trial in range(TRIALS):
        page = requests.get(url, headers=headers, timeout=TIMEOUT).text
        hidden = dict(re.findall(r'<input type="hidden" name="(version)" value="(\d+)"', page))
        data = {**form, **hidden}
        calls = [lambda data=data: requests.post(url, data=data, headers=headers, timeout=TIMEOUT)]
        calls += [
            api_call(live_server.url, key, "PATCH", f"/api/v1/schools/{schools[n % 3].pk}/", {"zone": None})
            for n, key in enumerate(keys)
        ]
        answers(concurrently(calls))
        sizes.append(zone_size(zone))
        School._base_manager.filter(pk__in=[s.pk for s in schools]).update(zone=zone)
    broken = sum(not ZONE_MIN_SCHOOLS <= size <= ZONE_MAX_SCHOOLS for size in sizes)
    assert broken == 0, f"{broken}/{TRIALS} trials left the zone outside 3–5 schools: {sizes}"
