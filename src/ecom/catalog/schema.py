"""Table schemas in Glue / Hive terms, from Parquet (pyarrow) or from Spark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ecom.errors import EcomError
from ecom.storage.lake import PARTITION_KEYS as LAKE_PARTITION_KEYS

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

# Partition column of each partitioned curated table and its type.
PARTITION_KEYS: dict[str, tuple[str, str]] = {
    name: (column, "date") for name, column in LAKE_PARTITION_KEYS.items()
}


class UnsupportedTypeError(EcomError):
    """A column type that has no Glue / Hive equivalent here."""


@dataclass(frozen=True)
class Column:
    """One column: name and Glue / Hive type (`bigint`, `decimal(18,2)`, `timestamp`, ...)."""

    name: str
    type: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "type": self.type}


@dataclass
class TableSchema:
    """One table as the catalogs see it: data columns, partition keys and partition values."""

    name: str
    columns: list[Column]
    partition_keys: list[Column] = field(default_factory=list)
    partitions: list[list[str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": [column.to_dict() for column in self.columns],
            "partition_keys": [column.to_dict() for column in self.partition_keys],
            "partitions": [list(values) for values in self.partitions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableSchema:
        return cls(
            name=data["name"],
            columns=[Column(**column) for column in data["columns"]],
            partition_keys=[Column(**column) for column in data.get("partition_keys", [])],
            partitions=[list(values) for values in data.get("partitions", [])],
        )


def hive_type_of_arrow(arrow_type: pa.DataType) -> str:
    """A pyarrow type (as read from Parquet) → its Glue / Hive type name."""
    simple = [
        (pa.types.is_int64, "bigint"),
        (pa.types.is_int32, "int"),
        (pa.types.is_int16, "smallint"),
        (pa.types.is_int8, "tinyint"),
        (pa.types.is_boolean, "boolean"),
        (pa.types.is_float64, "double"),
        (pa.types.is_float32, "float"),
        (pa.types.is_date32, "date"),
        (pa.types.is_timestamp, "timestamp"),
        (pa.types.is_binary, "binary"),
    ]
    for check, name in simple:
        if check(arrow_type):
            return name
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_list(arrow_type):
        return f"array<{hive_type_of_arrow(arrow_type.value_type)}>"
    raise UnsupportedTypeError(f"no Glue type for Parquet type {arrow_type}")


def columns_of_arrow(schema: pa.Schema, exclude: tuple[str, ...] = ()) -> list[Column]:
    """A pyarrow schema → Glue columns, in file order, without `exclude`."""
    return [
        Column(field_.name, hive_type_of_arrow(field_.type))
        for field_ in schema
        if field_.name not in exclude
    ]


def glue_type_of_spark(data_type: Any) -> str:
    """A Spark DataType → its Glue / Hive type name (`timestamp_ntz` maps to `timestamp`)."""
    name = data_type.simpleString()
    return "timestamp" if name == "timestamp_ntz" else name


def glue_columns(schema: StructType, exclude: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """A Spark StructType → Glue `Columns` (`[{"Name": ..., "Type": ...}]`), without `exclude`."""
    return [
        {"Name": field_.name, "Type": glue_type_of_spark(field_.dataType)}
        for field_ in schema.fields
        if field_.name not in exclude
    ]


def table_schema_of_spark(
    name: str, schema: StructType, partitions: list[list[str]] | None = None
) -> TableSchema:
    """A curated table read by Spark → TableSchema (the partition column split off)."""
    partition = PARTITION_KEYS.get(name)
    exclude = (partition[0],) if partition else ()
    return TableSchema(
        name=name,
        columns=[Column(c["Name"], c["Type"]) for c in glue_columns(schema, exclude)],
        partition_keys=[Column(*partition)] if partition else [],
        partitions=partitions or [],
    )
