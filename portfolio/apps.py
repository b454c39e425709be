from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The composing layer: the pages that put every domain app together (home, portfolio, state,
    zone and school pages, a state's timeline and audit trail) and the read models they share."""

    name = "portfolio"
    verbose_name = "Portfolio"
