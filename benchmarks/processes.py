"""The driver's cProfile and the CPU of a run's process tree, sampled while it runs
(benchmarks/profile_pipeline.py)."""

from __future__ import annotations

import os
import pstats
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_pipeline import unexecuted_fork  # noqa: E402
from jvm_cpu import TICKS, kind, machine_ticks, spark_jvms, thread_ticks  # noqa: E402

# ---------------------------------------------------------------- the driver's profile


# Driver functions whose wall time (cumulative, main thread) a part takes, by module file
# name and function name. A name the code no longer has is left out (None).
DRIVER_FUNCTIONS: dict[str, tuple[str, str]] = {
    "local_session": ("spark.py", "local_session"),
    "list_raw_files": ("rawfiles.py", "list_raw_files"),
    "screen_raw_files": ("rawcheck.py", "screen_raw_files"),
    "group_by_layout": ("rawfiles.py", "group_by_layout"),
    "prune_quarantine": ("ingest.py", "prune_quarantine"),
    "run_ingest": ("ingest.py", "run_ingest"),
    "publish_staged": ("ingest.py", "publish_staged"),
    "run_model": ("model.py", "run_model"),
    "publish_checked": ("model.py", "publish_checked"),
    "register_local": ("local.py", "register_local"),
    "save_report": ("report.py", "save_report"),
}


def driver_top(profile: Path, count: int = 25) -> list[list[Any]]:
    """The project's functions with the most cumulative wall time on the driver's main
    thread: [module:function, calls, seconds]."""
    if not profile.exists():
        return []
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    rows = [
        [f"{filename.split('/src/ecom/')[-1]}:{function}", calls, round(cumulative, 2)]
        for (filename, _, function), (_, calls, _, cumulative, _) in stats.items()
        if "/src/ecom/" in filename and not function.startswith("<")
    ]
    return sorted(rows, key=lambda row: -row[2])[:count]


def driver_seconds(profile: Path) -> dict[str, float | None]:
    """Cumulative wall seconds of the driver functions above, from a cProfile dump."""
    if not profile.exists():
        return dict.fromkeys(DRIVER_FUNCTIONS)
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    found: dict[str, float | None] = dict.fromkeys(DRIVER_FUNCTIONS)
    for (filename, _, function), (_, _, _, cumulative, _) in stats.items():
        for key, (module, name) in DRIVER_FUNCTIONS.items():
            if function == name and filename.endswith(f"/{module}"):
                found[key] = round((found[key] or 0.0) + cumulative, 3)
    return found


# ---------------------------------------------------------------- runs


class TreeCpu:
    """CPU seconds used by this process's descendants while it runs (sampled every 0.2 s),
    the machine's busy CPU seconds over the same time (the rest is other load), and each
    descendant's peak RSS, with the file-backed part of it (mapped jars, class archive,
    shuffle and Parquet files: pages the kernel can drop) at that peak."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, float], tuple[str, float]] = {}
        self._rss: dict[tuple[int, float], tuple[str, int, int]] = {}
        self._threads: dict[tuple[int, str], tuple[str, int]] = {}  # Spark JVM threads
        # Peak summed RSS without and with the JVM's forks that have not exec'd yet (see
        # bench_pipeline.unexecuted_fork), and how many samples caught such a fork.
        self.peak_rss = self.peak_rss_with_forks = self.forks_seen = 0
        self._workers: set[tuple[int, float]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            counted = everything = 0
            for child in me.children(recursive=True):
                try:
                    key = (child.pid, child.create_time())
                    times, memory = child.cpu_times(), child.memory_info()
                    everything += memory.rss
                    if unexecuted_fork(child):
                        self.forks_seen += 1
                        continue
                    counted += memory.rss
                    self._seen[key] = (child.name(), times.user + times.system)
                    if key not in self._workers and "pyspark.daemon" in " ".join(child.cmdline()):
                        self._workers.add(key)  # the Python workers Spark started, if any
                    if memory.rss > self._rss.get(key, ("", 0, 0))[1]:
                        self._rss[key] = (child.name(), memory.rss, memory.shared)
                except psutil.Error:
                    pass
            self.peak_rss = max(self.peak_rss, counted)
            self.peak_rss_with_forks = max(self.peak_rss_with_forks, everything)
            try:  # the Spark JVM's threads, as benchmarks/jvm_cpu.py reads them
                for pid in spark_jvms(me):
                    for tid, value in thread_ticks(pid).items():
                        self._threads[(pid, tid)] = value
            except (OSError, psutil.Error):  # a process exited while being read
                pass
            self._stop.wait(0.2)

    def __enter__(self) -> TreeCpu:
        self.started = time.perf_counter()
        self.machine_before = machine_ticks()
        self.load_before = os.getloadavg()[0]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        busy = (machine_ticks()[0] - self.machine_before[0]) / TICKS
        wall = time.perf_counter() - self.started
        own = sum(cpu for _, cpu in self._seen.values())
        by_process: dict[str, float] = defaultdict(float)
        for name, cpu in self._seen.values():
            by_process[name] += cpu
        by_thread: dict[str, float] = defaultdict(float)
        for name, ticks in self._threads.values():
            by_thread[kind(name)] += ticks / TICKS
        self.figures = {
            "own_cpu_s": round(own, 1),
            "machine_busy_cpu_s": round(busy, 1),
            "others_cores": round(max(busy - own, 0.0) / wall, 2) if wall else None,
            "load_1min_before": round(self.load_before, 2),
            "load_1min_after": round(os.getloadavg()[0], 2),
            "peak_rss_bytes_sampled": self.peak_rss,
            "peak_rss_bytes_counting_unexecuted_forks": self.peak_rss_with_forks,
            "samples_with_unexecuted_forks": self.forks_seen,
            "python_workers": {
                "processes": len(self._workers),
                "cpu_s": round(sum(self._seen[key][1] for key in self._workers), 1),
                "peak_rss_bytes": max((self._rss[key][1] for key in self._workers), default=0),
            },
            "cpu_s_by_process": {name: round(cpu, 1) for name, cpu in by_process.items()},
            "spark_jvm_cpu_s_by_thread_kind": {
                name: round(cpu, 1) for name, cpu in sorted(by_thread.items())
            },
            "peak_rss_by_process": [
                {"process": name, "rss_bytes": rss, "file_backed_bytes": shared}
                for name, rss, shared in sorted(self._rss.values(), key=lambda item: -item[1])
                if rss > 50 * 2**20
            ],
        }
