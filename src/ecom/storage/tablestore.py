"""Versioned tables with atomic publication: readers see a run's output whole or not at all.

A *zone* is a folder of tables (the staged zone holds `events`; the curated zone holds the
star schema and `dq_results`). A write never touches published data: it puts a table's new
data under `<zone>/<table>/v-<run_id>/`, partitioned tables as
`<zone>/<table>/v-<run_id>/<key>=<value>/`. Publication then replaces one small JSON
document, `<zone>/_current.json`, naming for every table the version that holds it, or for a
partitioned table the version that holds each partition; a copy stays in
`<zone>/_snapshots/<time>-<run_id>.json`.

Every reader (the model job, the local catalog and its query engine, Glue registration)
reads only the files the current document names. So:

- a run killed at any moment, even half-way through writing a table, leaves the previous
  publication whole and readable; what it wrote is orphaned and removed by `vacuum`;
- an incremental run rewrites only the partitions it changes: the new document points the
  other partitions at the versions that already hold them;
- a failed data-quality gate simply does not publish.

Each table's entry also records its columns (name and Glue / Hive type, the partition column
left out), as the run wrote them: a table can be published with no data file at all (a
partitioned table written empty, e.g. no adjustment lines yet), and the catalogs still
register it with its schema, so the views that read it work.

Replacing the document is atomic: a local file is written aside and renamed over (POSIX
rename); on S3 a PUT of one object is atomic and, since December 2020, strongly consistent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DataType, StructType

from ecom.runtime import faults
from ecom.storage import hadoopfs
from ecom.storage.lake import join_path

FORMAT = 1
CURRENT = "_current.json"
SNAPSHOTS = "_snapshots"
VERSION_PREFIX = "v-"
# Publications whose files vacuum keeps: the current one and the one before it, so a query
# that started just before a publication can still finish on the files it planned.
KEEP_PUBLICATIONS = 2

Snapshot = dict[str, Any]


def version_name(run_id: str) -> str:
    """The folder name of a run's version of a table."""
    return f"{VERSION_PREFIX}{run_id}"


def split_table_path(path: str) -> tuple[str, str]:
    """`<zone>/<table>` → (zone, table), for jobs that receive a table's path."""
    zone, _, name = path.rstrip("/").rpartition("/")
    return zone, name


def empty_snapshot() -> Snapshot:
    """The document of a zone nothing was published to yet."""
    return {"format": FORMAT, "run_id": None, "tables": {}}


def load(spark: SparkSession, zone: str) -> Snapshot:
    """The zone's current publication (an empty one before the first)."""
    path = join_path(zone, CURRENT)
    if not hadoopfs.exists(spark, path):
        return empty_snapshot()
    return json.loads(hadoopfs.read_text(spark, path))


def load_local(zone: str | Path) -> Snapshot:
    """`load` for a local zone without Spark (the local catalog, the dashboard)."""
    path = Path(zone) / CURRENT
    if not path.is_file():
        return empty_snapshot()
    return json.loads(path.read_text())


def publish(spark: SparkSession, zone: str, snapshot: Snapshot, run_id: str) -> Snapshot:
    """Make `snapshot` the zone's current publication (the one atomic step of a run)."""
    now = datetime.now(UTC)
    document = {
        **snapshot,
        "format": FORMAT,
        "run_id": run_id,
        "published_at": now.isoformat(timespec="seconds"),
    }
    text = json.dumps(document, indent=1, sort_keys=True) + "\n"
    # Named by time first: Glue's run ids (jr_...) do not sort by time.
    history = join_path(zone, SNAPSHOTS, f"{now:%Y%m%dT%H%M%S%fZ}-{run_id}.json")
    hadoopfs.write_text(spark, history, text)
    faults.checkpoint(f"publish:{zone.rstrip('/').rsplit('/', 1)[-1]}")
    hadoopfs.replace_text(spark, join_path(zone, CURRENT), text)
    faults.checkpoint(f"published:{zone.rstrip('/').rsplit('/', 1)[-1]}")
    return document


# --- what a publication names ---------------------------------------------------------------


def table_entry(snapshot: Snapshot, name: str) -> dict[str, Any] | None:
    return snapshot["tables"].get(name)


