"""`ecom class-archive`: build the class-data-sharing archive local Spark sessions map.

See `ecom.runtime.classarchive` for what the archive is and how a session uses it. The build
runs the pipeline on 20,000 generated events in a fresh JVM started with
`-XX:ArchiveClassesAtExit`, so the classes archived are those a real run loads.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from ecom.devdata.generate import generate
from ecom.errors import EcomError
from ecom.jobs.pipeline import run_pipeline
from ecom.runtime.classarchive import ENV, archive_path
from ecom.runtime.spark import local_session

# Generated events of the build run: enough for every code path a run takes (a full build,
# a day added, a re-delivered day), few enough that it takes seconds.
BUILD_ROWS = 20_000
BUILD_DAYS_HELD_BACK = 2


class ClassArchiveError(EcomError):
    """The JVM wrote no class archive."""


def build(path: Path | None = None, rows: int = BUILD_ROWS) -> Path:
    """Build the archive at `path` (default: archive_path()) from a small pipeline run in a
    fresh JVM of this process; replace any previous one only once the new one is complete.

    Must run in a process without a Spark session (the JVM writes the archive as it exits).
    """
    from pyspark.sql import SparkSession

    target = path if path is not None else archive_path()
    if target is None:
        raise ClassArchiveError(f"{ENV}=off: no class archive to build")
    if SparkSession.getActiveSession() is not None:
        raise ClassArchiveError("a Spark session is running in this process: use a fresh one")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    options = [f"-XX:ArchiveClassesAtExit={partial}", "-Xlog:cds*=error"]
    try:
        with tempfile.TemporaryDirectory(prefix="ecom-class-archive-") as work:
            _run_and_exit(Path(work), rows, options)
    except BaseException:
        partial.unlink(missing_ok=True)  # the JVM may still have written it as it exited
        raise
    if not partial.is_file() or partial.stat().st_size == 0:
        raise ClassArchiveError(
            f"{target}: the JVM wrote no class archive (is SPARK_CONF_DIR a folder with files? "
            "JDK 17 archives only with empty folders on the class path)"
        )
    os.replace(partial, target)
    seconds = time.perf_counter() - started
    print(f"class archive: {target} ({target.stat().st_size / 1e6:.0f} MB, {seconds:.0f} s)")
    return target


def _run_and_exit(work: Path, rows: int, extra_options: list[str]) -> None:
    """Run the pipeline three times on generated events (a full build, the held-back days
    added, a day re-delivered under a new name), then stop the JVM and wait until it exits."""
    raw, held = work / "raw", work / "held"
    result = generate(raw, rows, months=1)
    held.mkdir()
    for path in sorted(result.files)[-BUILD_DAYS_HELD_BACK:]:
        shutil.move(str(path), held)
    spark = local_session(
        "ecom-class-archive", extra_java_options=extra_options, class_archive=False
    )
    try:
        lake = str(work / "lake")
        run_pipeline(spark, str(raw), lake, show_progress=False)
        for moved in held.iterdir():
            shutil.move(str(moved), raw)
        run_pipeline(spark, str(raw), lake, show_progress=False)
        first = sorted(raw.iterdir())[0]
        shutil.copy(first, raw / f"redelivered-{first.name}")
        run_pipeline(spark, str(raw), lake, show_progress=False)
    finally:
        jvm = spark.sparkContext._gateway.proc  # the JVM spark-submit exec'd into
        spark.stop()
        jvm.stdin.close()  # the gateway exits on end of input, then the archive is written
        jvm.wait(timeout=600)
