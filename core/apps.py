from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: the tenancy mechanism, value rules and fields every domain app shares.
    It imports no other app of the project."""

    name = "core"
    verbose_name = "Core"
