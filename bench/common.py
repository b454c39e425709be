"""What every benchmark shares: the database, the national data set, users, tables and results.

The benchmarks run against the PostgreSQL database in DATABASE_URL (``make bench`` defaults it
to ``zone_portfolio_bench``); ``prepare_database`` creates it, migrates it, collects static files
and generates the national data set when absent.
"""

import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

import django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PROJECT_DIR = BENCH_DIR.parent
BENCH_EMAIL_DOMAIN = "bench.scale.invalid"
NOT_AVAILABLE = "not available"


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def prepare_database(stdout) -> None:
    """Create, migrate and fill the benchmark database when it is not ready yet."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from devdata.scale_data import scale_data_present

    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://... (see README, Benchmarks).")
    _create_database(settings.DATABASES["default"])
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not scale_data_present():
        stdout.write("No national data set in this database yet: generating it (a few minutes).\n")
        call_command("generate_scale_data", stdout=stdout)


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


def _create_database(database) -> None:
    with connect(database, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database["NAME"]}"')


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
    from accounts.models import Role, User
    from devdata.scale_data import COLLABORATORS, PREFIX, staff_email
    from partners.models import LeadPartner, NationalCollaborator
    from zones.models import State

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
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(int(meminfo[1]) / 1024 / 1024, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "postgresql": postgres,
        "commit": _git("rev-parse", "--short", "HEAD"),
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
