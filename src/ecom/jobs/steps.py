"""The two jobs as steps, one way for both ways to run: `ecom run` (`ecom.jobs.pipeline`,
both steps on one session) and the Glue entry scripts (`glue_jobs/`, one step per job).

Each step returns its result and the failure it ended with (None when it succeeded), so the
caller writes the run report first and raises after (`finish`):

- ingest: `ReconciliationError` when rows read != staged + quarantined + duplicates;
- model: `DataQualityError` when an error-level rule fails; the run's `dq_results` are
  published all the same, and registered in the run's catalog (`ecom.catalog.catalog_for`)
  like every successful publication, so the failure can be queried.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyspark.sql import SparkSession

from ecom.catalog.base import Catalog
from ecom.errors import EcomError, ReconciliationError
from ecom.jobs.curated import ModelArgs, ModelResult
from ecom.jobs.ingest import IngestArgs, IngestResult, run_ingest
from ecom.jobs.model import run_model
from ecom.quality.results import DataQualityError
from ecom.storage import runreports


def reconciliation_error(result: IngestResult) -> ReconciliationError | None:
    """The error of an ingest whose row counts do not add up, else None."""
    if result.reconciles:
        return None
    kinds = result.staged_by_kind
    if kinds and sum(kinds.values()) != result.rows_staged:
        return ReconciliationError(
            f"ingest {result.run_id}: staged rows by kind {kinds} add up to "
            f"{sum(kinds.values())}, not the {result.rows_staged} staged"
        )
    return ReconciliationError(
        f"ingest {result.run_id}: read {result.rows_read} != staged {result.rows_staged} + "
        f"quarantined {result.rows_quarantined} + duplicates {result.duplicates_dropped}"
    )


def ingest_step(
    spark: SparkSession, args: IngestArgs
) -> tuple[IngestResult, ReconciliationError | None]:
    """Run the ingest job; its result and, when the counts do not reconcile, the error."""
    result = run_ingest(spark, args)
    return result, reconciliation_error(result)


def model_step(
    spark: SparkSession, args: ModelArgs, catalog: Catalog
) -> tuple[ModelResult, DataQualityError | None, dict[str, Any]]:
    """Run the model job, then register what it published in `catalog` (also after a failed
    data-quality gate); the result, the gate's error or None, and the catalog's summary."""
    failure: DataQualityError | None = None
    try:
        result = run_model(spark, args)
    except DataQualityError as error:  # dq_results are published, the tables are not
        result, failure = error.result, error
    return result, failure, catalog.register(spark)


def step_report(
    run_id: str,
    steps: Iterable[str],
    arguments: Mapping[str, Any],
    *,
    ingest: IngestResult | None = None,
    model: ModelResult | None = None,
    seconds: Mapping[str, float] | None = None,
    failure: BaseException | None = None,
) -> dict[str, Any]:
    """The run report of the steps run (`ecom.storage.runreports` holds its schema)."""
    return runreports.build_report(
        run_id,
        steps,
        arguments,
        ingest=ingest.to_dict() if ingest else None,
        model=model.to_dict() if model else None,
        seconds=seconds,
        failure=failure,
    )


def finish(
    spark: SparkSession,
    reports_path: str | None,
    report: dict[str, Any],
    failure: EcomError | None,
) -> dict[str, Any]:
    """Save the report (when there is a folder for it), then raise the run's failure with the
    report attached (`error.report`); return the report when the run succeeded."""
    if reports_path:
        report["report_path"] = runreports.save_report(spark, reports_path, report)
    if failure is not None:
        failure.report = report  # type: ignore[attr-defined]
        raise failure
    return report
