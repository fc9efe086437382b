"""Progress while Spark works: a background thread that reports the running stage's tasks."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from pyspark import SparkContext


class StageProgress:
    """Show `step: stage N, done/total tasks` on one refreshed line while a step runs."""

    def __init__(self, sc: SparkContext, step: str, stream: TextIO | None = None) -> None:
        self.sc = sc
        self.step = step
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = 0.0

    def __enter__(self) -> StageProgress:
        self.started = time.perf_counter()
        self._write(f"{self.step}: started")
        if self.interactive:
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        status = "done" if exc_type is None else "failed"
        self._write(f"{self.step}: {status} in {time.perf_counter() - self.started:.1f}s", True)

    def _status(self) -> str | None:
        tracker = self.sc.statusTracker()
        stages = [tracker.getStageInfo(stage) for stage in tracker.getActiveStageIds()]
        stages = [stage for stage in stages if stage is not None]
        if not stages:
            return None
        done = sum(stage.numCompletedTasks for stage in stages)
        total = sum(stage.numTasks for stage in stages)
        return f"{len(stages)} stage(s) running, {done}/{total} tasks"

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            status = self._status()
            elapsed = time.perf_counter() - self.started
            if status:
                self._write(f"{self.step}: {elapsed:5.1f}s  {status}", False)

    def _write(self, text: str, final: bool = True) -> None:
        if self.interactive:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        elif final:
            self.stream.write(text + "\n")
        self.stream.flush()
