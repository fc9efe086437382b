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
- `cast(a / b as decimal(p, s))` with a decimal operand: Trino divides decimals exactly and
  rounds half up, at scale max(scale a, scale b), then the cast rounds to s; DuckDB divides
  them as DOUBLE, so the cast rounds a binary fraction (54.985 is 54.98499999... there:
  54.98, not 54.99). DuckDB gets Trino's two roundings in 128-bit integers. Spark's
  quotient has another scale (at least 6), so views widen a money dividend first
  (`cast(x as decimal(38, 12))`): then all three round at 12 places, and then to cents.
- Hive DDL (`create external table`) is not translated: local engines map tables to Parquet.
"""

from __future__ import annotations

import re
from functools import lru_cache
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


# round_half_up(n__ / d__) of two hugeints, half away from zero as Trino and Spark round.
_ROUNDED_QUOTIENT = "sign(n__) * sign(d__) * ((2 * abs(n__) + abs(d__)) // (2 * abs(d__)))"
_MAX_EXPONENT = 18  # 10^18 is still a bigint literal


def _decimal_scale(data_type: exp.DataType | None) -> int | None:
    """The scale of a decimal type, 0 for an integer type, None otherwise or when unknown."""
    if data_type is None:
        return None
    if data_type.is_type(*exp.DataType.INTEGER_TYPES):
        return 0
    if not data_type.is_type(exp.DataType.Type.DECIMAL) or not data_type.expressions:
        return None
    params = data_type.expressions
    return int(params[1].name) if len(params) > 1 else 0


def _is_decimal(data_type: exp.DataType | None) -> bool:
    return data_type is not None and data_type.is_type(exp.DataType.Type.DECIMAL)


def _unwidened(operand: exp.Expression, scale: int) -> tuple[exp.Expression, int]:
    """An operand of `scale` places and its value's own scale: a cast to a decimal of a
    larger scale is looked through (it changes no value), so the integers stay small."""
    inner = operand.this if isinstance(operand, exp.Cast) else None
    if inner is not None and _is_decimal(operand.to):
        inner_scale = _decimal_scale(inner.type)
        if inner_scale is not None and inner_scale <= scale:
            return inner, inner_scale
    return operand, scale


def _times_power_of_ten(value: exp.Expression, exponent: int) -> exp.Expression:
    if not exponent:
        return value
    return exp.Mul(this=exp.Paren(this=value), expression=exp.Literal.number(10**exponent))


def _as_hugeint(operand: exp.Expression, scale: int) -> exp.Expression:
    """x·10^scale as an exact hugeint (x has `scale` decimal places)."""
    hugeint = exp.DataType.build("hugeint", dialect="duckdb")
    return exp.cast(_times_power_of_ten(operand.copy(), scale), hugeint)


def _rounded_quotient(numerator: exp.Expression, denominator: exp.Expression) -> exp.Expression:
    integers = {"n__": numerator, "d__": denominator}
    return exp.Paren(
        this=sqlglot.parse_one(_ROUNDED_QUOTIENT, read="duckdb").transform(
            lambda part: (
                integers[part.name].copy()
                if isinstance(part, exp.Column) and part.name in integers
                else part
            )
        )
    )


def _fix_decimal_division(node: exp.Expression, write: str) -> exp.Expression:
    """DuckDB: `cast(x / y as decimal(p, s))` as Trino computes it, in 128-bit integers.

    Trino's quotient of decimals has scale q = max(scale x, scale y) (an integer has scale
    0), rounded half up; the cast rounds it half up to s places. So: Q = round(x / y · 10^q)
    from X = x·10^sx and Y = y·10^sy (Q = round(X·10^(sy+q) / (Y·10^sx))), then
    round(Q / 10^(q-s)), or Q·10^(s-q), times 10^-s (a decimal product: exact).
    """
    if write != "duckdb" or not isinstance(node, exp.Cast) or not _is_decimal(node.to):
        return node
    division = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
    target = _decimal_scale(node.to)
    if not isinstance(division, exp.Div) or target is None:
        return node
    dividend, divisor = division.this.unnest(), division.expression.unnest()
    if not (_is_decimal(dividend.type) or _is_decimal(divisor.type)):
        return node  # integer or floating division: not this trap
    x_declared, y_declared = _decimal_scale(dividend.type), _decimal_scale(divisor.type)
    if x_declared is None or y_declared is None:
        return node
    (x, x_scale), (y, y_scale) = _unwidened(dividend, x_declared), _unwidened(divisor, y_declared)
    quotient_scale = max(x_declared, y_declared)
    if max(x_scale, y_scale + quotient_scale, quotient_scale - target) > _MAX_EXPONENT:
        return node
    quotient = _rounded_quotient(
        _times_power_of_ten(_as_hugeint(x, x_scale), y_scale + quotient_scale),
        _times_power_of_ten(_as_hugeint(y, y_scale), x_scale),
    )
    if target < quotient_scale:
        quotient = _rounded_quotient(quotient, exp.Literal.number(10 ** (quotient_scale - target)))
    else:
        quotient = _times_power_of_ten(quotient, target - quotient_scale)
    result = exp.cast(quotient, exp.DataType.build("decimal(38, 0)", dialect="duckdb"))
    if target:
        unit = exp.Literal.number(f"0.{'0' * (target - 1)}1")
        result = exp.Mul(this=result, expression=unit)
    return exp.Cast(this=result, to=node.to.copy())


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
    """Athena SQL → `write` dialect statements, with the fixes above applied.

    Text is translated once per process for the same dialects and schema (a local engine
    translates every view each time it opens: ~0.5 s of sqlglot per open for 18 views)."""
    if isinstance(sql, str):
        key = tuple((table, tuple(columns.items())) for table, columns in (schema or {}).items())
        return list(_transpile_text(sql, write, key, schema_dialect))
    return _transpile_statements([sql], write, schema, schema_dialect)


# Same text, dialects and schema → the same statements; the key holds all that they depend on.
@lru_cache(maxsize=1024)
def _transpile_text(
    sql: str,
    write: str,
    schema_key: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    schema_dialect: str | None,
) -> tuple[str, ...]:
    schema = {table: dict(columns) for table, columns in schema_key} or None
    return tuple(_transpile_statements(parse_athena(sql), write, schema, schema_dialect))


def _transpile_statements(
    statements: list[exp.Expression],
    write: str,
    schema: dict[str, dict[str, str]] | None,
    schema_dialect: str | None,
) -> list[str]:
    mapping = MappingSchema(schema, dialect=schema_dialect or write) if schema else None
    out = []
    for statement in statements:
        fixed = _annotate(statement, mapping)
        fixes = (_fix_day_of_week, _fix_date_diff, _fix_format_datetime, _fix_decimal_division)
        for fix in fixes:
            fixed = fixed.transform(lambda node, fix=fix: fix(node, write), copy=False)
        out.append(fixed.sql(dialect=write))
    return out


def referenced_tables(sql: str | exp.Expression) -> set[str]:
    """Names of the tables and views a statement reads (CTE names excluded)."""
    if isinstance(sql, str):
        return set(_tables_in_text(sql))
    return _tables_in(sql)


@lru_cache(maxsize=1024)
def _tables_in_text(sql: str) -> frozenset[str]:
    return frozenset(_tables_in(parse_athena(sql)[0]))


def _tables_in(statement: Any) -> set[str]:
    query = statement.expression if isinstance(statement, exp.Create) else statement
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    return {
        table.name.lower()
        for table in query.find_all(exp.Table)
        if table.name and table.name.lower() not in ctes
    }
