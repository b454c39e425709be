"""docker-compose.yml: web, worker, beat, postgres, redis and an object store, each with a healthcheck;
one image for the three app services, wired to PostgreSQL, Redis and the object store's bucket, with no
volume shared between them. (No Docker engine in CI: checked as data.)"""

import re

import pytest
import yaml
from django.conf import settings

from web.operations import READY

APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile():
    return (settings.BASE_DIR / "Dockerfile").read_text()


ONE_SHOT = ("object-store-bucket",)  # runs once before the app starts: no health to check


def test_services_each_have_a_healthcheck(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "object-store", *ONE_SHOT}
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no"
        else:
            assert service["healthcheck"]["test"], name


def test_web_worker_and_beat_share_one_image_built_here(compose, dockerfile):
    services = compose["services"]
    assert {services[name]["image"] for name in APP_SERVICES} == {"zone-portfolio:latest"}
    assert {services[name]["build"] for name in APP_SERVICES} == {"."}
    assert "FROM python:3.11-slim" in dockerfile


def test_app_services_run_gunicorn_celery_worker_and_beat(compose):
    services = compose["services"]
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert "manage.py migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    beat = services["beat"]["command"]
    assert beat.startswith("celery -A config beat")
    assert "--scheduler" not in beat  # the setting's single-leader scheduler (config/beat.py), not another
    assert settings.CELERY_BEAT_SCHEDULER == "config.beat:SingleBeatScheduler"
    assert "deploy" not in services["beat"]  # one beat service, never replicated


def test_app_services_use_postgres_and_redis(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= set(environment)
        assert "@postgres:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:6379/")
        assert ":?" in environment["SECRET_KEY"]  # compose refuses to start without a real secret
        assert environment["DEBUG"] == "0"
        for dependency in services[name]["depends_on"]:
            assert dependency in services
            expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert services[name]["depends_on"][dependency]["condition"] == expected


def test_app_services_keep_private_files_in_the_object_store_and_share_no_volume(compose):
    """Web and worker may run on different hosts: the bucket is their only file storage."""
    services = compose["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert "volumes" not in services[name], name
        assert environment["OBJECT_STORAGE_BUCKET"] == "zone-portfolio-private"
        assert environment["OBJECT_STORAGE_ENDPOINT_URL"] == "http://object-store:9000"
        assert {"OBJECT_STORAGE_ACCESS_KEY_ID", "OBJECT_STORAGE_SECRET_ACCESS_KEY"} <= set(environment)
    assert set(compose["volumes"]) == {"postgres", "objects"}
    assert {"object-store", "object-store-bucket"} <= set(services["web"]["depends_on"])
    bucket = services["object-store-bucket"]
    assert "mc mb --ignore-existing store/zone-portfolio-private" in bucket["entrypoint"]
    assert "mc anonymous set none store/zone-portfolio-private" in bucket["entrypoint"]  # never publicly listable
    minio = services["object-store"]["environment"]
    assert minio["MINIO_ROOT_USER"] == services["web"]["environment"]["OBJECT_STORAGE_ACCESS_KEY_ID"]
    assert minio["MINIO_ROOT_PASSWORD"] == services["web"]["environment"]["OBJECT_STORAGE_SECRET_ACCESS_KEY"]


def test_the_image_installs_the_libraries_weasyprint_needs(dockerfile):
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    libraries = re.search(r"^WEASYPRINT_LIBS := (.+)$", makefile, re.MULTILINE).group(1).split()
    assert all(library in dockerfile for library in libraries)
    assert "pip install ." in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert '"gunicorn"' in dockerfile


def test_the_web_healthcheck_is_the_readiness_endpoint(compose):
    assert f"http://127.0.0.1:8000{READY}" in " ".join(compose["services"]["web"]["healthcheck"]["test"])
