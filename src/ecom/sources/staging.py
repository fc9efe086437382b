"""Line-level transforms every source shares: splitting CSV lines, typing without errors,
first-failing-rule reasons, quarantine rows, and exact-duplicate removal. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame

from ecom.sources.base import LINEAGE_COLUMNS, STAGED_DATE, Layout
from ecom.transforms.columns import require_columns


def _csv_struct(width: int) -> Column:
    """A quoted CSV line parsed into a struct of `width + 1` string fields f0, f1, ...; the
    last is null unless the line has too many fields.

    A quote inside a quoted field is written twice (RFC 4180: `"7"" FRAME"` is `7" FRAME`);
    Spark's default escape character, a backslash, would keep such a field's quotes."""
    schema = ", ".join(f"f{index} string" for index in range(width + 1))
    return F.from_csv(F.col("value"), schema, {"escape": '"'})


def _struct_fields(parsed: Column, width: int) -> Column:
    """The fields of a `_csv_struct` as an array; one extra element when it has too many."""
    fields = [parsed.getField(f"f{index}") for index in range(width + 1)]
    return F.when(fields[-1].isNull(), F.array(*fields[:-1])).otherwise(F.array(*fields))


def with_raw_fields(
    lines_df: DataFrame, layout: Layout, columns: Sequence[str], value: Column | None = None
) -> DataFrame:
    """Text lines (value, source_file) → one row per line: raw_line, field count, and the
    raw text of each required column. Lines with a double quote go through a CSV parser
    (quoted commas and doubled quotes); the others are split on commas. `value` replaces
    the line's text (e.g. re-decoded) when given.

    The CSV parser (`from_csv`) has no generated code, and Spark runs an operator holding
    it outside whole-stage code generation, writing every value it outputs into a row. So
    it gets a projection of its own that outputs a null struct for unquoted lines (nearly
    all of them), and the split, its array and the fields taken from it stay inside the
    generated code (the array written into a row for every line was ~6% of the ingest's
    CPU, JFR)."""
    require_columns(lines_df, ["value", "source_file"], "with_raw_fields")
    text_df = lines_df if value is None else lines_df.withColumn("value", value)
    quoted = F.col("value").contains('"')  # looked for once: a byte-by-byte search
    parsed_df = text_df.select(
        "source_file",
        "value",
        quoted.alias("_quoted"),
        F.when(quoted, _csv_struct(layout.width)).alias("_csv"),
    )
    fields = F.when(F.col("_quoted"), _struct_fields(F.col("_csv"), layout.width)).otherwise(
        F.split(F.col("value"), ",", -1)
    )
    parts_df = parsed_df.select(
        F.col("source_file"), F.col("value").alias("raw_line"), fields.alias("_fields")
    )
    return parts_df.select(
        "source_file",
        "raw_line",
        F.size("_fields").alias("field_count"),
        *[F.col("_fields")[layout.positions[name]].alias(name) for name in columns],
    )


def try_cast(column: str, data_type: str, text: str = "trim(`{column}`)") -> Column:
    """Cast a named string column, null instead of an error when it does not convert.

    `try_cast` is SQL syntax in Spark 3.5 (the Column method arrives in 4.0), hence `expr`;
    it returns null whatever `spark.sql.ansi.enabled` says.
    """
    return F.expr(f"try_cast({text.format(column=column)} as {data_type})")


def to_long(column: str) -> Column:
    """A named string column, trimmed, → bigint; null where `try_cast` gives null (not a
    whole number, or out of range).

    Spark's exact cast (what `try_cast` runs) boxes every value inside a try/catch (2.6% of
    the ingest's CPU, JFR). The plain cast parses the same way on the same code path, except
    that it also reads `12.5` as 12; a value with a '.' is therefore null here. The plain
    cast needs `spark.sql.ansi.enabled=false` (JOB_CONF) to give null, not an error."""
    text = F.trim(F.col(column))
    return F.when(~text.contains("."), text.cast("bigint"))


def first_reason(reasons: Sequence[tuple[str, str | None]], checks: Sequence[Column]) -> Column:
    """The code of the first failing check (checks in the order of `reasons`); null if none."""
    reason = F.lit(None).cast("string")
    for (code, _), check in reversed(list(zip(reasons, checks, strict=True))):
        reason = F.when(check, F.lit(code)).otherwise(reason)
    return reason


def reason_column(reasons: Sequence[tuple[str, str | None]], reason: Column) -> Column:
    """The raw column a reason code is about (null for a malformed row)."""
    mapping = F.create_map(
        *[item for code, column in reasons if column for item in (F.lit(code), F.lit(column))]
    )
    return mapping[reason]


def evaluate_once(df: DataFrame) -> DataFrame:
    """The same rows and columns, computed behind a Generate node.

    A filter is pushed down through projections by inlining every alias it crosses, so
    `where(reason is null)` would re-evaluate the split, the casts and the checks inside the
    filter, uncompiled (3x slower ingest, measured). The optimizer cannot push a filter on a
    generator's output below the generator, so each expression here runs once per row.
    """
    return df.select(F.inline(F.array(F.struct(*[F.col(name) for name in df.columns]))))


def keep_raw_line_of_rejected(validated_df: DataFrame) -> DataFrame:
    """Null the raw line of valid rows: only quarantine needs it, and copying it costs."""
    return validated_df.withColumn(
        "raw_line", F.when(F.col("reason").isNotNull(), F.col("raw_line"))
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


def grouping_order(keys: Sequence[str], order: Sequence[str] = ()) -> list[str]:
    """The duplicate key as the de-duplication groups by it: the date, then `order` (the
    columns each date's file is sorted by, all among `keys`), then the other keys.

    Spark sorts each task's rows by the grouping columns, in this order, to group them; the
    sorted output then already is the order the staged write wants, so the write needs no
    second sort of every row (20M events: one sort instead of two in the costliest stage).
    """
    missing = [name for name in order if name not in keys]
    if missing:
        raise ValueError(f"order column(s) {', '.join(missing)} not among the duplicate key")
    return [STAGED_DATE, *order, *[name for name in keys if name not in order]]


def drop_exact_duplicates(
    staged_df: DataFrame, partitions: int, keys: Sequence[str], order: Sequence[str] = ()
) -> DataFrame:
    """Staged rows → the same rows without exact duplicates (equal `keys`), clustered by date
    and sorted within each task by date, then `order`.

    Hash-partitioning on the date first lets one shuffle serve both the de-duplication
    (its clustering is a subset of the duplicate key) and the partitioned write (each date
    lands in one task, so one file per date). The surviving row of a duplicate group keeps
    the lineage of its first copy (lowest file, then line).
    """
    require_columns(staged_df, [*keys, STAGED_DATE], "drop_exact_duplicates")
    return _one_per_key(staged_df.repartition(partitions, STAGED_DATE), keys, order)


def _one_per_key(rows_df: DataFrame, keys: Sequence[str], order: Sequence[str]) -> DataFrame:
    """Rows → one row per (date, keys), grouped in `grouping_order`, keeping the least
    lineage (LINEAGE_COLUMNS compared last to first) and any value of the other columns."""
    columns = rows_df.columns
    group = grouping_order(keys, order)
    others = [name for name in columns if name not in group and name not in LINEAGE_COLUMNS]
    lineage = [name for name in LINEAGE_COLUMNS if name in columns]
    aggregates = [F.first(name).alias(name) for name in others]
    if lineage:
        least = F.min(F.struct(*[F.col(name) for name in reversed(lineage)]))
        aggregates.append(least.alias("_lineage"))
    grouped_df = rows_df.groupBy(*group).agg(*aggregates)
    return grouped_df.select(
        *[
            F.col(f"_lineage.{name}").alias(name) if name in lineage else F.col(name)
            for name in columns
        ]
    )


def merge_staged(
    existing_df: DataFrame,
    incoming_df: DataFrame,
    partitions: int,
    keys: Sequence[str],
    order: Sequence[str] = (),
) -> DataFrame:
    """Staged rows of some dates + new rows of those dates → one row per distinct row,
    sorted within each task as `drop_exact_duplicates` leaves them.

    The copy ingested first keeps its lineage, so re-delivering a file changes nothing.
    Columns come out as `existing_df` has them.
    """
    columns = existing_df.columns
    require_columns(incoming_df, columns, "merge_staged")
    union_df = existing_df.select(*columns).unionByName(incoming_df.select(*columns))
    return _one_per_key(union_df.repartition(partitions, STAGED_DATE), keys, order)
