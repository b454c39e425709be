from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and access"

    def ready(self):
        from . import permissions  # noqa: F401  (registers the permission table)
