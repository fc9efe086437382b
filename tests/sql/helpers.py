"""Helpers of the SQL tests: normalising result rows, tiny curated tables from the DDL."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from ecom.catalog.ddl import ddl_files

PLACES = 4
SOURCES = ("clickstream", "online-retail")
# The session fixture (tests/conftest.py) holding each source's test lake.
LAKE_FIXTURES = {"clickstream": "sql_lake", "online-retail": "retail_lake"}


def lake_of(request: Any, source: str) -> Path:
    """The lake folder of a source's test lake (the fixture is built on first use).

    Building it runs the pipeline, so the test must be marked `e2e` (tests/conftest.py marks
    the tests that name a lake fixture; this one is looked up by name at run time)."""
    if request.node.get_closest_marker("e2e") is None:
        raise AssertionError(f"{request.node.nodeid} opens a pipeline lake: mark it e2e")
    return request.getfixturevalue(LAKE_FIXTURES[source]).lake


def normalise(value: Any) -> Any:
    """Decimals and floats → float rounded to 4 places; timestamps → naive; others as is."""
    if isinstance(value, Decimal | float):
        number = float(value)
        return None if math.isnan(number) else round(number, PLACES)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def normalised_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with normalised values, sorted (None sorts first)."""
    out = [tuple(normalise(value) for value in row) for row in rows]
    return sorted(out, key=lambda row: tuple((value is not None, str(value)) for value in row))


def close(left: Any, right: Any, tolerance: float = 0.011) -> bool:
    """Equal, or numbers within a cent (engines round money divisions differently)."""
    if isinstance(left, int | float) and isinstance(right, int | float):
        return abs(left - right) <= tolerance * max(1.0, abs(left) * 1e-9)
    return left == right


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ddl_columns(
    table: str, source: str = "clickstream"
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(data columns, partition columns) of a source's DDL of `table` as (name, type) pairs."""
    statement = sqlglot.parse_one(ddl_files(source=source)[table].read_text(), read="athena")
    data, partitions = [], []
    for column in statement.find_all(exp.ColumnDef):
        kind = column.args["kind"].sql("hive").lower().replace(" ", "")
        pair = (column.name, {"integer": "int"}.get(kind, kind))
        in_partition = column.find_ancestor(exp.PartitionedByProperty) is not None
        (partitions if in_partition else data).append(pair)
    return data, partitions


ARROW_TYPES = {
    "bigint": pa.int64(),
    "int": pa.int32(),
    "string": pa.string(),
    "boolean": pa.bool_(),
    "decimal(18,2)": pa.decimal128(18, 2),
    "decimal(18,3)": pa.decimal128(18, 3),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "double": pa.float64(),
}


def _arrow_value(value: Any, kind: str) -> Any:
    if kind.startswith("decimal(18,") and value is not None:
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-int(kind[11:-1])))
    if kind == "timestamp" and isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


VERSION = "v-test"  # the version folder the tests' tables live in


def write_curated(
    lake: Path, table: str, rows: list[dict[str, Any]], source: str = "clickstream"
) -> None:
    """Write `rows` as curated table `table` with the DDL's schema of `source` (partitioned
    like the job), and publish it as a table of a `source` lake."""
    data, partitions = ddl_columns(table, source)
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in data])
    folder = lake / "curated" / table / VERSION
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = f"{partitions[0][0]}={row[partitions[0][0]]}" if partitions else ""
        groups.setdefault(key, []).append(row)
    if not partitions:  # an empty unpartitioned table is one file without rows
        groups.setdefault("", [])
    for key, group in groups.items():
        columns = {
            name: [_arrow_value(row.get(name), kind) for row in group] for name, kind in data
        }
        target = folder / key if key else folder
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(columns, schema=schema), target / "part-00000.parquet")
    partition = partitions[0][0] if partitions else None
    publish_test_table(lake, table, partition, groups, source, data)


def publish_test_table(
    lake: Path,
    table: str,
    partition: str | None,
    groups: dict[str, list[Any]],
    source: str = "clickstream",
    columns: list[tuple[str, str]] = (),
) -> None:
    """Name the table's test version and its columns in the curated publication (as the model
    job would: a table without rows is then an empty table of those columns)."""
    current = lake / "curated" / "_current.json"
    current.parent.mkdir(parents=True, exist_ok=True)
    snapshot = json.loads(current.read_text()) if current.exists() else {"tables": {}}
    if partition is None:
        entry: dict[str, Any] = {"version": VERSION}
    else:
        values = {key.split("=", 1)[1]: VERSION for key in groups}
        entry = {"partition_key": partition, "partitions": values}
    if columns:
        entry["columns"] = [{"name": name, "type": kind} for name, kind in columns]
    snapshot["tables"][table] = entry
    snapshot["run_id"] = VERSION
    snapshot["source"] = source
    current.write_text(json.dumps(snapshot, indent=1))
