"""A class-data-sharing archive of the local Spark JVM's classes: shorter local runs.

Every local Spark run starts a JVM that reads, parses and verifies ~13,500 classes of Spark
and its libraries: about 8 s of class loading in a day's run on 2 cores (the JVM's own
counters), a fixed cost that weighs most on a short (incremental) run. JDK 17 can map
those classes from an archive instead (application class-data sharing,
`-XX:SharedArchiveFile`). `ecom class-archive` (`ecom.cli.archive`) builds one per
virtual environment by running the pipeline on 20,000 generated events with
`-XX:ArchiveClassesAtExit` (the classes it loads are the ones a real run loads); `make test`
and the benchmarks build it, `make demo` does not (one run gains less than the build costs).

A local session uses the archive when the file exists. When it does not fit the JVM (another
JDK, other jars, or a SPARK_CONF_DIR holding files: JDK 17 refuses non-empty folders on the
class path) the JVM loads the classes the usual way, silently: the archive can make a run
faster, never make it fail. ECOM_CLASS_ARCHIVE names another file, or `off`. Glue starts
its own JVMs: nothing changes there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "ECOM_CLASS_ARCHIVE"


def archive_path() -> Path | None:
    """The archive local sessions use: $ECOM_CLASS_ARCHIVE, none when that is `off`, else
    one per virtual environment and pyspark version (the jars it holds)."""
    configured = os.environ.get(ENV, "")
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    import pyspark

    return Path(sys.prefix) / "share" / "ecom" / f"spark-{pyspark.__version__}-classes.jsa"


def java_options(path: Path | None = None) -> list[str]:
    """JVM options that map the archive, when there is one; the JVM's messages about an
    archive it cannot use are turned off (it then loads classes the usual way)."""
    path = path if path is not None else archive_path()
    if path is None or not path.is_file():
        return []
    return [f"-XX:SharedArchiveFile={path}", "-Xlog:cds*=off", "-Xlog:class+path*=off"]
