"""``python -m bench.readme``: README's latest benchmark figures, the block between the markers
below, replaced with bench/results/README-table.md (written by ``make bench``)."""

import sys

from .common import PROJECT_DIR
from .table import TABLE_FILE

README = PROJECT_DIR / "README.md"
BEGIN, END = "<!-- BEGIN bench-table -->", "<!-- END bench-table -->"


def main() -> None:
    if not TABLE_FILE.exists():
        raise SystemExit(f"No {TABLE_FILE.relative_to(PROJECT_DIR)} yet: run `make bench` first.")
    text = README.read_text()
    head, begin, rest = text.partition(BEGIN)
    _old, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"README.md has no {BEGIN} … {END} block.")
    README.write_text(f"{head}{BEGIN}\n{TABLE_FILE.read_text().strip()}\n{END}{tail}")
    sys.stdout.write(f"README.md: Benchmarks figures replaced from {TABLE_FILE.relative_to(PROJECT_DIR)}.\n")


if __name__ == "__main__":
    main()
