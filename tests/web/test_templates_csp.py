"""Pages work under the CSP only if no template carries inline script, style or event handlers."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "on…= event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
# Rendered to PDF by WeasyPrint, never served to a browser: the CSP does not apply to them.
PDF_ONLY_TEMPLATES = {"templates/reports/brief.html", "templates/reports/portfolio_pdf.html"}
JSON_SCRIPT = re.compile(r"<script[^>]*type=\"application/(ld\+)?json\"", re.IGNORECASE)  # data, not code


def project_templates():
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        relative = str(path.relative_to(ROOT))
        if ".venv" not in path.parts and relative not in PDF_ONLY_TEMPLATES:
            yield path


def offences(text: str) -> list[str]:
    text = JSON_SCRIPT.sub("", text)
    return [name for name, pattern in INLINE.items() if pattern.search(text)]


def test_the_checker_finds_inline_code():
    assert offences('<div style="color:red" onclick="go()"><script>alert(1)</script>') == [
        "inline <script>",
        "style= attribute",
        "on…= event handler",
    ]
    assert offences('<script src="/static/app.js"></script><script type="application/json">{}</script>') == []


def test_no_project_template_needs_unsafe_inline():
    templates = list(project_templates())
    found = {str(path.relative_to(ROOT)): offences(path.read_text()) for path in templates}

    assert templates
    assert {path: names for path, names in found.items() if names} == {}
