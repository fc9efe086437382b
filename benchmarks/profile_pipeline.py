"""Profile a full run of the pipeline from Spark's own metrics: where the time goes, per part.

For each size (5M and 20M events by default) it generates ONE clickstream CSV file (3 months,
seed 7; cached in benchmarks/out), then runs, each in its own process, on that file:
  * `ecom run --raw FILE --lake LAKE --full-refresh` with Spark's event log written to
    benchmarks/out (through $ECOM_SPARK_CONF, see ecom.runtime.spark.local_session) and the
    main thread under cProfile (wall-clock time of the driver-side steps: file judging,
    publications, catalog);
  * the minimal DuckDB reference workload (../shared/bench/reference_duckdb.py, 2 threads);
  * the project's DuckDB baseline (benchmarks/duckdb_baseline.sql, as bench_pipeline.py runs
    it);
and prints, from the event log's jobs, stages and task metrics, one row per part of the run
(startup, file judging, CSV decode + validation, de-duplication + staged write, each
dimension, facts, summaries, data-quality checks, publication and catalog): wall seconds,
task seconds (executorRunTime), CPU seconds, GC, shuffle read/write, spill, input and output;
then the stages that cost most with the operators that ran in them, whether a Python worker
was on the row path, peak RSS of each process tree (sampled every 100 ms), the ratios
`ecom run / reference` and `ecom run / project baseline`, and the 20M/5M wall-time ratio.
Raw figures go to benchmarks/results/profile-<date>-<size>.json; the event logs (tens of
MB) stay in benchmarks/out. Not a test.

    python benchmarks/profile_pipeline.py [--sizes 5000000,20000000]

A part's wall seconds are its SQL executions' spans (first start to last end, overlaps
merged); the model job writes up to six tables at a time, so the model's parts overlap and
their task seconds, not their wall seconds, are the shares of the machine they took.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_pipeline import (  # noqa: E402
    BASELINE_SQL,
    OUT,
    Measured,
    figures,
    run_measured,
    unexecuted_fork,
)
from jvm_cpu import TICKS, kind, machine_ticks, spark_jvms, thread_ticks  # noqa: E402

RESULTS = HERE / "results"
REFERENCE = REPO.parent / "shared" / "bench" / "reference_duckdb.py"
SEED = 7
MB = 1e6

# Parts of a run, in the order printed. Curated tables map to the part they belong to (a
# dimension's state table with the dimension).
PARTS: tuple[str, ...] = (
    "startup (python, JVM, SparkContext)",
    "ingest: file judging (list, header, screen)",
    "ingest: CSV decode + validate -> shuffle",
    "ingest: dedupe + sort + staged write",
    "ingest: quarantine",
    "ingest: driver (build, plan, publish)",
    "model: read staged (list, count)",
    "dim_time",
    "dim_product (+ product_state)",
    "dim_category (+ category_state)",
    "dim_user",
    "fact_purchases",
    "fact_sessions",
    "fact_daily_summary",
    "fact_monthly_summary",
    "data-quality checks",
    "publish (dq_results, document, vacuum)",
    "catalog + run report",
    "exit (summary, JVM shutdown)",
    "other",
)
TABLE_PARTS: dict[str, str] = {
    "dim_time": "dim_time",
    "product_state": "dim_product (+ product_state)",
    "dim_product": "dim_product (+ product_state)",
    "category_state": "dim_category (+ category_state)",
    "dim_category": "dim_category (+ category_state)",
    "dim_user": "dim_user",
    "fact_purchases": "fact_purchases",
    "fact_sessions": "fact_sessions",
    "fact_daily_summary": "fact_daily_summary",
    "fact_monthly_summary": "fact_monthly_summary",
    "dq_results": "publish (dq_results, document, vacuum)",
}
# Plan operators and RDDs that mean a Python worker handles rows.
PYTHON_OPERATORS = re.compile(r"Python|Pandas|ArrowEval|MapInArrow|BatchEval|PythonUDF")
# Operator metrics worth keeping per stage (milliseconds or bytes, summed over tasks).
OPERATOR_METRICS = ("sort time", "spill size", "time in aggregation build", "scan time")


# ---------------------------------------------------------------- the Spark event log


@dataclass
class Totals:
    """Task metrics summed over tasks (times in seconds, sizes in bytes)."""

    tasks: int = 0
    run_s: float = 0.0
    cpu_s: float = 0.0
    gc_s: float = 0.0
    shuffle_read_bytes: int = 0
    shuffle_read_records: int = 0
    shuffle_write_bytes: int = 0
    shuffle_write_records: int = 0
    spill_memory_bytes: int = 0
    spill_disk_bytes: int = 0
    input_bytes: int = 0
    input_records: int = 0
    output_bytes: int = 0
    output_records: int = 0
    peak_execution_memory: int = 0

    def add_task(self, metrics: dict[str, Any]) -> None:
        shuffle_read = metrics.get("Shuffle Read Metrics", {})
        shuffle_write = metrics.get("Shuffle Write Metrics", {})
        self.tasks += 1
        self.run_s += metrics.get("Executor Run Time", 0) / 1000
        self.cpu_s += metrics.get("Executor CPU Time", 0) / 1e9
        self.gc_s += metrics.get("JVM GC Time", 0) / 1000
        self.shuffle_read_bytes += shuffle_read.get("Remote Bytes Read", 0)
        self.shuffle_read_bytes += shuffle_read.get("Local Bytes Read", 0)
        self.shuffle_read_records += shuffle_read.get("Total Records Read", 0)
        self.shuffle_write_bytes += shuffle_write.get("Shuffle Bytes Written", 0)
        self.shuffle_write_records += shuffle_write.get("Shuffle Records Written", 0)
        self.spill_memory_bytes += metrics.get("Memory Bytes Spilled", 0)
        self.spill_disk_bytes += metrics.get("Disk Bytes Spilled", 0)
        self.input_bytes += metrics.get("Input Metrics", {}).get("Bytes Read", 0)
        self.input_records += metrics.get("Input Metrics", {}).get("Records Read", 0)
        self.output_bytes += metrics.get("Output Metrics", {}).get("Bytes Written", 0)
        self.output_records += metrics.get("Output Metrics", {}).get("Records Written", 0)
        self.peak_execution_memory = max(
            self.peak_execution_memory, metrics.get("Peak Execution Memory", 0)
        )

    def add(self, other: Totals) -> None:
        for name, value in vars(other).items():
            if name == "peak_execution_memory":
                self.peak_execution_memory = max(self.peak_execution_memory, value)
            else:
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, Any]:
        return {
            name: round(value, 2) if isinstance(value, float) else value
            for name, value in vars(self).items()
        }


@dataclass
class Stage:
    stage_id: int
    name: str = ""
    submitted: float | None = None  # epoch seconds
    completed: float | None = None
    job_id: int | None = None
    totals: Totals = field(default_factory=Totals)
    accumulables: dict[int, float] = field(default_factory=dict)
    rdd_names: list[str] = field(default_factory=list)
    part: str = "other"

    @property
    def wall(self) -> float:
        if self.submitted is None or self.completed is None:
            return 0.0
        return self.completed - self.submitted


@dataclass
class Execution:
    execution_id: int
    description: str
    plan: str
    started: float
    ended: float | None = None
    part: str = "other"


@dataclass
class Job:
    job_id: int
    submitted: float
    stage_ids: list[int]
    execution_id: int | None
    description: str
    ended: float | None = None


@dataclass
class EventLog:
    """What a run's event log says: its timeline, SQL executions, jobs and stages."""

    submit_time: float = 0.0  # spark-submit's JVM started (spark.app.submitTime)
    app_start: float = 0.0  # SparkContext created
    ready: float = 0.0  # the local executor registered: the context is up
    app_end: float = 0.0
    executions: dict[int, Execution] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    stages: dict[int, Stage] = field(default_factory=dict)
    operators: dict[int, tuple[str, str]] = field(default_factory=dict)  # accumulator id
    operator_names: set[str] = field(default_factory=set)
    gc_seconds: float = 0.0


