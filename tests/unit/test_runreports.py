"""The run report: one schema for `ecom run` and the Glue jobs, read back in every format.

Inputs are hand-written step results and report files; expected values are written out.
"""

from __future__ import annotations

import json

import pytest

from ecom.storage import runreports
from ecom.storage.runreports import RunReportError

INGEST = {  # IngestResult.to_dict() of a run reading 10 rows
    "run_id": "r1",
    "source": "clickstream",
    "files": [
        {"path": "a.csv", "status": "read"},
        {"path": "b.csv", "status": "skipped"},
        {"path": "c.csv", "status": "rejected"},
    ],
    "rows_read": 10,
    "rows_staged": 6,
    "staged_by_kind": {},
    "duplicates_dropped": 1,
    "rows_quarantined": 3,
    "quarantined_by_reason": {"negative_price": 2, "bad_time": 1},
    "warnings": ["c.csv: missing column"],
    "dates_changed": ["2019-10-01"],
    "seconds": 4.0,
    "reconciles": True,
}
DQ_PASS = {"table_name": "fact_purchases", "rule_name": "key", "level": "error", "is_passed": True}
DQ_WARN = {"table_name": "dim_user", "rule_name": "fresh", "level": "warn", "is_passed": False}
MODEL = {  # ModelResult.to_dict()
    "run_id": "r1",
    "source": "clickstream",
    "mode": "incremental",
    "reason": "new staged dates",
    "dates_rebuilt": ["2019-10-01"],
    "staged_rows": 6,
    "tables": {"fact_purchases": 2, "dim_user": 2},
    "table_seconds": {"fact_purchases": 1.0},
    "dq_results": [DQ_PASS, DQ_WARN],
    "models": {},
    "published": True,
    "seconds": 5.0,
}


def write(folder, name, document):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document))


def test_a_report_of_both_steps():
    report = runreports.build_report(
        "r1",
        ["model", "ingest"],
        {"raw": "data/raw"},
        ingest=INGEST,
        model=MODEL,
        seconds={"ingest": 4.0, "model": 5.0, "total": 9.25},
        finished_at="2024-01-01T00:00:00+00:00",
    )
    assert report["report_version"] == 3
    assert report["steps"] == ["ingest", "model"]  # in run order, whatever order given
    assert (report["status"], report["error"], report["source"]) == (
        "succeeded",
        None,
        "clickstream",
    )
    assert report["file_counts"] == {"seen": 3, "read": 1, "skipped": 1, "rejected": 1}
    assert report["rows"] == {
        "read": 10,
        "staged": 6,
        "quarantined": 3,
        "duplicates_dropped": 1,
        "reconciles": True,
    }
    assert report["staged_dates_changed"] == ["2019-10-01"]
    assert report["model"] == {
        "mode": "incremental",
        "reason": "new staged dates",
        "dates_rebuilt": ["2019-10-01"],
        "events_read": 6,
        "published": True,
    }
    dq = report["dq"]
    assert (dq["rules"], dq["passed"], dq["warned"], dq["failed"]) == (2, 1, 1, 0)
    assert report["seconds"] == {"ingest": 4.0, "model": 5.0, "total": 9.25}
    assert runreports.report_name("r1", report["steps"]) == "r1.json"


def test_a_failed_ingest_step_report():
    report = runreports.build_report(
        "r2", ["ingest"], {}, ingest={**INGEST, "run_id": "r2"}, failure=ValueError("boom")
    )
    assert (report["status"], report["error"]) == ("failed", "boom")
    assert report["model"]["mode"] == "not_run" and report["tables"] == {}
    assert runreports.report_name("r2", report["steps"]) == "r2-ingest.json"


def test_kinds_are_kept_for_sources_that_have_them():
    ingest = {**INGEST, "staged_by_kind": {"sale": 5, "cancellation": 1}}
    report = runreports.build_report("r1", ["ingest"], {}, ingest=ingest)
    assert report["rows"]["staged_by_kind"] == {"sale": 5, "cancellation": 1}


def test_save_then_read_back(tmp_path):
    report = runreports.build_report("r1", ["ingest", "model"], {}, ingest=INGEST, model=MODEL)
    # A local path needs no Spark: the report is written aside and renamed over.
    path = runreports.save_report(None, str(tmp_path / "reports" / "runs"), report)
    assert path == str(tmp_path / "reports" / "runs" / "r1.json")
    assert runreports.read_local_reports(tmp_path) == [json.loads(json.dumps(report))]
    assert not list((tmp_path / "reports" / "runs").glob("*.tmp"))


