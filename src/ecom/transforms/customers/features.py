"""Customer features from the star: sale lines (and cancellation lines where the source has
them) → one row per identified customer as of a date.

Both sources' fact_purchases give one row per sale line with `user_key`, `user_id`,
`order_id`, `quantity`, `revenue` and `purchase_date`; Online Retail's also has the line's
`country` (and `purchased_at`, the invoice time), clickstream's has no country. Online
Retail's fact_cancellations gives one row per cancellation line. Guests (no `user_id`) are
no customers.
"""

from __future__ import annotations

from datetime import date

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.transforms.columns import money, require_columns

SALE_COLUMNS = ("user_key", "user_id", "order_id", "quantity", "revenue", "purchase_date")
# Where sale lines have a country (Online Retail), the customer's comes from them.
COUNTRY_COLUMNS = ("country", "purchased_at")
CANCELLATION_COLUMNS = ("user_id", "order_id", "cancellation_date")
# The features the models read, in order (cancellation_share only where the source has it).
FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "items",
    "tenure_days",
    "days_between_orders",
)


def filter_identified_sales(sales_df: DataFrame, last_date: date | Column) -> DataFrame:
    """Sale lines → the identified customers' lines dated on or before `last_date`."""
    require_columns(sales_df, SALE_COLUMNS, "filter_identified_sales")
    return sales_df.where(
        F.col("user_id").isNotNull() & (F.col("purchase_date") <= F.lit(last_date))
    )


def latest_country() -> Column:
    """Aggregate over one customer's sale lines: the country of the latest line that names
    one (its invoice time `purchased_at`); lines of the same time with different countries:
    the alphabetically first. Null when no line names a country."""
    # min_by over (-time, country): the latest time first, then the smallest name; a line
    # without a country has a null ordering, which min_by skips.
    order = F.struct(-F.unix_micros(F.col("purchased_at")), F.col("country"))
    return F.min_by(F.col("country"), F.when(F.col("country").isNotNull(), order))


def cancelled_orders(cancellations_df: DataFrame, last_date: date | Column) -> DataFrame:
    """Cancellation lines → one row per identified customer: cancelled invoices up to
    `last_date`."""
    require_columns(cancellations_df, CANCELLATION_COLUMNS, "cancelled_orders")
    in_range = F.col("user_id").isNotNull() & (F.col("cancellation_date") <= F.lit(last_date))
    return (
        cancellations_df.where(in_range)
        .groupBy("user_id")
        .agg(F.countDistinct("order_id").alias("cancelled_orders"))
    )


def build_customer_features(
    sales_df: DataFrame, cancellations_df: DataFrame | None, as_of: date
) -> DataFrame:
    """Sale lines (+ cancellation lines) → one row per identified customer with a sale on or
    before `as_of`: recency and tenure in days before `as_of`, orders, revenue, AOV, items,
    mean days between first and last order per gap, the share of the customer's invoices
    that are cancellations (null where the source has no cancellations) and the country of
    their latest sale invoice (`latest_country`; null where sale lines have no country)."""
    lines_df = filter_identified_sales(sales_df, as_of)
    day = F.lit(as_of).cast("date")
    has_country = "country" in sales_df.columns
    if has_country:
        require_columns(sales_df, COUNTRY_COLUMNS, "build_customer_features")
    countries = [latest_country().alias("country")] if has_country else []
    customers_df = lines_df.groupBy("user_id").agg(
        F.min("user_key").alias("user_key"),
        *countries,
        F.countDistinct("order_id").alias("frequency"),
        F.sum("revenue").alias("revenue"),
        F.sum("quantity").cast("long").alias("items"),
        F.min("purchase_date").alias("first_order_date"),
        F.max("purchase_date").alias("last_order_date"),
    )
    if cancellations_df is not None:
        cancelled = cancelled_orders(cancellations_df, as_of)
        customers_df = customers_df.join(cancelled, "user_id", "left")
        orders = F.col("frequency") + F.coalesce(F.col("cancelled_orders"), F.lit(0))
        share = F.coalesce(F.col("cancelled_orders"), F.lit(0)) / orders
    else:
        share = F.lit(None).cast("double")
    span = F.datediff("last_order_date", "first_order_date")
    return customers_df.select(
        "user_key",
        "user_id",
        F.col("country") if has_country else F.lit(None).cast("string").alias("country"),
        F.datediff(day, "last_order_date").alias("recency_days"),
        F.col("frequency"),
        money(F.col("revenue")).alias("monetary"),
        money(F.col("revenue") / F.col("frequency")).alias("avg_order_value"),
        F.col("items"),
        F.datediff(day, "first_order_date").alias("tenure_days"),
        F.when(F.col("frequency") > 1, span / (F.col("frequency") - 1))
        .cast("double")
        .alias("days_between_orders"),
        share.cast("double").alias("cancellation_share"),
        "first_order_date",
        "last_order_date",
    )
