"""The Glue-only path of the entry scripts (GlueContext, Job.init, Job.commit), run the way
Glue runs it: by spark-submit, with AWS's own `awsglue` Python library.

Glue's JVM classes (AWSGlueETL) are not published outside the Glue runtime, so the test
compiles small stand-ins of the three the Python library touches (GlueContext, GlueLogger,
util.Job) from tests/e2e/glue_standin/ and puts them on the job's class path; the stand-in
Job records init and commit. Everything above the JVM is the production code: the entry
script, `ecom.runtime.glue.glue_job` and awsglue's GlueContext and Job.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyspark
import pytest

from ecom.sources.clickstream.contract import RAW_HEADER

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
STANDIN = Path(__file__).resolve().parent / "glue_standin"
ROW = "2019-10-01 00:00:05 UTC,purchase,1,2,,acme,10.50,3,s1"


@pytest.fixture(scope="module")
def standin_jar(tmp_path_factory) -> Path:
    if shutil.which("javac") is None or shutil.which("jar") is None:
        pytest.skip("javac/jar not found: the JDK is needed to build the Glue stand-ins")
    build = tmp_path_factory.mktemp("glue-standin")
    jars = Path(pyspark.__file__).parent / "jars"
    sources = [str(path) for path in STANDIN.rglob("*.java")]
    subprocess.run(
        ["javac", "-d", str(build / "classes"), "-cp", f"{jars}/*", *sources],
        check=True,
        capture_output=True,
    )
    jar = build / "glue-standin.jar"
    subprocess.run(["jar", "cf", str(jar), "-C", str(build / "classes"), "."], check=True)
    return jar


def spark_submit(jar: Path, log: Path, *args: str) -> subprocess.CompletedProcess[str]:
    submit = Path(sys.executable).parent / "spark-submit"
    env = {**os.environ, "ECOM_GLUE_STANDIN_LOG": str(log), "PYSPARK_PYTHON": sys.executable}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    command = [str(submit), "--master", "local[2]", "--jars", str(jar)]
    command += ["--driver-memory", "1g", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def test_ingest_on_the_glue_path_inits_and_commits_the_job(standin_jar, tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day.csv").write_text(f"{RAW_HEADER}\n{ROW}\n")
    log = tmp_path / "glue.log"
    done = spark_submit(
        standin_jar,
        log,
        str(REPO / "glue_jobs" / "ingest.py"),
        "--JOB_NAME",
        "ecom-test-ingest",
        "--JOB_RUN_ID",
        "jr_0123",
        "--raw_path",
        str(raw),
        "--staged_path",
        str(tmp_path / "lake" / "staged" / "events"),
        "--quarantine_path",
        str(tmp_path / "lake" / "quarantine" / "events"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = log.read_text().splitlines()
    assert lines[0].startswith("context ")
    assert lines[1].startswith("init ecom-test-ingest {")  # the job's own name
    assert "raw_path=" in lines[1] and "JOB_RUN_ID=jr_0123" in lines[1]
    assert lines[-1] == "commit"
    assert '"run_id": "jr_0123"' in done.stdout  # the Glue job run id names the run


def test_a_failing_job_is_not_committed(standin_jar, tmp_path) -> None:
    log = tmp_path / "glue.log"
    done = spark_submit(
        standin_jar,
        log,
        str(REPO / "glue_jobs" / "ingest.py"),
        "--JOB_NAME",
        "ecom-test-ingest",
        "--raw_path",
        str(tmp_path / "no-such-folder"),
        "--staged_path",
        str(tmp_path / "lake" / "staged" / "events"),
        "--quarantine_path",
        str(tmp_path / "lake" / "quarantine" / "events"),
    )
    assert done.returncode == 2
    # spark-submit merges the Python driver's stderr into its stdout, as on Glue's driver log.
    assert "ingest: error: --raw " in done.stdout
    assert "no-such-folder: no such file or folder" in done.stdout
    lines = log.read_text().splitlines()
    assert any(line.startswith("init ") for line in lines)
    assert "commit" not in lines