def test_a_version_2_run_report_is_read_as_both_steps(tmp_path):
    old = {
        "report_version": 2,
        "run_id": "old",
        "status": "succeeded",
        "finished_at": "2023-05-01T00:00:00+00:00",
        "files": [{"path": "a.csv", "status": "read"}],
        "rows": {"read": 5, "staged": 5, "quarantined": 0, "duplicates_dropped": 0},
        "model": {"mode": "full", "reason": "first run", "dates_rebuilt": []},
        "seconds": 12.5,  # the first reports held one number
    }
    write(tmp_path / "reports" / "runs", "old.json", old)
    (report,) = runreports.read_local_reports(tmp_path)
    assert report["report_version"] == 3 and report["steps"] == ["ingest", "model"]
    assert report["file_counts"] == {"seen": 1, "read": 1, "skipped": 0, "rejected": 0}
    assert report["seconds"] == {"total": 12.5}
    assert report["dq"]["rules"] == 0 and report["model"]["mode"] == "full"


def test_the_previous_glue_step_reports_are_read(tmp_path):
    folder = tmp_path / "reports" / "runs"
    write(folder, "jr1-ingest.json", {"step": "ingest", **INGEST, "run_id": "jr1"})
    write(folder, "jr1-model.json", {"step": "model", **MODEL, "run_id": "jr1"})
    ingest, model = runreports.read_local_reports(tmp_path)
    assert ingest["steps"] == ["ingest"] and model["steps"] == ["model"]
    assert ingest["rows"]["quarantined"] == 3 and ingest["finished_at"] is None
    assert runreports.row_counts(ingest) == {
        "read": 10,
        "staged": 6,
        "quarantined": 3,
        "duplicates_dropped": 1,
    }
    assert runreports.row_counts(model) == {"staged": 6, "fact_purchases": 2, "dim_user": 2}


def test_an_old_ingest_report_that_did_not_reconcile_is_a_failed_run():
    document = {"step": "ingest", **INGEST, "rows_read": 11, "reconciles": False}
    report = runreports.parse_report(json.dumps(document), "r1-ingest.json")
    assert report["status"] == "failed" and "do not reconcile" in report["error"]


def test_a_glue_runs_two_step_reports_are_one_run(tmp_path):
    folder = tmp_path / "reports" / "runs"
    ingest = runreports.build_report(
        "g1",
        ["ingest"],
        {"raw_path": "s3://raw/"},
        ingest={**INGEST, "run_id": "g1"},
        seconds={"ingest": 4.0, "total": 4.0},
        finished_at="2024-02-01T00:01:00+00:00",
    )
    model = runreports.build_report(
        "g1",
        ["model"],
        {"curated_path": "s3://cur/"},
        model={**MODEL, "run_id": "g1"},
        seconds={"model": 5.0, "total": 5.0},
        failure="data-quality gate failed",
        finished_at="2024-02-01T00:02:00+00:00",
    )
    earlier = runreports.build_report(
        "g0", ["ingest", "model"], {}, ingest=INGEST, finished_at="2024-01-01T00:00:00+00:00"
    )
    write(folder, "g1-ingest.json", ingest)
    write(folder, "g1-model.json", model)
    write(folder, "g0.json", earlier)
    first, run = runreports.load_runs(tmp_path)
    assert first["run_id"] == "g0"  # oldest first
    assert run["run_id"] == "g1" and run["steps"] == ["ingest", "model"]
    assert run["rows"]["read"] == 10 and run["tables"] == {"fact_purchases": 2, "dim_user": 2}
    assert (run["status"], run["error"]) == ("failed", "data-quality gate failed")
    assert run["finished_at"] == "2024-02-01T00:02:00+00:00"
    assert run["seconds"] == {"ingest": 4.0, "model": 5.0, "total": 9.0}
    assert run["arguments"] == {"raw_path": "s3://raw/", "curated_path": "s3://cur/"}
    assert runreports.run_summary(run) == {
        "run_id": "g1",
        "status": "failed",
        "finished_at": "2024-02-01T00:02:00+00:00",
        "rows_read": 10,
        "rows_staged": 6,
        "rows_quarantined": 3,
        "duplicates_dropped": 1,
        "seconds": 9.0,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", r"^x/r9\.json: not valid JSON"),
        ("[1, 2]", r"^x/r9\.json: not a run report \(no run_id\)$"),
        ('{"run_id": "r9", "report_version": 4}', r"^x/r9\.json: run report of an unknown format"),
        ('{"run_id": "r9", "step": "crawl"}', r"^x/r9\.json: run report of an unknown format"),
        ('{"run_id": "r9", "report_version": 3}', r"^x/r9\.json: run report lacks steps"),
    ],
)
def test_anything_else_is_a_one_line_error_naming_the_file(text, message):
    with pytest.raises(RunReportError, match=message) as caught:
        runreports.parse_report(text, "x/r9.json")
    assert "\n" not in str(caught.value)


def test_no_reports_folder_means_no_runs(tmp_path):
    assert runreports.load_runs(tmp_path / "nothing-yet") == []
