"""Small driver-side file operations through Hadoop's FileSystem (local paths and s3:// alike)."""

from __future__ import annotations

import os
import tempfile

from pyspark.sql import SparkSession

from ecom.storage.lake import is_local, local_path


def _fs_and_path(spark: SparkSession, path: str):
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    return hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop_path


def exists(spark: SparkSession, path: str) -> bool:
    """True when a file or folder exists."""
    fs, hadoop_path = _fs_and_path(spark, path)
    return bool(fs.exists(hadoop_path))


def write_text(spark: SparkSession, path: str, text: str) -> None:
    """Create or replace a small UTF-8 text file (a run report, a marker)."""
    fs, hadoop_path = _fs_and_path(spark, path)
    stream = fs.create(hadoop_path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def replace_text(spark: SparkSession, path: str, text: str) -> None:
    """Replace a small file in one step: a local file is written aside and renamed over (a
    reader never sees half of it); on S3 one PUT is atomic."""
    if not is_local(path):
        write_text(spark, path, text)
        return
    target = local_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(out.name, target)


def read_text(spark: SparkSession, path: str) -> str:
    """Read a small UTF-8 text file whole."""
    fs, hadoop_path = _fs_and_path(spark, path)
    jvm = spark.sparkContext._jvm
    stream = fs.open(hadoop_path)
    try:
        data = jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
    finally:
        stream.close()
    return bytes(data).decode("utf-8")


def delete(spark: SparkSession, path: str) -> None:
    """Delete a file or a folder with everything in it (no error when absent)."""
    fs, hadoop_path = _fs_and_path(spark, path)
    if fs.exists(hadoop_path):
        fs.delete(hadoop_path, True)


def list_names(spark: SparkSession, path: str) -> list[str]:
    """Names of the entries directly in a folder (empty when the folder is absent)."""
    fs, hadoop_path = _fs_and_path(spark, path)
    if not fs.exists(hadoop_path):
        return []
    return sorted(status.getPath().getName() for status in fs.listStatus(hadoop_path))


def rename(spark: SparkSession, source: str, target: str) -> None:
    """Move a file or folder (a rename on HDFS and local disks, a copy on object stores)."""
    fs, source_path = _fs_and_path(spark, source)
    _, target_path = _fs_and_path(spark, target)
    fs.mkdirs(target_path.getParent())
    if not fs.rename(source_path, target_path):
        raise OSError(f"could not move {source} to {target}")
