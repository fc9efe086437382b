"""Read a lake's tables as its current publications name them (what every reader sees)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession

from ecom.storage import tablestore
from ecom.storage.lake import Lake

# Columns naming the run that wrote a row (the customer models' tables): two runs of the
# same data differ in them by design, so comparisons of two lakes leave them out.
RUN_COLUMNS = ("run_id", "changed_by_run", "scored_at", "evaluated_at")


def without_run_columns(table_df: DataFrame) -> DataFrame:
    return table_df.drop(*[name for name in RUN_COLUMNS if name in table_df.columns])


def read_curated(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    """A published curated table (or dq_results)."""
    return tablestore.read_published(spark, lake.curated, name)


def read_staged(spark: SparkSession, lake: Lake) -> DataFrame:
    """The published staged events."""
    zone, name = tablestore.split_table_path(lake.staged_events)
    return tablestore.read_published(spark, zone, name)


def parquet_encodings(path: Path) -> dict[str, set[str]]:
    """Column → the Parquet encodings of its chunks, over every data file under `path`."""
    found: dict[str, set[str]] = {}
    for file in sorted(path.rglob("*.parquet")):
        metadata = pq.ParquetFile(file).metadata
        for group in range(metadata.num_row_groups):
            for index in range(metadata.num_columns):
                column = metadata.row_group(group).column(index)
                found.setdefault(column.path_in_schema, set()).update(column.encodings)
    return found
