"""The local Spark session: one place that knows how the embedded default is configured.

Library code never creates a session; entry points (CLI, Glue scripts) and test fixtures do.
"""

from __future__ import annotations

import os
import sys
from importlib import resources

from pyspark.sql import SparkSession

from ecom.runtime import classarchive

# Settings the jobs rely on, applied to local sessions and to the Glue session alike.
JOB_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.compression.codec": "snappy",
    # INT64 microseconds, not the legacy INT96: what Athena, DuckDB and pyarrow expect.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.adaptive.enabled": "true",
    # A cast that cannot convert gives null (the line rules rely on it: staging.to_long).
    "spark.sql.ansi.enabled": "false",
    # try_to_timestamp returns null for text it cannot parse, instead of raising
    # INCONSISTENT_BEHAVIOR_CROSS_VERSION for text the pre-3.0 parser would have read.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    # AQE replaces a stage whose input turned out empty with an empty relation, dropping the
    # observe() node in it, and Observation.get then waits forever (a header-only file).
    "spark.sql.adaptive.optimizer.excludedRules": (
        "org.apache.spark.sql.execution.adaptive.AQEPropagateEmptyRelation"
    ),
}

# Partition folders a local session lists on the driver before it lists them with a job.
LOCAL_LISTING = 100_000

# Extra Spark settings for local sessions, read from the environment (see local_session).
EXTRA_CONF_ENV = "ECOM_SPARK_CONF"


def extra_conf(text: str | None = None) -> dict[str, str]:
    """`key=value` pairs separated by whitespace (e.g. `$ECOM_SPARK_CONF`) → a dict."""
    text = os.environ.get(EXTRA_CONF_ENV, "") if text is None else text
    pairs = [item.split("=", 1) for item in text.split()]
    bad = [pair[0] for pair in pairs if len(pair) != 2 or not pair[0]]
    if bad:
        raise ValueError(f"{EXTRA_CONF_ENV}: expected key=value pairs, got {' '.join(bad)!r}")
    return {key: value for key, value in pairs}


def local_session(
    app_name: str = "ecom",
    *,
    cores: int | None = None,
    driver_memory: str = "3g",
    shuffle_partitions: int | None = None,
    extra_java_options: list[str] | None = None,
    conf: dict[str, str] | None = None,
    class_archive: bool = True,
) -> SparkSession:
    """A local SparkSession for the embedded default (quiet logs, no UI, UTC), its JVM's
    classes mapped from the class archive when there is one (see ecom.runtime.classarchive).

    `conf` adds Spark settings at start (static ones included) after JOB_CONF.
    `$ECOM_SPARK_CONF` adds Spark settings, as whitespace-separated `key=value` pairs,
    applied last; unset in normal runs. benchmarks/profile_pipeline.py uses it to write
    Spark's event log: `ECOM_SPARK_CONF="spark.eventLog.enabled=true
    spark.eventLog.dir=file:///tmp/events"`.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    cores = cores or os.cpu_count() or 2
    log4j = resources.files("ecom").joinpath("log4j2.properties")
    java_options = " ".join(
        [
            f"-Dlog4j.configurationFile=file:{log4j}",
            "-XX:+UseParallelGC",
            *(classarchive.java_options() if class_archive else []),
            *(extra_java_options or []),
        ]
    )
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or cores * 2))
        .config("spark.default.parallelism", str(cores * 2))
        .config("spark.sql.files.maxPartitionBytes", str(64 * 1024 * 1024))
        # A lake on local disk: list a table's partition folders on the driver. Past 32
        # paths Spark lists them with a Spark job (meant for object stores, where the Glue
        # session keeps it): a 271-day table read in 0.7-1.4 s that way, 0.3 s here.
        .config("spark.sql.sources.parallelPartitionDiscovery.threshold", str(LOCAL_LISTING))
    )
    for key, value in {**JOB_CONF, **(conf or {}), **extra_conf()}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def apply_job_conf(spark: SparkSession) -> None:
    """Apply JOB_CONF to a session created elsewhere (the GlueContext's on AWS)."""
    for key, value in JOB_CONF.items():
        spark.conf.set(key, value)
