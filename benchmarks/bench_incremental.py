"""Benchmark: adding one day to a 30-day lake, against a full refresh of the 31-day lake.

It generates 31 days of events (one CSV per day, cached in benchmarks/out), by default
42,448,764 of them: as many as the real store's October 2019 file (the data these jobs are
built for), so a "30-day lake" is one month of that store. It builds a lake
from the first 30 days (not timed), then times, each as its own `ecom run` process:
  * incremental: the same raw folder plus day 31 (only the new file is read; only the
    dates it changes are rebuilt and republished);
  * full refresh: `ecom run --full-refresh` of all 31 days on an empty lake (the baseline);
and prints both wall times (JVM start included), the in-run seconds from the run reports,
the ratio of each (target: incremental <= 25% of the full refresh), and checks that both
lakes publish the same staged and curated figures. Not a test.

    python benchmarks/bench_incremental.py [--rows 20000000]

(about 12 minutes and 6 GB of generated CSV at the default size on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_pipeline import OUT, Measured, figures, run_measured  # noqa: E402

DAYS = 31
# Events in the real October 2019 file of the dataset (see ../shared/data/README.md).
OCTOBER_2019_EVENTS = 42_448_764


def generate_days(rows: int) -> list[Path]:
    """31 daily raw files (October 2019, seed 7), cached on disk."""
    raw = OUT / f"raw-31days-{rows}"
    marker = raw / "_COMPLETE"
    if not marker.exists():
        shutil.rmtree(raw, ignore_errors=True)
        command = [sys.executable, "-m", "ecom.cli", "generate", "--out", str(raw)]
        command += ["--rows", str(rows), "--seed", "7", "--months", "1"]
        subprocess.run(command, check=True)
        marker.write_text("")
    files = sorted(raw.glob("events-*.csv*"))
    if len(files) != DAYS:
        raise SystemExit(f"{raw}: expected {DAYS} daily files, found {len(files)}")
    return files


def ecom_run(raw: Path, lake: Path, run_id: str, *extra: str) -> tuple[Measured, dict]:
    command = [sys.executable, "-m", "ecom.cli", "run", "--raw", str(raw), "--lake", str(lake)]
    command += ["--quiet", "--run-id", run_id, *extra]
    measured = run_measured(command)
    report = json.loads((lake / "reports" / "runs" / f"{run_id}.json").read_text())
    return measured, report


def link_days(files: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        target = folder / path.name
        if not target.exists():
            os.link(path, target)  # same bytes, same modification time: no copy needed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=OCTOBER_2019_EVENTS, help="events over the 31 days"
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    files = generate_days(args.rows)
    raw_incremental = OUT / f"raw-incremental-{args.rows}"
    lake_incremental = OUT / f"lake-incremental-{args.rows}"
    lake_full = OUT / f"lake-full-{args.rows}"
    for path in (raw_incremental, lake_incremental, lake_full):
        shutil.rmtree(path, ignore_errors=True)

    link_days(files[:-1], raw_incremental)
    setup, _ = ecom_run(raw_incremental, lake_incremental, "bench-30-days")
    link_days(files[-1:], raw_incremental)
    incremental, incremental_report = ecom_run(raw_incremental, lake_incremental, "bench-day-31")
    full, full_report = ecom_run(
        OUT / f"raw-31days-{args.rows}", lake_full, "bench-full", "--full-refresh"
    )

    ours = figures(lake_incremental / "staged", lake_incremental / "curated")
    theirs = figures(lake_full / "staged", lake_full / "curated")
    in_run = incremental_report["seconds"]["total"], full_report["seconds"]["total"]
    result = {
        "events": args.rows,
        "days": DAYS,
        "setup_30_days_seconds": round(setup.wall_seconds, 1),
        "incremental_seconds": round(incremental.wall_seconds, 1),
        "full_refresh_seconds": round(full.wall_seconds, 1),
        "ratio": round(incremental.wall_seconds / full.wall_seconds, 3),
        "incremental_in_run_seconds": round(in_run[0], 1),
        "full_refresh_in_run_seconds": round(in_run[1], 1),
        "in_run_ratio": round(in_run[0] / in_run[1], 3),
        "incremental_model": incremental_report["model"]["mode"],
        "dates_rebuilt": incremental_report["model"]["dates_rebuilt"],
        "incremental_peak_rss_gb": round(incremental.peak_rss_bytes / 2**30, 2),
        "agree": ours == theirs,
        "figures": ours,
    }
    print(json.dumps(result, indent=2))
    print(
        f"\n{args.rows:,} events; add day 31 to a 30-day lake: "
        f"{result['incremental_seconds']} s; full refresh of 31 "
        f"days: {result['full_refresh_seconds']} s; ratio {result['ratio']:.1%} "
        f"(target <= 25%); in-run seconds ratio {result['in_run_ratio']:.1%}; "
        f"same result: {result['agree']}"
    )
    (OUT / f"incremental-{args.rows}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
