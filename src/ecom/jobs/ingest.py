"""Glue job 1, ingest: raw CSV files → staged rows (Parquet by event_date) + quarantine.

The raw source (clickstream events or Online Retail invoice lines) is chosen once per run
(`ecom.jobs.sourcing`); its line rules type and validate each line; everything else here,
the file ledger, de-duplication, merging into staged dates and publication, is shared.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce

import pyspark.sql.functions as F
from pyspark.sql import Column, DataFrame, Observation, SparkSession

from ecom.jobs.sourcing import choose_source
from ecom.runtime.metrics import observed
from ecom.sources.base import STAGED_DATE, Layout, Source, group_by_layout
from ecom.sources.staging import drop_exact_duplicates, merge_staged, to_quarantine
from ecom.storage import hadoopfs, tablestore
from ecom.storage.lake import join_path
from ecom.storage.rawcheck import Screening, rejected_files_path, screen_raw_files
from ecom.storage.rawfiles import RawFile, list_raw_files
from ecom.storage.staged import (
    STAGED_TABLE,
    is_done,
    lake_source,
    new_epoch,
    prune_quarantine,
    staged_publication,
)


@dataclass(frozen=True)
class IngestArgs:
    """Arguments of the ingest job; on Glue they arrive as `--raw_path` etc."""

    raw_path: str
    staged_path: str
    quarantine_path: str
    run_id: str
    partitions: int | None = None
    # Rebuild the staged rows from every raw file (a new epoch of the staged zone).
    full_refresh: bool = False
    # The raw source (`clickstream`, `online-retail`); None: the lake's, else from headers.
    source: str | None = None


@dataclass
class IngestResult:
    """What one ingest run did: the counts reconcile as read = staged + quarantined + dups."""

    run_id: str
    source: str = ""
    files: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    rows_staged: int = 0
    # Staged rows per kind, for a source whose rows have kinds (sale, cancellation, ...).
    staged_by_kind: dict[str, int] = field(default_factory=dict)
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
        kinds_add_up = not self.staged_by_kind or sum(self.staged_by_kind.values()) == (
            self.rows_staged
        )
        return self.rows_read == accounted and kinds_add_up

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "reconciles": self.reconciles}


def read_lines(spark: SparkSession, layout: Layout) -> DataFrame:
    """The text lines of a layout's files, header lines removed, with their source file."""
    lines_df = spark.read.text(layout.files).select(
        F.col("value"), F.col("_metadata.file_path").alias("source_file")
    )
    return lines_df.where(F.col("value") != F.lit(layout.header))


def validated_rows(spark: SparkSession, source: Source, layouts: list[Layout]) -> DataFrame:
    """Every data line of every layout, typed and with its rejection reason."""
    frames = [source.validate_lines(read_lines(spark, layout), layout) for layout in layouts]
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


def staged_metrics(source: Source) -> list[Column]:
    """What is counted on the staged rows as they are written: all, and each kind's."""
    metrics = [F.count(F.lit(1)).alias("rows")]
    if source.kind_column:
        kind = F.col(source.kind_column)
        metrics += [F.count(F.when(kind == name, 1)).alias(name) for name in source.kinds]
    return metrics


def counts_of(source: Source, values: dict[str, object]) -> tuple[int, dict[str, int]]:
    """(rows, rows per kind) from the metrics of `staged_metrics`."""
    return int(values["rows"]), {name: int(values[name]) for name in source.kinds}


