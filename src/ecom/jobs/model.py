"""Glue job 2, model: staged events → the curated star schema (Parquet)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from ecom import hadoopfs
from ecom.lake import join_path
from ecom.transforms.ingest import STAGED_SCHEMA
from ecom.transforms.model import (
    build_dim_category,
    build_dim_product,
    build_dim_time,
    build_dim_user,
    build_fact_daily_summary,
    build_fact_monthly_summary,
    build_fact_purchases,
    build_fact_sessions,
    event_date_bounds,
    product_versions,
)

# Partition column of each partitioned curated table (the others are written unpartitioned).
PARTITIONS: dict[str, str] = {
    "fact_purchases": "purchase_date",
    "fact_sessions": "session_date",
}


@dataclass(frozen=True)
class ModelArgs:
    """Arguments of the model job; on Glue they arrive as `--staged_path` etc."""

    staged_path: str
    curated_path: str
    run_id: str


@dataclass
class ModelResult:
    """What one model run wrote: rows per curated table and seconds per table."""

    run_id: str
    staged_rows: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    table_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def read_staged(spark: SparkSession, staged_path: str) -> DataFrame:
    """Staged events, or an empty frame of the staged schema before the first ingest."""
    if not hadoopfs.exists(spark, staged_path):
        return spark.createDataFrame([], STAGED_SCHEMA)
    return spark.read.schema(STAGED_SCHEMA).parquet(staged_path)


class CuratedWriter:
    """Writes curated tables (full rebuild) and reads them back for dependent tables."""

    def __init__(self, spark: SparkSession, curated_path: str, result: ModelResult) -> None:
        self.spark = spark
        self.curated_path = curated_path
        self.result = result

    def write(self, name: str, table_df: DataFrame) -> DataFrame:
        """Replace table `name` with `table_df`; return the table as written."""
        started = time.perf_counter()
        path = join_path(self.curated_path, name)
        partition = PARTITIONS.get(name)
        writer_df = table_df.repartition(partition) if partition else table_df.coalesce(1)
        writer = writer_df.write.mode("overwrite").option("partitionOverwriteMode", "static")
        if partition:
            writer = writer.partitionBy(partition)
        writer.parquet(path)
        written_df = self.spark.read.schema(table_df.schema).parquet(path)
        self.result.tables[name] = written_df.count()
        self.result.table_seconds[name] = round(time.perf_counter() - started, 3)
        return written_df


def run_model(spark: SparkSession, args: ModelArgs) -> ModelResult:
    """Build every curated table from the staged events; dependents read what was written."""
    started = time.perf_counter()
    result = ModelResult(run_id=args.run_id)
    events_df = read_staged(spark, args.staged_path)
    result.staged_rows = events_df.count()
    writer = CuratedWriter(spark, args.curated_path, result)

    purchases_df = writer.write("fact_purchases", build_fact_purchases(events_df))
    sessions_df = writer.write("fact_sessions", build_fact_sessions(events_df))
    writer.write("dim_user", build_dim_user(sessions_df))
    versions_df = product_versions(events_df).persist(StorageLevel.MEMORY_AND_DISK)
    writer.write("dim_product", build_dim_product(versions_df))
    writer.write("dim_category", build_dim_category(versions_df))
    versions_df.unpersist()
    bounds_df = event_date_bounds(events_df)
    time_df = writer.write(
        "dim_time", build_dim_time(bounds_df["first_date"], bounds_df["last_date"], bounds_df)
    )
    writer.write(
        "fact_daily_summary",
        build_fact_daily_summary(time_df, events_df, sessions_df, purchases_df),
    )
    writer.write("fact_monthly_summary", build_fact_monthly_summary(time_df, purchases_df))
    result.seconds = round(time.perf_counter() - started, 3)
    return result
