"""What every benchmark shares: the data set sizes and their databases, users, tables and results.

The benchmarks run against PostgreSQL. DATABASE_URL names the base (``make bench``: its
``BENCH_DATABASE_URL``, default ``zone_portfolio_bench``); each data set size has a database of
its own beside it, ``<base>_<size>`` (``zone_portfolio_bench_small``, ``..._national``), which
``prepare_databases`` creates, migrates and fills with ``generate_scale_data`` when absent, timing
the generation. One process reaches every size by switching the default connection
(``on_database``), so the sizes are measured side by side in one run.
"""

import datetime
import functools
import json
import os
import platform
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
GENERATION_FILE = RESULTS_DIR / "generation.json"  # how long each database's data set took to generate
PROJECT_DIR = BENCH_DIR.parent
BENCH_EMAIL_DOMAIN = "bench.scale.invalid"
NOT_AVAILABLE = "not available"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # local-memory cache and eager tasks, as the benchmark's gunicorns
    django.setup()


# The data set sizes: generate_scale_data's options. Every size has a workspace partner of 1,000
# schools (--partner-schools), so its workspace differs only in the data around it.
PARTNER_SCHOOLS = 1000
SIZES = {
    "small": {"states": 5, "zones_per_state": 40, "schools_per_zone": 5, "years": 5},
    "national": {"states": 50, "zones_per_state": 40, "schools_per_zone": 5, "years": 5},
    "national_10y": {"states": 50, "zones_per_state": 40, "schools_per_zone": 5, "years": 10},
    "national_20m": {"states": 50, "zones_per_state": 40, "schools_per_zone": 5, "years": 50},
}
# (numerator, denominator, what the ratio shows): each is printed when both sizes ran.
COMPARISONS = [
    ("national", "small", "national / small"),
    ("national_10y", "national", "10 / 5 years"),
    ("national_20m", "national", "20M / 2M measurements"),
]


def chosen_sizes() -> list[str]:
    """BENCH_SIZES (default: small, national and national_10y), plus national_20m with BENCH_HUGE=1
    (10x the measurements: its generation takes long)."""
    given = os.environ.get("BENCH_SIZES", "small national national_10y").split()
    if os.environ.get("BENCH_HUGE") == "1" and "national_20m" not in given:
        given.append("national_20m")
    unknown = set(given) - set(SIZES)
    if unknown or not given:
        raise SystemExit(f"BENCH_SIZES: choose from {', '.join(SIZES)} (got {' '.join(given) or 'nothing'}).")
    return [size for size in SIZES if size in given]


@functools.cache
def _base_name() -> str:
    """DATABASE_URL's database name, read before any switch (on_database renames the connection's)."""
    from django.db import connections

    return connections.databases["default"]["NAME"]


def database_name(size: str) -> str:
    return f"{_base_name()}_{size}"


def on_database(size: str):
    """The default connection on ``size``'s database."""
    return on_database_named(database_name(size))


@contextmanager
def on_database_named(name: str):
    """The default connection on database ``name`` (and the per-database caches emptied), then back
    on its own (the test suite's seeded demo, tests/testdb.py, switches this way too)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection

    previous = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()
    cache.clear()
    try:
        yield name
    finally:
        connection.close()
        connection.settings_dict["NAME"] = previous
        ContentType.objects.clear_cache()
        cache.clear()


def prepare_databases(stdout, sizes) -> dict:
    """Create, migrate and fill each size's database when not ready yet; {size: data set facts}."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://... (see README, Benchmarks).")
    call_command("collectstatic", interactive=False, verbosity=0)
    generated = _read_json(GENERATION_FILE)
    facts = {}
    for size in sizes:
        with on_database(size) as name:
            _create_database(settings.DATABASES["default"], name)
            call_command("migrate", interactive=False, verbosity=0)
            if not _scale_data_present():
                stdout.write(f"Generating the {size} data set in {name} ({SIZES[size]}): minutes.\n")
                stdout.flush()
                started = time.perf_counter()
                options = {**SIZES[size], "partner_schools": PARTNER_SCHOOLS}
                call_command("generate_scale_data", **options, stdout=stdout)
                generated[name] = {
                    "seconds": round(time.perf_counter() - started, 1),
                    "load_average": [round(load, 2) for load in os.getloadavg()],
                    "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                }
                RESULTS_DIR.mkdir(exist_ok=True)
                GENERATION_FILE.write_text(json.dumps(generated, indent=2))
            facts[size] = {"database": name, **SIZES[size], **_row_counts(), "generation": generated.get(name)}
    return facts


def _scale_data_present() -> bool:
    from django_scopes import scopes_disabled

    from devdata.scale_data import scale_data_present

    with scopes_disabled():
        return scale_data_present()


def _row_counts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM schools_school), (SELECT count(*) FROM zones_zone),"
            " (SELECT reltuples::bigint FROM pg_class WHERE relname = 'accountability_measurement')"
        )
        schools, zones, measurements = cursor.fetchone()
    return {"schools_total": schools, "zones_total": zones, "measurements_estimate": measurements}


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def connect(database, dbname=None, **options):
    """A psycopg connection to the Django database (or another database on the same server)."""
    import psycopg

    params = {
        "dbname": dbname or database["NAME"],
        "host": database["HOST"],
        "port": database["PORT"],
        "user": database["USER"],
        "password": database["PASSWORD"],
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, **options)


