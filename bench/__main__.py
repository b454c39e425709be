"""``python -m bench [query_counts] [latency] [sql_ratio] [reports] [sync]``: all five by default.

Needs DATABASE_URL pointing at PostgreSQL; see README, Benchmarks.
"""

import importlib
import sys

from .common import prepare_database, setup_django

BENCHMARKS = ["query_counts", "latency", "sql_ratio", "reports", "sync"]


def main(argv):
    names = argv or BENCHMARKS
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"Unknown benchmark(s): {', '.join(sorted(unknown))}. Choose from {', '.join(BENCHMARKS)}.")
    setup_django()
    prepare_database(sys.stdout)
    verdicts = {name: importlib.import_module(f"bench.{name}").run(sys.stdout) for name in names}
    sys.stdout.write("\nTargets: " + ", ".join(f"{name} {verdict}" for name, verdict in verdicts.items()) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