def partition_versions(snapshot: Snapshot, name: str) -> dict[str, str]:
    """Partition value → version folder, for a partitioned table ({} when absent)."""
    entry = table_entry(snapshot, name)
    return dict(entry.get("partitions", {})) if entry else {}


def partition_values(snapshot: Snapshot, name: str) -> list[str]:
    return sorted(partition_versions(snapshot, name))


def hive_type(data_type: DataType) -> str:
    """A Spark type → its Glue / Hive name (`timestamp_ntz` is a `timestamp` there)."""
    name = data_type.simpleString()
    return "timestamp" if name == "timestamp_ntz" else name


def schema_columns(schema: StructType, exclude: Iterable[str] = ()) -> list[dict[str, str]]:
    """A table's columns as its entry records them: `[{"name", "type"}]`, without `exclude`."""
    left_out = set(exclude)
    return [
        {"name": field.name, "type": hive_type(field.dataType)}
        for field in schema.fields
        if field.name not in left_out
    ]


def recorded_columns(snapshot: Snapshot, name: str) -> list[dict[str, str]] | None:
    """The columns a table's entry records (None: no entry, or written before they were)."""
    entry = table_entry(snapshot, name)
    return list(entry["columns"]) if entry and entry.get("columns") else None


def data_locations(zone: str, snapshot: Snapshot, name: str) -> list[tuple[str, str | None]]:
    """(folder, partition value) of every folder holding the table's published data."""
    entry = table_entry(snapshot, name)
    if entry is None:
        return []
    table_root = join_path(zone, name)
    key = entry.get("partition_key")
    if key is None:
        return [(join_path(table_root, entry["version"]), None)]
    return [
        (join_path(table_root, version, f"{key}={value}"), value)
        for value, version in sorted(entry["partitions"].items())
    ]


# --- reading and writing --------------------------------------------------------------------


def read_table(
    spark: SparkSession,
    zone: str,
    snapshot: Snapshot,
    name: str,
    schema: StructType | None = None,
    values: Iterable[str] | None = None,
) -> DataFrame:
    """The published rows of a table (of some partitions only when `values` is given).

    Partitions held by one version are read together with the version folder as base path,
    so Spark restores the partition column; the versions are unioned. Without `schema` it
    comes from the files (then the table must have been published).
    """
    entry = table_entry(snapshot, name)
    if entry is None:
        if schema is None:
            raise KeyError(f"{zone}: no published table {name!r}")
        return spark.createDataFrame([], schema)
    table_root = join_path(zone, name)
    key = entry.get("partition_key")
    reader = spark.read if schema is None else spark.read.schema(schema)
    if key is None:
        return reader.parquet(join_path(table_root, entry["version"]))
    wanted = None if values is None else set(values)
    by_version: dict[str, list[str]] = {}
    for value, version in sorted(entry["partitions"].items()):
        if wanted is None or value in wanted:
            by_version.setdefault(version, []).append(value)
    frames = [
        reader.option("basePath", join_path(table_root, version)).parquet(
            *[join_path(table_root, version, f"{key}={value}") for value in group]
        )
        for version, group in by_version.items()
    ]
    if not frames:
        if schema is None:
            raise KeyError(f"{zone}: table {name!r} has none of the partitions asked for")
        return spark.createDataFrame([], schema)
    return reduce(DataFrame.unionByName, frames)


def read_published(spark: SparkSession, zone: str, name: str) -> DataFrame:
    """A table as the zone's current publication has it (schema from its files)."""
    return read_table(spark, zone, load(spark, zone), name)


def parquet_options(plain_columns: tuple[str, ...]) -> dict[str, str]:
    """Parquet writer options that store `plain_columns` without a dictionary.

    Parquet dictionary-encodes every column until a page's dictionary outgrows its limit;
    for a column of nearly unique values (timestamps, session ids) that is work spent on a
    dictionary then thrown away. 5M staged events: 13-15 CPU-s to write with dictionaries
    everywhere, 9-11.5 without them on the five such columns, files 5% larger.
    """
    return {f"parquet.enable.dictionary#{name}": "false" for name in plain_columns}


