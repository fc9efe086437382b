"""Glue job 1, ingest: raw CSV files → staged events (Parquet by event_date) + quarantine."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, Observation, SparkSession

from ecom.rawfiles import Layout, RawFile, group_by_layout, list_raw_files
from ecom.transforms.ingest import (
    REASON_CODES,
    drop_exact_duplicates,
    to_quarantine,
    to_staged,
    validate_lines,
)


@dataclass(frozen=True)
class IngestArgs:
    """Arguments of the ingest job; on Glue they arrive as `--raw_path` etc."""

    raw_path: str
    staged_path: str
    quarantine_path: str
    run_id: str
    partitions: int | None = None


@dataclass
class IngestResult:
    """What one ingest run did: the counts reconcile as read = staged + quarantined + dups."""

    run_id: str
    files: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    rows_staged: int = 0
    duplicates_dropped: int = 0
    rows_quarantined: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def reconciles(self) -> bool:
        """True when every row read is staged, quarantined or a dropped duplicate."""
        accounted = self.rows_staged + self.rows_quarantined + self.duplicates_dropped
        return self.rows_read == accounted

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "reconciles": self.reconciles}


def read_lines(spark: SparkSession, layout: Layout) -> DataFrame:
    """The text lines of a layout's files, header lines removed, with their source file."""
    lines_df = spark.read.text(layout.files).select(
        F.col("value"), F.col("_metadata.file_path").alias("source_file")
    )
    return lines_df.where(F.col("value") != F.lit(layout.header))


def validated_events(spark: SparkSession, layouts: list[Layout]) -> DataFrame:
    """Every data line of every layout, typed and with its rejection reason."""
    frames = [read_lines(spark, layout).transform(validate_lines, layout) for layout in layouts]
    return reduce(DataFrame.unionByName, frames)


# Uncompressed bytes per task of the de-duplicating shuffle: small enough that a task's hash
# map stays in memory (a spill to sort-based aggregation made 20M events 30% slower).
BYTES_PER_PARTITION = 128 * 1024 * 1024
GZIP_RATIO = 5  # clickstream CSV compresses about 5:1


def shuffle_partitions(spark: SparkSession, raw_files: list[RawFile]) -> int:
    """Partitions for the ingest shuffle: the session default, more for large inputs."""
    size = sum(f.size * (GZIP_RATIO if f.path.endswith(".gz") else 1) for f in raw_files)
    default = int(spark.conf.get("spark.sql.shuffle.partitions"))
    return max(default, -(-size // BYTES_PER_PARTITION))


def describe_files(raw_files: list[RawFile], layouts: list[Layout]) -> list[dict[str, object]]:
    """One entry per file seen: path, bytes and what was done with it."""
    readable = {path for layout in layouts for path in layout.files}
    return [
        {
            "path": raw_file.path,
            "bytes": raw_file.size,
            "status": "read" if raw_file.path in readable else "skipped",
            "reason": None if raw_file.path in readable else "empty file (0 bytes or no lines)",
        }
        for raw_file in raw_files
    ]


def observed(observation: Observation, timeout: float = 120.0) -> dict[str, object]:
    """The metrics of an observation whose action has finished; an error, not a hang, if absent."""
    box: dict[str, dict[str, object]] = {}
    waiter = threading.Thread(target=lambda: box.update(value=observation.get), daemon=True)
    waiter.start()
    waiter.join(timeout)
    if "value" not in box:
        raise RuntimeError(f"Spark reported no metrics for {observation._name!r}")
    return box["value"]


def run_ingest(spark: SparkSession, args: IngestArgs) -> IngestResult:
    """Read, validate, de-duplicate and write; quarantine rejected rows with their reason."""
    started = time.perf_counter()
    raw_files = list_raw_files(spark, args.raw_path)
    layouts = group_by_layout(raw_files)  # raises MissingColumnsError before any write
    result = IngestResult(run_id=args.run_id, files=describe_files(raw_files, layouts))
    for layout in layouts:
        if layout.extra_columns:
            result.warnings.append(
                f"{len(layout.files)} file(s) with header {layout.header!r}: extra column(s) "
                f"{', '.join(layout.extra_columns)} ignored (e.g. {layout.files[0]})"
            )
    if not layouts:
        result.seconds = time.perf_counter() - started
        return result

    ingested_at = F.lit(datetime.now(UTC))
    partitions = args.partitions or shuffle_partitions(spark, raw_files)
    read_metrics = Observation("ingest_read")
    staged_metrics = Observation("ingest_staged")
    validated_df = validated_events(spark, layouts).observe(
        read_metrics,
        F.count(F.lit(1)).alias("rows_read"),
        *[F.count(F.when(F.col("reason") == code, 1)).alias(code) for code in REASON_CODES],
    )
    staged_df = (
        to_staged(validated_df, args.run_id, ingested_at)
        .transform(drop_exact_duplicates, partitions)
        .observe(staged_metrics, F.count(F.lit(1)).alias("rows_staged"))
    )
    (
        staged_df.sortWithinPartitions("event_date", "session_id", "event_at")
        .write.mode("overwrite")
        .partitionBy("event_date")
        .parquet(args.staged_path)
    )
    read = observed(read_metrics)
    rejected = {code: int(read[code]) for code in REASON_CODES if read[code]}
    result.rows_read = int(read["rows_read"])
    result.rows_staged = int(observed(staged_metrics)["rows_staged"])
    result.duplicates_dropped = result.rows_read - sum(rejected.values()) - result.rows_staged
    if rejected:  # a second pass over the input, only when something was rejected
        result.quarantined_by_reason = write_quarantine(
            spark, validated_events(spark, layouts), args, ingested_at
        )
    result.rows_quarantined = sum(result.quarantined_by_reason.values())
    result.seconds = time.perf_counter() - started
    return result


def write_quarantine(
    spark: SparkSession, validated_df: DataFrame, args: IngestArgs, ingested_at: F.Column
) -> dict[str, int]:
    """Append this run's rejected rows to quarantine; return its rows per reason as written."""
    quarantine_df = to_quarantine(validated_df, args.run_id, ingested_at)
    quarantine_df.coalesce(1).write.mode("overwrite").partitionBy("ingest_run_id").parquet(
        args.quarantine_path
    )
    written_df = spark.read.parquet(args.quarantine_path).where(
        F.col("ingest_run_id") == args.run_id
    )
    return {
        row["reason"]: int(row["rows"])
        for row in written_df.groupBy("reason").agg(F.count(F.lit(1)).alias("rows")).collect()
    }
