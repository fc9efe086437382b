"""Glue job 1, ingest: raw CSV files → staged events (Parquet by event_date) + quarantine."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce

import pyspark.sql.functions as F
from pyspark.sql import DataFrame, Observation, SparkSession

from ecom import hadoopfs, tablestore
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

STAGED_TABLE = "events"


@dataclass(frozen=True)
class IngestArgs:
    """Arguments of the ingest job; on Glue they arrive as `--raw_path` etc."""

    raw_path: str
    staged_path: str
    quarantine_path: str
    run_id: str
    partitions: int | None = None
    # Rebuild the staged events from every raw file (a new epoch of the staged zone).
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
    dates_changed: list[str] = field(default_factory=list)
    published: bool = False
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


def new_epoch(run_id: str) -> tablestore.Snapshot:
    """The staged zone's document at a full refresh: no events, no files, a new epoch."""
    return {**tablestore.empty_snapshot(), "epoch": run_id, "generation": 0, "files": {}}


def is_done(raw_file: RawFile, done: dict[str, dict[str, object]]) -> bool:
    """True when this very file (same path, size and modification time) was ingested."""
    entry = done.get(raw_file.path)
    return entry is not None and (entry["size"], entry["modified"]) == (
        raw_file.size,
        raw_file.modified,
    )


# Staged changes a publication remembers for the model job (it needs those since its last
# publication; when they are no longer listed it rebuilds everything).
KEEP_CHANGES = 200


def staged_publication(
    snapshot: tablestore.Snapshot,
    args: IngestArgs,
    raw_files: list[RawFile],
    events_entry: dict[str, object] | None,
    dates: list[str],
    quarantined: bool,
) -> tablestore.Snapshot:
    """The staged zone's next document: events, ingested files, the change for the model."""
    generation = int(snapshot.get("generation", 0)) + 1
    files = dict(snapshot.get("files", {}))
    for f in raw_files:
        files[f.path] = {"size": f.size, "modified": f.modified, "run_id": args.run_id}
    tables = dict(snapshot["tables"])
    if events_entry is not None:
        tables[STAGED_TABLE] = events_entry
    change = {"generation": generation, "run_id": args.run_id, "dates": dates}
    quarantine_runs = list(snapshot.get("quarantine_runs", []))
    if quarantined:
        quarantine_runs.append(args.run_id)
    return {
        **snapshot,
        "epoch": snapshot.get("epoch") or args.run_id,
        "generation": generation,
        "tables": tables,
        "files": files,
        "changes": [*snapshot.get("changes", []), change][-KEEP_CHANGES:],
        "quarantine_runs": quarantine_runs,
    }


def prune_quarantine(spark: SparkSession, quarantine_path: str, committed: list[str]) -> None:
    """Remove the quarantined rows and rejected-file copies of runs no publication holds
    (killed, or superseded by a full refresh)."""
    keep = {f"ingest_run_id={run_id}" for run_id in committed}
    for name in hadoopfs.list_names(spark, quarantine_path):
        if name.startswith("ingest_run_id=") and name not in keep:
            hadoopfs.delete(spark, join_path(quarantine_path, name))
    files_root = rejected_files_path(quarantine_path, "-").rsplit("/", 1)[0]
    for name in hadoopfs.list_names(spark, files_root):
        if name not in committed:
            hadoopfs.delete(spark, join_path(files_root, name))


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
    staged_zone, _ = tablestore.split_table_path(args.staged_path)
    snapshot = tablestore.load(spark, staged_zone)
    # A killed run's quarantine rows go before this run writes its own.
    prune_quarantine(spark, args.quarantine_path, snapshot.get("quarantine_runs", []))
    if args.full_refresh:
        snapshot = new_epoch(args.run_id)
    done = snapshot.get("files", {})
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
        if raw_files or args.full_refresh:  # record them, so they are not looked at again
            publish_staged(spark, args, staged_zone, snapshot, raw_files, None, [], result)
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
    existing = tablestore.partition_values(snapshot, STAGED_TABLE)
    incoming_root = join_path(staged_zone, "_incoming")  # beside the tables, never published
    incoming_path = join_path(incoming_root, args.run_id)
    hadoopfs.delete(spark, incoming_root)  # what a killed run may have left
    if existing:  # written aside first: the merge needs to know which dates it touches
        arranged(staged_df).write.mode("overwrite").partitionBy("event_date").parquet(incoming_path)
        entry = None
    else:
        entry = tablestore.write_version(
            spark, staged_zone, STAGED_TABLE, args.run_id, arranged(staged_df), "event_date"
        )
    read = observed(read_metrics)
    rejected = {code: int(read[code]) for code in REASON_CODES if read[code]}
    result.rows_read = int(read["rows_read"])
    result.rows_staged = int(observed(staged_metrics)["rows_staged"])
    if existing:  # new rows join the dates already staged; exact duplicates of them drop out
        entry, added = merge_into_staged(
            spark, args, staged_zone, snapshot, incoming_path, partitions
        )
        if added is not None:
            result.rows_staged = added
    result.duplicates_dropped = result.rows_read - sum(rejected.values()) - result.rows_staged
    if rejected:  # a second pass over the input, only when something was rejected
        result.quarantined_by_reason = write_quarantine(
            spark, validated_events(spark, layouts), args, ingested_at
        )
    result.rows_quarantined = sum(result.quarantined_by_reason.values())
    dates = sorted(entry["partitions"])
    publish_staged(spark, args, staged_zone, snapshot, raw_files, entry, dates, result)
    hadoopfs.delete(spark, incoming_root)
    result.seconds = time.perf_counter() - started
    return result


