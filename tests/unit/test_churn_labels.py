"""The churn / CLV protocol's labels and the fold assignment on tiny inline frames (chispa);
every expected row is worked out by hand from the dates in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyspark.sql.functions as F
from chispa import assert_df_equality
from pyspark.sql.types import BooleanType, DecimalType, LongType, StructField, StructType

from ecom.transforms.customers.labels import FOLDS, build_churn_labels, fold_of
from tests.unit.test_customer_transforms import SALES_SCHEMA, sale

# H = 10 days, last sale day 2011-01-31 → cutoff 2011-01-21; baseline window
# (2011-01-11, 2011-01-21], future window (2011-01-21, 2011-01-31].
H = 10
LAST_DAY = date(2011, 1, 31)
SALES = [
    sale(1, "A", 1, "10.000", "2011-01-21"),  # on the cutoff: eligible, in the baseline
    sale(1, "B", 1, "4.500", "2011-01-22"),  # the day after: active, future revenue
    sale(2, "C", 1, "3.000", "2011-01-11"),  # on cutoff − H: eligible, NOT in the baseline
    sale(2, "D", 1, "2.000", "2011-01-12"),  # the day after: in the baseline
    sale(3, "E", 1, "1.000", "2011-01-05"),  # eligible, no later sale: churned
    sale(4, "F", 1, "9.000", "2011-01-31"),  # first seen after the cutoff: not eligible
    sale(5, "G", 1, "6.000", "2011-01-01"),  # eligible ...
    sale(5, "H", 1, "1.250", "2011-01-31"),  # ... and a sale on the last day: active
    sale(None, "I", 1, "50.000", "2011-01-10"),  # a guest: no customer
]
LABEL_SCHEMA = StructType(
    [
        StructField("user_id", LongType()),
        StructField("is_churned", BooleanType(), False),
        StructField("future_revenue", DecimalType(18, 2)),
        StructField("baseline_revenue", DecimalType(18, 2)),
    ]
)


def test_labels_at_the_cutoff_edges(spark) -> None:
    sales_df = spark.createDataFrame(SALES, SALES_SCHEMA)
    expected = [
        (1, False, Decimal("4.50"), Decimal("10.00")),
        (2, True, Decimal("0.00"), Decimal("2.00")),
        (3, True, Decimal("0.00"), Decimal("0.00")),
        (5, False, Decimal("1.25"), Decimal("0.00")),
    ]
    assert_df_equality(
        build_churn_labels(sales_df, LAST_DAY, H),
        spark.createDataFrame(expected, LABEL_SCHEMA),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_a_cancellation_after_the_cutoff_keeps_no_one_active(spark) -> None:
    """Labels read sale lines only (fact_purchases): customer 3's cancelled invoice after
    the cutoff lives in fact_cancellations and is never a sale, so 3 stays churned with no
    future revenue."""
    sales_df = spark.createDataFrame(SALES[4:5], SALES_SCHEMA)
    [row] = build_churn_labels(sales_df, LAST_DAY, H).collect()
    assert (row["user_id"], row["is_churned"], row["future_revenue"]) == (3, True, Decimal("0"))


def test_folds_are_seeded_stable_and_balanced(spark) -> None:
    ids_df = spark.range(1, 2001).select(F.col("id").alias("user_id"))
    folded = {
        row["user_id"]: row["fold"]
        for row in ids_df.select("user_id", fold_of(F.col("user_id"), 42).alias("fold")).collect()
    }
    assert set(folded.values()) == set(range(FOLDS))
    sizes = [list(folded.values()).count(fold) for fold in range(FOLDS)]
    assert all(300 <= size <= 500 for size in sizes), sizes  # 400 each, give or take
    # The same customer gets the same fold in any frame and order.
    shuffled_df = spark.createDataFrame([(1999,), (7,)], "user_id bigint")
    again = shuffled_df.select("user_id", fold_of(F.col("user_id"), 42).alias("fold")).collect()
    assert {row["user_id"]: row["fold"] for row in again} == {
        1999: folded[1999],
        7: folded[7],
    }
    other = ids_df.select("user_id", fold_of(F.col("user_id"), 7).alias("fold")).collect()
    assert sum(folded[row["user_id"]] != row["fold"] for row in other) > 1000
