"""Read a lake's tables as its current publications name them (what every reader sees)."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from ecom.storage import tablestore
from ecom.storage.lake import Lake


def read_curated(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    """A published curated table (or dq_results)."""
    return tablestore.read_published(spark, lake.curated, name)


def read_staged(spark: SparkSession, lake: Lake) -> DataFrame:
    """The published staged events."""
    zone, name = tablestore.split_table_path(lake.staged_events)
    return tablestore.read_published(spark, zone, name)
