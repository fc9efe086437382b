"""Shared fixtures: one local Spark session for the whole run, paths to shared test data, and
the SQL tests' lakes (one pipeline run each: ~30k generated clickstream events over 3 months
with customer models and three quarantined rows, which the notebooks read too, and a
hand-written Online Retail lake of three tiny days, tests/sql/retail_lines.py), which the
dashboard tests read too, and a hand-written lake of segmented retail customers (no run)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from ecom.catalog.local import register_local
from ecom.devdata.generate import generate
from ecom.jobs.pipeline import run_pipeline
from ecom.runtime.spark import local_session
from tests.sql.retail_lines import write_raw_days
from tests.sql.retail_segments import build_retail_segments_lake

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
CLICKSTREAM_SAMPLE = SHARED_DATA / "clickstream" / "2019-Oct-head.csv"
# Appended to the first raw file of the generated SQL lake, so its quarantine is not empty (the
# dashboard's and the notebooks' data-quality views show it): one row each of
# invalid_event_type, invalid_event_time and negative_price.
BAD_ROWS = (
    "2019-10-02 10:00:00 UTC,teleport,1,2,,acme,1.00,3,s-bad-1\n"
    "not a date,view,1,2,,acme,1.00,3,s-bad-2\n"
    "2019-10-02 10:00:01 UTC,view,1,2,,acme,-5.00,3,s-bad-3\n"
)
# The fixtures that build a lake by running the whole pipeline on local Spark. A test that
# uses one, itself or through another fixture, is an end-to-end test: marked `e2e` here, so
# `make test-fast` (`-m "not e2e"`) leaves it out. A test that opens one by name at run time
# (tests/sql/helpers.py's lake_of) cannot be seen here and carries the mark itself.
PIPELINE_LAKES = frozenset({"sql_lake", "retail_lake", "clickstream_hand_lake", "dashboard_lake"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PIPELINE_LAKES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


# The tests' runs read a few hundred to a few thousand rows, and a run plans hundreds of small
# queries: compiling each stage to Java (whole-stage code generation) takes longer than the
# stage then runs. Without it Spark evaluates the same plans (same results); a fixture that
# runs on real volumes turns it back on for its runs (with_spark_conf). For the same reason
# one shuffle partition: a few thousand rows split four ways make four tasks and four
# shuffle files per exchange for nothing (the same results; a tiny run ~15% less CPU).
TEST_CONF = {"spark.sql.codegen.wholeStage": "false", "spark.sql.shuffle.partitions": "1"}
# The test JVM plans and compiles hundreds of small queries per run, ~50 runs in all: Spark's
# generated classes are kept for the whole session (its cache holds 100 by default, fewer than
# one run compiles, so every run compiled ~290 classes again), and the JIT's optimising tier
# (C2) waits for 10x its default call and loop counts before it compiles a method, so it
# spends its time on the loops that run long (the real-volume fixture), not on each run's
# planning code. A tiny warm run: ~16 -> ~9-12 JVM CPU-s; tests/e2e subset 465 -> 403 s.
TEST_STATIC_CONF = {"spark.sql.codegen.cache.maxEntries": "5000"}
TEST_JVM_OPTIONS = [
    "-XX:Tier4InvocationThreshold=50000",
    "-XX:Tier4MinInvocationThreshold=6000",
    "-XX:Tier4CompileThreshold=150000",
    "-XX:Tier4BackEdgeThreshold=400000",
]
# What a job runs with on 2 cores (Spark's defaults, ecom.runtime.spark's 2 x cores
# partitions), for the fixtures that read real volumes.
JOB_DEFAULTS = {"spark.sql.codegen.wholeStage": "true", "spark.sql.shuffle.partitions": "4"}


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """The one SparkSession of the test run (local, 2 cores, TEST_CONF, TEST_STATIC_CONF,
    TEST_JVM_OPTIONS)."""
    session = local_session(
        "ecom-tests",
        cores=2,
        driver_memory="2g",
        shuffle_partitions=4,
        extra_java_options=TEST_JVM_OPTIONS,
        conf=TEST_STATIC_CONF,
    )
    for key, value in TEST_CONF.items():
        session.conf.set(key, value)
    yield session
    session.stop()


@contextmanager
def with_spark_conf(spark: SparkSession, settings: dict[str, str]) -> Iterator[None]:
    """`settings` on the session for the block, the previous values restored after it."""
    previous = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


@pytest.fixture(scope="session")
def clickstream_sample() -> Path:
    """The real 17k-row sample, or a skip saying why it is absent."""
    if not CLICKSTREAM_SAMPLE.exists():
        pytest.skip(f"real sample not found at {CLICKSTREAM_SAMPLE} (shared data absent)")
    return CLICKSTREAM_SAMPLE


@pytest.fixture(scope="session")
def dashboard_lake(sql_lake) -> Path:
    """The lake the dashboard's clickstream sheets and the notebooks read: the SQL tests' lake
    (generated events with BAD_ROWS quarantined, one run), not a second pipeline run."""
    return sql_lake.lake


@pytest.fixture(scope="session")
def dashboard_raw(sql_lake) -> Path:
    """The raw CSV folder the dashboard lake was built from (BAD_ROWS included)."""
    return sql_lake.raw


# The SQL tests' lakes (tests/sql), shared with the dashboard tests.
ROWS = 30_000
MONTHS = 3
# A small user pool: enough returning buyers that churn has both classes in every fold.
USERS = 300
MODEL_OPTIONS = {"horizon_days": 30}


@dataclass(frozen=True)
class SqlLake:
    """The raw files and the lake the pipeline wrote from them."""

    raw: Path
    lake: Path

    def raw_files(self) -> list[Path]:
        return sorted(self.raw.glob("*.csv"))


@pytest.fixture(scope="session")
def sql_lake(spark, tmp_path_factory) -> SqlLake:
    """Generated raw CSV (+ BAD_ROWS) → run_pipeline → local catalog registered (shared by
    tests/sql, the dashboard and the notebooks)."""
    root = tmp_path_factory.mktemp("sql-lake")
    raw, lake = root / "raw", root / "lake"
    generate(raw, ROWS, seed=7, months=MONTHS, users=USERS)
    with sorted(raw.glob("*.csv"))[0].open("a") as handle:
        handle.write(BAD_ROWS)
    # H = 30 days: the 3 months hold twice the horizon, so every customer model runs.
    run_pipeline(spark, str(raw), str(lake), show_progress=False, model_options=MODEL_OPTIONS)
    register_local(lake)
    return SqlLake(raw, lake)


@pytest.fixture(scope="session")
def retail_lake(spark, tmp_path_factory) -> SqlLake:
    """The hand-written retail days → run_pipeline (source told by the header) → catalog."""
    root = tmp_path_factory.mktemp("retail-lake")
    raw, lake = root / "raw", root / "lake"
    write_raw_days(raw)
    run_pipeline(spark, str(raw), str(lake), show_progress=False)
    register_local(lake)
    return SqlLake(raw, lake)


@pytest.fixture(scope="session")
def retail_segments_lake(tmp_path_factory) -> Path:
    """A hand-written Online Retail lake of segmented customers (tests/sql/retail_segments.py):
    curated tables written directly, no pipeline run."""
    return build_retail_segments_lake(tmp_path_factory.mktemp("retail-segments-lake") / "lake")
