"""ecom.query.transpile keeps what it translated: the same text, dialects and schema give the
same statements without sqlglot; another schema is translated again (types decide Trino's
integer division)."""

from __future__ import annotations

import duckdb

from ecom.query.transpile import referenced_tables, transpile

SQL = "select a / b as q from t"
INTS = {"t": {"a": "INTEGER", "b": "INTEGER"}}
DOUBLES = {"t": {"a": "DOUBLE", "b": "DOUBLE"}}


def quotient(column_type: str, statement: str) -> float:
    connection = duckdb.connect(":memory:")
    connection.execute(f"create table t (a {column_type}, b {column_type})")
    connection.execute("insert into t values (7, 2)")
    return connection.execute(statement).fetchone()[0]


def test_the_schema_is_part_of_what_is_kept() -> None:
    on_ints = transpile(SQL, "duckdb", INTS, schema_dialect="duckdb")
    on_doubles = transpile(SQL, "duckdb", DOUBLES, schema_dialect="duckdb")
    assert transpile(SQL, "duckdb", INTS, schema_dialect="duckdb") == on_ints
    # Trino: 7 / 2 is 3 on integers, 3.5 on doubles.
    assert quotient("integer", on_ints[0]) == 3
    assert quotient("double", on_doubles[0]) == 3.5


def test_a_caller_changing_its_result_does_not_change_the_next_one() -> None:
    first = transpile(SQL, "duckdb", INTS, schema_dialect="duckdb")
    first.append("drop table t")
    assert transpile(SQL, "duckdb", INTS, schema_dialect="duckdb") == first[:1]
    tables = referenced_tables("select * from t join u using (k)")
    tables.add("v")
    assert referenced_tables("select * from t join u using (k)") == {"t", "u"}
