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
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from bench_pipeline import (  # noqa: E402
    BASELINE_SQL,
    OUT,
    Measured,
    figures,
    run_measured,
)

RESULTS = HERE / "results"
REFERENCE = REPO.parent / "shared" / "bench" / "reference_duckdb.py"
SEED = 7
MB = 1e6
from eventlog import (  # noqa: E402
    PARTS,
    EventLog,
    Totals,
    classify,
    merged_length,
    read_event_log,
)
from processes import TreeCpu, driver_seconds, driver_top  # noqa: E402
from profile_report import print_result, size_label  # noqa: E402
from profile_stages import python_on_row_path, top_stages  # noqa: E402


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
