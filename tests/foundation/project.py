from django.apps import apps

PROJECT_APPS = ["accounts", "zones", "schools", "partners", "funding", "accountability", "reports"]


def project_models() -> set:
    """The project's own models, without the audit-history twins."""
    return {
        model
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }
