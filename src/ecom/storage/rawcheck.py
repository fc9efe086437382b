"""Judge each new raw file before any row is read: read it, or reject it whole with a reason.

A bad *file* (not a bad row) is rejected on its own: the run goes on with the other files,
the rejected file is copied unchanged to `<lake>/quarantine/files/<run_id>/`, and the run
report says why in one line naming the file. Rows of a rejected file are never read, so
they are not counted in `rows read`.

| reason            | when                                                                  |
|-------------------|-----------------------------------------------------------------------|
| `missing_columns` | the header lacks a required column                                    |
| `not_csv`         | the first line is markup (an HTML error page saved as .csv), JSON or  |
|                   | binary                                                                |
| `no_header`       | the first line is blank                                               |
| `truncated_gzip`  | a `.gz` file whose compressed stream stops before its end             |
| `corrupt_gzip`    | a `.gz` file that is not gzip, fails its checksum or has data after   |
|                   | its end                                                               |
| `unreadable`      | another file whose first line cannot be read (e.g. a corrupt `.bz2`)  |

The header checks run on the driver through Hadoop's FileSystem (local and `s3://` alike,
first line only). Gzip files are checked whole, on the executors (`check_gzip_files`), and
only when the run has new `.gz` files.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from pyspark.sql import SparkSession

from ecom.errors import MissingColumnsError
from ecom.sources.base import BOM, header_columns
from ecom.storage.lake import join_path
from ecom.storage.rawfiles import RawFile

REJECTION_REASONS: dict[str, str] = {
    "missing_columns": "the header lacks required column(s)",
    "not_csv": "not CSV text (markup such as an HTML error page, JSON or binary)",
    "no_header": "the first line is blank",
    "truncated_gzip": "gzip stream cut short",
    "corrupt_gzip": "not gzip, a failed checksum or data after the end of the gzip stream",
    "unreadable": "the first line cannot be read",
}

# Files above this size are not checked whole: the binaryFile reader holds a file as one
# JVM byte array (at most 2 GiB), then one Python copy, per task.
GZIP_CHECK_MAX_BYTES = 2**31 - 2**20
_CHUNK = 1 << 20  # compressed bytes fed to zlib at a time
_MAX_OUTPUT = 4 << 20  # decompressed bytes held at a time (then thrown away)
_SHOWN = 60  # characters of a first line quoted in a message


@dataclass(frozen=True)
class Rejection:
    """Why one raw file is rejected: a reason code and one line naming the file."""

    path: str
    reason: str
    message: str


@dataclass
class Screening:
    """The new raw files of a run, judged: the ones to read, the rejected ones, warnings."""

    readable: list[RawFile] = field(default_factory=list)
    rejected: dict[str, Rejection] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)  # rejected path → its copy
    warnings: list[str] = field(default_factory=list)


def is_gzip(path: str) -> bool:
    """True for a file Hadoop reads through its gzip codec (by extension, as Spark does)."""
    return path.endswith(".gz")


def _shown(line: str) -> str:
    text = line if len(line) <= _SHOWN else line[:_SHOWN] + "..."
    return repr(text)


def header_rejection(raw_file: RawFile, columns: tuple[str, ...]) -> Rejection | None:
    """The rejection a file's first line calls for, None when it looks like CSV with the
    required `columns`.

    Files with no first line at all (0 bytes, an empty archive) are not judged here: they
    are skipped as empty. Neither are read errors of `.gz` files: the gzip check says
    precisely what is wrong with them.
    """
    path = raw_file.path
    if raw_file.error is not None:
        if is_gzip(path):
            return None
        return Rejection(path, "unreadable", f"{path}: cannot read the file: {raw_file.error}")
    if raw_file.header is None:
        return None
    line = raw_file.header.lstrip(BOM).strip()
    lowered = line.lower()
    if lowered.startswith("<") or "<!doctype html" in lowered or "<html" in lowered:
        return Rejection(
            path, "not_csv", f"{path}: not CSV: the first line is markup: {_shown(line)}"
        )
    if line.startswith(("{", "[")):
        return Rejection(
            path, "not_csv", f"{path}: not CSV: the first line is JSON: {_shown(line)}"
        )
    if not line:
        return Rejection(path, "no_header", f"{path}: the first line is blank, expected a header")
    names = header_columns(raw_file.header)
    missing = [column for column in columns if column not in names]
    if "\x00" in line or ("\ufffd" in line and missing):
        return Rejection(
            path, "not_csv", f"{path}: not CSV: the first line is binary or not UTF-8 text"
        )
    if missing:
        return Rejection(path, "missing_columns", str(MissingColumnsError(path, missing)))
    return None


def gzip_problem(data: bytes | bytearray | memoryview) -> tuple[str, str] | None:
    """(reason, detail) when `data` is not a whole gzip file; None when it decompresses to
    its end. Concatenated members are whole (Hadoop reads them all); memory stays bounded."""
    view = memoryview(data)
    start, member = 0, 1
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        position = start
        try:
            while not inflater.eof and position < len(view):
                pending = view[position : position + _CHUNK]
                position += len(pending)
                while pending and not inflater.eof:
                    inflater.decompress(pending, _MAX_OUTPUT)
                    pending = inflater.unconsumed_tail
            if not inflater.eof:  # all input taken: let zlib finish what it holds
                inflater.flush()
        except zlib.error as error:
            if start == 0:
                return "corrupt_gzip", f"not a valid gzip stream ({error})"
            return "corrupt_gzip", f"unexpected data after gzip member {member - 1} ({error})"
        if not inflater.eof:
            return "truncated_gzip", f"the compressed stream stops after {len(view):,} bytes"
        start = position - len(inflater.unused_data)
        if start >= len(view):
            return None
        member += 1


def _check_rows(rows: Iterable) -> Iterable[tuple[str, bool, str | None]]:
    """Executor side: (path, ok, error) for each (path, content) row of a binaryFile read."""
    for row in rows:
        problem = gzip_problem(row.content)
        if problem is None:
            yield row.path, True, None
        else:
            yield row.path, False, f"{problem[0]}: {problem[1]}"


def check_gzip_files(spark: SparkSession, paths: list[str]) -> list[tuple[str, bool, str | None]]:
    """(path, ok, error) for each gzip file: does it decompress to its end? Run on executors.

    One small Spark job reads the files with the `binaryFile` source and decompresses each
    one with Python's zlib (discarding the output), so the cost is one pass over the
    compressed bytes, spread over the workers, paid only when a run has `.gz` files. The
    `binaryFile` source (like `sparkContext.binaryFiles`) holds one whole file in memory per
    task (in the JVM, then one Python copy): fine for daily files up to ~1 GB; files of
    GZIP_CHECK_MAX_BYTES or more are not checked (see `screen_raw_files`). `error` is
    `<reason>: <detail>`.
    """
    if not paths:
        return []
    files_df = spark.read.format("binaryFile").load(paths).select("path", "content")
    return [tuple(result) for result in files_df.rdd.mapPartitions(_check_rows).collect()]


def rejected_files_path(quarantine_path: str, run_id: str) -> str:
    """Where a run's rejected files go: beside the quarantined rows' table, so
    `<lake>/quarantine/events` → `<lake>/quarantine/files/<run_id>`."""
    root = quarantine_path.rstrip("/")
    parent, _, _ = root.rpartition("/")
    if not parent or parent.endswith(":/") or parent.endswith(":"):  # a bucket or bare name
        return join_path(root, "_files", run_id)  # hidden from the table's readers
    return join_path(parent, "files", run_id)


def copy_rejected_files(
    spark: SparkSession, raw_path: str, paths: Iterable[str], target: str
) -> dict[str, str]:
    """Copy files byte for byte under `target`, keeping their path below `raw_path` (their
    name when `raw_path` is the file); return path → copy. Through Hadoop's FileSystem."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hadoop = jvm.org.apache.hadoop.fs
    root = hadoop.Path(raw_path)
    root_uri = root.getFileSystem(conf).makeQualified(root).toString().rstrip("/") + "/"
    checksummed = jvm.java.lang.Class.forName("org.apache.hadoop.fs.ChecksumFileSystem")
    copies: dict[str, str] = {}
    for path in paths:
        source = hadoop.Path(path)
        relative = path[len(root_uri) :] if path.startswith(root_uri) else source.getName()
        copy = join_path(target, relative)
        destination = hadoop.Path(copy)
        target_fs = destination.getFileSystem(conf)
        if checksummed.isInstance(target_fs):  # a local folder: no `.crc` files beside
            target_fs = target_fs.getRawFileSystem()
        hadoop.FileUtil.copy(
            source.getFileSystem(conf), source, target_fs, destination, False, True, conf
        )
        copies[path] = copy
    return copies


