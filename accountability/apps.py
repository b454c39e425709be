from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self):
        from . import progress  # the read model's signal receivers

        post_migrate.connect(progress.fill_missing, sender=self)
