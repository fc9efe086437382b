"""Athena (Trino) SQL → DuckDB or Spark SQL with sqlglot, plus fixes for known dialect traps.

sqlglot 30.x alone gets these wrong (see DESIGN.md, "known dialect traps"):
- `day_of_week` / `dow`: Spark output `(dayofweek(x) % 7) + 1` is wrong by one day on every
  day (Spark's dayofweek has Sunday = 1); rewritten to `((dayofweek(x) + 5) % 7) + 1`.
- `date_diff(unit, a, b)`: DuckDB's `date_diff` counts unit boundaries, Trino counts whole
  units; DuckDB's `date_sub` counts whole units, so DuckDB gets `date_sub`.
  Spark's `datediff(UNIT, a, b)` already counts whole units.
- `7 / 2` is 3 in Trino (integer division) but 3.5 in DuckDB and Spark. sqlglot truncates
  when it knows both operands are integers, so types are annotated first from `schema`
  (the engine's tables and views); without a schema only literals and counts are known.
- `format_datetime(x, 'Joda pattern')` is not translated: DuckDB gets `strftime` with the
  pattern converted, Spark `date_format` (its patterns are Joda-like).
- Hive DDL (`create external table`) is not translated: local engines map tables to Parquet.
"""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from ecom.errors import EcomError

READ = "athena"

# Joda (Trino format_datetime) → strftime (DuckDB), longest tokens first.
_JODA_TO_STRFTIME = [
    ("yyyy", "%Y"),
    ("YYYY", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("EEEE", "%A"),
    ("EEE", "%a"),
    ("HH", "%H"),
    ("hh", "%I"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("SSS", "%g"),
    ("a", "%p"),
    ("M", "%-m"),
    ("d", "%-d"),
    ("H", "%-H"),
]
_JODA_TOKEN = re.compile("|".join(re.escape(joda) for joda, _ in _JODA_TO_STRFTIME))


class SqlSyntaxError(EcomError):
    """The SQL does not parse in the Athena (Trino) dialect."""


def joda_to_strftime(pattern: str) -> str:
    """A Joda-Time pattern (Trino's format_datetime) → a strftime pattern (DuckDB)."""
    mapping = dict(_JODA_TO_STRFTIME)
    return _JODA_TOKEN.sub(lambda match: mapping[match.group(0)], pattern)


def parse_athena(sql: str) -> list[exp.Expression]:
    """Parse one or more Athena statements; SqlSyntaxError with one line on failure."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=READ) if s is not None]
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        description = (first.get("description") or str(error)).splitlines()[0]
        description = re.sub(
            r"<Token token_type: [^,]+, text: ([^,]*),[^>]*>", r"'\1'", description
        )
        raise SqlSyntaxError(f"syntax error{where}: {description}") from None
    if not statements:
        raise SqlSyntaxError("syntax error: empty statement")
    return statements


def _fix_day_of_week(node: exp.Expression, write: str) -> exp.Expression:
    if write == "spark" and isinstance(node, exp.DayOfWeekIso):
        day = node.this.copy()
        dow = exp.Anonymous(this="dayofweek", expressions=[day])
        shifted = exp.Mod(
            this=exp.Paren(this=exp.Add(this=dow, expression=exp.Literal.number(5))),
            expression=exp.Literal.number(7),
        )
        return exp.Paren(
            this=exp.Add(this=exp.Paren(this=shifted), expression=exp.Literal.number(1))
        )
    return node


def _fix_date_diff(node: exp.Expression, write: str) -> exp.Expression:
    if write == "duckdb" and isinstance(node, exp.DateDiff):
        unit = node.args.get("unit")
        unit_name = unit.name.lower() if unit is not None else "day"
        return exp.Anonymous(
            this="date_sub",
            expressions=[exp.Literal.string(unit_name), node.expression.copy(), node.this.copy()],
        )
    return node


def _fix_format_datetime(node: exp.Expression, write: str) -> exp.Expression:
    if not (isinstance(node, exp.Anonymous) and node.name.lower() == "format_datetime"):
        return node
    value, pattern = node.expressions[0].copy(), node.expressions[1]
    if write == "duckdb" and isinstance(pattern, exp.Literal):
        return exp.Anonymous(
            this="strftime",
            expressions=[value, exp.Literal.string(joda_to_strftime(pattern.name))],
        )
    if write == "spark":
        return exp.Anonymous(this="date_format", expressions=[value, pattern.copy()])
    return node


def _annotate(statement: exp.Expression, schema: MappingSchema | None) -> exp.Expression:
    """Qualify and type the query so integer division is kept integer; best effort."""
    query = statement.expression if isinstance(statement, exp.Create) else statement
    if not isinstance(query, exp.Query):
        return statement
    try:
        typed = qualify(
            query.copy(),
            schema=schema,
            dialect=READ,
            quote_identifiers=False,
            identify=False,
            validate_qualify_columns=False,
        )
        typed = annotate_types(typed, schema=schema, dialect=READ)
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError):
        typed = annotate_types(query.copy(), dialect=READ)
    if isinstance(statement, exp.Create):
        statement = statement.copy()
        statement.set("expression", typed)
        return statement
    return typed


def transpile(
    sql: str | exp.Expression,
    write: str,
    schema: dict[str, dict[str, str]] | None = None,
    schema_dialect: str | None = None,
) -> list[str]:
    """Athena SQL → `write` dialect statements, with the fixes above applied."""
    statements = parse_athena(sql) if isinstance(sql, str) else [sql]
    mapping = MappingSchema(schema, dialect=schema_dialect or write) if schema else None
    out = []
    for statement in statements:
        fixed = _annotate(statement, mapping)
        for fix in (_fix_day_of_week, _fix_date_diff, _fix_format_datetime):
            fixed = fixed.transform(lambda node, fix=fix: fix(node, write), copy=False)
        out.append(fixed.sql(dialect=write))
    return out


def referenced_tables(sql: str | exp.Expression) -> set[str]:
    """Names of the tables and views a statement reads (CTE names excluded)."""
    statement: Any = parse_athena(sql)[0] if isinstance(sql, str) else sql
    query = statement.expression if isinstance(statement, exp.Create) else statement
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    return {
        table.name.lower()
        for table in query.find_all(exp.Table)
        if table.name and table.name.lower() not in ctes
    }
