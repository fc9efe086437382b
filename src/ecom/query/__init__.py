"""Athena SQL on the curated zone: one interface, two back ends.

- `LocalEngine`: DuckDB over the lake's Parquet via the local catalog, SQL transpiled from
  the Athena (Trino) dialect with sqlglot (`ecom.query.transpile` fixes the known traps).
- `AthenaEngine`: the same calls on Amazon Athena through pyathena.
- `SparkSqlRunner`: the same views in Spark SQL, for parity tests.
"""

from ecom.query.base import QueryEngine, QueryError, QueryResult, UnknownObjectError, load_views
from ecom.query.transpile import SqlSyntaxError, transpile

__all__ = [
    "QueryEngine",
    "QueryError",
    "QueryResult",
    "SqlSyntaxError",
    "UnknownObjectError",
    "load_views",
    "transpile",
]
