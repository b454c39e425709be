from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Changes"

    def ready(self):
        from changes import tombstones, triggers
        from changes.models import PurgeHorizon
        from web import sync

        post_migrate.connect(triggers.install, sender=self, dispatch_uid="changes.triggers.install")
        tombstones.connect()
        sync.register_horizon(PurgeHorizon.current)
