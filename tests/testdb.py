"""One migrated PostgreSQL test database for every test process: migrations run once into a template
database (``test_<NAME>_template``), and each process (each pytest-xdist worker, the serial run)
gets its own copy of it, made by PostgreSQL in a second. The template is kept between runs and built
again only when a migration changes: its comment holds a fingerprint of every app's migration files
and of Django's version. On SQLite (or with ``--nomigrations``) pytest-django builds each process's
database as usual. tests/conftest.py offers the fixtures."""

import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

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


def copy_of_template(own: str) -> None:
    """Make database ``own`` a fresh copy of the run's template, building the template first when it is
    missing or older than the migrations. Processes starting at once take turns (an advisory lock)."""
    template = f"test_{settings.DATABASES['default']['NAME']}_template"
    fingerprint = migrations_fingerprint()
    lock = int(hashlib.sha256(template.encode()).hexdigest()[:15], 16)
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        try:
            signature = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s"
            cursor.execute(signature, [template])
            signed = cursor.fetchone()
            if not signed or signed[0] != fingerprint:
                _build_template(cursor, template, fingerprint)
            cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(own)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {_quoted(own)} TEMPLATE {_quoted(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])


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
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(own)} WITH (FORCE)")


@pytest.fixture(scope="session")
def django_db_keepdb(request) -> bool:
    """pytest-django keeps (and only checks with ``migrate``) the copy made above."""
    return bool(request.config.getvalue("reuse_db")) or _from_template(request.config)
