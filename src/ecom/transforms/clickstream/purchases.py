"""Clickstream star: fact_purchases: one row per purchase event."""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import DataFrame

from ecom.sources.clickstream.lines import EVENT_COLUMNS
from ecom.transforms.columns import date_key, money, require_columns, surrogate_key


def build_fact_purchases(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per purchase event, keyed to every dimension."""
    require_columns(events_df, EVENT_COLUMNS, "build_fact_purchases")
    purchases_df = events_df.where(F.col("event_type") == "purchase")
    return purchases_df.select(
        F.xxhash64(*[F.col(column) for column in EVENT_COLUMNS]).alias("purchase_key"),
        F.col("session_id").alias("order_id"),
        date_key(F.col("event_date")).alias("date_key"),
        surrogate_key("user_id").alias("user_key"),
        surrogate_key("product_id").alias("product_key"),
        surrogate_key("category_id").alias("category_key"),
        F.col("user_id"),
        F.col("product_id"),
        F.col("category_id"),
        F.lit(1).alias("quantity"),
        money(F.col("price")).alias("unit_price"),
        money(F.col("price") * F.lit(1)).alias("revenue"),
        F.col("event_at").alias("purchased_at"),
        F.col("source_file"),
        F.col("ingest_run_id"),
        F.col("event_date").alias("purchase_date"),
    )
