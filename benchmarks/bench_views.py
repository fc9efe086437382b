"""Per-view latency and Parquet bytes read on the local engine (DuckDB over the lake).

    python benchmarks/bench_views.py [LAKE]      (default: $ECOM_LAKE, else the lake of `make bench`)

Latency: `select * from <view>` with all rows fetched as an Arrow table (what a dashboard
loads; converting rows to Python tuples is client cost, not query cost), median of 3 runs after the views
are created (one warm-up run first, so the OS page cache is warm as on a dashboard).
Bytes: DuckDB's query profile (`enable_profiling = 'json'`, field io.total_bytes_read) for
one run with DuckDB's external file cache off, i.e. the Parquet bytes the scans actually
read (only the projected column chunks and footers, after partition/row-group pruning).
That is the quantity Athena bills ("data scanned"), up to Athena's own pruning.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ecom.catalog.local import build_local_catalog, load_local_catalog
from ecom.query.base import load_views
from ecom.query.local import LocalEngine

RUNS = 3
GOAL_SECONDS = 1.0


def measure_bytes(engine: LocalEngine, view: str) -> int:
    """Parquet bytes one uncached run of the view reads (DuckDB profile)."""
    with tempfile.TemporaryDirectory() as folder:
        profile = Path(folder) / "profile.json"
        connection = engine.connection
        connection.execute("set enable_external_file_cache = false")
        connection.execute("set enable_profiling = 'json'")
        connection.execute(f"set profiling_output = '{profile}'")
        connection.execute(engine.to_duckdb(f"select * from {view}")[0]).fetchall()
        connection.execute("set enable_profiling = 'no_output'")
        connection.execute("pragma disable_profiling")
        connection.execute("set enable_external_file_cache = true")
        return int(json.loads(profile.read_text())["io"]["total_bytes_read"])


def main() -> int:
    lake = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("ECOM_LAKE", "benchmarks/out/lake-spark-20000000")
    )
    catalog = load_local_catalog(lake) or build_local_catalog(lake)  # read-only: not saved
    started = time.perf_counter()
    engine = LocalEngine(lake, catalog=catalog)
    open_seconds = time.perf_counter() - started
    tables = catalog["tables"]
    print(f"lake {lake}")
    print(
        f"  fact_purchases {tables['fact_purchases']['rows']:,} rows, "
        f"fact_sessions {tables['fact_sessions']['rows']:,} rows; "
        f"curated Parquet {sum(t['bytes'] for t in tables.values()) / 1e6:,.1f} MB; "
        f"engine open + 12 views {open_seconds:.2f} s"
    )
    print()
    print(f"{'view':<24}{'rows':>9}{'median s':>10}{'min s':>8}{'MB read':>10}  goal <1 s")
    worst = 0.0
    for view in [v.name for v in load_views()]:
        sql = engine.to_duckdb(f"select * from {view}")[0]
        engine.connection.sql(sql).to_arrow_table()  # warm-up
        times = []
        rows = 0
        for _ in range(RUNS):
            tick = time.perf_counter()
            rows = engine.connection.sql(sql).to_arrow_table().num_rows
            times.append(time.perf_counter() - tick)
        median = statistics.median(times)
        worst = max(worst, median)
        read = measure_bytes(engine, view)
        verdict = "ok" if median < GOAL_SECONDS else "SLOW"
        print(
            f"{view:<24}{rows:>9,}{median:>10.3f}{min(times):>8.3f}{read / 1e6:>10.3f}  {verdict}"
        )
    print()
    print(f"slowest view median {worst:.3f} s (goal {GOAL_SECONDS:.1f} s)")
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
