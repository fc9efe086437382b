"""First load of the local dashboard: the Executive sheet, cold, on a given lake.

    python benchmarks/bench_dashboard.py [LAKE]   (default: benchmarks/out/lake-spark-20000000)

Prints the wall time of Streamlit AppTest's first run (opening the lake, creating the views
and running every Executive query, nothing cached), then of each other sheet's first visit.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "src" / "ecom" / "dashboard" / "app.py"


def main() -> int:
    lake = (
        sys.argv[1]
        if len(sys.argv) > 1
        else str(REPO / "benchmarks" / "out" / "lake-spark-20000000")
    )
    os.environ["ECOM_LAKE"] = lake
    started = time.perf_counter()
    at = AppTest.from_file(str(APP), default_timeout=600).run()
    first = time.perf_counter() - started
    if at.exception:
        print(f"error: {at.exception[0].value}")
        return 1
    print(f"lake {lake}")
    print(f"  first load (Executive, cold)  {first:6.2f} s   KPIs: {[m.value for m in at.metric]}")
    for sheet in ("Customers", "Funnel", "Data quality"):
        started = time.perf_counter()
        at.sidebar.radio(key="sheet").set_value(sheet).run()
        print(f"  first visit of {sheet:14} {time.perf_counter() - started:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
