"""Find raw files and read their headers on the driver, through Hadoop's FileSystem.

Going through the JVM's FileSystem (not Python's `open`) keeps one code path for a local
folder and for `s3://` on Glue. Only the first line of each file is read here; the rows are
read by Spark on the workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import SparkSession

from ecom.errors import InvalidArgumentError, MissingColumnsError
from ecom.raw import RAW_COLUMNS

BOM = "\ufeff"


@dataclass(frozen=True)
class RawFile:
    """One raw file as listed: its URI, its size and its first line (None when empty)."""

    path: str
    size: int
    header: str | None
    modified: int = 0  # milliseconds since the epoch, as the file system reports it
    # Why the first line could not be read (e.g. a corrupt archive); None when it could.
    error: str | None = None


@dataclass(frozen=True)
class Layout:
    """Where each required column sits in a header, shared by files with the same header."""

    header: str
    positions: dict[str, int]
    width: int
    extra_columns: tuple[str, ...]
    files: list[str] = field(default_factory=list, compare=False)


def _is_hidden(name: str) -> bool:
    return name.startswith(("_", "."))


def list_raw_files(spark: SparkSession, raw_path: str) -> list[RawFile]:
    """List the files under a folder (recursively), or the one file named, with their headers."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    root = jvm.org.apache.hadoop.fs.Path(raw_path)
    fs = root.getFileSystem(conf)
    if not fs.exists(root):
        raise InvalidArgumentError(f"--raw {raw_path}: no such file or folder")
    codecs = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(conf)
    found: list[RawFile] = []
    iterator = fs.listFiles(root, True)
    while iterator.hasNext():
        status = iterator.next()
        path = status.getPath()
        relative = path.toString()[len(fs.makeQualified(root).toString()) :]
        if any(_is_hidden(part) for part in relative.split("/") if part):
            continue
        header, error = _first_line(jvm, fs, codecs, path) if status.getLen() > 0 else (None, None)
        found.append(
            RawFile(
                path.toString(),
                int(status.getLen()),
                header,
                int(status.getModificationTime()),
                error,
            )
        )
    return sorted(found, key=lambda raw_file: raw_file.path)


def _first_line(jvm, fs, codecs, path) -> tuple[str | None, str | None]:
    """The first line of a file, decompressing by extension (gzip, bzip2, ...), and None; or
    None and why it cannot be read (a corrupt archive fails on its first bytes). The file is
    judged by the caller (`ecom.rawcheck`), so one unreadable file does not stop a run."""
    stream = fs.open(path)
    try:
        codec = codecs.getCodec(path)
        if codec is not None:
            stream = codec.createInputStream(stream)
        reader = jvm.java.io.BufferedReader(jvm.java.io.InputStreamReader(stream, "UTF-8"))
        return reader.readLine(), None
    except Exception as error:
        return None, _one_line(error)
    finally:
        stream.close()


def _one_line(error: Exception) -> str:
    """A JVM (or Python) error as one line: the innermost cause's class and message."""
    cause = getattr(error, "java_exception", None)
    if cause is None:
        text = str(error).strip()
        return text.splitlines()[0] if text else type(error).__name__
    while cause.getCause() is not None and cause.getCause() != cause:
        cause = cause.getCause()
    message = cause.getMessage()
    text = cause.getClass().getName() + (f": {message}" if message else "")
    return text.splitlines()[0]


def header_columns(header: str) -> list[str]:
    """Column names of a header line: BOM, quotes and surrounding spaces removed, lowercase."""
    return [name.strip().strip('"').strip().lower() for name in header.lstrip(BOM).split(",")]


def layout_of(raw_file: RawFile) -> Layout:
    """The layout of one file, or MissingColumnsError naming the file and missing columns."""
    assert raw_file.header is not None
    names = header_columns(raw_file.header)
    missing = [column for column in RAW_COLUMNS if column not in names]
    if missing:
        raise MissingColumnsError(raw_file.path, missing)
    positions = {column: names.index(column) for column in RAW_COLUMNS}
    extra = tuple(name for name in names if name not in RAW_COLUMNS)
    # Without its BOM: Hadoop's line reader (Spark's text source) drops a UTF-8 BOM at the
    # start of a file, so the header line it returns has none, and must match this one.
    return Layout(raw_file.header.lstrip(BOM).rstrip("\r"), positions, len(names), extra)


def group_by_layout(raw_files: list[RawFile]) -> list[Layout]:
    """Group readable files by their exact header; every file is checked before any is read."""
    layouts: dict[str, Layout] = {}
    for raw_file in raw_files:
        if raw_file.header is None:
            continue
        layout = layout_of(raw_file)
        layouts.setdefault(layout.header, layout).files.append(raw_file.path)
    return list(layouts.values())
