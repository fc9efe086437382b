"""Glue Data Catalog registration from the curated zone's publication (boto3).

The model Glue job calls `register_glue` after it publishes, so what Athena reads is what
`<curated>/_current.json` names (`ecom.storage.tablestore`), never whatever folders exist:

- an unpartitioned table's `Location` is its published version folder
  (`<curated>/dim_user/v-<run>/`); each run that republishes it moves the location, one
  `update_table` call, so Athena switches versions at once;
- a partitioned table's `Location` is the table folder, and every Glue partition has its own
  `StorageDescriptor.Location`: the version folder that holds it
  (`<curated>/fact_purchases/v-<run>/purchase_date=2019-10-01/`). Partitions the
  publication adds are created, those whose version changed are updated
  (batch_update_partition), those it no longer names are deleted.

The database records the lake's raw source in its Parameters (`ecom.source`), where
`ecom views --engine athena` reads which views to create; tables of another source's star
left from an earlier registration are deleted (a lake, and so its database, holds one
source). A table published without data files (a partitioned table written empty) is
registered with the columns its publication entry records and no partitions.

Athena partition projection is deliberately not set (an update removes it from tables
registered before): projection computes every partition's location from one
`storage.location.template`, which cannot name a different version folder per partition,
and with projection enabled Athena ignores the registered partitions. Crawlers are not used
either: a crawler would catalog every version folder under a table as data.

Partitions are switched one batch at a time, not atomically as a whole; a query running
meanwhile may read some partitions of the previous publication, whose folders the model
job's vacuum keeps (the last two publications).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ecom.catalog.schema import PARTITION_KEYS, Column, TableSchema, table_schema_of_spark
from ecom.errors import EcomError
from ecom.storage import tablestore
from ecom.storage.lake import CATALOG_TABLES, catalog_tables, published_source

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
CREATE_BATCH = 100  # batch_create_partition accepts at most 100 partitions per call
UPDATE_BATCH = 100  # batch_update_partition accepts at most 100 entries
DELETE_BATCH = 25  # batch_delete_partition accepts at most 25
# The database parameter that records the lake's raw source.
SOURCE_PARAMETER = "ecom.source"

Snapshot = tablestore.Snapshot


class GlueRegistrationError(EcomError):
    """Glue refused a table or partition, or the publication lacks a table to register."""


def _folder(path: str) -> str:
    """A location as Glue and Athena expect it: with a trailing slash."""
    return path.rstrip("/") + "/"


def _storage(location: str, columns: list[dict[str, str]] | None = None) -> dict[str, Any]:
    storage: dict[str, Any] = {
        "Location": _folder(location),
        "InputFormat": PARQUET_INPUT,
        "OutputFormat": PARQUET_OUTPUT,
        "Compressed": False,
        "SerdeInfo": {
            "SerializationLibrary": PARQUET_SERDE,
            "Parameters": {"serialization.format": "1"},
        },
    }
    if columns is not None:
        storage["Columns"] = columns
    return storage


def published_locations(
    curated_path: str, snapshot: Snapshot, table: TableSchema
) -> tuple[str, dict[tuple[str, ...], str]]:
    """(table location, partition values → folder) of a table as the publication names it.

    Unpartitioned: the published version folder and no partitions. Partitioned: the table
    folder and, per partition, the version folder holding it.
    """
    if tablestore.table_entry(snapshot, table.name) is None:
        raise GlueRegistrationError(f"{table.name}: not in the curated publication")
    locations = tablestore.data_locations(curated_path, snapshot, table.name)
    if not table.partition_keys:
        ((folder, _),) = locations
        return _folder(folder), {}
    partitions = {(value,): _folder(folder) for folder, value in locations if value is not None}
    return _folder(f"{curated_path.rstrip('/')}/{table.name}"), partitions


def table_input(table: TableSchema, location: str) -> dict[str, Any]:
    """The Glue TableInput of one curated Parquet table (no partition projection)."""
    parameters = {
        "classification": "parquet",
        "EXTERNAL": "TRUE",
        "parquet.compression": "SNAPPY",
    }
    columns = [{"Name": column.name, "Type": column.type} for column in table.columns]
    return {
        "Name": table.name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "StorageDescriptor": _storage(location, columns),
        "PartitionKeys": [
            {"Name": column.name, "Type": column.type} for column in table.partition_keys
        ],
    }


def _ensure_database(glue_client: Any, database: str, source: str) -> None:
    """Create the database, or update its recorded source when that changed."""
    try:
        existing = glue_client.get_database(Name=database)["Database"]
    except glue_client.exceptions.EntityNotFoundException:
        glue_client.create_database(
            DatabaseInput={
                "Name": database,
                "Description": "e-commerce analytics curated zone",
                "Parameters": {SOURCE_PARAMETER: source},
            }
        )
        return
    parameters = dict(existing.get("Parameters") or {})
    if parameters.get(SOURCE_PARAMETER) == source:
        return
    parameters[SOURCE_PARAMETER] = source
    database_input = {
        key: existing[key] for key in ("Description", "LocationUri") if existing.get(key)
    }
    glue_client.update_database(
        Name=database, DatabaseInput={"Name": database, **database_input, "Parameters": parameters}
    )


def registered_source(glue_client: Any, database: str) -> str | None:
    """The source a database's registration recorded (None: no such database, or registered
    before sources were recorded)."""
    try:
        database_ = glue_client.get_database(Name=database)["Database"]
    except glue_client.exceptions.EntityNotFoundException:
        return None
    return (database_.get("Parameters") or {}).get(SOURCE_PARAMETER)


def _drop_other_sources_tables(glue_client: Any, database: str, source: str) -> list[str]:
    """Delete the star tables of other sources a former registration left; their names."""
    others = sorted(set(CATALOG_TABLES) - set(catalog_tables(source)))
    dropped = []
    for name in others:
        try:
            glue_client.delete_table(DatabaseName=database, Name=name)
        except glue_client.exceptions.EntityNotFoundException:
            continue
        dropped.append(name)
    return dropped


def _upsert_table(glue_client: Any, database: str, table: dict[str, Any]) -> str:
    try:
        glue_client.get_table(DatabaseName=database, Name=table["Name"])
    except glue_client.exceptions.EntityNotFoundException:
        glue_client.create_table(DatabaseName=database, TableInput=table)
        return "created"
    # The whole TableInput replaces the table's: parameters left over from an earlier
    # registration (partition projection) are dropped.
    glue_client.update_table(DatabaseName=database, TableInput=table)
    return "updated"


def _existing_partitions(glue_client: Any, database: str, table: str) -> dict[tuple[str, ...], str]:
    """Partition values → registered location."""
    paginator = glue_client.get_paginator("get_partitions")
    found: dict[tuple[str, ...], str] = {}
    for page in paginator.paginate(DatabaseName=database, TableName=table):
        for partition in page["Partitions"]:
            location = partition.get("StorageDescriptor", {}).get("Location", "")
            found[tuple(partition["Values"])] = location
    return found


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raise_errors(response: dict[str, Any], action: str, table: str) -> None:
    errors = [
        error
        for error in response.get("Errors", [])
        if error["ErrorDetail"].get("ErrorCode") != "AlreadyExistsException"
    ]
    if errors:
        detail = errors[0]["ErrorDetail"]
        raise GlueRegistrationError(
            f"{action} partitions of {table}: {detail.get('ErrorCode')}: "
            f"{detail.get('ErrorMessage')} ({len(errors)} partition(s))"
        )


def sync_partitions(
    glue_client: Any,
    database: str,
    table: TableSchema,
    wanted: Mapping[tuple[str, ...], str],
) -> dict[str, int]:
    """Make the table's Glue partitions exactly `wanted` (values → location).

    New partitions are created, partitions whose location changed (republished in a newer
    version) are updated, partitions no longer wanted are deleted. Returns the counts.
    """
    counts = {"partitions_added": 0, "partitions_updated": 0, "partitions_removed": 0}
    if not table.partition_keys:
        return counts
    existing = _existing_partitions(glue_client, database, table.name)
    new = sorted(set(wanted) - set(existing))
    for chunk in _chunks(new, CREATE_BATCH):
        inputs = [
            {"Values": list(values), "StorageDescriptor": _storage(wanted[values])}
            for values in chunk
        ]
        response = glue_client.batch_create_partition(
            DatabaseName=database, TableName=table.name, PartitionInputList=inputs
        )
        _raise_errors(response, "create", table.name)
    moved = sorted(
        values
        for values in set(wanted) & set(existing)
        if _folder(existing[values]) != wanted[values]
    )
    for chunk in _chunks(moved, UPDATE_BATCH):
        entries = [
            {
                "PartitionValueList": list(values),
                "PartitionInput": {
                    "Values": list(values),
                    "StorageDescriptor": _storage(wanted[values]),
                },
            }
            for values in chunk
        ]
        response = glue_client.batch_update_partition(
            DatabaseName=database, TableName=table.name, Entries=entries
        )
        _raise_errors(response, "update", table.name)
    stale = sorted(set(existing) - set(wanted))
    for chunk in _chunks(stale, DELETE_BATCH):
        response = glue_client.batch_delete_partition(
            DatabaseName=database,
            TableName=table.name,
            PartitionsToDelete=[{"Values": list(values)} for values in chunk],
        )
        _raise_errors(response, "delete", table.name)
    counts.update(
        partitions_added=len(new), partitions_updated=len(moved), partitions_removed=len(stale)
    )
    return counts


def register_glue(
    glue_client: Any,
    database: str,
    curated_path: str,
    tables: Sequence[TableSchema],
    snapshot: Snapshot,
) -> dict[str, Any]:
    """Create or update `database`, each table (Parquet SerDe) and its partitions in Glue.

    Locations come from `snapshot`, the curated zone's publication (`tablestore.load`):
    `curated_path` is the zone it describes, as Athena reads it (`s3://...`). The database
    records the publication's source (`SOURCE_PARAMETER`).
    """
    source = published_source(snapshot)
    _ensure_database(glue_client, database, source)
    summary: dict[str, Any] = {
        "database": database,
        "source": source,
        "publication": snapshot.get("run_id"),
        "tables": {},
        "tables_removed": _drop_other_sources_tables(glue_client, database, source),
    }
    for table in tables:
        location, partitions = published_locations(curated_path, snapshot, table)
        action = _upsert_table(glue_client, database, table_input(table, location))
        counts = sync_partitions(glue_client, database, table, partitions)
        summary["tables"][table.name] = {"action": action, "location": location, **counts}
    return summary


def spark_table_schemas(
    spark: SparkSession,
    curated_path: str,
    snapshot: Snapshot | None = None,
    tables: Sequence[str] | None = None,
) -> list[TableSchema]:
    """The published tables (of `tables`, by default those of the publication's source) as
    TableSchemas: columns, partition key, values.

    Cheap: the columns come from the publication entry (or, for a publication written
    before entries recorded them, from the footer of one published folder: no data is
    read, no job is run); the partition values come from the publication document.
    Tables the publication does not name are left out.
    """
    snapshot = snapshot if snapshot is not None else tablestore.load(spark, curated_path)
    names = catalog_tables(published_source(snapshot)) if tables is None else tables
    schemas = []
    for name in names:
        locations = tablestore.data_locations(curated_path, snapshot, name)
        partitions = [[value] for _, value in locations if value is not None]
        columns = tablestore.recorded_columns(snapshot, name)
        if columns is not None:
            key = PARTITION_KEYS.get(name)
            schemas.append(
                TableSchema(
                    name=name,
                    columns=[Column(**column) for column in columns],
                    partition_keys=[Column(*key)] if key else [],
                    partitions=partitions,
                )
            )
        elif locations:
            schema = spark.read.parquet(locations[0][0]).schema
            schemas.append(table_schema_of_spark(name, schema, partitions))
    return schemas


class GlueCatalog:
    """The `Catalog` of a lake on AWS: one Glue database; Athena reads what it registers."""

    kind = "glue"

    def __init__(self, database: str, curated_path: str, client: Any = None) -> None:
        self.database = database
        self.curated_path = curated_path
        self._client = client

    def register(self, spark: SparkSession) -> dict[str, Any]:
        """Register the curated publication's tables, partitions and dq_results in Glue."""
        if self._client is None:
            import boto3  # created here, at run time, never at import

            self._client = boto3.client("glue")
        snapshot = tablestore.load(spark, self.curated_path)
        tables = spark_table_schemas(spark, self.curated_path, snapshot)
        summary = register_glue(self._client, self.database, self.curated_path, tables, snapshot)
        return {"catalog": self.kind, **summary}
