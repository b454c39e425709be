"""The commissioner brief and the portfolio report as PDFs: their text and length."""

import datetime
import io

from pypdf import PdfReader

from reports import services
from tests.factories import LaunchedZoneFactory, StateFactory, StatusUpdateFactory

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
    assert len(report.decisions) == 30
    text, pages = pdf_text(services.commissioner_brief_pdf(report))
    assert pages <= 4
    assert f"and {30 - services.BRIEF_DECISIONS} more in the progress report" in text
