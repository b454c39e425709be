"""One migrated PostgreSQL test database for every test process: migrations run once into a template
database (``test_<NAME>_template``), and each process (each pytest-xdist worker, the serial run)
gets its own copy of it, made by PostgreSQL in a second. The template is kept between runs and built
again only when a migration changes: its comment holds a fingerprint of every app's migration files
and of Django's version. On SQLite (or with ``--nomigrations``) pytest-django builds each process's
database as usual.

The demo initiative (``seed_demo``) is seeded once per run likewise: into a copy of the migrated
template, the run's demo template, which a module reading the demo copies for itself
(``demo_database``). Seeding depends on all the project's code, so that template is never kept: it
is named after the run (the pytest-xdist controller shares the name with its workers) and dropped
when the run ends. Registered as a plugin by tests/conftest.py."""

import hashlib
import importlib.util
import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from pytest_django.plugin import blocking_manager_key

from bench.common import on_database_named

PROJECT = Path(__file__).resolve().parents[1]


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of database ``name`` on the same server), for processes a test starts."""
    db = settings.DATABASES["default"]
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{name or db['NAME']}"


def migrations_fingerprint() -> str:
    """Changes when a migration file (of any app, the project's or a package's) or Django's version does;
    an app without migrations is created from its models module, so that counts instead."""
    digest = hashlib.sha256(django.get_version().encode())
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        spec = importlib.util.find_spec(f"{app.name}.migrations")
        if spec and spec.origin:
            files = sorted(Path(spec.origin).parent.glob("*.py"))
        else:
            files = [Path(app.models_module.__file__)] if app.models_module else []
        for path in files:
            digest.update(f"{app.label}/{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _build_template(cursor, template: str, fingerprint: str) -> None:
    """Migrate a new ``template`` in a process of its own, then sign it (an interrupted build stays unsigned)."""
    cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(template)} WITH (FORCE)")
    cursor.execute(f"CREATE DATABASE {_quoted(template)}")
    env = {**os.environ, "DATABASE_URL": database_url(template), "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    command = [sys.executable, "manage.py", "migrate", "--noinput", "--run-syncdb", "-v", "0"]
    subprocess.run(command, cwd=PROJECT, env=env, check=True)
    cursor.execute(f"COMMENT ON DATABASE {_quoted(template)} IS '{fingerprint}'")  # hex digits only


def _template_name() -> str:
    """Read before pytest-django renames the connection's database to the test database."""
    return f"test_{settings.DATABASES['default']['NAME']}_template"


@contextmanager
def _taking_turns(name: str):
    """A cursor outside any database, held while no other process works on template ``name``
    (an advisory lock)."""
    lock = int(hashlib.sha256(name.encode()).hexdigest()[:15], 16)
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            yield cursor
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])


def _signature(cursor, database: str) -> str | None:
    """The comment on ``database``; None when it is missing or unsigned."""
    cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database])
    found = cursor.fetchone()
    return found[0] if found else None


def _copy(cursor, template: str, own: str) -> None:
    cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(own)} WITH (FORCE)")
    cursor.execute(f"CREATE DATABASE {_quoted(own)} TEMPLATE {_quoted(template)}")


def _drop(name: str) -> None:
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


def copy_of_template(own: str) -> None:
    """Make database ``own`` a fresh copy of the run's template, building the template first when it is
    missing or older than the migrations. Processes starting at once take turns."""
    template = _template_name()
    fingerprint = migrations_fingerprint()
    with _taking_turns(template) as cursor:
        if _signature(cursor, template) != fingerprint:
            _build_template(cursor, template, fingerprint)
        _copy(cursor, template, own)


def seeded_demo() -> str:
    """Run ``seed_demo`` in a transaction of its own; its output. As in the rolled-back transaction
    the demo modules seeded in before, the mails its use cases queue for after the commit are not
    sent (their notifications stay unsent)."""
    out = StringIO()
    with transaction.atomic():
        call_command("seed_demo", stdout=out)
        connection.run_on_commit = []
    return out.getvalue()


def copy_of_demo(templates: "Templates", own: str) -> str:
    """Make database ``own`` a copy of the run's demo template, seeding it first (the first process
    to need it; the other waits); the seed's output, kept as the template's comment, which also
    tells a finished seed from an interrupted one."""
    with _taking_turns(templates.demo) as cursor:
        output = _signature(cursor, templates.demo)
        if output is None:
            _copy(cursor, templates.migrated, templates.demo)
            with on_database_named(templates.demo):
                output = seeded_demo()
            cursor.execute(f"COMMENT ON DATABASE {_quoted(templates.demo)} IS %s", [output])
        _copy(cursor, templates.demo, own)
    return output


def _from_template(config) -> bool:
    on_postgresql = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    return on_postgresql and not config.getvalue("nomigrations") and not config.getvalue("create_db")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """This process's test database (its xdist suffix already in its name) starts as a copy of the template;
    dropped at the end of the run unless ``--reuse-db``."""
    if not _from_template(request.config):
        yield
        return
    own = connection.creation._get_test_db_name()
    with django_db_blocker.unblock():
        copy_of_template(own)
    yield
    if not request.config.getvalue("reuse_db"):
        with django_db_blocker.unblock():
            connection.close()
            _drop(own)


@pytest.fixture(scope="session")
def django_db_keepdb(request) -> bool:
    """pytest-django keeps (and only checks with ``migrate``) the copy made above."""
    return bool(request.config.getvalue("reuse_db")) or _from_template(request.config)


# --- The run's demo template -----------------------------------------------------------------------


@dataclass(frozen=True)
class Templates:
    migrated: str
    demo: str


TEMPLATES = pytest.StashKey[Templates]()


def pytest_configure(config):
    """Name the run's demo template: the controller (or the lone process) makes it up, each worker
    gets it from the controller."""
    if hasattr(config, "workerinput"):
        demo = config.workerinput["demo_template"]
    else:
        demo = f"{_template_name()}_demo_{uuid.uuid4().hex[:12]}"
    config.stash[TEMPLATES] = Templates(migrated=_template_name(), demo=demo)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    node.workerinput["demo_template"] = node.config.stash[TEMPLATES].demo


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    """The controller (or the lone process) drops the run's demo template, after every worker is done."""
    config = session.config
    if not hasattr(config, "workerinput") and _from_template(config):
        with config.stash[blocking_manager_key].unblock():
            _drop(config.stash[TEMPLATES].demo)


@pytest.fixture(scope="module")
def demo_database(django_db_setup, django_db_blocker, request):
    """The seeded demo for this module: the default connection on this process's own copy of the run's
    demo template until the module ends (each test still in its rolled-back transaction), then back
    on the test database, the copy dropped, so another module never sees the demo. Yields seed_demo's
    output. Without the template (SQLite), the demo is seeded in a transaction rolled back at the end."""
    if not _from_template(request.config):
        with django_db_blocker.unblock(), transaction.atomic():
            yield seeded_demo()
            transaction.set_rollback(True)
        return
    own = f"{connection.settings_dict['NAME']}_demo"
    with django_db_blocker.unblock():
        output = copy_of_demo(request.config.stash[TEMPLATES], own)
    with on_database_named(own):
        yield output
    with django_db_blocker.unblock():
        _drop(own)
