"""Benchmark: the Spark pipeline (`ecom run`) against a DuckDB build of the same star schema.

For each size it generates raw CSV (one file per day over 3 months; cached between runs),
then runs, each in its own process and on the same input:
  * spark:  `ecom run --raw RAW --lake LAKE` (ingest + model on local Spark)
  * duckdb: benchmarks/duckdb_baseline.sql (the baseline)
and prints wall seconds, peak RSS of the whole process tree (JVM included), events/s, the
ratio to the baseline, and whether both agree on row counts and revenue. Not a test.

    python benchmarks/bench_pipeline.py [--sizes 1000000,5000000,20000000]
Targets on 2 cores: at 20M events <= 3x the baseline's wall time, peak memory <= 6 GB,
20M/5M time ratio <= 4.5.

    python benchmarks/bench_pipeline.py --sizes 20000000 --clustering-overhead [--repeat 2]
also runs the pipeline with the customer segmentation skipped (--segment-min-customers above
any customer count), alternating with the full run, and prints what the clustering adds to
the full run's wall time (target: at most 15% at 20M events).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BASELINE_SQL = HERE / "duckdb_baseline.sql"


@dataclass
class Measured:
    wall_seconds: float
    peak_rss_bytes: int


def unexecuted_fork(process: psutil.Process) -> bool:
    """True for a child the JVM has forked but that has not run its program yet.

    The JVM starts commands (Hadoop's `chmod` for each file it writes locally, say) by
    forking; until the child execs, it shows the JVM's command line and the JVM's whole
    RSS, pages it shares with the JVM, under the name of the thread that forked it. Counted,
    a sample taken at that moment adds the JVM's memory a second time.
    """
    parent = process.parent()
    return (
        parent is not None
        and process.name() != parent.name()
        and process.cmdline() == parent.cmdline()
    )


def tree_rss(process: psutil.Process) -> int:
    """Summed RSS of a process and its descendants (forks not yet exec'd left out)."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            if not unexecuted_fork(child):
                total += child.memory_info().rss
        except psutil.Error:  # it exited meanwhile
            pass
    return total


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run a command; sample the summed RSS of its process tree every 100 ms."""
    started = time.perf_counter()
    process = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):  # the command has exited
                peak = max(peak, tree_rss(process))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(output.decode(errors="replace")[-4000:])
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return Measured(wall, peak)


def generate(rows: int) -> Path:
    """Raw CSV for `rows` events (seed 7, 3 months, one file per day), cached on disk."""
    raw = OUT / f"raw-{rows}"
    marker = raw / "_COMPLETE"
    if not marker.exists():
        shutil.rmtree(raw, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ecom.cli",
                "generate",
                "--out",
                str(raw),
                "--rows",
                str(rows),
                "--seed",
                "7",
                "--months",
                "3",
            ],
            check=True,
        )
        marker.write_text("")
    return raw


# A customer count no lake reaches: the segmentation stage is skipped.
NO_SEGMENTS = ["--segment-min-customers", "1000000000000"]


def run_spark(raw: Path, rows: int, extra: list[str] | None = None) -> tuple[Measured, Path]:
    lake = OUT / f"lake-spark-{rows}{'-noseg' if extra else ''}"
    shutil.rmtree(lake, ignore_errors=True)
    command = [
        sys.executable,
        "-m",
        "ecom.cli",
        "run",
        "--raw",
        str(raw),
        "--lake",
        str(lake),
        "--quiet",
        "--run-id",
        f"bench-{rows}",
        *(extra or []),
    ]
    return run_measured(command), lake


def clustering_overhead(raw: Path, rows: int, repeat: int) -> dict[str, object]:
    """Pairs of full runs with and without the segmentation stage (alternating, so machine
    load falls on both alike): the median of each and the overhead of the clustering."""
    import statistics

    with_seconds, without_seconds = [], []
    for _ in range(repeat):
        without_seconds.append(run_spark(raw, rows, NO_SEGMENTS)[0].wall_seconds)
        measured, lake = run_spark(raw, rows)
        with_seconds.append(measured.wall_seconds)
    report = json.loads(sorted((lake / "reports" / "runs").glob("*.json"))[-1].read_text())
    with_median = statistics.median(with_seconds)
    without_median = statistics.median(without_seconds)
    return {
        "events": rows,
        "with_segments_seconds": [round(value, 1) for value in with_seconds],
        "without_segments_seconds": [round(value, 1) for value in without_seconds],
        "overhead": round(with_median / without_median - 1, 3),
        "segments": report.get("models", {}).get("segments"),
    }


def run_duckdb(raw: Path, rows: int) -> tuple[Measured, Path]:
    out = OUT / f"lake-duckdb-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sql = BASELINE_SQL.read_text().replace("{raw_glob}", f"{raw}/*.csv*").replace("{out}", str(out))
    script = "import duckdb, sys; duckdb.connect().execute(sys.stdin.read())"
    (out / "baseline.sql").write_text(sql)
    command = ["bash", "-c", f"{sys.executable} -c '{script}' < {out / 'baseline.sql'}"]
    return run_measured(command), out


def published_files(zone: Path, table: str) -> str:
    """A DuckDB list literal of the Parquet files a zone's publication names for a table."""
    from ecom.storage import tablestore

    snapshot = tablestore.load_local(zone)
    folders = tablestore.data_locations(str(zone), snapshot, table)
    files = [str(path) for folder, _ in folders for path in sorted(Path(folder).glob("*.parquet"))]
    return "[" + ", ".join(f"'{path}'" for path in files) + "]"


def figures(staged: Path, curated: Path) -> dict[str, object]:
    """Staged rows, purchases, revenue and sessions of one output, read back with DuckDB.

    `staged`/`curated` are either a lake's zones (`<lake>/staged`, `<lake>/curated`: the
    published files are read) or the baseline's plain folders.
    """
    con = duckdb.connect()

    def scalar(sql: str) -> object:
        return con.execute(sql).fetchone()

    def source(zone: Path, table: str) -> str:
        if (zone / "_current.json").exists():
            return published_files(zone, table)
        folder = zone if table == "events" else zone / table
        return f"'{folder}/**/*.parquet'"

    staged_rows = scalar(f"select count(*) from read_parquet({source(staged, 'events')})")[0]
    purchases, revenue = scalar(
        f"select count(*), sum(revenue) from read_parquet({source(curated, 'fact_purchases')})"
    )
    sessions = scalar(f"select count(*) from read_parquet({source(curated, 'fact_sessions')})")[0]
    return {
        "staged": staged_rows,
        "purchases": purchases,
        "revenue": str(revenue),
        "sessions": sessions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000,20000000")
    parser.add_argument("--clustering-overhead", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="pairs per size (overhead)")
    args = parser.parse_args()
    if args.clustering_overhead:
        OUT.mkdir(exist_ok=True)
        for rows in [int(size) for size in args.sizes.split(",")]:
            overhead = clustering_overhead(generate(rows), rows, args.repeat)
            print(json.dumps(overhead), flush=True)
            print(f"clustering overhead at {rows:,} events: {overhead['overhead']:.1%} (<= 15%)")
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    OUT.mkdir(exist_ok=True)
    results = []
    print(
        f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  duckdb: {duckdb.__version__}"
    )
    for rows in sizes:
        raw = generate(rows)
        raw_bytes = sum(path.stat().st_size for path in raw.glob("*.csv*"))
        spark, lake = run_spark(raw, rows)
        baseline, out = run_duckdb(raw, rows)
        ours = figures(lake / "staged", lake / "curated")
        theirs = figures(out / "staged", out)
        result = {
            "events": rows,
            "raw_mb": round(raw_bytes / 1e6, 1),
            "spark_seconds": round(spark.wall_seconds, 1),
            "duckdb_seconds": round(baseline.wall_seconds, 1),
            "ratio": round(spark.wall_seconds / baseline.wall_seconds, 2),
            "spark_peak_rss_gb": round(spark.peak_rss_bytes / 2**30, 2),
            "duckdb_peak_rss_gb": round(baseline.peak_rss_bytes / 2**30, 2),
            "spark_events_per_s": round(rows / spark.wall_seconds),
            "agree": ours == theirs,
            "spark": ours,
            "duckdb": theirs,
        }
        results.append(result)
        print(json.dumps(result), flush=True)
    print()
    print(
        f"{'events':>11} {'raw MB':>8} {'spark s':>8} {'duckdb s':>9} {'ratio':>6} "
        f"{'spark GB':>9} {'duckdb GB':>10} {'events/s':>10} agree"
    )
    for r in results:
        print(
            f"{r['events']:>11,} {r['raw_mb']:>8} {r['spark_seconds']:>8} {r['duckdb_seconds']:>9} "
            f"{r['ratio']:>6} {r['spark_peak_rss_gb']:>9} {r['duckdb_peak_rss_gb']:>10} "
            f"{r['spark_events_per_s']:>10,} {r['agree']}"
        )
    by_size = {r["events"]: r for r in results}
    if 5_000_000 in by_size and 20_000_000 in by_size:
        scaling = by_size[20_000_000]["spark_seconds"] / by_size[5_000_000]["spark_seconds"]
        print(f"spark 20M/5M time ratio: {scaling:.2f} (target <= 4.5)")
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
