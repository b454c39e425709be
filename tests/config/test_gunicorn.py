"""The web server's settings are deliberate and shipped: the Dockerfile and the compose web service
start gunicorn with config/gunicorn.conf.py (the numbers and why: in that file)."""

import runpy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "config/gunicorn.conf.py"


def test_the_config_bounds_requests_and_recycles_workers(monkeypatch):
    for name in ("GUNICORN_TIMEOUT", "WEB_CONCURRENCY", "PORT"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / CONFIG))

    assert config["timeout"] == 60 and config["graceful_timeout"] == 30
    assert config["worker_class"] == "sync" and config["workers"] == 3
    assert config["max_requests"] == 1000 and 0 < config["max_requests_jitter"] < config["max_requests"]
    assert config["worker_tmp_dir"] == "/dev/shm" and config["bind"] == "0.0.0.0:8000"


def test_the_timeout_can_be_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_TIMEOUT", "90")
    assert runpy.run_path(str(ROOT / CONFIG))["timeout"] == 90


def test_the_image_and_the_compose_web_service_use_the_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f'CMD ["gunicorn", "config.wsgi:application", "--config", "{CONFIG}"]' in dockerfile
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert f"exec gunicorn config.wsgi:application --config {CONFIG}" in web and "--timeout" not in web
