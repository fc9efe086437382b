"""Spark's event log of a profiled run, read into stages, jobs and SQL executions, and
attributed to the parts of a run (benchmarks/profile_pipeline.py)."""

from __future__ import annotations

import contextlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    "customer models (segments, churn, CLV)",
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
    **dict.fromkeys(
        (
            "customer_features",
            "dim_customer_segment",
            "model_runs",
            "customer_scores",
            "model_evaluations",
        ),
        "customer models (segments, churn, CLV)",
    ),
}
CUSTOMER_MODELS = "customer models (segments, churn, CLV)"
# Jobs of the customer models: their driver code, or MLlib's own jobs (k-means iterations,
# the logistic and linear regressions' loss aggregations, the evaluators' metrics).
MODEL_JOBS = re.compile(
    r"/models/|jobs/segments\.py|jobs/churn\.py|KMeans|LogisticRegression|LinearRegression"
    r"|RDDLossFunction|Summarizer|BinaryClassificationMetrics|ClusteringEvaluator"
)
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
    # What the stage's Python RDDs read: the names of the RDDs at the root of their lineage
    # within the stage (e.g. ParallelCollectionRDD: rows sent from the driver).
    python_sources: set[str] = field(default_factory=set)
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


def python_sources(rdd_infos: list[dict[str, Any]]) -> set[str]:
    """A stage's "RDD Info" → the names of the RDDs its Python RDDs read from: the roots of
    their lineage within the stage (RDDs whose parents are outside it, or none)."""
    by_id = {rdd["RDD ID"]: rdd for rdd in rdd_infos}
    roots: set[str] = set()
    pending = [rdd["RDD ID"] for rdd in rdd_infos if "Python" in rdd["Name"]]
    seen: set[int] = set()
    while pending:
        rdd = by_id[pending.pop()]
        if rdd["RDD ID"] in seen:
            continue
        seen.add(rdd["RDD ID"])
        parents = [parent for parent in rdd.get("Parent IDs", []) if parent in by_id]
        if parents:
            pending.extend(parents)
        else:
            roots.add(rdd["Name"])
    return roots


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
                stage.python_sources = python_sources(info.get("RDD Info", []))
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
        elif MODEL_JOBS.search(execution.description):
            execution.part = CUSTOMER_MODELS
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
            elif MODEL_JOBS.search(f"{job.description} {stage.name}"):
                stage.part = CUSTOMER_MODELS
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
