"""Killed runs for the crash tests: `ecom run` in child processes that kill themselves at a
named point (ECOM_KILL_AT, ecom.runtime.faults), started ahead of the tests that check them.

Each child works on its own copy of a published lake and shares nothing with this process,
so a module's children run while this process builds the uninterrupted reference lake and
checks the kill points before theirs (at most MAX_RUNNING children at a time): the same
runs, killed at the same points, in less wall time than one after another.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.childjvm import child_env

MAX_RUNNING = 2
TIMEOUT = 600  # seconds a child may run before it counts as hung


def killed_command(raw: Path, lake: Path) -> list[str]:
    """`ecom run` of `raw` into `lake`, as the crash tests run it in a child process."""
    command = [sys.executable, "-m", "ecom.cli", "run", "--raw", str(raw), "--lake", str(lake)]
    return [*command, "--quiet", "--run-id", "killed", "--driver-memory", "1g"]


def selected_points(request: pytest.FixtureRequest, test_name: str) -> list[str]:
    """The kill points (parameter `point`) of `test_name` in the request's module that this
    session runs, in order: deselected ones (`-k`) start no child."""
    return [
        item.callspec.params["point"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and getattr(item, "originalname", None) == test_name
    ]


class KilledRuns:
    """One child per kill point, each on a copy of `base` under `root`/<point>/lake."""

    def __init__(
        self,
        raw: Path,
        base: Path,
        root: Path,
        points: list[str],
        before_kill: Callable[[Path], Any] = lambda lake: None,
    ) -> None:
        self.raw = raw
        self._lakes: dict[str, Path] = {}
        self.seen_before: dict[str, Any] = {}
        for number, point in enumerate(points):
            lake = root / f"point-{number}" / "lake"
            shutil.copytree(base, lake)
            self._lakes[point] = lake
            self.seen_before[point] = before_kill(lake)
        self._pending = list(points)
        self._running: dict[str, tuple[subprocess.Popen, float]] = {}
        self._done: dict[str, subprocess.CompletedProcess | Exception] = {}
        self._fill()

    def lake(self, point: str) -> Path:
        return self._lakes[point]

    def result(self, point: str) -> subprocess.CompletedProcess:
        """The finished child of `point` (waits for it); its stdout and stderr as text."""
        while point not in self._done:
            self._reap()
            self._fill()
            if point not in self._done:
                time.sleep(0.1)
        outcome = self._done[point]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self) -> None:
        """Kill and reap the children still running (a test failed before reading them)."""
        for process, _ in self._running.values():
            process.kill()
            process.wait()
        self._running.clear()
        self._pending.clear()

    def _fill(self) -> None:
        while self._pending and len(self._running) < MAX_RUNNING:
            point = self._pending.pop(0)
            lake = self._lakes[point]
            log = lake.parent
            with (log / "stdout").open("w") as out, (log / "stderr").open("w") as err:
                process = subprocess.Popen(
                    killed_command(self.raw, lake),
                    env=child_env(ECOM_KILL_AT=point),
                    stdout=out,
                    stderr=err,
                    text=True,
                )
            self._running[point] = (process, time.monotonic())

    def _reap(self) -> None:
        for point, (process, started) in list(self._running.items()):
            if process.poll() is None:
                if time.monotonic() - started < TIMEOUT:
                    continue
                process.kill()
                process.wait()
                outcome: subprocess.CompletedProcess | Exception = subprocess.TimeoutExpired(
                    process.args, TIMEOUT
                )
            else:
                log = self._lakes[point].parent
                outcome = subprocess.CompletedProcess(
                    process.args,
                    process.returncode,
                    (log / "stdout").read_text(),
                    (log / "stderr").read_text(),
                )
            del self._running[point]
            self._done[point] = outcome


def clean_run(spark: Any, raw_all: Path, base: Path, directory: Path) -> Path:
    """A copy of the `base` lake given every raw file in one uninterrupted run (run id r2):
    what each killed run's rerun must equal. Runs while the killed children work."""
    from ecom.jobs.pipeline import run_pipeline

    reference = directory / "lake"
    shutil.copytree(base, reference)
    run_pipeline(spark, str(raw_all), str(reference), run_id="r2", show_progress=False)
    return reference
