"""The segment history of customers, SCD Type 2: one row per customer and segment spell.

A spell is open (`is_current`, no `valid_to`) until a run assigns the customer another
segment: that run closes it (`valid_to` = the run's as-of date) and opens the next
(`segment_version` + 1, `valid_from` = the as-of date, `changed_by_run` = the run). A
customer whose segment is unchanged keeps their row as it is, so rerunning the same data
adds nothing. A customer no run segments any more (their sales gone from the raw data)
has their spell closed.
"""

from __future__ import annotations

from datetime import date

import pyspark.sql.functions as F
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    BooleanType,
    DateType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from ecom.transforms.columns import require_columns

HISTORY_SCHEMA = StructType(
    [
        StructField("customer_segment_key", LongType()),
        StructField("user_key", LongType()),
        StructField("user_id", LongType()),
        StructField("segment_version", IntegerType()),
        StructField("segment", StringType()),
        StructField("rfm_score", IntegerType()),
        StructField("valid_from", DateType()),
        StructField("valid_to", DateType()),
        StructField("is_current", BooleanType()),
        StructField("changed_by_run", StringType()),
    ]
)
ASSIGNMENT_COLUMNS = ("user_key", "user_id", "segment", "rfm_score")


def _opened(assigned_df: DataFrame, version: F.Column, start: F.Column, run_id: str) -> DataFrame:
    """Assignments → the open spells they start."""
    return assigned_df.select(
        F.xxhash64(F.col("user_id"), version).alias("customer_segment_key"),
        "user_key",
        "user_id",
        version.cast("int").alias("segment_version"),
        "segment",
        F.col("rfm_score").cast("int").alias("rfm_score"),
        start.alias("valid_from"),
        F.lit(None).cast("date").alias("valid_to"),
        F.lit(True).alias("is_current"),
        F.lit(run_id).alias("changed_by_run"),
    )


def merge_segment_history(
    history_df: DataFrame, assigned_df: DataFrame, run_id: str, as_of: date
) -> DataFrame:
    """Previous history + this run's assignments (one row per customer: ASSIGNMENT_COLUMNS)
    → the new history. Closed spells are kept; an open spell whose segment is unchanged is
    kept as it is; a changed one is closed on `as_of` and followed by a new open spell; a
    new customer opens version 1; an open spell without an assignment is closed."""
    require_columns(assigned_df, ASSIGNMENT_COLUMNS, "merge_segment_history")
    columns = HISTORY_SCHEMA.fieldNames()
    closed_df = history_df.where(~F.col("is_current")).select(*columns)
    open_df = history_df.where(F.col("is_current")).select(*columns)
    new = assigned_df.select(*[F.col(name).alias(f"new_{name}") for name in ASSIGNMENT_COLUMNS])
    paired_df = open_df.join(new, F.col("user_id") == F.col("new_user_id"), "full_outer")
    # Never before the spell it follows (a rebuild from fewer days could date it earlier).
    start = F.greatest(F.lit(as_of).cast("date"), F.col("valid_from"))
    unchanged = F.col("segment") == F.col("new_segment")
    kept_df = paired_df.where(unchanged).select(*columns)
    ended = F.col("is_current") & (F.col("new_segment").isNull() | ~unchanged)
    ended_df = paired_df.where(ended).select(
        *[
            start.alias("valid_to")
            if name == "valid_to"
            else F.lit(False).alias("is_current")
            if name == "is_current"
            else F.col(name)
            for name in columns
        ]
    )
    follows = F.col("new_user_id").isNotNull() & (F.col("user_id").isNull() | ~unchanged)
    assigned = paired_df.where(follows).select(
        *[F.col(f"new_{name}").alias(name) for name in ASSIGNMENT_COLUMNS],
        F.coalesce(F.col("segment_version") + 1, F.lit(1)).alias("_version"),
        F.coalesce(start, F.lit(as_of).cast("date")).alias("_start"),
    )
    opened_df = _opened(assigned, F.col("_version"), F.col("_start"), run_id)
    return closed_df.unionByName(kept_df).unionByName(ended_df).unionByName(opened_df)
