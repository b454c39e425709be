"""``make test``'s suites, side by side: most tests in two processes (pytest-xdist, a module each), and
beside them, in one process of its own, the suites that must run alone and mostly wait (on worker and
web processes, timeouts, a proxy's faults): the fault suite, the multi-node suite (real workers on the
Redis broker, which other processes' cache clears would empty) and the schema fuzzing (under
pytest-xdist its one test per API operation would fold into one). Running them after the others made
the whole run take their wait on top; beside them, they take the CPU the others leave.

The Redis databases beside ``REDIS_URL``'s (which stays the broker of the worker tests) are laid out
here: each of the two processes' caches takes one (``worker_redis_offset``, read by
config/settings_test.py), the suite alone the next (``ALONE_REDIS_OFFSET``); its test database is its
own too (pytest-django names the processes' apart). Its report is printed after the others' (a file
meanwhile, so the two never interleave); the exit status is the first failure's. Extra arguments go to
both runs (``python -m tests.run -x``)."""

import os
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

ALONE = ["tests/faults", "tests/multinode", "tests/api/test_fuzz.py"]
PROCESSES = 2


def worker_redis_offset(worker: int) -> int:
    """Where pytest-xdist worker ``worker`` (gw0 is 0) keeps its cache, after REDIS_URL's database."""
    return 1 + worker


ALONE_REDIS_OFFSET = worker_redis_offset(PROCESSES)


def redis_url_beside(url: str, offset: int) -> str:
    """``url`` on the Redis database ``offset`` after its own (of 16)."""
    parts = urlsplit(url)
    database = (int(parts.path.strip("/") or 0) + offset) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


def main(arguments: list[str]) -> int:
    pytest = [sys.executable, "-m", "pytest", *arguments]
    alone_env = dict(os.environ)
    if alone_env.get("REDIS_URL"):
        alone_env["REDIS_URL"] = redis_url_beside(alone_env["REDIS_URL"], ALONE_REDIS_OFFSET)
    together = [*pytest, "-n", str(PROCESSES), "--dist", "loadfile", *(f"--ignore={path}" for path in ALONE)]
    with tempfile.TemporaryFile(mode="w+") as report:
        print(f"Beside the run below, alone: {' '.join(ALONE)} (its report follows it).", flush=True)
        alone = subprocess.Popen([*pytest, *ALONE], env=alone_env, stdout=report, stderr=subprocess.STDOUT)
        try:
            together_status = subprocess.run(together).returncode
        finally:
            alone_status = alone.wait()
        report.seek(0)
        print(f"\n{'=' * 30} alone: {' '.join(ALONE)} {'=' * 30}", flush=True)
        sys.stdout.write(report.read())
    return together_status or alone_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
