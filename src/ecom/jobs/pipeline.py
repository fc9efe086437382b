"""Both jobs in order on one session, as `ecom run` does: ingest, model, catalog, run report.

The steps are those the Glue entry scripts run one per job (`ecom.jobs.steps`): the same
errors, the same catalog choice (`ecom.catalog.catalog_for`), the same report schema
(`ecom.storage.runreports`).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from pyspark.sql import SparkSession

from ecom.catalog.base import catalog_for
from ecom.errors import EcomError, InvalidArgumentError
from ecom.jobs.curated import ModelArgs, ModelResult
from ecom.jobs.ingest import IngestArgs
from ecom.jobs.steps import finish, ingest_step, model_step, step_report
from ecom.runtime.progress import StageProgress
from ecom.storage import tablestore
from ecom.storage.lake import Lake, is_local, local_path, new_run_id
from ecom.storage.lock import lake_lock


def check_local_arguments(raw: str, lake: str) -> None:
    """One-line errors for a missing raw folder or a lake path that is a file."""
    if is_local(raw) and not local_path(raw).exists():
        raise InvalidArgumentError(f"--raw {raw}: no such file or folder")
    if is_local(lake) and local_path(lake).exists() and not local_path(lake).is_dir():
        raise InvalidArgumentError(f"--lake {lake}: is a file, expected a folder")


def run_pipeline(
    spark: SparkSession,
    raw: str,
    lake_root: str,
    *,
    run_id: str | None = None,
    show_progress: bool = True,
    full_refresh: bool = False,
    date_from: str | None = None,
    date_to: str | None = None,
    source: str | None = None,
    model_options: dict[str, Any] | None = None,
    database: str | None = None,
) -> dict[str, Any]:
    """Ingest `raw` into the lake, update the curated tables and save the run report.

    `model_options` are the model job's settings beyond paths and dates (ModelArgs fields:
    fiscal_year_start_month, horizon_days, risk_medium, risk_high, ...).
    Only new raw files are read and only the dates they change are rebuilt; `full_refresh`
    rebuilds everything, `date_from`/`date_to` also rebuild a range of event dates. A
    failed error-level data-quality rule saves the report, then raises DataQualityError.
    Rows that do not reconcile save the report, then raise ReconciliationError.
    The published tables are registered in the lake's catalog: the Glue `database` when
    one is named, else the local catalog of a local lake.
    A second run on the same local lake while this one works refuses with LakeLockedError.
    """
    check_local_arguments(raw, lake_root)
    run_id = run_id or new_run_id()
    with lake_lock(lake_root, run_id):
        return _run_locked(
            spark,
            raw,
            lake_root,
            run_id,
            show_progress,
            full_refresh,
            date_from,
            date_to,
            source,
            model_options or {},
            database,
        )


def _run_locked(
    spark: SparkSession,
    raw: str,
    lake_root: str,
    run_id: str,
    show_progress: bool,
    full_refresh: bool,
    date_from: str | None,
    date_to: str | None,
    source: str | None,
    model_options: dict[str, Any],
    database: str | None,
) -> dict[str, Any]:
    """The run itself, under the lake's lock."""
    lake = Lake(lake_root)
    seconds: dict[str, float] = {}

    def step(name: str) -> contextlib.AbstractContextManager[Any]:
        if not show_progress:
            return contextlib.nullcontext()
        return StageProgress(spark.sparkContext, name)

    started = time.perf_counter()
    failure: EcomError | None
    with step("ingest"):
        ingest, failure = ingest_step(
            spark,
            IngestArgs(
                raw,
                lake.staged_events,
                lake.quarantine,
                run_id=run_id,
                full_refresh=full_refresh,
                source=source,
            ),
        )
    seconds["ingest"] = ingest.seconds
    model: ModelResult | None = None
    staged_zone, _ = tablestore.split_table_path(lake.staged_events)
    if failure is None and tablestore.load(spark, staged_zone)["tables"]:
        model_args = ModelArgs(
            lake.staged_events,
            lake.curated,
            run_id,
            full_refresh=full_refresh,
            date_from=date_from,
            date_to=date_to,
            **model_options,
        )
        with step("model"):
            model, failure, _ = model_step(spark, model_args, catalog_for(lake.curated, database))
        seconds["model"] = model.seconds if model else 0.0
    seconds["total"] = time.perf_counter() - started
    arguments = {
        "raw": raw,
        "lake": lake_root,
        "full_refresh": full_refresh,
        "from": date_from,
        "to": date_to,
        "source": source,
        **({"database": database} if database else {}),
        **model_options,
    }
    report = step_report(
        run_id,
        ("ingest", "model"),
        arguments,
        ingest=ingest,
        model=model,
        seconds=seconds,
        failure=failure,
    )
    return finish(spark, lake.reports, report, failure)
