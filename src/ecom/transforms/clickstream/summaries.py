"""Clickstream star: fact_daily_summary (one row per date) and fact_monthly_summary (one row
per month)."""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import DataFrame

from ecom.transforms.calendar import calendar_months
from ecom.transforms.clickstream.sessions import count_of
from ecom.transforms.columns import money, safe_divide


def daily_event_counts(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per event_date with events by type."""
    return events_df.groupBy("event_date").agg(
        F.count(F.lit(1)).alias("events"),
        count_of("view").alias("views"),
        count_of("cart").alias("carts"),
        count_of("remove_from_cart").alias("cart_removals"),
        count_of("purchase").alias("purchase_events"),
    )


def purchase_totals(purchases_df: DataFrame, grain: str) -> DataFrame:
    """fact_purchases → one row per `grain` column: orders, buyers, items and revenue."""
    return purchases_df.groupBy(grain).agg(
        F.countDistinct("order_id").alias("orders"),
        F.countDistinct("user_id").alias("buyers"),
        F.sum("quantity").alias("items"),
        money(F.sum("revenue")).alias("revenue"),
    )


def build_fact_daily_summary(
    dim_time_df: DataFrame,
    events_df: DataFrame,
    sessions_df: DataFrame,
    purchases_df: DataFrame,
) -> DataFrame:
    """Calendar + events + sessions + purchases → one row per date, zeros on quiet days.

    Sessions count on the date they start; an order whose purchases span midnight counts
    as an order on each date it has purchases.
    """
    counts_df = daily_event_counts(events_df).withColumnRenamed("event_date", "calendar_date")
    sessions_per_day_df = sessions_df.groupBy(F.col("session_date").alias("calendar_date")).agg(
        F.count(F.lit(1)).alias("sessions"),
        F.count(F.when(F.col("is_converted"), 1)).alias("converted_sessions"),
    )
    totals_df = purchase_totals(
        purchases_df.withColumnRenamed("purchase_date", "calendar_date"), "calendar_date"
    )
    joined_df = (
        dim_time_df.select("date_key", "calendar_date")
        .join(counts_df, "calendar_date", "left")
        .join(sessions_per_day_df, "calendar_date", "left")
        .join(totals_df, "calendar_date", "left")
    )
    zero_filled = [
        "events",
        "views",
        "carts",
        "cart_removals",
        "purchase_events",
        "sessions",
        "converted_sessions",
        "orders",
        "buyers",
        "items",
    ]
    return joined_df.select(
        "date_key",
        *[F.coalesce(F.col(name), F.lit(0)).cast("long").alias(name) for name in zero_filled],
        money(F.coalesce(F.col("revenue"), F.lit(0))).alias("revenue"),
        safe_divide(F.col("revenue"), F.col("orders")).alias("average_order_value"),
        F.col("calendar_date").alias("summary_date"),
    )


def build_fact_monthly_summary(dim_time_df: DataFrame, purchases_df: DataFrame) -> DataFrame:
    """Calendar + fact_purchases → one row per month: revenue, orders, buyers, items, AOV."""
    months_df = calendar_months(dim_time_df)
    totals_df = purchase_totals(
        purchases_df.withColumn("year_month", F.date_format("purchase_date", "yyyy-MM")),
        "year_month",
    )
    joined_df = months_df.join(totals_df, "year_month", "left")
    return joined_df.select(
        (F.col("year") * 100 + F.col("month")).cast("int").alias("month_key"),
        "year_month",
        "year",
        "month",
        "month_name",
        "days_in_data",
        *[
            F.coalesce(F.col(name), F.lit(0)).cast("long").alias(name)
            for name in ("orders", "buyers", "items")
        ],
        money(F.coalesce(F.col("revenue"), F.lit(0))).alias("revenue"),
        safe_divide(F.col("revenue"), F.col("orders")).alias("average_order_value"),
        "month_start_date",
    )
