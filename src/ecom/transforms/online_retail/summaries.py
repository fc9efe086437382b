"""Online Retail summaries: fact_daily_summary (one row per date) and fact_monthly_summary
(one row per month), from the sale and cancellation facts.

Money is summed exactly (line totals keep 3 decimal places) and rounded to cents once, at
the end; the average order value divides the exact revenue by the orders.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import DataFrame

from ecom.transforms.calendar import calendar_months
from ecom.transforms.columns import money

ZERO_FILLED = ("orders", "buyers", "items", "cancellations", "cancelled_items")


def totals(purchases_df: DataFrame, cancellations_df: DataFrame, grain: str) -> DataFrame:
    """Sale and cancellation facts, each with a `grain` column → one row per grain value:
    orders (sale invoices), buyers (identified customers), items and exact revenue, and
    the cancelled invoices, items and revenue."""
    sales_df = purchases_df.groupBy(grain).agg(
        F.countDistinct("order_id").alias("orders"),
        F.countDistinct("user_id").alias("buyers"),
        F.sum("quantity").alias("items"),
        F.sum("revenue").alias("_revenue"),
    )
    cancelled_df = cancellations_df.groupBy(grain).agg(
        F.countDistinct("order_id").alias("cancellations"),
        F.sum(F.abs("quantity")).alias("cancelled_items"),
        F.sum("cancelled_revenue").alias("_cancelled_revenue"),
    )
    return sales_df.join(cancelled_df, grain, "full")


def _measures() -> list:
    revenue = F.coalesce(F.col("_revenue"), F.lit(0))
    return [
        *[F.coalesce(F.col(name), F.lit(0)).cast("long").alias(name) for name in ZERO_FILLED],
        money(revenue).alias("revenue"),
        F.when(F.col("orders") > 0, money(revenue / F.col("orders"))).alias("average_order_value"),
        money(F.coalesce(F.col("_cancelled_revenue"), F.lit(0))).alias("cancelled_revenue"),
    ]


def build_fact_daily_summary(
    dim_time_df: DataFrame, purchases_df: DataFrame, cancellations_df: DataFrame
) -> DataFrame:
    """Calendar + sale and cancellation facts → one row per date, zeros on quiet days.

    An invoice whose lines span midnight counts as an order on each date it has lines.
    """
    totals_df = totals(
        purchases_df.withColumnRenamed("purchase_date", "calendar_date"),
        cancellations_df.withColumnRenamed("cancellation_date", "calendar_date"),
        "calendar_date",
    )
    joined_df = dim_time_df.select("date_key", "calendar_date").join(
        totals_df, "calendar_date", "left"
    )
    return joined_df.select("date_key", *_measures(), F.col("calendar_date").alias("summary_date"))


def build_fact_monthly_summary(
    dim_time_df: DataFrame, purchases_df: DataFrame, cancellations_df: DataFrame
) -> DataFrame:
    """Calendar + sale and cancellation facts → one row per month."""
    totals_df = totals(
        purchases_df.withColumn("year_month", F.date_format("purchase_date", "yyyy-MM")),
        cancellations_df.withColumn("year_month", F.date_format("cancellation_date", "yyyy-MM")),
        "year_month",
    )
    joined_df = calendar_months(dim_time_df).join(totals_df, "year_month", "left")
    return joined_df.select(
        (F.col("year") * 100 + F.col("month")).cast("int").alias("month_key"),
        "year_month",
        "year",
        "month",
        "month_name",
        "days_in_data",
        *_measures(),
        "month_start_date",
    )