def _create_database(database, name) -> None:
    with connect(database, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_user(role: str, **scope):
    """A benchmark login holding one membership (or a superuser for ``initiative_admin``)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled

    from accounts.models import Membership, Role, User

    scope_key = "-".join(f"{value.pk}" for value in scope.values())
    email = f"{role.replace('_', '.')}{'.' + scope_key if scope_key else ''}@{BENCH_EMAIL_DOMAIN}"
    user, created = User.objects.get_or_create(
        email=email, defaults={"is_superuser": role == "initiative_admin", "is_staff": role == "initiative_admin"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.create(user=user, role=role, **scope)
    if role == Role.INITIATIVE_ADMIN and not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        TOTP.activate(user, generate_totp_secret())  # the app sends an admin without one to set it up
    return user


def role_users():
    """One user per role over the first scale state (the Lead Partner staff: a national partner's)."""
    from django_scopes import scopes_disabled

    from accounts.models import Role, User
    from devdata.scale_data import COLLABORATORS, PREFIX, staff_email
    from partners.models import LeadPartner, NationalCollaborator
    from zones.models import State

    with scopes_disabled():
        state = State.objects.get(name=f"{PREFIX} State 01")
        national = LeadPartner.objects.get(name=f"{PREFIX} National Partner 1")
        collaborator = NationalCollaborator.objects.get(name=COLLABORATORS[0])
        return {
            "initiative admin": bench_user(Role.INITIATIVE_ADMIN),
            "state lead": bench_user(Role.STATE_LEAD, state=state),
            "state viewer": bench_user(Role.STATE_VIEWER, state=state),
            "commissioner": bench_user(Role.COMMISSIONER, state=state),
            "lead partner staff": User.objects.get(email=staff_email(national)),
            "collaborator": bench_user(Role.COLLABORATOR, collaborator=collaborator),
        }


def machine_info() -> dict:
    from django.conf import settings

    with connect(settings.DATABASES["default"], dbname="postgres") as conn:  # the base database may not exist
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(meminfo[1]) / 1024 / 1024, 1),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "postgresql": postgres,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*args) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=PROJECT_DIR).stdout.strip()
    except OSError:
        return ""


def print_table(stdout, title: str, headers: list[str], rows: list[list]) -> None:
    cells = [[str(value) for value in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) if cells else len(h) for i, h in enumerate(headers)]
    stdout.write(f"\n{title}\n")
    stdout.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + "\n")
    stdout.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        stdout.write("  ".join(value.ljust(w) for value, w in zip(row, widths, strict=True)) + "\n")


def write_results(name: str, results: dict) -> Path:
    """bench/results/<name>.json (the latest run) and a timestamped copy to compare runs."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {"benchmark": name, "at": stamp, "machine": machine_info(), **results}
    text = json.dumps(document, indent=2, default=str)
    (RESULTS_DIR / f"{name}.json").write_text(text)
    path = RESULTS_DIR / f"{stamp}-{name}.json"
    path.write_text(text)
    return path
