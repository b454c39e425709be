"""Follow the links the app shows a signed-in user, as that user (Django's test client).

One crawler for the link check (no 4xx/5xx among the links a role is shown) and the accessibility
check (one page of each page type per role): both ask ``crawl`` and read its ``Crawl``."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve

# Links that act instead of showing a page, or leave the app's pages.
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/accounts/logout/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_on(html: str) -> list[str]:
    """The in-app page links of ``html`` (path and query, no fragment), in order."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        href, _ = urldefrag(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        found.append(href)
    return found


def page_type(url: str) -> str:
    """A page's type: its URL pattern's name (``portfolio:zone_detail``), with ``?export`` apart."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return f"{name} (export)" if "export=" in parts.query else name


@dataclass
class Crawl:
    """What a crawl saw: each URL's status, where it was linked from, one URL per page type."""

    status: dict[str, int] = field(default_factory=dict)
    linked_from: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # page type → the first HTML page (200) of that type

    def broken(self) -> dict[str, tuple[int, str]]:
        return {url: (code, self.linked_from.get(url, "")) for url, code in self.status.items() if code >= 400}


def crawl(client, start: str = "/", per_type: int = 3, limit: int = 600) -> Crawl:
    """Breadth-first from ``start``: every linked page is opened (a redirect is followed like a
    link); at most ``per_type`` pages of one type are opened further for links (a
    state's hundredth school page shows no new kind of link), at most ``limit`` URLs in all."""
    seen = Crawl()
    queue = [start]
    expanded: dict[str, int] = {}
    while queue and len(seen.status) < limit:
        url = queue.pop(0)
        if url in seen.status:
            continue
        response = client.get(url)
        seen.status[url] = response.status_code
        kind = page_type(url)
        if response.status_code in (301, 302, 303, 307, 308):
            target = links_on(f'<a href="{response["Location"]}"></a>')
            for link in target:
                if link not in seen.status and link not in seen.linked_from:
                    seen.linked_from[link] = url
                    queue.append(link)
            continue
        is_html = response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")
        if not is_html:
            continue
        seen.pages.setdefault(kind, url)
        if expanded.get(kind, 0) >= per_type:
            continue
        expanded[kind] = expanded.get(kind, 0) + 1
        for link in links_on(response.content.decode()):
            if link not in seen.status and link not in seen.linked_from:
                seen.linked_from[link] = url
                queue.append(link)
    return seen
