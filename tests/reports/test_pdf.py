"""The commissioner brief and the portfolio report as PDFs: their text and length."""

import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from reports import pdf, services
from reports.pdf import StaticFilesOnlyFetcher, base_url, html_to_pdf
from tests.factories import LaunchedZoneFactory, StateFactory, StatusUpdateFactory
from web.charts import FONT, WIDTH
from zones.models import State

from .conftest import AS_OF


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_commissioner_brief(colorado):
    report = services.progress_report(state=colorado.state, period="2010-12", as_of=AS_OF)
    text, pages = pdf_text(services.commissioner_brief_pdf(report))
    assert 2 <= pages <= 4
    assert "Colorado" in text and "December 2010" in text and "Commissioner Dwight Jones" in text
    for headline in ("$960,000", "$750,000", "$300,000", "$150,000", "0.67 : 1"):
        assert headline in text
    for school in ("North MS", "East MS", "West MS", "Park MS", "Lake MS"):
        assert school in text
    assert "East needs a new principal." in text  # Aurora's latest Lead Partner narrative
    # East/Reading 40 → 42 by 2011, projected 44 with the prior band: 10% of the needed 20, widened 2× to 2012.
    assert "(44, 40–48)" in text
    assert "Denver Zone has 2 schools" in text  # a decision needed
    assert "Ohio" not in text


def test_portfolio_report(colorado):
    text, pages = pdf_text(services.portfolio_pdf(services.portfolio_report(period="2010-12", as_of=AS_OF)))
    assert 1 <= pages <= 4
    assert "Colorado" in text and "Ohio" in text
    assert "$1,299,000" in text  # received: 300,000 in Colorado + 999,000 in Ohio


def test_a_large_state_brief_stays_within_four_pages(db):
    """Six full zones, every school off track twice with a long narrative: still four pages at most."""
    state = StateFactory(name="Large State")
    for zone in (LaunchedZoneFactory(state=state, schools=5) for _ in range(6)):
        for school in zone.schools.all():
            for month in (10, 11):
                StatusUpdateFactory(
                    school=school, rating="off_track", reported_on=datetime.date(2010, month, 1), narrative="w " * 300
                )
    report = services.progress_report(state=state, period="2010-12", as_of=AS_OF)
    topics = [decision.topic for decision in report.decisions]
    assert (topics.count("School off track"), topics.count("Zone missing data")) == (30, 6)  # no baselines, targets
    text, pages = pdf_text(services.commissioner_brief_pdf(report))
    assert pages <= 4
    assert f"and {36 - services.BRIEF_DECISIONS} more in the progress report" in text


def structure(node, kind: str) -> list:
    """The elements of a tagged PDF's structure tree of type ``kind`` (e.g. "/Figure"), depth first."""
    node = node.get_object()
    found = [node] if node.get("/S") == kind else []
    children = node.get("/K", [])
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "get_object") and hasattr(child.get_object(), "get"):
            found += structure(child, kind)
    return found


def test_the_reports_are_tagged_pdfs_with_their_language_title_and_charts_in_words(colorado):
    report = services.progress_report(state=colorado.state, period="2010-12", as_of=AS_OF)
    for content, title in (
        (services.commissioner_brief_pdf(report), "Colorado commissioner brief, December 2010"),
        (
            services.portfolio_pdf(services.portfolio_report(period="2010-12", as_of=AS_OF)),
            "Portfolio report, December 2010",
        ),
    ):
        reader = PdfReader(io.BytesIO(content))
        catalog = reader.trailer["/Root"]
        assert catalog["/MarkInfo"]["/Marked"].value is True  # pdfinfo: "Tagged: yes"
        assert catalog["/Lang"] == "en" and catalog["/ViewerPreferences"]["/DisplayDocTitle"].value
        assert reader.metadata.title == title
        figures = structure(catalog["/StructTreeRoot"], "/Figure")
        alts = [str(figure.get("/Alt", "")) for figure in figures]
        assert any(alt.startswith("Schools by standing (latest rating or projection). Off track") for alt in alts)
        assert any("funding by" in alt.lower() and ": pledged $" in alt for alt in alts)


