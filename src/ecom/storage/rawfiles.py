"""Find raw files and read their headers on the driver, through Hadoop's FileSystem.

Going through the JVM's FileSystem (not Python's `open`) keeps one code path for a local
folder and for `s3://` on Glue. Only the first line of each file is read here; the rows are
read by Spark on the workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import SparkSession

from ecom.errors import InvalidArgumentError


@dataclass(frozen=True)
class RawFile:
    """One raw file as listed: its URI, its size and its first line (None when empty)."""

    path: str
    size: int
    header: str | None
    modified: int = 0  # milliseconds since the epoch, as the file system reports it
    # Why the first line could not be read (e.g. a corrupt archive); None when it could.
    error: str | None = None


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
    judged by the caller (`ecom.storage.rawcheck`), so one unreadable file does not stop a run."""
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
