"""The endpoints the benchmarks request: every list in the URLconf (query counts), and the table of
issue 21's endpoints with their hand-written SQL (latency and the app/SQL ratio)."""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.apps import apps
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

SKIPPED_PREFIXES = ("/admin/", "/accounts/", "/api/schema", "/api/docs", "/static/", "/media/")


def discover_endpoints() -> list[tuple[str, str, list[str]]]:
    """(kind, URL name, kwarg names) of every GET-able list endpoint and page in the URLconf."""
    found = []

    def walk(patterns, namespace, kwargs):
        for pattern in patterns:
            names = kwargs + list(_kwarg_names(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, _join(namespace, pattern.namespace), names)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((_join(namespace, pattern.name), names))

    walk(get_resolver().url_patterns, None, [])
    endpoints = []
    for name, kwargs in found:
        if "format" in kwargs or not all(kwarg.endswith("_pk") or kwarg == "pk" for kwarg in kwargs):
            continue
        try:
            probe = reverse(name, kwargs=dict.fromkeys(kwargs, 1))
        except NoReverseMatch:  # positional groups (the admin's): not a list endpoint of ours
            continue
        if probe.startswith(SKIPPED_PREFIXES):
            continue
        if probe.startswith("/api/"):
            if name.endswith("-list") and not kwargs:
                endpoints.append(("api list", name, tuple(kwargs)))
        elif "pk" not in kwargs:
            endpoints.append(("page", name, tuple(kwargs)))
    return sorted(set(endpoints), key=lambda e: (e[0], e[1]))


def _kwarg_names(pattern):
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)


def _join(namespace, name):
    return f"{namespace}:{name}" if namespace and name else (name or namespace)


def url_for(name, kwargs, user):
    """The endpoint's URL with each ``<model>_pk`` filled by the first such object the user sees."""
    filled = {}
    for kwarg in kwargs:
        model = next((m for m in apps.get_models() if m._meta.model_name == kwarg.removesuffix("_pk")), None)
        if model is None:
            return None
        queryset = model.objects.visible_to(user) if hasattr(model.objects, "visible_to") else model.objects.all()
        obj = queryset.order_by("pk").first()
        if obj is None:
            return None
        filled[kwarg] = obj.pk
    return reverse(name, kwargs=filled)


# --- The endpoints of issue 21, each with the role that requests it and its hand-written SQL ---


@dataclass(frozen=True)
class Subjects:
    """The rows the URLs and the hand SQL name, found alike in every size's database: the first
    scale state (its first zone and school), the last state, the 1,000-school partner."""

    state: object
    last_state: object
    zone: object
    school: object
    partner: object

    @classmethod
    def find(cls):
        from django_scopes import scopes_disabled

        from devdata.scale_data import PREFIX
        from partners.models import LeadPartner
        from schools.models import School
        from zones.models import State

        with scopes_disabled():
            states = State.objects.filter(name__startswith=f"{PREFIX} State ").order_by("name")
            state = states.first()
            school = School.objects.filter(district__state=state, zone__isnull=False).order_by("zone_id", "pk").first()
            return cls(
                state=state,
                last_state=states.last(),
                zone=school.zone,
                school=school,
                partner=LeadPartner.objects.get(name=f"{PREFIX} National Partner 1"),
            )

    def sql_params(self) -> dict:
        return {
            "state_id": self.state.pk,
            "last_state_id": self.last_state.pk,
            "zone_id": self.zone.pk,
            "school_id": self.school.pk,
            "partner_id": self.partner.pk,
            "unmatched_school_year": UNMATCHED_SCHOOL_YEAR,
            "limit": 50,  # the zones API page (api_zones.sql)
            "offset": 0,
        }


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str  # a key of bench.common.role_users()
    path: Callable[[Subjects], str]
    sql: str  # its hand-written SQL: bench/sql/<sql>.sql
    target_ms: int  # p95 target (issue 21, "Targets")
    kind: str = "page"  # page, csv or api

    def sql_text(self) -> str:
        return hand_sql(self.sql)


UNMATCHED_SCHOOL_YEAR = "2099-00"
PAGE_MS, SMALL_PAGE_MS, STATE_PAGE_MS = 100, 50, 150  # pages; API lists and zone/school pages; portfolio/state
STATE_EXPORTS = ("districts", "zones", "schools", "engagements", "commitments", "expenditures")


def _state(s, query=""):
    return reverse("portfolio:state_detail", kwargs={"state_pk": s.state.pk}) + query


