"""``make test``'s suites, side by side: most tests in two processes (pytest-xdist, a module each), and
beside them, in one process of its own, the suites that must run alone and mostly wait (on worker and
web processes, timeouts, a proxy's faults): the fault suite, the multi-node suite (real workers on the
Redis broker, which other processes' cache clears would empty) and the schema fuzzing (under
pytest-xdist its one test per API operation would fold into one). Running them after the others made
the whole run take their wait on top; beside them, they take the CPU the others leave.

The suite alone gets its own Redis database (``REDIS_URL``'s + 3: the two processes' caches take the
next two, config/settings_test.py) and test database (pytest-django names the processes' apart). Its
report is printed after the others' (a file meanwhile, so the two never interleave); the exit status
is the first failure's. Extra arguments go to both runs (``python -m tests.run -x``)."""

import os
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit, urlunsplit

ALONE = ["tests/faults", "tests/multinode", "tests/api/test_fuzz.py"]
ALONE_REDIS_OFFSET = 3


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
    together = [*pytest, "-n", "2", "--dist", "loadfile", *(f"--ignore={path}" for path in ALONE)]
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
