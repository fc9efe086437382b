"""Ingest transforms: raw text lines → typed, validated, de-duplicated staged events.

Rows are read as text lines so that a rejected row keeps its raw line for quarantine. Lines
without a double quote (all lines of the real dataset) are split on commas, which is much
cheaper than a CSV parser; lines with a quote go through Spark's CSV parser (`from_csv`), so
quoted commas are handled.
"""

from __future__ import annotations

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame
from pyspark.sql.types import (
    DateType,
    DecimalType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from ecom.raw import EVENT_TYPES, RAW_COLUMNS
from ecom.rawfiles import Layout
from ecom.transforms.columns import MONEY, empty_to_null, require_columns

# Columns of a staged event, in order: attributes, measures, timestamps, lineage; then the
# partition column. Two staged rows are exact duplicates when EVENT_COLUMNS are equal.
EVENT_COLUMNS: tuple[str, ...] = (
    "event_at",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "session_id",
)
LINEAGE_COLUMNS: tuple[str, ...] = ("source_file", "ingest_run_id", "ingested_at")
STAGED_COLUMNS: tuple[str, ...] = (*EVENT_COLUMNS, *LINEAGE_COLUMNS, "event_date")
STAGED_SCHEMA = StructType(
    [
        StructField("event_at", TimestampType()),
        StructField("event_type", StringType()),
        StructField("product_id", LongType()),
        StructField("category_id", LongType()),
        StructField("category_code", StringType()),
        StructField("brand", StringType()),
        StructField("price", DecimalType(18, 2)),
        StructField("user_id", LongType()),
        StructField("session_id", StringType()),
        StructField("source_file", StringType()),
        StructField("ingest_run_id", StringType()),
        StructField("ingested_at", TimestampType()),
        StructField("event_date", DateType()),
    ]
)

# Reason codes, in the order they are checked: a row gets the first that applies.
REASONS: tuple[tuple[str, str | None], ...] = (
    ("malformed_row", None),
    ("invalid_event_time", "event_time"),
    ("invalid_event_type", "event_type"),
    ("invalid_product_id", "product_id"),
    ("invalid_category_id", "category_id"),
    ("invalid_user_id", "user_id"),
    ("missing_user_session", "user_session"),
    ("missing_price", "price"),
    ("invalid_price", "price"),
    ("negative_price", "price"),
)
REASON_CODES: tuple[str, ...] = tuple(code for code, _ in REASONS)

_TIMESTAMP_SUFFIX = " UTC"
_TIMESTAMP_LENGTH = len("2019-10-01 00:00:00 UTC")


def _csv_fields(width: int) -> Column:
    """The fields of a quoted CSV line as an array; one extra element when it has too many."""
    names = [f"f{index}" for index in range(width + 1)]
    parsed = F.from_csv(F.col("value"), ", ".join(f"{name} string" for name in names))
    fields = [parsed.getField(name) for name in names]
    return F.when(fields[-1].isNull(), F.array(*fields[:-1])).otherwise(F.array(*fields))


def with_raw_fields(lines_df: DataFrame, layout: Layout) -> DataFrame:
    """Text lines (value, source_file) → one row per line: raw_line, field count, raw columns."""
    require_columns(lines_df, ["value", "source_file"], "with_raw_fields")
    fields = F.when(F.col("value").contains('"'), _csv_fields(layout.width)).otherwise(
        F.split(F.col("value"), ",", -1)
    )
    parts_df = lines_df.select(
        F.col("source_file"), F.col("value").alias("raw_line"), fields.alias("_fields")
    )
    return parts_df.select(
        "source_file",
        "raw_line",
        F.size("_fields").alias("field_count"),
        *[F.col("_fields")[layout.positions[name]].alias(name) for name in RAW_COLUMNS],
    )


def try_cast(column: str, data_type: str, text: str = "trim(`{column}`)") -> Column:
    """Cast a named string column, null instead of an error when it does not convert.

    `try_cast` is SQL syntax in Spark 3.5 (the Column method arrives in 4.0), hence `expr`;
    it returns null whatever `spark.sql.ansi.enabled` says.
    """
    return F.expr(f"try_cast({text.format(column=column)} as {data_type})")


def parse_event_time(column: str) -> Column:
    """`yyyy-MM-dd HH:mm:ss UTC` → timestamp (UTC session time zone); null when unparseable."""
    text = F.trim(F.col(column))
    well_formed = (F.length(text) == _TIMESTAMP_LENGTH) & text.endswith(_TIMESTAMP_SUFFIX)
    return F.when(well_formed, try_cast(column, "timestamp", "substring(trim(`{column}`), 1, 19)"))


def parse_id(column: str) -> Column:
    """A positive integer id → bigint; null when missing, non-numeric or not positive."""
    value = try_cast(column, "bigint")
    return F.when(value > 0, value)


def with_typed_columns(fields_df: DataFrame) -> DataFrame:
    """Raw string columns → typed event columns, keeping the raw strings for validation."""
    require_columns(fields_df, RAW_COLUMNS, "with_typed_columns")
    return fields_df.select(
        "*",
        parse_event_time("event_time").alias("event_at"),
        F.lower(F.trim(F.col("event_type"))).alias("_event_type"),
        parse_id("product_id").alias("_product_id"),
        parse_id("category_id").alias("_category_id"),
        empty_to_null(F.col("category_code")).alias("_category_code"),
        empty_to_null(F.col("brand")).alias("_brand"),
        try_cast("price", MONEY).alias("_price"),
        parse_id("user_id").alias("_user_id"),
        empty_to_null(F.col("user_session")).alias("session_id"),
    )


def rejection_reason(expected_width: int) -> Column:
    """The first failed check of a typed row as a reason code; null for a valid row."""
    price_text = empty_to_null(F.col("price"))
    checks: list[Column] = [
        F.col("field_count") != expected_width,
        F.col("event_at").isNull(),
        ~F.col("_event_type").isin(*EVENT_TYPES) | F.col("_event_type").isNull(),
        F.col("_product_id").isNull(),
        F.col("_category_id").isNull(),
        F.col("_user_id").isNull(),
        F.col("session_id").isNull(),
        price_text.isNull(),
        F.col("_price").isNull(),
        F.col("_price") < 0,
    ]
    reason = F.lit(None).cast("string")
    for (code, _), check in reversed(list(zip(REASONS, checks, strict=True))):
        reason = F.when(check, F.lit(code)).otherwise(reason)
    return reason


def reason_column(reason: Column) -> Column:
    """The raw column a reason code is about (null for a malformed row)."""
    mapping = F.create_map(
        *[item for code, column in REASONS if column for item in (F.lit(code), F.lit(column))]
    )
    return mapping[reason]


def with_rejection_reason(typed_df: DataFrame, expected_width: int) -> DataFrame:
    """Typed rows → the same rows with `reason` (null when valid) and `reason_column`."""
    return typed_df.withColumn("reason", rejection_reason(expected_width)).withColumn(
        "reason_column", reason_column(F.col("reason"))
    )


def evaluate_once(df: DataFrame) -> DataFrame:
    """The same rows and columns, computed behind a Generate node.

    A filter is pushed down through projections by inlining every alias it crosses, so
    `where(reason is null)` would re-evaluate the split, the casts and the checks inside the
    filter, uncompiled (3x slower ingest, measured). The optimizer cannot push a filter on a
    generator's output below the generator, so each expression here runs once per row.
    """
    return df.select(F.inline(F.array(F.struct(*[F.col(name) for name in df.columns]))))


# What validate_lines returns: lineage, the raw line (rejected rows only), typed columns, reason.
VALIDATED_COLUMNS: tuple[str, ...] = (
    "source_file",
    "raw_line",
    "event_at",
    "_event_type",
    "_product_id",
    "_category_id",
    "_category_code",
    "_brand",
    "_price",
    "_user_id",
    "session_id",
    "reason",
    "reason_column",
)


def keep_raw_line_of_rejected(validated_df: DataFrame) -> DataFrame:
    """Null the raw line of valid rows: only quarantine needs it, and copying it costs."""
    return validated_df.withColumn(
        "raw_line", F.when(F.col("reason").isNotNull(), F.col("raw_line"))
    )


def validate_lines(lines_df: DataFrame, layout: Layout) -> DataFrame:
    """Text lines of one layout → one row per line, typed, with its rejection reason."""
    return (
        lines_df.transform(with_raw_fields, layout)
        .transform(with_typed_columns)
        .transform(with_rejection_reason, layout.width)
        .transform(keep_raw_line_of_rejected)
        .select(*VALIDATED_COLUMNS)
        .transform(evaluate_once)
    )


def to_staged(validated_df: DataFrame, run_id: str, ingested_at: Column) -> DataFrame:
    """Validated rows → valid rows only, in the staged-events schema with lineage columns."""
    return validated_df.where(F.col("reason").isNull()).select(
        F.col("event_at"),
        F.col("_event_type").alias("event_type"),
        F.col("_product_id").alias("product_id"),
        F.col("_category_id").alias("category_id"),
        F.col("_category_code").alias("category_code"),
        F.col("_brand").alias("brand"),
        F.col("_price").alias("price"),
        F.col("_user_id").alias("user_id"),
        F.col("session_id"),
        F.col("source_file"),
        F.lit(run_id).alias("ingest_run_id"),
        ingested_at.alias("ingested_at"),
        F.to_date(F.col("event_at")).alias("event_date"),
    )


def to_quarantine(validated_df: DataFrame, run_id: str, ingested_at: Column) -> DataFrame:
    """Validated rows → rejected rows only: raw line, reason code, column and lineage."""
    return validated_df.where(F.col("reason").isNotNull()).select(
        F.col("source_file"),
        F.col("raw_line"),
        F.col("reason"),
        F.col("reason_column"),
        ingested_at.alias("ingested_at"),
        F.lit(run_id).alias("ingest_run_id"),
    )


def drop_exact_duplicates(staged_df: DataFrame, partitions: int) -> DataFrame:
    """Staged events → the same events without exact duplicates, clustered by event_date.

    Hash-partitioning on event_date first lets one shuffle serve both the de-duplication
    (its clustering is a subset of the duplicate key) and the partitioned write (each date
    lands in one task, so one file per date). The surviving row of a duplicate group keeps
    the lineage of an arbitrary one of its copies.
    """
    require_columns(staged_df, STAGED_COLUMNS, "drop_exact_duplicates")
    return staged_df.repartition(partitions, "event_date").dropDuplicates(
        [*EVENT_COLUMNS, "event_date"]
    )


def merge_staged(existing_df: DataFrame, incoming_df: DataFrame, partitions: int) -> DataFrame:
    """Staged rows of some dates + new rows of those dates → one row per distinct event.

    The copy ingested first keeps its lineage, so re-delivering a file changes nothing.
    """
    require_columns(incoming_df, STAGED_COLUMNS, "merge_staged")
    keys = [*EVENT_COLUMNS, "event_date"]
    lineage = F.min(F.struct(*[F.col(name) for name in reversed(LINEAGE_COLUMNS)]))
    merged_df = (
        existing_df.select(*STAGED_COLUMNS)
        .unionByName(incoming_df.select(*STAGED_COLUMNS))
        .repartition(partitions, "event_date")
        .groupBy(*keys)
        .agg(lineage.alias("_lineage"))
    )
    return merged_df.select(
        *[F.col(name) for name in EVENT_COLUMNS],
        *[F.col(f"_lineage.{name}").alias(name) for name in LINEAGE_COLUMNS],
        F.col("event_date"),
    )
