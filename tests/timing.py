"""``--file-durations=N``: the N test files that took longest (setup, call and teardown of their
tests summed; with pytest-xdist, per worker too), to see where a run's time goes and balance workers."""

from collections import defaultdict

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--file-durations",
        type=int,
        default=None,
        metavar="N",
        help="show the N slowest test files (0 for all), and each xdist worker's total",
    )


class FileDurations:
    def __init__(self, limit):
        self.limit = limit
        self.files = defaultdict(float)
        self.workers = defaultdict(float)

    def pytest_runtest_logreport(self, report):
        self.files[report.nodeid.split("::")[0]] += report.duration
        node = getattr(report, "node", None)  # the xdist worker that ran it
        self.workers[node.gateway.id if node else "main"] += report.duration

    def pytest_terminal_summary(self, terminalreporter):
        ranked = sorted(self.files.items(), key=lambda item: item[1], reverse=True)
        terminalreporter.write_sep("=", "seconds per test file")
        for path, seconds in ranked[: self.limit or None]:
            terminalreporter.write_line(f"{seconds:8.1f}  {path}")
        terminalreporter.write_line(f"{sum(self.files.values()):8.1f}  in all")
        for worker, seconds in sorted(self.workers.items()):
            terminalreporter.write_line(f"{seconds:8.1f}  worker {worker}")


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    limit = config.getoption("file_durations")
    if limit is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(FileDurations(limit), "file-durations")
