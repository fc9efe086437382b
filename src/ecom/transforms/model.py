"""Model transforms: staged events → the curated star schema.

Surrogate keys (`<entity>_key`) are 64-bit hashes of the natural key, so a fact row gets its
dimension keys without a join and keys stay stable across runs. Money is decimal(18,2).
"""

from __future__ import annotations

from datetime import date

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, SparkSession

from ecom.sources.clickstream.lines import EVENT_COLUMNS
from ecom.transforms.columns import (
    date_key,
    money,
    require_columns,
    safe_divide,
    surrogate_key,
)

CATEGORY_LEVELS = 3
UNKNOWN = "unknown"


def _count_of(event_type: str) -> Column:
    """Number of events of one type in a group."""
    return F.count(F.when(F.col("event_type") == event_type, 1))


# --- fact_purchases -------------------------------------------------------------------------


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


# --- fact_sessions --------------------------------------------------------------------------


def aggregate_sessions(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per session with its counts, revenue and time span."""
    require_columns(events_df, EVENT_COLUMNS, "aggregate_sessions")
    return events_df.groupBy("session_id").agg(
        F.min_by(F.col("user_id"), F.struct(F.col("event_at"), F.col("user_id"))).alias("user_id"),
        F.min("event_at").alias("started_at"),
        F.max("event_at").alias("ended_at"),
        F.count(F.lit(1)).alias("events"),
        _count_of("view").alias("views"),
        _count_of("cart").alias("carts"),
        _count_of("remove_from_cart").alias("cart_removals"),
        _count_of("purchase").alias("purchases"),
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


# --- dimensions -----------------------------------------------------------------------------


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


def product_versions(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per product × category × brand × code seen, with its span.

    Strings are grouping keys here so that every aggregation buffer is fixed-width and Spark
    uses its hash aggregate. Picking a product's latest brand directly (`max_by` on a string)
    would fall back to a sort-based aggregate over every event (about 3x slower, measured).
    The result is small (about one row per product) and feeds `product_state` and
    `category_state`.
    """
    require_columns(events_df, EVENT_COLUMNS, "product_versions")
    return events_df.groupBy("product_id", "category_id", "brand", "category_code").agg(
        F.min("event_at").alias("first_seen_at"),
        F.max("event_at").alias("last_seen_at"),
        F.max_by("price", "event_at").alias("last_price"),
    )


def _seen(value: str, at: str = "last_seen_at") -> Column:
    """(time, value) of the latest row where `value` is known; its max is the latest value
    (ties broken by the value itself)."""
    return F.when(F.col(value).isNotNull(), F.struct(F.col(at).alias("at"), F.col(value)))


def product_state(versions_df: DataFrame) -> DataFrame:
    """Product versions → one row per product: each attribute's latest known value with the
    time it was last seen, first and last seen.

    Every column is a max or a min, so states merge exactly: `merge_product_state` of the
    states of two sets of events equals the state of their union, however they overlap.
    That lets an incremental run fold the dates it rebuilt into the previous state instead
    of re-reading every event.
    """
    require_columns(versions_df, ["product_id", "last_seen_at", "last_price"], "product_state")
    return versions_df.groupBy("product_id").agg(
        F.max(_seen("brand")).alias("brand_seen"),
        F.max(_seen("category_id")).alias("category_id_seen"),
        F.max(_seen("category_code")).alias("category_code_seen"),
        F.max(_seen("last_price")).alias("price_seen"),
        F.min("first_seen_at").alias("first_seen_at"),
        F.max("last_seen_at").alias("last_seen_at"),
    )


def merge_product_state(states_df: DataFrame) -> DataFrame:
    """Product states (several rows per product) → one row per product."""
    return states_df.groupBy("product_id").agg(
        *[F.max(name).alias(name) for name in _PRODUCT_SEEN],
        F.min("first_seen_at").alias("first_seen_at"),
        F.max("last_seen_at").alias("last_seen_at"),
    )


_PRODUCT_SEEN = ("brand_seen", "category_id_seen", "category_code_seen", "price_seen")


def category_state(versions_df: DataFrame) -> DataFrame:
    """Product versions → one row per category_id with its latest known code and when."""
    require_columns(versions_df, ["category_id", "category_code"], "category_state")
    return versions_df.groupBy("category_id").agg(
        F.max(_seen("category_code")).alias("category_code_seen")
    )


def merge_category_state(states_df: DataFrame) -> DataFrame:
    """Category states (several rows per category) → one row per category_id."""
    return states_df.groupBy("category_id").agg(
        F.max("category_code_seen").alias("category_code_seen")
    )


def build_dim_product(state_df: DataFrame) -> DataFrame:
    """Product state → one row per product with its latest brand, category and price."""
    require_columns(state_df, ["product_id", *_PRODUCT_SEEN], "build_dim_product")
    return state_df.select(
        surrogate_key("product_id").alias("product_key"),
        "product_id",
        F.xxhash64(F.col("category_id_seen.category_id")).alias("category_key"),
        F.col("category_id_seen.category_id").alias("category_id"),
        F.coalesce(F.col("brand_seen.brand"), F.lit(UNKNOWN)).alias("brand"),
        F.col("brand_seen.brand").isNotNull().alias("has_brand"),
        F.col("category_code_seen.category_code").alias("category_code"),
        money(F.col("price_seen.last_price")).alias("latest_price"),
        "first_seen_at",
        "last_seen_at",
    )


def split_category_code(code: Column, level: int) -> Column:
    """Level `level` (1-based) of `a.b.c`; 'unknown' for level 1 of a missing code, else null."""
    part = F.element_at(F.split(code, r"\."), level)
    if level == 1:
        return F.coalesce(part, F.lit(UNKNOWN))
    return part


def build_dim_category(state_df: DataFrame) -> DataFrame:
    """Category state → one row per category_id with its latest code split into levels."""
    require_columns(state_df, ["category_id", "category_code_seen"], "build_dim_category")
    code = F.col("category_code_seen.category_code")
    return state_df.select(
        surrogate_key("category_id").alias("category_key"),
        "category_id",
        F.coalesce(code, F.lit(UNKNOWN)).alias("category_code"),
        *[
            split_category_code(code, level).alias(f"category_level{level}")
            for level in range(1, CATEGORY_LEVELS + 1)
        ],
        code.isNotNull().alias("has_category_code"),
    )


def iso_weekday(day: Column) -> Column:
    """ISO weekday: Monday = 1 … Sunday = 7 (Spark's dayofweek has Sunday = 1)."""
    return ((F.dayofweek(day) + 5) % 7) + 1


def build_dim_time(
    spark: SparkSession, first_date: date | None, last_date: date | None
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
    )


# --- summaries ------------------------------------------------------------------------------


def daily_event_counts(events_df: DataFrame) -> DataFrame:
    """Staged events → one row per event_date with events by type."""
    return events_df.groupBy("event_date").agg(
        F.count(F.lit(1)).alias("events"),
        _count_of("view").alias("views"),
        _count_of("cart").alias("carts"),
        _count_of("remove_from_cart").alias("cart_removals"),
        _count_of("purchase").alias("purchase_events"),
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
    months_df = dim_time_df.groupBy("year_month").agg(
        F.min("calendar_date").alias("month_start_date"),
        F.min("year").alias("year"),
        F.min("month").alias("month"),
        F.min("month_name").alias("month_name"),
        F.count(F.lit(1)).alias("days_in_data"),
    )
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
