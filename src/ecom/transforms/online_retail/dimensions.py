"""Online Retail dimensions: dim_product (one row per stock code) and dim_user (one row per
identified customer), aggregated from the three line facts."""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, Window

from ecom.sources.online_retail.lines import ADJUSTMENT, CANCELLATION, SALE
from ecom.transforms.columns import money, require_columns, surrogate_key
from ecom.transforms.online_retail.lines import code_kind, is_product_code

# The shape lines_of gives every fact's rows.
LINE_SHAPE = (
    "line_kind",
    "order_id",
    "user_id",
    "stock_code",
    "description",
    "country",
    "quantity",
    "unit_price",
    "total",
    "line_at",
)


def lines_of(
    purchases_df: DataFrame, cancellations_df: DataFrame, adjustments_df: DataFrame
) -> DataFrame:
    """The three line facts → one row per line in one shape (LINE_SHAPE)."""
    shaped = [
        (purchases_df, SALE, "revenue", "purchased_at"),
        (cancellations_df, CANCELLATION, "revenue", "cancelled_at"),
        (adjustments_df, ADJUSTMENT, "amount", "adjusted_at"),
    ]
    frames = [
        facts_df.select(
            F.lit(kind).alias("line_kind"),
            "order_id",
            "user_id",
            "stock_code",
            "description",
            "country",
            "quantity",
            "unit_price",
            F.col(total).alias("total"),
            F.col(at).alias("line_at"),
        )
        for facts_df, kind, total, at in shaped
    ]
    return frames[0].unionByName(frames[1]).unionByName(frames[2])


def _is(kind: str) -> Column:
    return F.col("line_kind") == kind


def most_frequent_description(lines_df: DataFrame) -> DataFrame:
    """Lines → one row per stock code with its most frequent description: counted over its
    sale lines, then over all its lines; ties go to the alphabetically first."""
    counts_df = (
        lines_df.where(F.col("description").isNotNull())
        .groupBy("stock_code", "description")
        .agg(
            F.count(F.when(_is(SALE), 1)).alias("sale_lines"),
            F.count(F.lit(1)).alias("lines"),
        )
    )
    order = Window.partitionBy("stock_code").orderBy(
        F.desc("sale_lines"), F.desc("lines"), F.asc("description")
    )
    ranked_df = counts_df.withColumn("_rank", F.row_number().over(order))
    return ranked_df.where(F.col("_rank") == 1).select("stock_code", "description")


def build_dim_product(lines_df: DataFrame) -> DataFrame:
    """Lines (LINE_SHAPE) → one row per stock code: description roll-up, kind, latest price."""
    require_columns(lines_df, LINE_SHAPE, "build_dim_product")
    is_sale = _is(SALE).cast("int")
    products_df = lines_df.groupBy("stock_code").agg(
        # The latest sale line's price (a code never sold: its latest line's).
        F.max_by("unit_price", F.struct(is_sale, F.col("line_at"), F.col("unit_price"))).alias(
            "latest_price"
        ),
        F.count(F.when(_is(SALE), 1)).alias("sale_lines"),
        F.min("line_at").alias("first_seen_at"),
        F.max("line_at").alias("last_seen_at"),
    )
    described_df = products_df.join(most_frequent_description(lines_df), "stock_code", "left")
    code = F.col("stock_code")
    return described_df.select(
        F.xxhash64(code).alias("product_key"),
        code.alias("stock_code"),
        F.col("description"),
        code_kind(code).alias("code_kind"),
        is_product_code(code).alias("is_product"),
        F.col("sale_lines"),
        F.col("latest_price"),
        F.col("first_seen_at"),
        F.col("last_seen_at"),
    )


def build_dim_user(lines_df: DataFrame) -> DataFrame:
    """Lines (LINE_SHAPE) → one row per identified customer (guests have no row): country
    of the latest line, orders and revenue from sales, cancellations, first and last times."""
    require_columns(lines_df, LINE_SHAPE, "build_dim_user")
    sale, cancellation = _is(SALE), _is(CANCELLATION)
    customers_df = (
        lines_df.where(F.col("user_id").isNotNull())
        .groupBy("user_id")
        .agg(
            F.max_by("country", F.struct(F.col("line_at"), F.col("country"))).alias("country"),
            F.countDistinct(F.when(sale, F.col("order_id"))).alias("orders"),
            F.sum(F.when(sale, F.col("quantity"))).alias("items_purchased"),
            F.sum(F.when(sale, F.col("total"))).alias("revenue"),
            F.countDistinct(F.when(cancellation, F.col("order_id"))).alias("cancelled_orders"),
            F.sum(F.when(cancellation, F.abs(F.col("total")))).alias("cancelled_revenue"),
            F.min("line_at").alias("first_seen_at"),
            F.max("line_at").alias("last_seen_at"),
            F.min(F.when(sale, F.col("line_at"))).alias("first_order_at"),
            F.max(F.when(sale, F.col("line_at"))).alias("last_order_at"),
        )
    )
    return customers_df.select(
        surrogate_key("user_id").alias("user_key"),
        "user_id",
        "country",
        (F.col("orders") > 0).alias("is_buyer"),
        "orders",
        F.coalesce(F.col("items_purchased"), F.lit(0)).cast("long").alias("items_purchased"),
        money(F.coalesce(F.col("revenue"), F.lit(0))).alias("revenue"),
        "cancelled_orders",
        money(F.coalesce(F.col("cancelled_revenue"), F.lit(0))).alias("cancelled_revenue"),
        "first_seen_at",
        "last_seen_at",
        "first_order_at",
        "last_order_at",
    )
