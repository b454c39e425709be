"""The project's own apps and models, found from the code (not from a hand-kept list): every
installed app whose package lives in this repository."""

from pathlib import Path

from django.apps import apps

REPO = Path(__file__).resolve().parent.parent


def project_apps() -> list:
    """Installed apps whose code sits in this repository, in INSTALLED_APPS (layer) order."""
    return [config for config in apps.get_app_configs() if Path(config.path).parent == REPO]


def project_models() -> set:
    """The project's own models, without the audit-history twins."""
    return {
        model
        for config in project_apps()
        for model in config.get_models()
        if not model.__name__.startswith("Historical")
    }
