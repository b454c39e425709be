"""Where a notification leads: its event's ``link`` is a path on this site, and nothing else is
ever followed (a redirect to it is never an open redirect) or put in a mail."""

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(link: str) -> str | None:
    """``link`` when it is a path on this site (``/states/3/``), else None (``//host``, a scheme)."""
    if not link or not link.startswith("/") or link.startswith("//") or "\\" in link:
        return None
    return link if url_has_allowed_host_and_scheme(link, allowed_hosts=set()) else None


def absolute_link(link: str) -> str:
    """The event's page as a mail gives it (the site's address in front); the site itself for a
    link that is not a local path."""
    return settings.SITE_URL.rstrip("/") + (local_path(link) or "/")