def run_ingest(spark: SparkSession, args: IngestArgs) -> IngestResult:
    """Read, validate, de-duplicate and write; quarantine rejected rows with their reason."""
    started = time.perf_counter()
    all_files = list_raw_files(spark, args.raw_path)
    staged_zone, _ = tablestore.split_table_path(args.staged_path)
    snapshot = tablestore.load(spark, staged_zone)
    done = {} if args.full_refresh else snapshot.get("files", {})
    raw_files = [raw_file for raw_file in all_files if not is_done(raw_file, done)]
    # Before anything is written: a run that would mix two sources in one lake stops here.
    source = choose_source(args.source, lake_source(snapshot), raw_files)
    # A killed run's quarantine rows go before this run writes its own.
    prune_quarantine(spark, args.quarantine_path, snapshot.get("quarantine_runs", []))
    if args.full_refresh:
        snapshot = new_epoch(args.run_id)
    # A bad file is rejected whole (and copied to quarantine) before any row is read; its
    # rows are not counted as read. It is still recorded with raw_files, so it is not looked
    # at again until it is re-delivered (a new size or modification time).
    screening = screen_raw_files(
        spark,
        args.raw_path,
        raw_files,
        rejected_files_path(args.quarantine_path, args.run_id),
        source.columns,
    )
    layouts = group_by_layout([(f.path, f.header) for f in screening.readable], source.columns)
    result = IngestResult(
        run_id=args.run_id,
        source=source.name,
        files=describe_files(all_files, layouts, done, screening),
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
            publish_staged(spark, args, source, staged_zone, snapshot, raw_files, None, result)
        result.seconds = time.perf_counter() - started
        return result

    ingested_at = F.lit(datetime.now(UTC))
    partitions = args.partitions or shuffle_partitions(spark, raw_files)
    read_metrics = Observation("ingest_read")
    written_metrics = Observation("ingest_staged")
    validated_df = validated_rows(spark, source, layouts).observe(
        read_metrics,
        F.count(F.lit(1)).alias("rows_read"),
        *[F.count(F.when(F.col("reason") == code, 1)).alias(code) for code in source.reason_codes],
    )
    staged_df = (
        source.to_staged(validated_df, args.run_id, ingested_at)
        .transform(drop_exact_duplicates, partitions, source.key_columns, source.order_columns)
        .observe(written_metrics, *staged_metrics(source))
    )
    existing = tablestore.partition_values(snapshot, STAGED_TABLE)
    incoming_root = join_path(staged_zone, "_incoming")  # beside the tables, never published
    incoming_path = join_path(incoming_root, args.run_id)
    hadoopfs.delete(spark, incoming_root)  # what a killed run may have left
    if existing:  # written aside first: the merge needs to know which dates it touches
        writer = arranged(staged_df, source).write.options(**staged_options(source))
        writer.mode("overwrite").partitionBy(STAGED_DATE).parquet(incoming_path)
        entry = None
    else:
        entry = tablestore.write_version(
            spark,
            staged_zone,
            STAGED_TABLE,
            args.run_id,
            arranged(staged_df, source),
            STAGED_DATE,
            options=staged_options(source),
        )
    read = observed(read_metrics)
    rejected = {code: int(read[code]) for code in source.reason_codes if read[code]}
    result.rows_read = int(read["rows_read"])
    result.rows_staged, result.staged_by_kind = counts_of(source, observed(written_metrics))
    if existing:  # new rows join the dates already staged; exact duplicates of them drop out
        entry, added = merge_into_staged(
            spark, args, source, staged_zone, snapshot, incoming_path, partitions
        )
        if added is not None:
            result.rows_staged, result.staged_by_kind = added
    result.duplicates_dropped = result.rows_read - sum(rejected.values()) - result.rows_staged
    if rejected:  # a second pass over the input, only when something was rejected
        result.quarantined_by_reason = write_quarantine(
            spark, validated_rows(spark, source, layouts), args, ingested_at
        )
    result.rows_quarantined = sum(result.quarantined_by_reason.values())
    publish_staged(spark, args, source, staged_zone, snapshot, raw_files, entry, result)
    hadoopfs.delete(spark, incoming_root)
    result.seconds = time.perf_counter() - started
    return result


def publish_staged(
    spark: SparkSession,
    args: IngestArgs,
    source: Source,
    staged_zone: str,
    snapshot: tablestore.Snapshot,
    raw_files: list[RawFile],
    written: dict[str, object] | None,
    result: IngestResult,
) -> None:
    """Publish the staged rows and the files ingested, in one step; then clean up."""
    dates = sorted(written["partitions"]) if written else []
    previous = snapshot["tables"].get(STAGED_TABLE)
    entry = None if written is None else tablestore.merge_entry(previous, written, dates)
    quarantined = bool(result.quarantined_by_reason) or result.files_rejected > 0
    document = staged_publication(
        snapshot, args.run_id, source.name, raw_files, entry, dates, quarantined
    )
    tablestore.publish(spark, staged_zone, document, args.run_id)
    tablestore.vacuum(spark, staged_zone)
    prune_quarantine(spark, args.quarantine_path, document["quarantine_runs"])
    result.dates_changed = dates
    result.published = True


def staged_options(source: Source) -> dict[str, str]:
    """The Parquet writer options of a source's staged files."""
    return tablestore.parquet_options(source.plain_columns)


def arranged(staged_df: DataFrame, source: Source) -> DataFrame:
    """Staged rows in the order each date's file keeps them (e.g. sessions together, by time)."""
    return staged_df.sortWithinPartitions(STAGED_DATE, *source.order_columns)


def merge_into_staged(
    spark: SparkSession,
    args: IngestArgs,
    source: Source,
    staged_zone: str,
    snapshot: tablestore.Snapshot,
    incoming_path: str,
    partitions: int,
) -> tuple[dict[str, object], tuple[int, dict[str, int]] | None]:
    """Merge an incoming batch with the staged rows of the dates it touches, as this run's
    version of those dates; return the version's entry and the rows (and rows per kind) the
    batch added (None: all of them, when it only brings new dates)."""
    prefix = f"{STAGED_DATE}="
    dates = [
        name.removeprefix(prefix)
        for name in hadoopfs.list_names(spark, incoming_path)
        if name.startswith(prefix)
    ]
    if not dates:
        return {"partition_key": STAGED_DATE, "partitions": {}}, (0, dict.fromkeys(source.kinds, 0))
    if not set(dates) & set(tablestore.partition_values(snapshot, STAGED_TABLE)):
        # Only new dates (the usual daily delivery): the de-duplicated batch is the version.
        version = tablestore.version_name(args.run_id)
        target = join_path(staged_zone, STAGED_TABLE, version)
        hadoopfs.delete(spark, target)
        hadoopfs.rename(spark, incoming_path, target)
        return {"partition_key": STAGED_DATE, "partitions": dict.fromkeys(dates, version)}, None
    before, after = Observation("staged_before"), Observation("staged_after")
    existing_df = tablestore.read_table(
        spark, staged_zone, snapshot, STAGED_TABLE, source.staged_schema, dates
    ).observe(before, *staged_metrics(source))
    incoming_df = spark.read.schema(source.staged_schema).parquet(incoming_path)
    merged_df = merge_staged(
        existing_df, incoming_df, partitions, source.key_columns, source.order_columns
    ).observe(after, *staged_metrics(source))
    entry = tablestore.write_version(  # the counts come with the write: no extra scans
        spark,
        staged_zone,
        STAGED_TABLE,
        args.run_id,
        arranged(merged_df, source),
        STAGED_DATE,
        options=staged_options(source),
    )
    rows_before, kinds_before = counts_of(source, observed(before))
    rows_after, kinds_after = counts_of(source, observed(after))
    added_kinds = {name: kinds_after[name] - kinds_before[name] for name in source.kinds}
    return entry, (rows_after - rows_before, added_kinds)


def write_quarantine(
    spark: SparkSession, validated_df: DataFrame, args: IngestArgs, ingested_at: Column
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