def _plan_operators(plan: dict[str, Any], log: EventLog) -> None:
    log.operator_names.add(plan["nodeName"])
    for metric in plan.get("metrics", []):
        log.operators[metric["accumulatorId"]] = (plan["nodeName"], metric["name"])
    for child in plan.get("children", []):
        _plan_operators(child, log)


def _executor_metrics(metrics: dict[str, Any], log: EventLog) -> None:
    log.gc_seconds = max(log.gc_seconds, metrics.get("TotalGCTime", 0) / 1000)


def read_event_log(path: Path) -> EventLog:
    """Parse a Spark event log (one JSON event per line)."""
    log = EventLog()
    with path.open() as handle:
        for line in handle:
            event = json.loads(line)
            kind = event["Event"].rsplit(".", 1)[-1]
            if kind == "SparkListenerApplicationStart":
                log.app_start = event["Timestamp"] / 1000
            elif kind == "SparkListenerEnvironmentUpdate":
                properties = dict(event.get("Spark Properties", []))
                log.submit_time = int(properties.get("spark.app.submitTime", 0)) / 1000
            elif kind == "SparkListenerExecutorAdded" and not log.ready:
                log.ready = event["Timestamp"] / 1000
            elif kind == "SparkListenerApplicationEnd":
                log.app_end = event["Timestamp"] / 1000
            elif kind == "SparkListenerSQLExecutionStart":
                log.executions[event["executionId"]] = Execution(
                    event["executionId"],
                    event["description"],
                    event["physicalPlanDescription"],
                    event["time"] / 1000,
                )
                _plan_operators(event["sparkPlanInfo"], log)
            elif kind == "SparkListenerSQLAdaptiveExecutionUpdate":
                _plan_operators(event["sparkPlanInfo"], log)
            elif kind == "SparkListenerSQLExecutionEnd":
                log.executions[event["executionId"]].ended = event["time"] / 1000
            elif kind == "SparkListenerJobStart":
                properties = event.get("Properties") or {}
                execution = properties.get("spark.sql.execution.id")
                description = properties.get("spark.job.description") or properties.get(
                    "callSite.short", ""
                )
                log.jobs[event["Job ID"]] = Job(
                    event["Job ID"],
                    event["Submission Time"] / 1000,
                    list(event["Stage IDs"]),
                    int(execution) if execution is not None else None,
                    description,
                )
            elif kind == "SparkListenerJobEnd":
                log.jobs[event["Job ID"]].ended = event["Completion Time"] / 1000
            elif kind == "SparkListenerStageCompleted":
                info = event["Stage Info"]
                stage = log.stages.setdefault(info["Stage ID"], Stage(info["Stage ID"]))
                stage.name = info["Stage Name"]
                stage.submitted = (info.get("Submission Time") or 0) / 1000 or None
                stage.completed = (info.get("Completion Time") or 0) / 1000 or None
                stage.rdd_names = [rdd["Name"] for rdd in info.get("RDD Info", [])]
                for accumulable in info.get("Accumulables", []):
                    with contextlib.suppress(TypeError, ValueError):  # e.g. observed rows
                        stage.accumulables[accumulable["ID"]] = float(accumulable["Value"])
            elif kind == "SparkListenerTaskEnd":
                stage = log.stages.setdefault(event["Stage ID"], Stage(event["Stage ID"]))
                stage.totals.add_task(event.get("Task Metrics") or {})
            elif kind in (
                "SparkListenerStageExecutorMetrics",
                "SparkListenerExecutorMetricsUpdate",
            ):
                metrics = event.get("Executor Metrics")
                if metrics:
                    _executor_metrics(metrics, log)
                for update in event.get("Executor Metrics Updated", []) or []:
                    _executor_metrics(update.get("Executor Metrics", {}), log)
    for job in sorted(log.jobs.values(), key=lambda job: job.job_id):
        for stage_id in job.stage_ids:  # a stage runs in the first job that lists it
            stage = log.stages.get(stage_id)
            if stage is not None and stage.job_id is None:
                stage.job_id = job.job_id
    return log


