"""dim_time: one row per calendar date, with the ISO week and the fiscal calendar (shared by
every source).

The fiscal year starts on the first day of a configured month (January by default; April is
the UK retail convention) and is named after the calendar year it ends in: with an April
start, 2011-04-01 .. 2012-03-31 is fiscal year 2012. Fiscal months and quarters count from
its first month; fiscal week 1 is its first seven days (the last week may be short).
"""

from __future__ import annotations

from datetime import date

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, SparkSession

from ecom.transforms.columns import date_key


def iso_weekday(day: Column) -> Column:
    """ISO weekday: Monday = 1 … Sunday = 7 (Spark's dayofweek has Sunday = 1)."""
    return ((F.dayofweek(day) + 5) % 7) + 1


def fiscal_year(day: Column, start_month: int) -> Column:
    """The fiscal year of a date: the calendar year its fiscal year ends in."""
    if start_month == 1:
        return F.year(day)
    return F.year(day) + F.when(F.month(day) >= start_month, 1).otherwise(0)


def fiscal_month(day: Column, start_month: int) -> Column:
    """1 for the fiscal year's first month … 12 for its last."""
    return ((F.month(day) - start_month + 12) % 12) + 1


def fiscal_week(day: Column, start_month: int) -> Column:
    """1 + whole weeks since the fiscal year's first day."""
    first_year = fiscal_year(day, start_month) - (0 if start_month == 1 else 1)
    first_day = F.make_date(first_year, F.lit(start_month), F.lit(1))
    return (F.floor(F.datediff(day, first_day) / 7) + 1).cast("int")


def build_dim_time(
    spark: SparkSession,
    first_date: date | None,
    last_date: date | None,
    fiscal_start_month: int = 1,
) -> DataFrame:
    """One row per calendar date from first to last, no gaps (none when there are no dates).

    The bounds come from the staged publication's date partitions, so no data is read.
    """
    bounds_df = spark.range(1).select(  # literals: no Python worker, no data read
        F.lit(first_date).cast("date").alias("first_date"),
        F.lit(last_date).cast("date").alias("last_date"),
    )
    days_df = bounds_df.select(
        F.explode(F.sequence("first_date", "last_date")).alias("calendar_date")
    )
    day = F.col("calendar_date")
    return days_df.select(
        date_key(day).alias("date_key"),
        day,
        F.year(day).alias("year"),
        F.quarter(day).alias("quarter"),
        F.month(day).alias("month"),
        F.date_format(day, "MMMM").alias("month_name"),
        F.date_format(day, "yyyy-MM").alias("year_month"),
        F.dayofmonth(day).alias("day_of_month"),
        F.year(F.date_add(day, 4 - iso_weekday(day))).alias("iso_year"),
        F.weekofyear(day).alias("iso_week"),
        iso_weekday(day).alias("iso_weekday"),
        F.date_format(day, "EEEE").alias("weekday_name"),
        (iso_weekday(day) >= 6).alias("is_weekend"),
        fiscal_year(day, fiscal_start_month).cast("int").alias("fiscal_year"),
        ((fiscal_month(day, fiscal_start_month) - 1) / 3 + 1).cast("int").alias("fiscal_quarter"),
        fiscal_month(day, fiscal_start_month).cast("int").alias("fiscal_month"),
        fiscal_week(day, fiscal_start_month).alias("fiscal_week"),
    )


def calendar_months(dim_time_df: DataFrame) -> DataFrame:
    """dim_time → one row per month: first date, year, month, name, days in the data."""
    return dim_time_df.groupBy("year_month").agg(
        F.min("calendar_date").alias("month_start_date"),
        F.min("year").alias("year"),
        F.min("month").alias("month"),
        F.min("month_name").alias("month_name"),
        F.count(F.lit(1)).alias("days_in_data"),
    )
