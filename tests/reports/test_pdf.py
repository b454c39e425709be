"""The commissioner brief and the portfolio report as PDFs: their text and length."""

import io

from pypdf import PdfReader

from reports import services

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
