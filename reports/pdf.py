"""PDFs from Django templates with WeasyPrint, fetching nothing but the project's own static files.

A PDF is rendered in the worker from text users wrote (names, narratives). The templates keep
that text in the body (escaped), never in a stylesheet; and whatever a stylesheet or the markup
still asks for, the fetcher below refuses unless it is one of the project's static files (read
from disk, never over the network) or a ``data:`` URI (the charts). No ``http:``, no ``file:``.

Imported late (by ``services.render_pdf``): WeasyPrint loads system libraries.
"""

import mimetypes
import os
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


def base_url() -> str:
    """Where the templates' ``{% static %}`` paths resolve: the site's own address."""
    return settings.SITE_URL.rstrip("/") + "/"


def static_file_path(url: str) -> str | None:
    """The file on disk behind one of the project's static URLs; None for any other URL."""
    prefix = urljoin(base_url(), settings.STATIC_URL)
    if not url.startswith(prefix):
        return None
    name = unquote(urlsplit(url[len(prefix) :]).path)
    if not name or any(part in ("", ".", "..") for part in name.split("/")):
        return None
    collected = safe_join(settings.STATIC_ROOT, name)  # production: collectstatic's (hashed) files
    path = collected if os.path.isfile(collected) else finders.find(name)  # development, tests
    return path if path and os.path.isfile(path) else None


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves WeasyPrint the project's static files and ``data:`` URIs; refuses every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_file_path(url)
        if path is None:
            raise ValueError(f"Refused {url}: a PDF may only use the project's static files.")
        with open(path, "rb") as file:
            content = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, content, {"Content-Type": content_type})


# Tagged for assistive technology (PDF/UA-1: structure tree, language and title from the
# template's ``<html lang>`` and ``<title>``, images' alternative text from their ``alt``).
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    document = HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesOnlyFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)
