"""``python -m bench [latency] [sql_ratio] [reports] [query_counts] [sync]``: all five by default,
then the summary (bench/table.py: targets met or MISSED, bench/results/README-table.md).

Needs DATABASE_URL pointing at PostgreSQL (the base name of the size databases); BENCH_SIZES,
BENCH_HUGE, BENCH_SAMPLES, BENCH_REPEATS, BENCH_ONLY: see README, Benchmarks.
"""

import importlib
import json
import sys

from .common import chosen_sizes, prepare_databases, setup_django, write_results

BENCHMARKS = ["latency", "sql_ratio", "reports", "query_counts", "sync"]


def main(argv):
    names = argv or BENCHMARKS
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"Unknown benchmark(s): {', '.join(sorted(unknown))}. Choose from {', '.join(BENCHMARKS)}.")
    setup_django()
    sizes = chosen_sizes()
    datasets = prepare_databases(sys.stdout, sizes)
    sys.stdout.write("Data sets: " + json.dumps(datasets, default=str) + "\n")
    write_results("datasets", {"sizes": datasets})
    verdicts = {name: importlib.import_module(f"bench.{name}").run(sys.stdout, sizes) for name in names}
    sys.stdout.write("\nTargets: " + ", ".join(f"{name} {verdict}" for name, verdict in verdicts.items()) + "\n")
    from .table import run as summarize

    summarize(sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
