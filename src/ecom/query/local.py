"""LocalEngine: Athena SQL on the lake's Parquet with DuckDB, through the local catalog.

Each curated table becomes a DuckDB view over `read_parquet` (Hive partitions typed from
the catalog, timestamps as UTC `timestamp` like Athena's; a table published without data
files, an empty typed view); each view of the lake's source (`sql/views/*.sql` and
`sql/views/<source>/*.sql`, the source as the catalog records it) is transpiled from the
Athena dialect and created in dependency order.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from ecom.catalog.local import current_catalog
from ecom.query.base import QueryError, QueryResult, UnknownObjectError, load_views
from ecom.query.transpile import SqlSyntaxError, transpile


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_type(hive_type: str) -> str:
    """A Glue / Hive column type → DuckDB's (`string` → `varchar`, `array<x>` → `x[]`)."""
    if hive_type.startswith("array<") and hive_type.endswith(">"):
        return duckdb_type(hive_type[len("array<") : -1]) + "[]"
    return {"string": "varchar", "binary": "blob"}.get(hive_type, hive_type)


def empty_table_view_sql(name: str, table: dict[str, Any]) -> str:
    """DuckDB `create view` of a table published without data files: its columns, no rows."""
    columns = [
        f"cast(null as {duckdb_type(column['type'])}) as {_quote(column['name'])}"
        for column in [*table["columns"], *table.get("partition_keys", [])]
    ]
    return f"create or replace view {_quote(name)} as select {', '.join(columns)} where false"


def table_view_sql(name: str, table: dict[str, Any]) -> str:
    """DuckDB `create view` mapping one catalog table to its Parquet files."""
    if not table["data_files"]:
        return empty_table_view_sql(name, table)
    keys = table.get("partition_keys", [])
    # Exactly the files of the published versions (a table folder also holds older ones).
    files = "[" + ", ".join(_literal(path) for path in table["data_files"]) + "]"
    columns = []
    for column in [*table["columns"], *keys]:
        quoted = _quote(column["name"])
        if column["type"] == "timestamp":
            columns.append(f"cast({quoted} as timestamp) as {quoted}")
        else:
            columns.append(quoted)
    options = ""
    if keys:
        types = ", ".join(f"{_literal(key['name'])}: {_literal(key['type'])}" for key in keys)
        options = f", hive_partitioning = true, hive_types = {{{types}}}"
    return (
        f"create or replace view {_quote(name)} as select {', '.join(columns)} "
        f"from read_parquet({files}{options})"
    )


def one_line(error: Exception) -> str:
    """The first meaningful line of a DuckDB error, without the 'X Error: ' prefix."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return re.sub(r"^[A-Za-z ]+ Error: ", "", text)


def translate_error(error: duckdb.Error) -> QueryError:
    """A DuckDB error → a one-line QueryError that says what is wrong."""
    message = one_line(error)
    if isinstance(error, duckdb.ParserException):
        return SqlSyntaxError(f"syntax error: {message}")
    if isinstance(error, duckdb.CatalogException):
        match = re.search(r"with name (\S+) does not exist", message)
        if match:
            return UnknownObjectError(f"unknown table or view: {match.group(1)}")
        return UnknownObjectError(message)
    if isinstance(error, duckdb.BinderException):
        match = re.search(r'[Cc]olumn "([^"]+)"', message)
        if match:
            return UnknownObjectError(f"unknown column: {match.group(1)}")
        return UnknownObjectError(message)
    return QueryError(message)


class LocalEngine:
    """Athena SQL on a local lake with DuckDB (in memory; views re-created on open)."""

    name = "local"

    def __init__(
        self,
        lake_root: str | Path,
        *,
        catalog: dict[str, Any] | None = None,
        sql_dir: Path | None = None,
        create_views: bool = True,
        threads: int | None = None,
    ) -> None:
        self.lake_root = str(lake_root)
        self.sql_dir = sql_dir
        self.catalog = catalog or current_catalog(lake_root)
        self.source: str = self.catalog["source"]
        self.connection = duckdb.connect(":memory:")
        self.connection.execute("set TimeZone = 'UTC'")
        if threads:
            self.connection.execute(f"set threads = {int(threads)}")
        for name, table in self.catalog["tables"].items():
            self.connection.execute(table_view_sql(name, table))
        self.views: list[str] = []
        if create_views:
            self.create_views()

    def schema(self) -> dict[str, dict[str, str]]:
        """Every table and view with its column types (DuckDB names), for transpiling."""
        rows = self.connection.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "order by table_name, ordinal_position"
        ).fetchall()
        schema: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            schema.setdefault(table, {})[column] = data_type
        return schema

    def to_duckdb(self, sql: str) -> list[str]:
        """Athena SQL → DuckDB statements (types from the current tables and views)."""
        return transpile(sql, "duckdb", self.schema(), schema_dialect="duckdb")

    def create_views(self) -> list[str]:
        """Create or replace every view of the lake's source in dependency order; their names."""
        created = []
        for view in load_views(self.sql_dir, self.source):
            for statement in self.to_duckdb(view.sql):
                try:
                    self.connection.execute(statement)
                except duckdb.Error as error:
                    raise QueryError(f"view {view.name}: {one_line(error)}") from None
            created.append(view.name)
        self.views = created
        return created

    def query(self, sql: str) -> QueryResult:
        """Run Athena SQL (one or more statements); the result of the last one."""
        result = QueryResult(columns=[])
        try:
            for statement in self.to_duckdb(sql):
                cursor = self.connection.execute(statement)
                if cursor.description is None:
                    continue
                result = QueryResult(
                    columns=[column[0] for column in cursor.description],
                    types=[str(column[1]) for column in cursor.description],
                    rows=cursor.fetchall(),
                )
        except duckdb.Error as error:
            raise translate_error(error) from None
        return result

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