def write_version(
    spark: SparkSession,
    zone: str,
    name: str,
    run_id: str,
    table_df: DataFrame,
    partition_key: str | None = None,
    *,
    one_file: bool = True,
    options: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Write `table_df` as this run's version of a table; return its table entry.

    The entry records the table's columns (`schema_columns`). For a partitioned table it
    names only the partitions written here (none when `table_df` is empty); `merge_entry`
    combines it with the partitions kept from the previous publication. An unpartitioned
    table is one file unless `one_file` is False: then a large table built by a shuffle
    keeps its tasks (a single task would do all the work of its last stage). `options` go to
    the Parquet writer (e.g. `parquet_options`).
    """
    version = version_name(run_id)
    columns = schema_columns(table_df.schema, exclude=[partition_key] if partition_key else [])
    path = join_path(zone, name, version)
    hadoopfs.delete(spark, path)  # what an earlier attempt of this very run may have left
    faults.during_write(f"write:{name}", path)
    if partition_key is None:
        writer = (table_df.coalesce(1) if one_file else table_df).write.options(**(options or {}))
        writer.mode("overwrite").parquet(path)
        return {"version": version, "columns": columns}
    # The caller arranges the rows (one task per partition value, sorted as readers like).
    writer = table_df.write.options(**(options or {}))
    writer.mode("overwrite").partitionBy(partition_key).parquet(path)
    prefix = f"{partition_key}="
    written = [
        entry.removeprefix(prefix)
        for entry in hadoopfs.list_names(spark, path)
        if entry.startswith(prefix)
    ]
    return {
        "partition_key": partition_key,
        "partitions": dict.fromkeys(written, version),
        "columns": columns,
    }


def merge_entry(
    previous: Mapping[str, Any] | None,
    written: Mapping[str, Any],
    replaced: Iterable[str] = (),
) -> dict[str, Any]:
    """A partitioned table's entry after a run: kept partitions, minus `replaced`, plus new.

    A partition listed in `replaced` but absent from `written` had no rows left: it goes.
    The columns are those of the newest write.
    """
    partitions = dict(previous.get("partitions", {})) if previous else {}
    for value in replaced:
        partitions.pop(value, None)
    partitions.update(written["partitions"])
    merged: dict[str, Any] = {
        "partition_key": written["partition_key"],
        "partitions": dict(sorted(partitions.items())),
    }
    columns = written.get("columns") or (previous or {}).get("columns")
    if columns:
        merged["columns"] = list(columns)
    return merged


# --- clean-up -------------------------------------------------------------------------------


def referenced_versions(snapshot: Snapshot) -> dict[str, set[str]]:
    """Table → the version folders a publication names."""
    versions: dict[str, set[str]] = {}
    for name, entry in snapshot["tables"].items():
        named = set(entry.get("partitions", {}).values())
        if "version" in entry:
            named.add(entry["version"])
        versions[name] = named
    return versions


def vacuum(spark: SparkSession, zone: str, keep: int = KEEP_PUBLICATIONS) -> list[str]:
    """Delete version folders the last `keep` publications do not name; return them.

    Call it only after a publication, under the lake's lock: a version folder that no
    publication names is either superseded or left by a killed run.
    """
    snapshot_names = sorted(
        name
        for name in hadoopfs.list_names(spark, join_path(zone, SNAPSHOTS))
        if name.endswith(".json")
    )
    kept: dict[str, set[str]] = {}
    for name in snapshot_names[-keep:]:
        document = json.loads(hadoopfs.read_text(spark, join_path(zone, SNAPSHOTS, name)))
        for table, versions in referenced_versions(document).items():
            kept.setdefault(table, set()).update(versions)
    current = load(spark, zone)
    for table, versions in referenced_versions(current).items():
        kept.setdefault(table, set()).update(versions)
    removed = []
    for table in hadoopfs.list_names(spark, zone):
        if table.startswith(("_", ".")):
            continue
        for version in hadoopfs.list_names(spark, join_path(zone, table)):
            if version.startswith(VERSION_PREFIX) and version not in kept.get(table, set()):
                path = join_path(zone, table, version)
                hadoopfs.delete(spark, path)
                removed.append(path)
    return removed