def laid_out_brief(monkeypatch, report):
    """The brief's pages as WeasyPrint lays them out (the boxes of each page's body)."""
    seen = {}
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: seen.setdefault("html", html) and real(html))
    services.commissioner_brief_pdf(report)
    document = HTML(string=seen["html"], base_url=base_url(), url_fetcher=StaticFilesOnlyFetcher()).render()
    for page in document.pages:
        box = page._page_box
        body = next(child for child in box.children if not isinstance(child, boxes.MarginBox))
        yield box, list(body.descendants())


def test_the_brief_flows_without_half_empty_pages_and_its_charts_print_at_8_pt(colorado, monkeypatch):
    """Sections follow one another (no forced page break leaves a page half blank), and a chart is set
    wide enough that its smallest text (``FONT`` of its ``WIDTH`` units) prints at 8 pt or more."""
    report = services.progress_report(state=colorado.state, period="2010-12", as_of=AS_OF)
    pages = list(laid_out_brief(monkeypatch, report))
    assert len(pages) >= 2
    for page, body in pages[:-1]:
        bottom = max(box.position_y + box.margin_height() for box in body if isinstance(box, boxes.TextBox))
        assert (bottom - page.content_box_y()) / page.height > 0.75  # filled to its last quarter
    charts = [box for _page, body in pages for box in body if box.element.get("class") == "chart"]
    assert len(charts) == 2
    for chart in charts:
        printed = FONT * chart.width * 0.75 / WIDTH  # CSS px to pt
        assert printed >= 8, (chart.element.get("alt")[:40], printed)


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request it gets (the attacker's, or an internal service)."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { display: none }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_css_in_a_state_name_neither_fetches_nor_hides_anything(colorado, listener):
    """Finding 3: a name closing the stylesheet's string and rule, then adding its own rules."""
    address, seen = listener
    payload = f"CO\n}}}}*{{background:url({address}/x)}}ol.decisions{{display:none}}"  # fits the 100-char name
    assert len(payload) <= State._meta.get_field("name").max_length
    State.objects.filter(pk=colorado.state.pk).update(name=payload)  # as stored before names were validated
    colorado.state.refresh_from_db()
    report = services.progress_report(state=colorado.state, period="2010-12", as_of=AS_OF)
    text, _pages = pdf_text(services.commissioner_brief_pdf(report))
    assert "Decisions needed" in text and "Denver Zone has 2 schools; a zone needs at least 3." in text
    assert "East MS (Aurora Zone) was rated off track" in text
    assert seen == []


def test_the_pdf_fetcher_reads_static_files_only(listener):
    address, seen = listener
    fetcher = StaticFilesOnlyFetcher()
    stylesheet = fetcher(base_url().rstrip("/") + static("reports/pdf.css"))
    assert b"running(footer)" in stylesheet.read() and stylesheet.content_type == "text/css"
    assert fetcher("data:text/plain,chart").read() == b"chart"
    static_root = base_url().rstrip("/") + static("")
    for url in (
        f"{address}/x",
        "https://example.org/style.css",
        "file:///etc/passwd",
        f"file://{finders.find('reports/pdf.css')}",  # a static file, but by its path on disk
        f"{static_root}%2e%2e/%2e%2e/config/settings.py",
        f"{static_root}..%2fsettings.py",
        f"{static_root}reports/missing.css",
        f"{address}{static('reports/pdf.css')}",  # the static path, on another host
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises(ValueError, match="Refused"):
            fetcher(url)
    html = f'<link rel="stylesheet" href="{address}/a.css"><img src="{address}/b.png"><p>kept</p>'
    assert "kept" in pdf_text(html_to_pdf(html))[0]
    assert seen == []