def written_table(plan: str) -> str | None:
    """The table an execution writes (`staged/events`, `quarantine`, a curated table)."""
    match = re.search(
        r"Execute InsertIntoHadoopFsRelationCommand\n.*?Arguments: (\S+?),", plan, re.S
    )
    if match is None:
        return None
    path = match.group(1)
    curated = re.search(r"/curated/([^/]+)/", path)
    if curated:
        return curated.group(1)
    if "/quarantine" in path:
        return "quarantine"
    if "/staged/" in path:
        return "staged"
    return path


def classify(log: EventLog) -> None:
    """Give every SQL execution, job and stage the part of the run it belongs to."""
    ingest_end = max(
        (
            ex.ended or ex.started
            for ex in log.executions.values()
            if written_table(ex.plan) in ("staged", "quarantine")
        ),
        default=0.0,
    )
    for execution in log.executions.values():
        table = written_table(execution.plan)
        if table == "staged":
            execution.part = "ingest: dedupe + sort + staged write"  # split by stage below
        elif table == "quarantine":
            execution.part = "ingest: quarantine"
        elif table in TABLE_PARTS:
            execution.part = TABLE_PARTS[table]
        elif execution.started <= ingest_end:
            execution.part = "ingest: driver (build, plan, publish)"
        elif execution.description.startswith("count at"):
            execution.part = "model: read staged (list, count)"
        elif execution.description.startswith(("collect at", "collectToPython")):
            execution.part = "data-quality checks"
    for stage in log.stages.values():
        job = log.jobs.get(stage.job_id) if stage.job_id is not None else None
        if job is None:
            continue
        if job.execution_id is not None and job.execution_id in log.executions:
            execution = log.executions[job.execution_id]
            stage.part = execution.part
            reads_raw = stage.totals.input_bytes and not stage.totals.shuffle_read_bytes
            if execution.part == "ingest: dedupe + sort + staged write" and reads_raw:
                stage.part = "ingest: CSV decode + validate -> shuffle"
        else:  # parallel file listing of a partitioned table, named in the description
            curated = re.search(r"/curated/([^/]+)/", job.description)
            if curated and curated.group(1) in TABLE_PARTS:
                stage.part = TABLE_PARTS[curated.group(1)]
            elif "/staged/" in job.description:
                staged_read = job.submitted > ingest_end
                stage.part = (
                    "model: read staged (list, count)"
                    if staged_read
                    else "ingest: driver (build, plan, publish)"
                )