def publish_staged(
    spark: SparkSession,
    args: IngestArgs,
    staged_zone: str,
    snapshot: tablestore.Snapshot,
    raw_files: list[RawFile],
    written: dict[str, object] | None,
    dates: list[str],
    result: IngestResult,
) -> None:
    """Publish the staged events and the files ingested, in one step; then clean up."""
    previous = snapshot["tables"].get(STAGED_TABLE)
    entry = None if written is None else tablestore.merge_entry(previous, written, dates)
    quarantined = bool(result.quarantined_by_reason) or result.files_rejected > 0
    document = staged_publication(snapshot, args, raw_files, entry, dates, quarantined)
    tablestore.publish(spark, staged_zone, document, args.run_id)
    tablestore.vacuum(spark, staged_zone)
    prune_quarantine(spark, args.quarantine_path, document["quarantine_runs"])
    result.dates_changed = dates
    result.published = True


def arranged(staged_df: DataFrame) -> DataFrame:
    """Staged rows in the order each date's file keeps them (sessions together, by time)."""
    return staged_df.sortWithinPartitions("event_date", "session_id", "event_at")


def merge_into_staged(
    spark: SparkSession,
    args: IngestArgs,
    staged_zone: str,
    snapshot: tablestore.Snapshot,
    incoming_path: str,
    partitions: int,
) -> tuple[dict[str, object], int | None]:
    """Merge an incoming batch with the staged rows of the dates it touches, as this run's
    version of those dates; return the version's entry and the rows the batch added (None:
    all of them, when it only brings new dates)."""
    dates = [
        name.split("=", 1)[1]
        for name in hadoopfs.list_names(spark, incoming_path)
        if name.startswith("event_date=")
    ]
    if not dates:
        return {"partition_key": "event_date", "partitions": {}}, 0
    if not set(dates) & set(tablestore.partition_values(snapshot, STAGED_TABLE)):
        # Only new dates (the usual daily delivery): the de-duplicated batch is the version.
        version = tablestore.version_name(args.run_id)
        target = join_path(staged_zone, STAGED_TABLE, version)
        hadoopfs.delete(spark, target)
        hadoopfs.rename(spark, incoming_path, target)
        return {"partition_key": "event_date", "partitions": dict.fromkeys(dates, version)}, None
    before, after = Observation("staged_before"), Observation("staged_after")
    existing_df = tablestore.read_table(
        spark, staged_zone, snapshot, STAGED_TABLE, STAGED_SCHEMA, dates
    ).observe(before, F.count(F.lit(1)).alias("rows"))
    incoming_df = spark.read.schema(STAGED_SCHEMA).parquet(incoming_path)
    merged_df = merge_staged(existing_df, incoming_df, partitions).observe(
        after, F.count(F.lit(1)).alias("rows")
    )
    entry = tablestore.write_version(  # the counts come with the write: no extra scans
        spark, staged_zone, STAGED_TABLE, args.run_id, arranged(merged_df), "event_date"
    )
    return entry, int(observed(after)["rows"]) - int(observed(before)["rows"])


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
