"""Clickstream star: dim_user: one row per user, from fact_sessions; folded incrementally."""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.transforms.columns import money, require_columns, surrogate_key


def build_dim_user(sessions_df: DataFrame) -> DataFrame:
    """fact_sessions → one row per user: first/last seen, sessions, orders, items, revenue."""
    require_columns(sessions_df, ["user_id", "started_at", "ended_at"], "build_dim_user")
    users_df = sessions_df.groupBy("user_id").agg(
        F.count(F.lit(1)).alias("sessions"),
        F.count(F.when(F.col("is_converted"), 1)).alias("orders"),
        F.sum("purchases").alias("items_purchased"),
        money(F.sum("revenue")).alias("revenue"),
        F.min("started_at").alias("first_seen_at"),
        F.max("ended_at").alias("last_seen_at"),
        F.min(F.when(F.col("is_converted"), F.col("started_at"))).alias("first_order_at"),
        F.max(F.when(F.col("is_converted"), F.col("started_at"))).alias("last_order_at"),
    )
    return _dim_user_columns(users_df)


def _dim_user_columns(users_df: DataFrame) -> DataFrame:
    """Per-user aggregates → the dim_user columns, in order."""
    return users_df.select(
        surrogate_key("user_id").alias("user_key"),
        "user_id",
        (F.col("orders") > 0).alias("is_buyer"),
        "sessions",
        "orders",
        "items_purchased",
        "revenue",
        "first_seen_at",
        "last_seen_at",
        "first_order_at",
        "last_order_at",
    )


# Wide enough for a user's revenue with a session's taken off or added (money is 18,2).


_REVENUE_SUM = "decimal(28,2)"


def _user_terms(sessions_df: DataFrame, sign: int) -> DataFrame:
    """fact_sessions rows → what each adds to (sign 1) or takes from (sign -1) its user's
    dim_user row. A session taken off brings no times: see fold_dim_user."""
    converted = F.col("is_converted")

    def time(column: Column) -> Column:
        return column if sign > 0 else F.lit(None).cast("timestamp")

    return sessions_df.select(
        "user_id",
        F.lit(sign).cast("long").alias("sessions"),
        F.when(converted, sign).otherwise(0).cast("long").alias("orders"),
        (F.col("purchases") * sign).cast("long").alias("items_purchased"),
        (F.col("revenue") * sign).cast(_REVENUE_SUM).alias("revenue"),
        time(F.col("started_at")).alias("first_seen_at"),
        time(F.col("ended_at")).alias("last_seen_at"),
        time(F.when(converted, F.col("started_at"))).alias("first_order_at"),
        time(F.when(converted, F.col("started_at"))).alias("last_order_at"),
    )


def fold_dim_user(
    previous_df: DataFrame,
    removed_df: DataFrame,
    added_df: DataFrame,
    broadcast: bool = False,
    key: str = "session_id",
) -> tuple[DataFrame, DataFrame]:
    """dim_user after some sessions were aggregated again, without re-reading the others.

    `removed_df` are the previous fact_sessions rows of the sessions aggregated again,
    `added_df` their new rows and any new sessions. A session only gains events, so its new
    row starts no later, ends no earlier, and is converted if it was. When it also keeps its
    user and its start, each user's new row follows from the previous one: counts and sums
    lose the old rows and gain the new, the first and last times are the min / max of the
    previous ones and the new rows'. Returns (dim_user, users for whom that does not hold):
    the second are absent from the first and must be aggregated again from every session
    (`update_dim_user`); usually there are none. `broadcast`: the sessions are few, so
    their users are broadcast and dim_user is never shuffled. `key` pairs a session's old
    and new rows: session_id, or session_key (its hash: cheaper to join; two sessions
    sharing one would only be taken for a moved session, aggregated again).
    """
    require_columns(removed_df, [key, "user_id", "started_at"], "fold_dim_user")
    old_df = removed_df.select(
        key, F.col("user_id").alias("old_user_id"), F.col("started_at").alias("old_at")
    )
    pairs_df = old_df.join(added_df.select(key, "user_id", "started_at"), key)
    moved_df = pairs_df.where(
        ~F.col("user_id").eqNullSafe(F.col("old_user_id"))
        | ~F.col("started_at").eqNullSafe(F.col("old_at"))
    )
    irregular_df = (
        moved_df.select(F.col("old_user_id").alias("user_id"))
        .unionByName(moved_df.select("user_id"))
        .distinct()
    )
    changes_df = _user_terms(removed_df, -1).unionByName(_user_terms(added_df, 1))
    users_df = changes_df.select("user_id").distinct()
    if broadcast:
        users_df, irregular_df = F.broadcast(users_df), F.broadcast(irregular_df)
    previous_terms_df = previous_df.join(users_df, "user_id", "left_semi").select(
        "user_id",
        "sessions",
        "orders",
        "items_purchased",
        F.col("revenue").cast(_REVENUE_SUM).alias("revenue"),
        "first_seen_at",
        "last_seen_at",
        "first_order_at",
        "last_order_at",
    )
    folded_df = (
        previous_terms_df.unionByName(changes_df)
        .join(irregular_df, "user_id", "left_anti")
        .groupBy("user_id")
        .agg(
            F.sum("sessions").alias("sessions"),
            F.sum("orders").alias("orders"),
            F.sum("items_purchased").alias("items_purchased"),
            money(F.sum("revenue")).alias("revenue"),
            F.min("first_seen_at").alias("first_seen_at"),
            F.max("last_seen_at").alias("last_seen_at"),
            F.min("first_order_at").alias("first_order_at"),
            F.max("last_order_at").alias("last_order_at"),
        )
    )
    kept_df = previous_df.join(users_df, "user_id", "left_anti")
    dim_df = _dim_user_columns(folded_df)
    return kept_df.unionByName(dim_df).select(*dim_df.columns), irregular_df


def update_dim_user(
    previous_df: DataFrame, sessions_df: DataFrame, users_df: DataFrame
) -> DataFrame:
    """dim_user after an incremental run: the users in `users_df` (those with a session
    rebuilt or removed) aggregated again from every session, the other rows kept as they were
    (none of their sessions changed). Equals `build_dim_user(sessions_df)`, for a fraction
    of the work: only the affected users' sessions are aggregated."""
    require_columns(users_df, ["user_id"], "update_dim_user")
    recomputed_df = build_dim_user(sessions_df.join(users_df, "user_id", "left_semi"))
    kept_df = previous_df.join(users_df, "user_id", "left_anti")  # puts user_id first
    return kept_df.unionByName(recomputed_df).select(*recomputed_df.columns)
