"""Glue job 1, ingest: raw CSV files → staged events (Parquet by event_date) + quarantine."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import reduce

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, Observation, SparkSession

from ecom import hadoopfs
from ecom.lake import join_path
from ecom.rawcheck import Screening, rejected_files_path, screen_raw_files
from ecom.rawfiles import Layout, RawFile, group_by_layout, list_raw_files
from ecom.transforms.ingest import (
    REASON_CODES,
    STAGED_SCHEMA,
    drop_exact_duplicates,
    merge_staged,
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
    # Where processed raw files are recorded; None processes every file every time.
    manifest_path: str | None = None
    full_refresh: bool = False


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
    # Files rejected whole (their rows are not read, so not counted above) and their bytes.
    files_rejected: int = 0
    bytes_rejected: int = 0
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


def describe_files(
    raw_files: list[RawFile],
    layouts: list[Layout],
    done: dict[str, dict[str, object]],
    screening: Screening | None = None,
) -> list[dict[str, object]]:
    """One entry per file seen: path, bytes and what was done with it (read, skipped, or
    rejected with a reason code, a one-line message and where its copy is kept)."""
    readable = {path for layout in layouts for path in layout.files}
    rejected = screening.rejected if screening else {}

    def reason(raw_file: RawFile) -> str | None:
        if raw_file.path in readable:
            return None
        if raw_file.path in done:
            return f"already ingested by run {done[raw_file.path].get('run_id')}"
        return "empty file (0 bytes or no lines)"

    def entry(raw_file: RawFile) -> dict[str, object]:
        described = {"path": raw_file.path, "bytes": raw_file.size}
        rejection = rejected.get(raw_file.path)
        if rejection is None:
            status = "read" if raw_file.path in readable else "skipped"
            return {**described, "status": status, "reason": reason(raw_file)}
        return {
            **described,
            "status": "rejected",
            "reason": rejection.reason,
            "message": rejection.message,
            "quarantined_as": screening.copies.get(raw_file.path) if screening else None,
        }

    return [entry(raw_file) for raw_file in raw_files]


def load_manifest(spark: SparkSession, manifest_path: str | None) -> dict[str, dict[str, object]]:
    """Raw files earlier runs ingested: path → {size, modified, run_id}."""
    if manifest_path is None:
        return {}
    done: dict[str, dict[str, object]] = {}
    for name in hadoopfs.list_names(spark, manifest_path):
        if name.endswith(".json"):
            text = hadoopfs.read_text(spark, join_path(manifest_path, name))
            for entry in json.loads(text)["files"]:
                done[entry["path"]] = entry
    return done


def is_done(raw_file: RawFile, done: dict[str, dict[str, object]]) -> bool:
    """True when this very file (same path, size and modification time) was ingested."""
    entry = done.get(raw_file.path)
    return entry is not None and (entry["size"], entry["modified"]) == (
        raw_file.size,
        raw_file.modified,
    )


def save_manifest(spark: SparkSession, args: IngestArgs, raw_files: list[RawFile]) -> None:
    """Record the files this run ingested; written after the staged data is committed."""
    if args.manifest_path is None or not raw_files:
        return
    files = [
        {"path": f.path, "size": f.size, "modified": f.modified, "run_id": args.run_id}
        for f in raw_files
    ]
    document = json.dumps({"run_id": args.run_id, "files": files}, indent=1)
    hadoopfs.write_text(spark, join_path(args.manifest_path, f"{args.run_id}.json"), document)


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
    all_files = list_raw_files(spark, args.raw_path)
    if args.full_refresh:
        for path in (args.staged_path, args.manifest_path):
            if path:
                hadoopfs.delete(spark, path)
    done = load_manifest(spark, args.manifest_path)
    raw_files = [raw_file for raw_file in all_files if not is_done(raw_file, done)]
    # A bad file is rejected whole (and copied to quarantine) before any row is read; its
    # rows are not counted as read. It is still recorded with raw_files, so it is not looked
    # at again until it is re-delivered (a new size or modification time).
    screening = screen_raw_files(
        spark, args.raw_path, raw_files, rejected_files_path(args.quarantine_path, args.run_id)
    )
    layouts = group_by_layout(screening.readable)
    result = IngestResult(
        run_id=args.run_id, files=describe_files(all_files, layouts, done, screening)
    )
    result.warnings.extend(screening.warnings)
    result.files_rejected = len(screening.rejected)
    result.bytes_rejected = sum(f.size for f in raw_files if f.path in screening.rejected)
    for layout in layouts:
        if layout.extra_columns:
            result.warnings.append(
                f"{len(layout.files)} file(s) with header {layout.header!r}: extra column(s) "
                f"{', '.join(layout.extra_columns)} ignored (e.g. {layout.files[0]})"
            )
    if not layouts:
        save_manifest(spark, args, raw_files)
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
    merging = hadoopfs.exists(spark, args.staged_path)
    incoming_root = join_path(args.staged_path, "_incoming")  # hidden from table readers
    incoming_path = join_path(incoming_root, args.run_id)
    if merging:
        hadoopfs.delete(spark, incoming_root)  # what a killed run may have left
    write_staged(staged_df, incoming_path if merging else args.staged_path)
    read = observed(read_metrics)
    rejected = {code: int(read[code]) for code in REASON_CODES if read[code]}
    result.rows_read = int(read["rows_read"])
    result.rows_staged = int(observed(staged_metrics)["rows_staged"])
    if merging:  # new rows join the dates already staged; exact duplicates of them drop out
        result.rows_staged = merge_into_staged(spark, incoming_path, args.staged_path, partitions)
        hadoopfs.delete(spark, incoming_root)
    result.duplicates_dropped = result.rows_read - sum(rejected.values()) - result.rows_staged
    if rejected:  # a second pass over the input, only when something was rejected
        result.quarantined_by_reason = write_quarantine(
            spark, validated_events(spark, layouts), args, ingested_at
        )
    result.rows_quarantined = sum(result.quarantined_by_reason.values())
    save_manifest(spark, args, raw_files)
    result.seconds = time.perf_counter() - started
    return result


def write_staged(staged_df: DataFrame, path: str) -> None:
    """Write staged rows by event_date, replacing only the dates they hold."""
    (
        staged_df.sortWithinPartitions("event_date", "session_id", "event_at")
        .write.mode("overwrite")
        .partitionBy("event_date")
        .parquet(path)
    )


def merge_into_staged(
    spark: SparkSession, incoming_path: str, staged_path: str, partitions: int
) -> int:
    """Merge an incoming batch into the staged dates it touches; return the rows it added."""
    dates = [
        name.split("=", 1)[1]
        for name in hadoopfs.list_names(spark, incoming_path)
        if name.startswith("event_date=")
    ]
    if not dates:
        return 0
    in_dates = F.col("event_date").isin([date.fromisoformat(day) for day in dates])
    before, after = Observation("staged_before"), Observation("staged_after")
    existing_df = (
        spark.read.schema(STAGED_SCHEMA)
        .parquet(staged_path)
        .where(in_dates)
        .observe(before, F.count(F.lit(1)).alias("rows"))
    )
    incoming_df = spark.read.schema(STAGED_SCHEMA).parquet(incoming_path)
    merged_df = merge_staged(existing_df, incoming_df, partitions).observe(
        after, F.count(F.lit(1)).alias("rows")
    )
    write_staged(merged_df, staged_path)  # the counts come with the write: no extra scans
    return int(observed(after)["rows"]) - int(observed(before)["rows"])


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