def screen_raw_files(
    spark: SparkSession,
    raw_path: str,
    raw_files: list[RawFile],
    rejected_target: str,
    columns: tuple[str, ...],
) -> Screening:
    """Judge a run's new raw files before any row is read (their headers must carry the
    run's source's `columns`); copy the rejected ones unchanged to `rejected_target`. One
    warning line per rejected file."""
    screening = Screening()
    for raw_file in raw_files:
        rejection = header_rejection(raw_file, columns)
        if rejection is not None:
            screening.rejected[raw_file.path] = rejection
    gzip_files = [
        f for f in raw_files if is_gzip(f.path) and f.size > 0 and f.path not in screening.rejected
    ]
    screening.warnings.extend(
        f"{f.path}: {f.size:,} bytes, too large to check the gzip stream before reading it"
        for f in gzip_files
        if f.size >= GZIP_CHECK_MAX_BYTES
    )
    checked = [f for f in gzip_files if f.size < GZIP_CHECK_MAX_BYTES]
    results = _by_listed_path(spark, checked, check_gzip_files(spark, [f.path for f in checked]))
    for raw_file in checked:
        ok, error = results.get(raw_file.path, (None, None))
        if ok is None:  # not expected: the reader lists every file it is given
            screening.warnings.append(f"{raw_file.path}: the gzip stream was not checked")
        elif not ok:
            reason, _, detail = str(error).partition(": ")
            label = reason.removesuffix("_gzip")
            message = f"{raw_file.path}: {label} gzip: {detail}"
            screening.rejected[raw_file.path] = Rejection(raw_file.path, reason, message)
        elif raw_file.error is not None:  # a whole gzip stream whose first line failed
            message = f"{raw_file.path}: cannot read the file: {raw_file.error}"
            screening.rejected[raw_file.path] = Rejection(raw_file.path, "unreadable", message)
    screening.readable = [f for f in raw_files if f.path not in screening.rejected]
    screening.copies = copy_rejected_files(spark, raw_path, screening.rejected, rejected_target)
    screening.warnings[:0] = [
        f"file rejected ({rejection.reason}): {rejection.message}"
        for rejection in sorted(screening.rejected.values(), key=lambda r: r.path)
    ]
    return screening


def _by_listed_path(
    spark: SparkSession, raw_files: list[RawFile], results: list[tuple[str, bool, str | None]]
) -> dict[str, tuple[bool, str | None]]:
    """Results keyed by the listing's path; the reader's spelling of a path is normalised
    through Hadoop's Path only when it differs (not seen so far, locally or on S3)."""
    found = {path: (ok, error) for path, ok, error in results}
    if all(f.path in found for f in raw_files):
        return found
    path_class = spark.sparkContext._jvm.org.apache.hadoop.fs.Path

    def key(path: str) -> str:
        return str(path_class(path).toUri().toString())

    normalised = {key(path): value for path, value in found.items()}
    return {f.path: normalised[key(f.path)] for f in raw_files if key(f.path) in normalised}
