"""One run at a time per lake: a lock file that a second run refuses to pass.

Local lakes only. On AWS the Glue jobs and the workflow are deployed with at most one
concurrent run (infra/stacks), which gives the same guarantee without a lock object.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ecom.errors import EcomError
from ecom.storage.lake import is_local

LOCK_NAME = "_run.lock"


class LakeLockedError(EcomError):
    """Another run holds the lake."""


def _alive(pid: int) -> bool:
    """True when a process with this id runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(path: Path) -> dict[str, object]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _is_stale(holder: dict[str, object]) -> bool:
    """A lock left by a process of this host that is gone (killed runs leave one behind)."""
    pid = holder.get("pid")
    return holder.get("host") == socket.gethostname() and isinstance(pid, int) and not _alive(pid)


@contextmanager
def lake_lock(lake_root: str, run_id: str) -> Iterator[Path | None]:
    """Hold `<lake>/_run.lock` while a run writes; raise LakeLockedError if another run does."""
    if not is_local(lake_root):
        yield None
        return
    lake = Path(lake_root)
    lake.mkdir(parents=True, exist_ok=True)
    path = lake / LOCK_NAME
    holder = {
        "run_id": run_id,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            current = _holder(path)
            if _is_stale(current):
                path.unlink(missing_ok=True)
                continue
            run, pid = current.get("run_id", "?"), current.get("pid", "?")
            raise LakeLockedError(
                f"--lake {lake_root}: run {run} (pid {pid}, started "
                f"{current.get('started_at', '?')}) is still running; wait for it, or "
                f"delete {path} if that process is gone"
            ) from None
        with os.fdopen(descriptor, "w") as handle:
            json.dump(holder, handle)
        break
    try:
        yield path
    finally:
        if _holder(path).get("run_id") == run_id:
            path.unlink(missing_ok=True)
