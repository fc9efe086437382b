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

With `--repeat N` it times N such pairs one after the other, each incremental run on a
fresh copy of the same 30-day lake, and prints every pair's ratio, their median and the
worst: a shared or virtual machine's speed drifts by tens of percent within an hour, so
the two runs of a pair are timed close together and one pair is not the whole story.

    python benchmarks/bench_incremental.py [--rows 20000000] [--repeat 3]

(about 12 minutes and 6 GB of generated CSV at the default size on 2 cores, plus about 6
minutes per extra pair).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from ecom.runtime.classarchive import archive_path

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


def copy_lake(template: Path, lake: Path) -> None:
    """A fresh copy of the 30-day lake to add day 31 to: hard links, no bytes copied (a run
    never changes a file in place; it writes new ones and renames)."""
    shutil.rmtree(lake, ignore_errors=True)
    shutil.copytree(template, lake, copy_function=os.link)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=OCTOBER_2019_EVENTS, help="events over the 31 days"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="pairs of (add day 31, full refresh) to time, one after the other; the ratio "
        "printed is their median (this machine's speed drifts: a pair is timed close together)",
    )
    args = parser.parse_args()
    if args.repeat < 1:
        raise SystemExit(f"--repeat {args.repeat}: expected 1 or more")
    OUT.mkdir(exist_ok=True)
    archive = archive_path()
    files = generate_days(args.rows)
    raw_incremental = OUT / f"raw-incremental-{args.rows}"
    lake_30_days = OUT / f"lake-30days-{args.rows}"
    lake_incremental = OUT / f"lake-incremental-{args.rows}"
    lake_full = OUT / f"lake-full-{args.rows}"
    for path in (raw_incremental, lake_30_days, lake_incremental, lake_full):
        shutil.rmtree(path, ignore_errors=True)

    link_days(files[:-1], raw_incremental)
    setup, _ = ecom_run(raw_incremental, lake_30_days, "bench-30-days")
    # Day 31 joins the same folder: the staged publication knows files by path.
    link_days(files[-1:], raw_incremental)
    pairs = []
    for attempt in range(1, args.repeat + 1):
        copy_lake(lake_30_days, lake_incremental)
        incremental, incremental_report = ecom_run(
            raw_incremental, lake_incremental, f"bench-day-31-{attempt}"
        )
        shutil.rmtree(lake_full, ignore_errors=True)
        full, full_report = ecom_run(
            OUT / f"raw-31days-{args.rows}", lake_full, f"bench-full-{attempt}", "--full-refresh"
        )
        pair = {
            "incremental_seconds": round(incremental.wall_seconds, 1),
            "full_refresh_seconds": round(full.wall_seconds, 1),
            "ratio": round(incremental.wall_seconds / full.wall_seconds, 3),
            "incremental_in_run_seconds": round(incremental_report["seconds"]["total"], 1),
            "full_refresh_in_run_seconds": round(full_report["seconds"]["total"], 1),
            "incremental_stages": incremental_report["seconds"],
            "full_refresh_stages": full_report["seconds"],
            "incremental_peak_rss_gb": round(incremental.peak_rss_bytes / 2**30, 2),
        }
        pair["in_run_ratio"] = round(
            pair["incremental_in_run_seconds"] / pair["full_refresh_in_run_seconds"], 3
        )
        pairs.append(pair)
        print(
            f"pair {attempt}: add day 31 {pair['incremental_seconds']} s, full refresh "
            f"{pair['full_refresh_seconds']} s, ratio {pair['ratio']:.1%}",
            flush=True,
        )

    ours = figures(lake_incremental / "staged", lake_incremental / "curated")
    theirs = figures(lake_full / "staged", lake_full / "curated")
    ratios = [pair["ratio"] for pair in pairs]
    result = {
        "events": args.rows,
        "days": DAYS,
        "setup_30_days_seconds": round(setup.wall_seconds, 1),
        "pairs": pairs,
        "ratio": round(statistics.median(ratios), 3),
        "worst_ratio": max(ratios),
        "in_run_ratio": round(statistics.median([pair["in_run_ratio"] for pair in pairs]), 3),
        "incremental_model": incremental_report["model"]["mode"],
        "dates_rebuilt": incremental_report["model"]["dates_rebuilt"],
        "agree": ours == theirs,
        # Both runs of every pair start their JVM the same way: with it, or both without.
        "class_archive": str(archive) if archive and archive.is_file() else None,
        "figures": ours,
    }
    print(json.dumps(result, indent=2))
    print(
        f"\n{args.rows:,} events; add day 31 to a 30-day lake vs a full refresh of 31 days, "
        f"{len(pairs)} pair(s): ratio {result['ratio']:.1%} (median; worst "
        f"{result['worst_ratio']:.1%}; target <= 25%); in-run seconds ratio "
        f"{result['in_run_ratio']:.1%}; same result: {result['agree']}; class archive: "
        f"{'used' if result['class_archive'] else 'none (make class-archive builds it)'}"
    )
    (OUT / f"incremental-{args.rows}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
