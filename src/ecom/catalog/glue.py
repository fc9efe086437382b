"""Glue Data Catalog registration: database, Parquet tables and their partitions (boto3).

The Glue job calls `register_glue` after the model step, so new partitions are queryable
without waiting for a crawler. Tables are created or updated; partitions the job no longer
wrote (a full rebuild) are removed, new ones are added with batch_create_partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ecom.catalog.schema import TableSchema, table_schema_of_spark
from ecom.errors import EcomError
from ecom.lake import CURATED_TABLES, join_path

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
CREATE_BATCH = 100  # batch_create_partition accepts at most 100 partitions per call
DELETE_BATCH = 25  # batch_delete_partition accepts at most 25


class GlueRegistrationError(EcomError):
    """Glue refused a table or partition."""


def _storage(location: str, columns: list[dict[str, str]] | None = None) -> dict[str, Any]:
    storage: dict[str, Any] = {
        "Location": location,
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


def table_location(location_root: str, table: str) -> str:
    return join_path(location_root, table) + "/"


def projection_parameters(
    table: TableSchema, location: str, projection_start: str
) -> dict[str, str]:
    """Athena partition projection for date partitions (the same properties as sql/ddl)."""
    parameters: dict[str, str] = {}
    for key in table.partition_keys:
        if key.type != "date":
            return {}
        parameters.update(
            {
                f"projection.{key.name}.type": "date",
                f"projection.{key.name}.format": "yyyy-MM-dd",
                f"projection.{key.name}.range": f"{projection_start},NOW",
                f"projection.{key.name}.interval": "1",
                f"projection.{key.name}.interval.unit": "DAYS",
            }
        )
    if not parameters:
        return {}
    template = "/".join(f"{key.name}=${{{key.name}}}" for key in table.partition_keys)
    parameters["projection.enabled"] = "true"
    parameters["storage.location.template"] = f"{location}{template}/"
    return parameters


def table_input(
    table: TableSchema, location_root: str, projection_start: str | None = None
) -> dict[str, Any]:
    """The Glue TableInput of one curated Parquet table (projection when a start is given)."""
    location = table_location(location_root, table.name)
    parameters = {
        "classification": "parquet",
        "EXTERNAL": "TRUE",
        "parquet.compression": "SNAPPY",
    }
    if projection_start:
        parameters.update(projection_parameters(table, location, projection_start))
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


def _ensure_database(glue_client: Any, database: str) -> None:
    try:
        glue_client.get_database(Name=database)
    except glue_client.exceptions.EntityNotFoundException:
        glue_client.create_database(
            DatabaseInput={"Name": database, "Description": "e-commerce analytics curated zone"}
        )


def _upsert_table(glue_client: Any, database: str, table: dict[str, Any]) -> str:
    try:
        glue_client.get_table(DatabaseName=database, Name=table["Name"])
    except glue_client.exceptions.EntityNotFoundException:
        glue_client.create_table(DatabaseName=database, TableInput=table)
        return "created"
    glue_client.update_table(DatabaseName=database, TableInput=table)
    return "updated"


def _existing_partitions(glue_client: Any, database: str, table: str) -> set[tuple[str, ...]]:
    paginator = glue_client.get_paginator("get_partitions")
    values: set[tuple[str, ...]] = set()
    for page in paginator.paginate(DatabaseName=database, TableName=table):
        values.update(tuple(partition["Values"]) for partition in page["Partitions"])
    return values


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
    glue_client: Any, database: str, location_root: str, table: TableSchema
) -> tuple[int, int]:
    """Add the partitions Glue lacks, drop those no longer written; (added, removed)."""
    if not table.partition_keys:
        return 0, 0
    wanted = {tuple(values) for values in table.partitions}
    existing = _existing_partitions(glue_client, database, table.name)
    location = table_location(location_root, table.name)
    new = sorted(wanted - existing)
    for chunk in _chunks(new, CREATE_BATCH):
        inputs = [
            {
                "Values": list(values),
                "StorageDescriptor": _storage(
                    location
                    + "/".join(
                        f"{key.name}={value}"
                        for key, value in zip(table.partition_keys, values, strict=True)
                    )
                    + "/"
                ),
            }
            for values in chunk
        ]
        response = glue_client.batch_create_partition(
            DatabaseName=database, TableName=table.name, PartitionInputList=inputs
        )
        _raise_errors(response, "create", table.name)
    stale = sorted(existing - wanted)
    for chunk in _chunks(stale, DELETE_BATCH):
        response = glue_client.batch_delete_partition(
            DatabaseName=database,
            TableName=table.name,
            PartitionsToDelete=[{"Values": list(values)} for values in chunk],
        )
        _raise_errors(response, "delete", table.name)
    return len(new), len(stale)


def register_glue(
    glue_client: Any,
    database: str,
    location_root: str,
    tables: Sequence[TableSchema],
    *,
    projection_start: str | None = None,
) -> dict[str, Any]:
    """Create or update `database`, each table (Parquet SerDe) and its partitions in Glue."""
    _ensure_database(glue_client, database)
    summary: dict[str, Any] = {"database": database, "tables": {}}
    for table in tables:
        action = _upsert_table(
            glue_client, database, table_input(table, location_root, projection_start)
        )
        added, removed = sync_partitions(glue_client, database, location_root, table)
        summary["tables"][table.name] = {
            "action": action,
            "partitions_added": added,
            "partitions_removed": removed,
        }
    return summary


def spark_table_schemas(
    spark: SparkSession, curated_path: str, tables: Sequence[str] = CURATED_TABLES
) -> list[TableSchema]:
    """The curated tables as written, read back by Spark (schema + partition values).

    Partition values come from a distinct over the partition column: one row per date.
    """
    from ecom.catalog.schema import PARTITION_KEYS

    schemas = []
    for name in tables:
        table_df = spark.read.parquet(join_path(curated_path, name))
        partitions: list[list[str]] = []
        if name in PARTITION_KEYS:
            key = PARTITION_KEYS[name][0]
            values = table_df.select(key).distinct().collect()
            partitions = sorted([str(row[0])] for row in values if row[0] is not None)
        schemas.append(table_schema_of_spark(name, table_df.schema, partitions))
    return schemas
