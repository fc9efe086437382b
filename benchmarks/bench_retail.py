"""Benchmark: `ecom run` on the shared Online Retail days (431,673 invoice lines, 271 files).

Each run is its own `ecom run` process (JVM start included), timed with the peak resident
memory of its process tree:
  * full:        every shared day into an empty lake;
  * incremental: the days up to 2011-09-30 first (not timed), then October added (timed);
  * up to date:  the same raw folder again (nothing new: the file ledger skips every file).
Not a test; prints one table.

    python benchmarks/bench_retail.py [--days ../shared/data/online_retail/by-day]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bench_pipeline import OUT, run_measured

DAYS = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_retail" / "by-day"
FIRST_DELIVERY_END = "2011-09-30"


def ecom_run(raw: Path, lake: Path, run_id: str) -> list[str]:
    command = [sys.executable, "-m", "ecom.cli", "run", "--raw", str(raw), "--lake", str(lake)]
    return [*command, "--quiet", "--run-id", run_id]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=Path, default=DAYS, help="folder of one CSV per day")
    args = parser.parse_args()
    days = sorted(args.days.glob("*.csv"))
    if not days:
        raise SystemExit(f"no CSV files in {args.days}")
    lines = sum(len(path.read_bytes().splitlines()) - 1 for path in days)
    work = OUT / "retail"
    shutil.rmtree(work, ignore_errors=True)
    raw_all, raw_first = work / "raw-all", work / "raw-first"
    raw_all.mkdir(parents=True)
    raw_first.mkdir()
    for path in days:
        shutil.copy(path, raw_all / path.name)
        if path.stem <= FIRST_DELIVERY_END:
            shutil.copy(path, raw_first / path.name)

    full = run_measured(ecom_run(raw_all, work / "lake-full", "full"))
    again = run_measured(ecom_run(raw_all, work / "lake-full", "again"))
    run_measured(ecom_run(raw_first, work / "lake-incremental", "first"))
    for path in days:
        if path.stem > FIRST_DELIVERY_END:
            shutil.copy(path, raw_first / path.name)
    added = run_measured(ecom_run(raw_first, work / "lake-incremental", "october"))

    print(f"Online Retail: {len(days)} files, {lines:,} lines")
    print(f"{'run':<34} {'wall s':>8} {'peak GB':>8} {'lines/s':>9}")
    print(
        f"{'full (every day, empty lake)':<34} {full.wall_seconds:8.1f} "
        f"{full.peak_rss_bytes / 1e9:8.2f} {lines / full.wall_seconds:9,.0f}"
    )
    print(
        f"{'incremental (October added)':<34} {added.wall_seconds:8.1f} "
        f"{added.peak_rss_bytes / 1e9:8.2f}"
    )
    print(
        f"{'up to date (nothing new)':<34} {again.wall_seconds:8.1f} "
        f"{again.peak_rss_bytes / 1e9:8.2f}"
    )


if __name__ == "__main__":
    main()
