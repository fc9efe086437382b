"""The one Online Retail lake of the end-to-end tests, shared by the whole session: the
shared days delivered in turn (tests/e2e/test_retail_pipeline.py's deliveries), what each
delivery's run reported and published, and a rerun of the last day on the same data."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from ecom.jobs.pipeline import run_pipeline
from ecom.storage.lake import CUSTOMER_TABLES, Lake
from tests.conftest import JOB_DEFAULTS, with_spark_conf
from tests.lakeread import read_curated
from tests.reference_retail import RetailReference, read_retail

# The retail runs' customer models with fewer folds and k values than a job's defaults (5;
# 2..8): the tests check what a run does with its folds and sweep (every k recorded, the
# silhouette chooses, the protocol's counts, the AUC floor), not the defaults' strength.
# Passed as the model job's own arguments (ModelArgs.churn_folds, segment_k_values).
RETAIL_K_VALUES = (2, 3, 4)
RETAIL_MODEL_OPTIONS = {"churn_folds": 3, "segment_k_values": RETAIL_K_VALUES}


@dataclass
class Delivery:
    """One run of the retail lake: its report, the reference of every line delivered so far,
    and what was observed right after it (an observation that raised keeps its error)."""

    report: dict[str, Any]
    reference: RetailReference
    observed: dict[str, Any] = field(default_factory=dict)

    def seen(self, name: str) -> Any:
        """An observation; re-raises the error it raised, in the test that reads it."""
        value = self.observed[name]
        if isinstance(value, Exception):
            raise value
        return value


def customer_tables(spark: SparkSession, lake: Lake) -> dict[str, list[dict[str, Any]]]:
    """The customer models' tables as rows (a few thousand: one per customer at most)."""
    return {
        name: [row.asDict() for row in read_curated(spark, lake, name).collect()]
        for name in CUSTOMER_TABLES
    }


def observe(
    spark: SparkSession, lake: Lake, observers: dict[str, Callable[[SparkSession, Lake], Any]]
) -> dict[str, Any]:
    observed: dict[str, Any] = {}
    for name, observer in observers.items():
        try:
            observed[name] = observer(spark, lake)
        except Exception as error:  # kept for the tests that read it (Delivery.seen)
            observed[name] = error
    return observed


@pytest.fixture(scope="session")
def retail_deliveries(spark, tmp_path_factory):
    """(raw folder, lake, [Delivery per delivery], the rerun's Delivery).

    The rerun rebuilds the last delivered day from the same staged lines (a backfill of
    that day): every model runs again on exactly the same data. The runs read the real
    volumes (some 400k lines): with the jobs' Spark settings, not the tests' (TEST_CONF)."""
    with with_spark_conf(spark, JOB_DEFAULTS):
        return deliver_all(spark, tmp_path_factory)


def deliver_all(spark, tmp_path_factory):
    """retail_deliveries' runs and observations."""
    from tests.e2e.test_retail_pipeline import REDELIVERED, RETAIL_DAYS, deliveries, kpis_of

    observers = {
        "kpis": lambda spark, lake: kpis_of(lake),
        "customers": customer_tables,
    }
    raw = tmp_path_factory.mktemp("retail-raw")
    lake = Lake(str(tmp_path_factory.mktemp("retail-lake") / "lake"))
    runs: list[Delivery] = []
    delivered: list[Path] = []
    for index, batch in enumerate(deliveries(), start=1):
        for path in batch:
            shutil.copy(path, raw / path.name)
        delivered += batch
        if index == 2:  # a day delivered again under another name: its lines are duplicates
            shutil.copy(RETAIL_DAYS / REDELIVERED, raw / f"again-{REDELIVERED}")
            delivered.append(raw / f"again-{REDELIVERED}")
        report = run_pipeline(
            spark,
            str(raw),
            lake.root,
            run_id=f"d{index}",
            show_progress=False,
            model_options=RETAIL_MODEL_OPTIONS,
        )
        runs.append(Delivery(report, read_retail(delivered), observe(spark, lake, observers)))
    last_day = max(path.stem for path in delivered if not path.stem.startswith("again-"))
    report = run_pipeline(
        spark,
        str(raw),
        lake.root,
        run_id="rerun",
        show_progress=False,
        date_from=last_day,
        date_to=last_day,
        model_options=RETAIL_MODEL_OPTIONS,
    )
    rerun = Delivery(report, runs[-1].reference, observe(spark, lake, observers))
    return raw, lake, runs, rerun