def merged_length(intervals: list[tuple[float, float]]) -> float:
    """Total length covered by some intervals (overlaps counted once)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop <= end:
            continue
        total += stop - max(start, end)
        end = stop
    return total


def stage_operators(stage: Stage, log: EventLog) -> tuple[list[str], dict[str, float]]:
    """Operators whose metrics a stage updated, and the chosen operator metrics summed."""
    names: list[str] = []
    chosen: dict[str, float] = defaultdict(float)
    for accumulator, value in stage.accumulables.items():
        if accumulator not in log.operators:
            continue
        node, metric = log.operators[accumulator]
        node = node.strip()
        if not node.startswith(("WholeStageCodegen", "InputAdapter")) and node not in names:
            names.append(node)
        if metric in OPERATOR_METRICS:
            chosen[f"{node}: {metric}"] += value
    return names, dict(chosen)


def stage_kind(stage: Stage, operators: list[str]) -> str:
    """What a stage did, from its metrics: where rows came from and where they went."""
    totals = stage.totals
    if totals.input_bytes:
        source = next(
            (
                label
                for name, label in (
                    ("Scan text", "CSV text"),
                    ("Scan parquet", "Parquet"),
                    ("Scan csv", "CSV"),
                )
                if any(op.startswith(name) for op in operators)
            ),
            "files",
        )
    elif totals.shuffle_read_bytes:
        source = "shuffle"
    elif any(op.startswith("InMemoryTableScan") for op in operators):
        source = "cache"
    else:
        source = "driver data"
    if totals.output_bytes:
        sink = "Parquet write"
    elif totals.shuffle_write_bytes:
        sink = "shuffle write"
    else:
        sink = "result"
    return f"{source} -> {sink}"


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


def generate(rows: int) -> Path:
    """One raw CSV file of `rows` events (seed 7, 3 months), cached on disk."""
    raw = OUT / f"profile-raw-{rows}"
    marker = raw / "_COMPLETE"
    if not marker.exists():
        shutil.rmtree(raw, ignore_errors=True)
        command = [sys.executable, "-m", "ecom.cli", "generate", "--single-file"]
        command += ["--rows", str(rows), "--months", "3", "--seed", str(SEED), "--out", str(raw)]
        subprocess.run(command, check=True)
        marker.write_text("")
    (csv,) = [path for path in raw.iterdir() if path.name.endswith((".csv", ".csv.gz"))]
    return csv


@dataclass
class EcomRun:
    measured: Measured
    launched: float  # epoch seconds
    ended: float
    report: dict[str, Any]
    report_written: float  # epoch seconds (the report file's mtime)
    log: EventLog
    driver: dict[str, float | None]
    driver_top: list[list[Any]]
    lake: Path
    cpu: dict[str, Any]


def run_ecom(csv: Path, rows: int) -> EcomRun:
    """`ecom run --full-refresh` with the event log on and the driver under cProfile."""
    lake, events = OUT / f"profile-lake-{rows}", OUT / f"profile-events-{rows}"
    profile = OUT / f"profile-driver-{rows}.prof"
    for path in (lake, events):
        shutil.rmtree(path, ignore_errors=True)
    events.mkdir(parents=True)
    profile.unlink(missing_ok=True)
    conf = {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": events.as_uri(),
        # Per-stage peaks of the JVM's memory and GC (process-tree metrics stay off: they
        # fork pgrep and getconf every few seconds, which a normal run does not).
        "spark.eventLog.logStageExecutorMetrics": "true",
    }
    env = {**os.environ, "ECOM_SPARK_CONF": " ".join(f"{k}={v}" for k, v in conf.items())}
    run_id = f"profile-{rows}"
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "ecom.cli", "run"]
    command += ["--raw", str(csv), "--lake", str(lake), "--full-refresh", "--quiet"]
    command += ["--run-id", run_id]
    with TreeCpu() as cpu:
        launched = time.time()
        measured = run_measured(command, env)
        ended = time.time()
    report_path = lake / "reports" / "runs" / f"{run_id}.json"
    (log_path,) = list(events.iterdir())
    return EcomRun(
        measured,
        launched,
        ended,
        json.loads(report_path.read_text()),
        report_path.stat().st_mtime,
        read_event_log(log_path),
        driver_seconds(profile),
        driver_top(profile),
        lake,
        cpu.figures,
    )


def run_reference(csv: Path, rows: int, script: Path) -> dict[str, Any] | None:
    """The shared minimal DuckDB workload on the same file (its own process, 2 threads)."""
    if not script.exists():
        print(f"reference workload not found ({script}): skipped", file=sys.stderr)
        return None
    out = OUT / f"profile-reference-{rows}"
    printed = OUT / f"profile-reference-{rows}.json"
    shutil.rmtree(out, ignore_errors=True)
    shell = f"'{sys.executable}' '{script}' --input '{csv}' --out '{out}' --threads 2 > '{printed}'"
    with TreeCpu() as cpu:
        measured = run_measured(["bash", "-c", shell])
    return {
        "wall_seconds": round(measured.wall_seconds, 2),
        "peak_rss_bytes": measured.peak_rss_bytes,
        "printed": json.loads(printed.read_text().strip().splitlines()[-1]),
        "machine": cpu.figures,
    }


def run_baseline(csv: Path, rows: int) -> tuple[dict[str, Any], Path]:
    """The project's DuckDB baseline (benchmarks/duckdb_baseline.sql) on the same file."""
    out = OUT / f"profile-duckdb-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sql = BASELINE_SQL.read_text().replace("{raw_glob}", str(csv)).replace("{out}", str(out))
    (out / "baseline.sql").write_text(sql)
    script = "import duckdb, sys; duckdb.connect().execute(sys.stdin.read())"
    shell = f"'{sys.executable}' -c '{script}' < '{out / 'baseline.sql'}'"
    with TreeCpu() as cpu:
        measured = run_measured(["bash", "-c", shell])
    figures_ = {
        "wall_seconds": round(measured.wall_seconds, 2),
        "peak_rss_bytes": measured.peak_rss_bytes,
        "machine": cpu.figures,
    }
    return figures_, out


