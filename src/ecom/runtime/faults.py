"""Named points where a test kills the run with SIGKILL, to prove crash safety.

`ECOM_KILL_AT=<point>` in the environment makes the process kill itself, with no chance to
clean up, when it reaches that point: `checkpoint("model:before_publish")` between steps, or
`during_write("model:write:fact_sessions", path)` while Spark is writing a table (a watcher
thread fires once Spark's staging folder, `_temporary` or `.spark-staging-*`, exists under
the output: the job is writing task files and has not committed). Unset, both are no-ops.
Local paths only.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from ecom.storage.lake import is_local

KILL_AT = "ECOM_KILL_AT"


def _armed(point: str) -> bool:
    return os.environ.get(KILL_AT) == point


def _kill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def checkpoint(point: str) -> None:
    """Die here when ECOM_KILL_AT names this point."""
    if _armed(point):
        _kill()


def during_write(point: str, output_path: str) -> None:
    """Die while Spark writes `output_path` when ECOM_KILL_AT names this point."""
    if not _armed(point) or not is_local(output_path):
        return
    output = Path(output_path)

    def writing() -> bool:  # Spark's committer stages task output in one of these folders
        if not output.is_dir():
            return False
        return any(
            entry.name == "_temporary" or entry.name.startswith(".spark-staging")
            for entry in output.iterdir()
        )

    def watch() -> None:
        while not writing():
            time.sleep(0.001)
        _kill()

    threading.Thread(target=watch, name=f"kill-at-{point}", daemon=True).start()
