"""Read a lake's tables as its current publications name them (what every reader sees)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession

from ecom.storage import tablestore
from ecom.storage.lake import Lake, curated_tables

# Columns naming the run that wrote a row (the customer models' tables): two runs of the
# same data differ in them by design, so comparisons of two lakes leave them out.
RUN_COLUMNS = ("run_id", "changed_by_run", "scored_at", "evaluated_at")
# With the ingest's lineage: the columns two lakes that took the same rows in other runs
# differ in (the crash tests compare a rerun with a run that was never killed).
LINEAGE = ("ingest_run_id", "ingested_at", *RUN_COLUMNS)


def without_run_columns(table_df: DataFrame) -> DataFrame:
    return table_df.drop(*[name for name in RUN_COLUMNS if name in table_df.columns])


def read_curated(spark: SparkSession, lake: Lake, name: str) -> DataFrame:
    """A published curated table (or dq_results)."""
    return tablestore.read_published(spark, lake.curated, name)


def read_staged(spark: SparkSession, lake: Lake) -> DataFrame:
    """The published staged events."""
    zone, name = tablestore.split_table_path(lake.staged_events)
    return tablestore.read_published(spark, zone, name)


def published_rows(zone: str, name: str, drop: Iterable[str] = ()) -> list[tuple]:
    """A published table's rows, sorted, without the `drop` columns: read with pyarrow from
    the files the zone's current publication names, as an engine outside Spark reads them
    (no Spark job: the crash, incremental and gate tests compare whole lakes many times).

    Columns in the order the publication records them, a partition column last as the
    text of its folder name.
    """
    snapshot = tablestore.load_local(zone)
    entry = tablestore.table_entry(snapshot, name)
    if entry is None:
        raise KeyError(f"{zone}: no published table {name!r}")
    key = entry.get("partition_key")
    left_out = set(drop)
    columns = [c["name"] for c in entry["columns"] if c["name"] not in left_out]
    rows: list[tuple] = []
    for folder, value in tablestore.data_locations(zone, snapshot, name):
        for file in sorted(Path(folder).glob("*.parquet")):
            table = pq.read_table(file, columns=columns)
            if key is not None and key not in left_out:
                table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
            values = [table.column(i).to_pylist() for i in range(table.num_columns)]
            rows.extend(zip(*values, strict=True))
    return sorted(rows, key=repr)


def lake_rows(
    lake: Lake,
    source: str,
    drop: Iterable[str] = RUN_COLUMNS,
    staged_drop: Iterable[str] | None = None,
) -> dict[str, list[tuple]]:
    """Every curated table of `source` (published_rows, without `drop`), and with
    `staged_drop` given the staged events too (key "staged", without those columns)."""
    drop = tuple(drop)
    rows = {name: published_rows(lake.curated, name, drop) for name in curated_tables(source)}
    if staged_drop is not None:
        zone, name = tablestore.split_table_path(lake.staged_events)
        rows["staged"] = published_rows(zone, name, staged_drop)
    return rows


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