# ---------------------------------------------------------------- the breakdown


def breakdown(run: EcomRun) -> list[dict[str, Any]]:
    """One row per part: wall seconds and summed task metrics."""
    log, report, driver = run.log, run.report, run.driver
    classify(log)
    seconds = report["seconds"]
    ingest_start = run.report_written - seconds["total"]
    totals: dict[str, Totals] = defaultdict(Totals)
    stages: dict[str, list[int]] = defaultdict(list)
    for stage in log.stages.values():
        totals[stage.part].add(stage.totals)
        stages[stage.part].append(stage.stage_id)
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for execution in log.executions.values():
        spans[execution.part].append((execution.started, execution.ended or execution.started))
    for job in log.jobs.values():
        if job.execution_id is None:
            parts = {log.stages[s].part for s in job.stage_ids if s in log.stages}
            for part in parts:
                spans[part].append((job.submitted, job.ended or job.submitted))
    wall: dict[str, float | None] = {part: merged_length(spans[part]) for part in spans}
    # The two ingest parts share one SQL execution: split it at its stages.
    ingest_stages = [
        log.stages[s]
        for part in (
            "ingest: CSV decode + validate -> shuffle",
            "ingest: dedupe + sort + staged write",
        )
        for s in stages.get(part, [])
    ]
    for part in (
        "ingest: CSV decode + validate -> shuffle",
        "ingest: dedupe + sort + staged write",
    ):
        intervals = [
            (s.submitted, s.completed)
            for s in ingest_stages
            if s.part == part and s.submitted and s.completed
        ]
        wall[part] = merged_length(intervals)
    judging = sum(
        driver[name] or 0.0 for name in ("list_raw_files", "screen_raw_files", "group_by_layout")
    )
    wall["ingest: file judging (list, header, screen)"] = (
        judging if driver["list_raw_files"] else None
    )
    ingest_spark = merged_length(
        [(s.submitted, s.completed) for s in ingest_stages if s.submitted and s.completed]
    )
    wall["ingest: driver (build, plan, publish)"] = (
        seconds["ingest"] - judging - ingest_spark - (wall.get("ingest: quarantine") or 0.0)
    )
    wall["startup (python, JVM, SparkContext)"] = ingest_start - run.launched
    if driver["publish_checked"] is not None:
        wall["publish (dq_results, document, vacuum)"] = driver["publish_checked"]
    catalog = seconds["total"] - seconds["ingest"] - seconds.get("model", 0.0)
    wall["catalog + run report"] = catalog + (driver["save_report"] or 0.0)
    wall["exit (summary, JVM shutdown)"] = run.ended - run.report_written
    rows = []
    for part in PARTS:
        if part not in wall and part not in totals:
            continue
        rows.append(
            {
                "part": part,
                "wall_s": None if wall.get(part) is None else round(wall[part], 2),
                "stages": sorted(stages.get(part, [])),
                **totals[part].as_dict(),
            }
        )
    return rows


