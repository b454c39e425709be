from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self):
        from . import progress  # noqa: F401  (the read model's signal receivers)
