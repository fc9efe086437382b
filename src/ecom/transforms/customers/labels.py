"""Churn and CLV labels under a fixed protocol, and out-of-fold assignment.

With horizon H days and the last day with a sale line in the lake, cutoff = last day − H.
Eligible customers are the identified customers with a sale on or before the cutoff; a
customer is churned when they have no sale in (cutoff, cutoff + H]; their future revenue is
their sales revenue in that window, and the naive CLV baseline their sales revenue in
(cutoff − H, cutoff]. Features use only lines on or before the cutoff. Cancellations are no
sales: they neither keep a customer active nor add revenue.
"""

from __future__ import annotations

from datetime import date, timedelta

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.transforms.columns import money, require_columns
from ecom.transforms.customers.features import SALE_COLUMNS

FOLDS = 5


def fold_of(user_id: Column, seed: int, folds: int = FOLDS) -> Column:
    """0..folds-1 from a seeded hash of the customer id (the same customer, the same fold)."""
    return F.pmod(F.xxhash64(user_id, F.lit(seed)), F.lit(folds)).cast("int")


def revenue_between(sales_df: DataFrame, after: date, until: date, name: str) -> DataFrame:
    """Sale lines → one row per identified customer with a sale in (after, until]: `name`
    = their sales revenue there (exact, then to the cent)."""
    require_columns(sales_df, SALE_COLUMNS, "revenue_between")
    day = F.col("purchase_date")
    window = F.col("user_id").isNotNull() & (day > F.lit(after)) & (day <= F.lit(until))
    return sales_df.where(window).groupBy("user_id").agg(money(F.sum("revenue")).alias(name))


def build_churn_labels(sales_df: DataFrame, last_day: date, horizon_days: int) -> DataFrame:
    """Sale lines → one row per eligible customer (a sale on or before the cutoff):
    `is_churned`, `future_revenue` in (cutoff, cutoff + H], `baseline_revenue` in
    (cutoff − H, cutoff] (zeros where they bought nothing)."""
    require_columns(sales_df, SALE_COLUMNS, "build_churn_labels")
    cutoff = last_day - timedelta(days=horizon_days)
    eligible_df = (
        sales_df.where(F.col("user_id").isNotNull() & (F.col("purchase_date") <= F.lit(cutoff)))
        .select("user_id")
        .distinct()
    )
    future_df = revenue_between(sales_df, cutoff, cutoff + timedelta(days=horizon_days), "_f")
    baseline_df = revenue_between(sales_df, cutoff - timedelta(days=horizon_days), cutoff, "_b")
    zero = F.lit(0).cast("decimal(18,2)")
    return (
        eligible_df.join(future_df, "user_id", "left")
        .join(baseline_df, "user_id", "left")
        .select(
            "user_id",
            F.col("_f").isNull().alias("is_churned"),
            F.coalesce(F.col("_f"), zero).alias("future_revenue"),
            F.coalesce(F.col("_b"), zero).alias("baseline_revenue"),
        )
    )