def top_stages(log: EventLog, count: int = 12) -> list[dict[str, Any]]:
    """The stages with the most task time, with the operators that ran in them."""
    ranked = sorted(log.stages.values(), key=lambda stage: -stage.totals.run_s)[:count]
    result = []
    for stage in ranked:
        operators, chosen = stage_operators(stage, log)
        result.append(
            {
                "stage": stage.stage_id,
                "job": stage.job_id,
                "part": stage.part,
                "kind": stage_kind(stage, operators),
                "wall_s": round(stage.wall, 2),
                "operators": operators,
                "operator_metrics": {
                    name: value / 1000 if "time" in name else int(value)
                    for name, value in chosen.items()
                },
                **stage.totals.as_dict(),
            }
        )
    return result


def python_on_row_path(log: EventLog, workers: dict[str, Any]) -> dict[str, Any]:
    """Plan operators and stages that run Python workers, and the workers' processes
    (`workers`: how many, their CPU seconds and peak RSS, as sampled).

    A Python worker is on the row path when a plan has a Python operator (a UDF, mapInPandas,
    mapInArrow...) or a stage with a Python RDD reads rows from files or a shuffle; a stage
    that only turns a few driver-side rows into a DataFrame (createDataFrame) is not.
    """
    operators = sorted(name for name in log.operator_names if PYTHON_OPERATORS.search(name))
    stages = [
        {
            "stage": stage.stage_id,
            "part": stage.part,
            "rdds": sorted({name for name in stage.rdd_names if "Python" in name}),
            "rows_in": stage.totals.input_records + stage.totals.shuffle_read_records,
            "rows_out": stage.totals.output_records + stage.totals.shuffle_write_records,
            "task_s": round(stage.totals.run_s, 2),
        }
        for stage in sorted(log.stages.values(), key=lambda stage: stage.stage_id)
        if any("Python" in name for name in stage.rdd_names)
    ]
    return {
        "python_operators": operators,
        "python_stages": stages,
        "python_workers": workers,
        "on_row_path": bool(operators) or any(stage["rows_in"] for stage in stages),
    }


def timeline(run: EcomRun) -> dict[str, float]:
    """Seconds from launch to the startup milestones, and the run's own steps."""
    log, seconds = run.log, run.report["seconds"]
    ingest_start = run.report_written - seconds["total"]
    return {
        "spark_submit_jvm_started": round(log.submit_time - run.launched, 2),
        "spark_context_created": round(log.app_start - run.launched, 2),
        "executor_ready": round(log.ready - run.launched, 2),
        "ingest_started": round(ingest_start - run.launched, 2),
        "first_job_submitted": round(
            min(job.submitted for job in log.jobs.values()) - run.launched, 2
        ),
        "report_written": round(run.report_written - run.launched, 2),
        "application_end": round(log.app_end - run.launched, 2) if log.app_end else None,
        "process_end": round(run.ended - run.launched, 2),
    }


def reanalyse(path: Path) -> dict[str, Any]:
    """Saved results with the breakdown derived again from the event log, driver profile and
    lake the run left in benchmarks/out (after the attribution rules changed, say)."""
    result = json.loads(path.read_text())
    rows, ecom = result["events"], result["ecom_run"]
    (log_path,) = list((OUT / f"profile-events-{rows}").iterdir())
    log = read_event_log(log_path)
    lake, profile = OUT / f"profile-lake-{rows}", OUT / f"profile-driver-{rows}.prof"
    launched = log.app_start - ecom["timeline"]["spark_context_created"]
    run = EcomRun(
        Measured(ecom["wall_seconds"], ecom["peak_rss_bytes"]),
        launched,
        launched + ecom["timeline"]["process_end"],
        json.loads((lake / "reports" / "runs" / f"profile-{rows}.json").read_text()),
        launched + ecom["timeline"]["report_written"],
        log,
        driver_seconds(profile),
        driver_top(profile),
        lake,
        ecom["machine"],
    )
    result["parts"] = breakdown(run)
    result["top_stages"] = top_stages(log)
    result["python"] = python_on_row_path(log, ecom["machine"]["python_workers"])
    return result


