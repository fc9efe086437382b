"""The Glue entry scripts run unchanged outside Glue: arguments in, tables and reports out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ecom.sources.clickstream.contract import RAW_HEADER
from ecom.storage import runreports
from tests.e2e.childjvm import child_env

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
ROWS = [
    "2019-10-01 00:00:05 UTC,view,1,2053013555631882655,kids.toys,lego,1.50,7,s1",
    "2019-10-01 00:00:06 UTC,purchase,1,2053013555631882655,kids.toys,lego,1.50,7,s1",
    "2019-10-01 00:00:06 UTC,purchase,1,2053013555631882655,kids.toys,lego,1.50,7,s1",
    "2019-10-02 00:00:07 UTC,purchase,2,2053013555631882655,,,-1.00,8,s2",
]


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env(PYSPARK_PYTHON=sys.executable)
    env.pop("PYSPARK_GATEWAY_PORT", None)
    return subprocess.run(
        [sys.executable, str(REPO / "glue_jobs" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_ingest_then_model_scripts_write_tables_and_reports(tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day.csv").write_text("\n".join([RAW_HEADER, *ROWS]) + "\n")
    lake = tmp_path / "lake"
    ingest = run_script(
        "ingest.py",
        "--JOB_NAME",
        "ecom-ingest",
        "--raw_path",
        str(raw),
        "--staged_path",
        str(lake / "staged"),
        "--quarantine_path",
        str(lake / "quarantine"),
        "--report_path",
        str(lake / "reports"),
        "--run_id",
        "glue-local-1",
    )
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    report = json.loads((lake / "reports" / "glue-local-1-ingest.json").read_text())
    assert (report["report_version"], report["steps"], report["status"]) == (
        3,
        ["ingest"],
        "succeeded",
    )
    rows = report["rows"]
    assert (rows["read"], rows["staged"], rows["duplicates_dropped"]) == (4, 2, 1)
    assert report["quarantined_by_reason"] == {"negative_price": 1}

    model = run_script(
        "model.py",
        "--staged_path",
        str(lake / "staged"),
        "--curated_path",
        str(lake / "curated"),
        "--report_path",
        str(lake / "reports"),
        "--run_id",
        "glue-local-1",
    )
    assert model.returncode == 0, model.stderr[-2000:]
    model_report = json.loads((lake / "reports" / "glue-local-1-model.json").read_text())
    assert model_report["steps"] == ["model"]
    tables = model_report["tables"]
    assert tables["fact_purchases"] == 1 and tables["fact_sessions"] == 1
    assert tables["dim_time"] == 1  # only 2019-10-01 has a valid event
    # No --database and a local lake's curated zone: the local catalog, as `ecom run` writes.
    catalog = json.loads((lake / "catalog" / "catalog.json").read_text())
    assert catalog["tables"]["fact_purchases"]["rows"] == 1
    # The two step reports read back as one run, as `ecom status` shows it.
    (run,) = runreports.merge_steps(
        runreports.parse_report(path.read_text(), str(path))
        for path in sorted((lake / "reports").glob("*.json"))
    )
    assert (run["run_id"], run["steps"]) == ("glue-local-1", ["ingest", "model"])
    assert (run["rows"]["read"], run["tables"]["fact_purchases"]) == (4, 1)


def test_missing_job_argument_is_named(tmp_path) -> None:
    result = run_script("model.py", "--staged_path", str(tmp_path))
    assert result.returncode != 0
    assert "missing job argument(s): --curated_path" in result.stderr
