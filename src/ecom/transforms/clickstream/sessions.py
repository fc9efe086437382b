"""Clickstream star: fact_sessions: one row per session, aggregated from its events."""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.sources.clickstream.lines import EVENT_COLUMNS
from ecom.transforms.columns import date_key, money, require_columns, surrogate_key


def count_of(event_type: str) -> Column:
    """Number of events of one type in a group."""
    return F.count(F.when(F.col("event_type") == event_type, 1))


def aggregate_sessions(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per session with its counts, revenue and time span."""
    require_columns(events_df, EVENT_COLUMNS, "aggregate_sessions")
    return events_df.groupBy("session_id").agg(
        F.min_by(F.col("user_id"), F.struct(F.col("event_at"), F.col("user_id"))).alias("user_id"),
        F.min("event_at").alias("started_at"),
        F.max("event_at").alias("ended_at"),
        F.count(F.lit(1)).alias("events"),
        count_of("view").alias("views"),
        count_of("cart").alias("carts"),
        count_of("remove_from_cart").alias("cart_removals"),
        count_of("purchase").alias("purchases"),
        F.sum(F.when(F.col("event_type") == "purchase", F.col("price"))).alias("_revenue"),
    )


def build_fact_sessions(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per session (the order when it has a purchase)."""
    sessions_df = aggregate_sessions(events_df)
    return sessions_df.select(
        F.col("session_id"),
        surrogate_key("session_id").alias("session_key"),
        date_key(F.to_date("started_at")).alias("date_key"),
        surrogate_key("user_id").alias("user_key"),
        F.col("user_id"),
        (F.col("purchases") > 0).alias("is_converted"),
        (F.col("carts") > 0).alias("has_cart"),
        F.col("events"),
        F.col("views"),
        F.col("carts"),
        F.col("cart_removals"),
        F.col("purchases"),
        money(F.coalesce(F.col("_revenue"), F.lit(0))).alias("revenue"),
        (F.unix_timestamp("ended_at") - F.unix_timestamp("started_at")).alias("duration_seconds"),
        F.col("started_at"),
        F.col("ended_at"),
        F.to_date("started_at").alias("session_date"),
    )