# One row per endpoint: adapting the bench to a changed URL or parameter is one line here.
ENDPOINTS = [
    Endpoint(
        "workspace page", "lead partner staff", lambda s: reverse("accountability:workspace"), "workspace_page", PAGE_MS
    ),
    Endpoint(
        "workspace CSV",
        "lead partner staff",
        lambda s: reverse("accountability:workspace") + "?export=schools",
        "workspace_csv",
        PAGE_MS,
        "csv",
    ),
    Endpoint(
        "state report page",
        "state lead",
        lambda s: reverse("reports:state", kwargs={"state_pk": s.state.pk}),
        "state_report",
        PAGE_MS,
    ),
    Endpoint("state page", "state lead", _state, "state_page", STATE_PAGE_MS),
    *[
        Endpoint(
            f"state CSV {name}",
            "state lead",
            partial(_state, query=f"?export={name}"),
            f"state_csv_{name}",
            PAGE_MS,
            "csv",
        )
        for name in STATE_EXPORTS
    ],
    Endpoint(
        "school page",
        "state lead",
        lambda s: reverse("portfolio:school_detail", kwargs={"school_pk": s.school.pk}),
        "school_page",
        SMALL_PAGE_MS,
    ),
    Endpoint(
        "zone page",
        "state lead",
        lambda s: reverse("portfolio:zone_detail", kwargs={"zone_pk": s.zone.pk}),
        "zone_page",
        SMALL_PAGE_MS,
    ),
    Endpoint(
        "portfolio page", "initiative admin", lambda s: reverse("portfolio:portfolio"), "portfolio_page", STATE_PAGE_MS
    ),
    Endpoint("schools list", "initiative admin", lambda s: reverse("portfolio:school_list"), "schools_list", PAGE_MS),
    Endpoint(
        "API zones p1", "initiative admin", lambda s: "/api/v1/zones/?page_size=50", "api_zones", SMALL_PAGE_MS, "api"
    ),
    Endpoint(
        "API school-progress p1",
        "initiative admin",
        lambda s: "/api/v1/school-progress/",
        "api_school_progress",
        SMALL_PAGE_MS,
        "api",
    ),
    Endpoint(
        "API measurements cursor p1",
        "initiative admin",
        lambda s: "/api/v1/measurements/",
        "api_measurements",
        SMALL_PAGE_MS,
        "api",
    ),
    Endpoint(
        "API measurements ?ordering=-school_year",
        "initiative admin",
        lambda s: "/api/v1/measurements/?ordering=-school_year",
        "api_measurements_by_year",
        SMALL_PAGE_MS,
        "api",
    ),
    Endpoint(
        "API measurements ?state=last",
        "initiative admin",
        lambda s: f"/api/v1/measurements/?state={s.last_state.pk}",
        "api_measurements_last_state",
        SMALL_PAGE_MS,
        "api",
    ),
    Endpoint(
        "API measurements ?school_year=unmatched",
        "initiative admin",
        lambda s: f"/api/v1/measurements/?school_year={UNMATCHED_SCHOOL_YEAR}",
        "api_measurements_unmatched_year",
        SMALL_PAGE_MS,
        "api",
    ),
    Endpoint(
        "API measurements ?zone&ordering=-id",
        "initiative admin",
        lambda s: f"/api/v1/measurements/?zone={s.zone.pk}&ordering=-id",
        "api_measurements_zone_recent",
        SMALL_PAGE_MS,
        "api",
    ),
    Endpoint(
        "API status-updates cursor p1",
        "initiative admin",
        lambda s: "/api/v1/status-updates/",
        "api_status_updates",
        SMALL_PAGE_MS,
        "api",
    ),
]


def chosen_endpoints() -> list[Endpoint]:
    """BENCH_ONLY=workspace,api keeps the endpoints whose name holds one of those words."""
    words = [word.strip().lower() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
    return [e for e in ENDPOINTS if not words or any(word in e.name.lower() for word in words)]


SQL_DIR = Path(__file__).resolve().parent / "sql"
INCLUDE = re.compile(r"^-- include: (\w+)$", re.MULTILINE)


def hand_sql(name: str) -> str:
    """bench/sql/<name>.sql, its ``-- include: <fragment>`` lines replaced by bench/sql/<fragment>.sql
    (the progress rules, written once for every query that rates schools)."""
    text = (SQL_DIR / f"{name}.sql").read_text()
    return INCLUDE.sub(lambda match: hand_sql(match.group(1)).strip(), text)
