"""Spark SQL text for the data-quality checks: literals and names, safely quoted.

The checks build their conditions, metrics and result rows as SQL text that Spark parses in
one call per expression: built as Column objects, every function, literal, cast and alias
was one or more calls from Python into the JVM (~200 per rule's result, ~15,000 per model
run, seconds of driver time whatever the data's size).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal


def sql_text(value: str) -> str:
    """`value` as a Spark SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql_name(name: str) -> str:
    """A column name as a Spark SQL identifier."""
    return "`" + name.replace("`", "``") + "`"


def sql_literal(value: object) -> str:
    """A rule parameter or a measured value as a Spark SQL literal of the type `F.lit` gives
    it (an int stays integral, a float is a double, a Decimal a decimal)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"CAST({sql_text(repr(value))} AS DOUBLE)"
    if isinstance(value, Decimal):
        return f"{value}BD"
    if isinstance(value, str):
        return sql_text(value)
    if isinstance(value, datetime):
        return f"TIMESTAMP {sql_text(value.isoformat(sep=' '))}"
    if isinstance(value, date):
        return f"DATE {sql_text(value.isoformat())}"
    raise TypeError(f"no SQL literal for {type(value).__name__} value {value!r}")
