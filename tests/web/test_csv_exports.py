"""CSV formula injection: every CSV the project writes goes through the one neutralising writer
(web/csv_export.py), so a cell like ``=HYPERLINK(...)`` reaches a spreadsheet as text."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
NEUTRALISING_WRITER = "web/csv_export.py"
CSV_WRITING = re.compile(r"\bcsv\.(writer|DictWriter)\(|\.export\(\s*[\"']csv[\"']")


def project_modules():
    for path in sorted(ROOT.glob("**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in {".venv", "tests", "bench"} and "migrations" not in relative.parts:
            yield relative, path.read_text()


def csv_writers(text: str) -> bool:
    return bool(CSV_WRITING.search(text))


def test_the_scan_recognises_csv_writers():
    assert csv_writers("writer = csv.writer(out)")
    assert csv_writers("csv.DictWriter(out, fieldnames=names)")
    assert csv_writers('data = dataset.export("csv")')
    assert not csv_writers("reader = csv.reader(io.StringIO(text))")


def test_no_module_writes_csv_around_the_neutralising_writer():
    offenders = [
        str(path) for path, text in project_modules() if csv_writers(text) and str(path) != NEUTRALISING_WRITER
    ]

    assert offenders == []
