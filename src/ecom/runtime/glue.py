"""Run a job function on AWS Glue (GlueContext, Job, bookmarks, commit) or on local Spark.

Only the Glue entry scripts use this. On Glue the Spark configuration carries a master URL
and Glue's JVM classes are present; anywhere else a local session is created instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from pyspark import SparkContext
from pyspark.sql import SparkSession

from ecom.errors import EcomError, InvalidArgumentError
from ecom.runtime.spark import apply_job_conf, local_session
from ecom.storage.lake import new_run_id


def is_true(value: str | None) -> bool:
    """A Glue job argument as a flag: "true"/"1"/"yes" (any case) are true."""
    return (value or "").strip().lower() in {"true", "1", "yes"}


def resolve_args(
    argv: Sequence[str], required: Sequence[str], optional: Mapping[str, str | None]
) -> dict[str, str | None]:
    """Glue-style `--name value` arguments: required ones via awsglue, optional with defaults."""
    from awsglue.utils import getResolvedOptions  # pure Python; works outside Glue

    present = {arg[2:].split("=", 1)[0] for arg in argv if arg.startswith("--")}
    missing = [name for name in required if name not in present]
    if missing:
        raise InvalidArgumentError(f"missing job argument(s): --{', --'.join(missing)}")
    wanted = [*required, *(name for name in optional if name in present)]
    if "JOB_NAME" in present:  # not one of awsglue's reserved ids: resolved only when asked
        wanted.append("JOB_NAME")
    resolved = getResolvedOptions(list(argv), wanted)
    args: dict[str, str | None] = {name: resolved[name] for name in required}
    for name, default in optional.items():
        args[name] = resolved.get(name, default) if name in present else default
    args["JOB_NAME"] = resolved.get("JOB_NAME")
    args["JOB_RUN_ID"] = resolved.get("JOB_RUN_ID")
    return args


def launched_by_spark_submit() -> bool:
    """True when spark-submit started this Python process (as Glue does), so a JVM is waiting."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


@contextmanager
def glue_job(
    argv: Sequence[str], required: Sequence[str], optional: Mapping[str, str | None]
) -> Iterator[tuple[SparkSession, dict[str, str | None]]]:
    """Yield (spark, args); on Glue initialise the Job first and commit its bookmarks after."""
    args = resolve_args(argv, required, optional)
    if not launched_by_spark_submit():
        spark = local_session(args.get("JOB_NAME") or "ecom-job")
        args["run_id"] = args.get("run_id") or new_run_id()
        yield spark, args
        return
    from awsglue.context import GlueContext
    from awsglue.job import Job

    try:
        glue_context = GlueContext(SparkContext.getOrCreate())
    except Exception:  # spark-submit on a cluster without Glue's classes: plain Spark
        spark = SparkSession.builder.getOrCreate()
        apply_job_conf(spark)
        args["run_id"] = args.get("run_id") or new_run_id()
        yield spark, args
        return
    spark = glue_context.spark_session
    apply_job_conf(spark)
    job = Job(glue_context)
    job.init(args["JOB_NAME"] or "ecom-job", {k: v for k, v in args.items() if v is not None})
    args["run_id"] = args.get("run_id") or args.get("JOB_RUN_ID") or new_run_id()
    yield spark, args
    job.commit()


def exit_code_of(main: Callable[[], int], step: str) -> int:
    """Run an entry script's main(); an EcomError becomes one line on stderr and exit code 2."""
    try:
        return main()
    except EcomError as error:
        print(f"{step}: error: {error}", file=sys.stderr)
        return 2


def job_arguments(args: Mapping[str, str | None]) -> dict[str, str]:
    """The arguments a run report records: those given or defaulted, Glue's own ids left out."""
    return {
        name: value
        for name, value in args.items()
        if value is not None and name not in {"JOB_NAME", "JOB_RUN_ID"}
    }
