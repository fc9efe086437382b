"""`ecom status` reads run reports through ecom.storage.runreports: JSON only, no Spark."""

from __future__ import annotations

import json

import pytest

from ecom.cli.status import format_status
from ecom.storage.runreports import RunReportError, build_report

INGEST = {
    "run_id": "g1",
    "files": [{"path": "a.csv", "status": "read"}, {"path": "b.csv", "status": "skipped"}],
    "rows_read": 1200,
    "rows_staged": 1100,
    "rows_quarantined": 90,
    "duplicates_dropped": 10,
    "reconciles": True,
}
MODEL = {"run_id": "g1", "mode": "full", "dates_rebuilt": ["2019-10-01", "2019-10-02"]}


def reports_folder(tmp_path):
    folder = tmp_path / "reports" / "runs"
    folder.mkdir(parents=True)
    return folder


def test_a_glue_runs_step_reports_show_as_one_run(tmp_path):
    folder = reports_folder(tmp_path)
    for name, report in {
        "g1-ingest.json": build_report(
            "g1", ["ingest"], {}, ingest=INGEST, seconds={"ingest": 3.0}, finished_at="2024-01-02"
        ),
        "g1-model.json": build_report(
            "g1", ["model"], {}, model=MODEL, seconds={"model": 4.5}, finished_at="2024-01-03"
        ),
        # The unversioned step report the Glue ingest job wrote before.
        "g0-ingest.json": {"step": "ingest", **INGEST, "run_id": "g0", "seconds": 1.0},
    }.items():
        (folder / name).write_text(json.dumps(report))
    lines = format_status(tmp_path)
    assert lines[1:3] == ["  staged   nothing published yet", "  curated  nothing published yet"]
    assert lines[3] == "last 2 run(s), newest first:"
    assert lines[4].split() == ["g1", "succeeded", "2024-01-03", "7.5", "s"]
    assert lines[5].strip() == (
        "files 1 read, 1 skipped, 0 rejected; rows read 1,200, staged 1,100, "
        "quarantined 90, duplicates 10"
    )
    assert lines[6].strip() == "model full (2 date(s)); data quality -"
    assert lines[7].split() == ["g0", "succeeded", "-", "1.0", "s"]
    assert "model" not in lines[-1]  # an ingest-only run has no model line


def test_a_file_that_is_not_a_report_is_named(tmp_path):
    (reports_folder(tmp_path) / "notes.json").write_text('{"hello": 1}')
    with pytest.raises(RunReportError, match=r"notes\.json: not a run report"):
        format_status(tmp_path)
