"""Column helpers shared by the transforms."""

from __future__ import annotations

from collections.abc import Iterable

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.errors import DataFrameMissingColumnError

MONEY = "decimal(18,2)"


def require_columns(df: DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise DataFrameMissingColumnError naming the transform and the absent columns."""
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise DataFrameMissingColumnError(f"{where}: missing column(s): {', '.join(missing)}")


def empty_to_null(column: Column) -> Column:
    """'' (and whitespace only) → null; other strings unchanged."""
    return F.when(F.trim(column) == "", F.lit(None)).otherwise(column)


def surrogate_key(*columns: str) -> Column:
    """A stable 64-bit surrogate key from natural key columns (same input → same key)."""
    return F.xxhash64(*[F.col(column) for column in columns])


def date_key(column: Column) -> Column:
    """A date as the integer yyyymmdd (the key of dim_time); null stays null."""
    return (F.year(column) * 10000 + F.month(column) * 100 + F.dayofmonth(column)).cast("int")


def money(column: Column) -> Column:
    """Cast to decimal(18,2), the type of every money column."""
    return column.cast(MONEY)


def safe_divide(numerator: Column, denominator: Column) -> Column:
    """numerator / denominator as money, null when the denominator is 0 or null."""
    return F.when(denominator > 0, money(numerator / denominator))
