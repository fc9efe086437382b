"""The steps both ways to run share: one reconciliation error, and report then raise."""

from __future__ import annotations

import pytest

from ecom.errors import EcomError, ReconciliationError
from ecom.jobs.ingest import IngestResult
from ecom.jobs.steps import finish, reconciliation_error


def test_counts_that_add_up_are_no_error():
    result = IngestResult(
        "r1", rows_read=10, rows_staged=6, rows_quarantined=3, duplicates_dropped=1
    )
    assert reconciliation_error(result) is None


def test_counts_that_do_not_add_up_name_every_count():
    result = IngestResult(
        "r1", rows_read=11, rows_staged=6, rows_quarantined=3, duplicates_dropped=1
    )
    error = reconciliation_error(result)
    assert isinstance(error, ReconciliationError)
    assert str(error) == "ingest r1: read 11 != staged 6 + quarantined 3 + duplicates 1"


def test_kinds_that_do_not_add_up_to_the_staged_rows():
    result = IngestResult(
        "r1", rows_read=4, rows_staged=4, staged_by_kind={"sale": 2, "cancellation": 1}
    )
    error = reconciliation_error(result)
    assert isinstance(error, ReconciliationError)
    assert "add up to 3, not the 4 staged" in str(error)


def test_finish_saves_the_report_then_raises_with_it_attached(tmp_path):
    report = {"run_id": "r1", "steps": ["ingest"], "status": "failed"}
    failure = ReconciliationError("ingest r1: read 11 != ...")
    # A local reports folder needs no Spark session.
    with pytest.raises(ReconciliationError) as caught:
        finish(None, str(tmp_path), report, failure)
    assert caught.value.report["report_path"] == str(tmp_path / "r1-ingest.json")
    assert (tmp_path / "r1-ingest.json").is_file()


def test_finish_without_a_reports_folder_returns_the_report():
    report = {"run_id": "r1", "steps": ["model"], "status": "succeeded"}
    assert finish(None, None, report, None) == report
    assert "report_path" not in report
    with pytest.raises(EcomError):
        finish(None, None, dict(report), EcomError("gate"))