def profile_size(rows: int, reference: Path) -> dict[str, Any]:
    csv = generate(rows)
    print(f"\n== {rows:,} events: {csv} ({csv.stat().st_size / MB:,.0f} MB)", flush=True)
    run = run_ecom(csv, rows)
    print(f"ecom run: {run.measured.wall_seconds:.1f} s", flush=True)
    ref = run_reference(csv, rows, reference)
    if ref:
        print(f"reference: {ref['wall_seconds']:.1f} s", flush=True)
    baseline, baseline_out = run_baseline(csv, rows)
    print(f"project baseline: {baseline['wall_seconds']:.1f} s", flush=True)
    ours = figures(run.lake / "staged", run.lake / "curated")
    theirs = figures(baseline_out / "staged", baseline_out)
    parts = breakdown(run)
    wall = run.measured.wall_seconds
    return {
        "date": date.today().isoformat(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
        ).stdout.strip(),
        "events": rows,
        "raw_bytes": csv.stat().st_size,
        "cores": os.cpu_count(),
        "ecom_run": {
            "wall_seconds": round(wall, 2),
            "peak_rss_bytes": run.measured.peak_rss_bytes,
            "report_seconds": run.report["seconds"],
            "table_seconds": run.report["table_seconds"],
            "rows": run.report["rows"],
            "timeline": timeline(run),
            "driver_seconds": run.driver,
            "driver_top_functions": run.driver_top,
            "jvm_gc_seconds": round(run.log.gc_seconds, 2),
            "machine": run.cpu,
        },
        "parts": parts,
        "top_stages": top_stages(run.log),
        "python": python_on_row_path(run.log, run.cpu["python_workers"]),
        "reference_duckdb": ref,
        "project_baseline": {**baseline, "figures": theirs, "agrees_with_ecom": ours == theirs},
        "ratios": {
            "ecom_over_reference": round(wall / ref["wall_seconds"], 2) if ref else None,
            "ecom_over_project_baseline": round(wall / baseline["wall_seconds"], 2),
        },
    }


def size_label(rows: int) -> str:
    return f"{rows // 1_000_000}M" if rows % 1_000_000 == 0 else str(rows)


def _mb(value: int) -> str:
    return f"{value / MB:,.0f}" if value else "-"


def print_result(result: dict[str, Any]) -> None:
    run = result["ecom_run"]
    seconds = run["report_seconds"]
    print(
        f"\n{result['events']:,} events ({result['raw_bytes'] / MB:,.0f} MB CSV): ecom run "
        f"{run['wall_seconds']:.1f} s wall (ingest {seconds['ingest']:.1f}, model "
        f"{seconds.get('model', 0):.1f}); peak RSS {run['peak_rss_bytes'] / 2**30:.2f} GiB; "
        f"other load {run['machine']['others_cores']} cores, load avg "
        f"{run['machine']['load_1min_before']}"
    )
    total_task = sum(part["run_s"] for part in result["parts"]) or 1.0
    total_cpu = sum(part["cpu_s"] for part in result["parts"]) or 1.0
    header = (
        f"{'part':<42} {'wall s':>7} {'task s':>7} {'task%':>6} {'cpu s':>7} {'cpu%':>6} "
        f"{'gc s':>5} {'shufR MB':>8} {'shufW MB':>8} {'spill MB':>8} {'in MB':>7} "
        f"{'in rows':>11} {'out MB':>7} {'out rows':>11}"
    )
    print(header)
    print("-" * len(header))
    for part in result["parts"]:
        wall = "" if part["wall_s"] is None else f"{part['wall_s']:.1f}"
        spill = part["spill_disk_bytes"]  # as written to disk (in memory it was larger)
        print(
            f"{part['part']:<42} {wall:>7} {part['run_s']:>7.1f} "
            f"{100 * part['run_s'] / total_task:>5.1f}% {part['cpu_s']:>7.1f} "
            f"{100 * part['cpu_s'] / total_cpu:>5.1f}% "
            f"{part['gc_s']:>5.1f} {_mb(part['shuffle_read_bytes']):>8} "
            f"{_mb(part['shuffle_write_bytes']):>8} {_mb(spill):>8} "
            f"{_mb(part['input_bytes']):>7} {part['input_records'] or '-':>11} "
            f"{_mb(part['output_bytes']):>7} {part['output_records'] or '-':>11}"
        )
    print(
        f"{'total':<42} {run['wall_seconds']:>7.1f} {total_task:>7.1f} {'':>6} {total_cpu:>7.1f}"
        f"   (task time = {total_task / run['wall_seconds'] / result['cores']:.0%} of "
        f"{result['cores']} cores x wall; task CPU = {total_cpu / total_task:.0%} of task time)"
    )
    machine = run["machine"]
    if machine.get("spark_jvm_cpu_s_by_thread_kind"):
        threads = machine["spark_jvm_cpu_s_by_thread_kind"]
        print(
            f"CPU seconds of the run's processes: {machine['own_cpu_s']} "
            f"({', '.join(f'{k} {v}' for k, v in machine['cpu_s_by_process'].items())}); "
            f"Spark JVM by thread: {', '.join(f'{k} {v}' for k, v in threads.items())}"
        )
    print("\nstages with the most task time:")
    for stage in result["top_stages"][:8]:
        metrics = ", ".join(
            f"{name} {value:.1f}s" if isinstance(value, float) else f"{name} {value / MB:.0f}MB"
            for name, value in stage["operator_metrics"].items()
            if value
        )
        print(
            f"  stage {stage['stage']:>3} {stage['part']:<36} {stage['kind']:<28} "
            f"wall {stage['wall_s']:5.1f} task {stage['run_s']:6.1f} cpu {stage['cpu_s']:6.1f}"
            f" spill {_mb(stage['spill_memory_bytes'])} MB in memory, "
            f"{_mb(stage['spill_disk_bytes'])} MB on disk"
        )
        print(f"        {', '.join(stage['operators'])}" + (f"  [{metrics}]" if metrics else ""))
    python = result["python"]
    elsewhere = ", ".join(
        f"stage {stage['stage']} ({stage['part']}: {stage['rows_in']} rows in, "
        f"{stage['rows_out']} out, {stage['task_s']} task s)"
        for stage in python["python_stages"]
    )
    print(
        f"\nPython on the row path: {'YES' if python['on_row_path'] else 'no'} (Python "
        f"operators: {', '.join(python['python_operators']) or 'none'}; stages with a Python "
        f"RDD: {elsewhere or 'none'}; Python workers: {python['python_workers']})"
    )
    ref, baseline = result["reference_duckdb"], result["project_baseline"]
    ratios = result["ratios"]
    if ref:
        print(
            f"reference DuckDB: {ref['wall_seconds']:.1f} s, peak "
            f"{ref['peak_rss_bytes'] / 2**30:.2f} GiB; ecom run / reference = "
            f"{ratios['ecom_over_reference']}"
        )
    print(
        f"project baseline: {baseline['wall_seconds']:.1f} s, peak "
        f"{baseline['peak_rss_bytes'] / 2**30:.2f} GiB; ecom run / project baseline = "
        f"{ratios['ecom_over_project_baseline']} (same results: {baseline['agrees_with_ecom']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000000,20000000")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument(
        "--show", type=Path, nargs="+", help="print the tables of saved results, run nothing"
    )
    parser.add_argument(
        "--reanalyse",
        type=Path,
        nargs="+",
        help="derive the breakdown of saved results again from the event log, driver profile "
        "and lake of their run (still in benchmarks/out), run nothing",
    )
    args = parser.parse_args()
    if args.show:
        for path in args.show:
            print_result(json.loads(path.read_text()))
        return
    if args.reanalyse:
        for path in args.reanalyse:
            result = reanalyse(path)
            path.write_text(json.dumps(result, indent=1) + "\n")
            print_result(result)
        return
    OUT.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    results = {}
    for rows in [int(size) for size in args.sizes.split(",")]:
        result = profile_size(rows, args.reference)
        results[rows] = result
        print_result(result)
    if 20_000_000 in results:  # against this invocation's 5M run, else today's saved one
        today = RESULTS / f"profile-{results[20_000_000]['date']}-5M.json"
        small = results.get(5_000_000) or (
            json.loads(today.read_text()) if today.exists() else None
        )
        if small is not None:
            ratio = (
                results[20_000_000]["ecom_run"]["wall_seconds"] / small["ecom_run"]["wall_seconds"]
            )
            results[20_000_000]["ecom_run"]["wall_ratio_20m_over_5m"] = round(ratio, 2)
            print(f"\necom run 20M/5M wall-time ratio: {ratio:.2f}")
    for rows, result in results.items():
        path = RESULTS / f"profile-{result['date']}-{size_label(rows)}.json"
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
