"""Start, watch and tear down a deployed stage with boto3 (`ecom trigger/status/destroy`).

Every function takes a boto3 Session (created by the command handlers, never at import)
and the stage's configuration, which names the workflow, jobs and stack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from ecom.aws.config import StageConfig
from ecom.errors import EcomError, InvalidArgumentError
from ecom.storage import runreports
from ecom.storage.lake import join_path

STEPS = ("ingest", "model")
# Buckets holding data someone may want back: kept by `ecom destroy` unless --delete-data.
DATA_BUCKETS = ("StorageRaw", "StorageCurated", "StorageAccessLogs")


class AwsCallError(EcomError):
    """An AWS call failed in a way the user can act on (missing stack, job, permission)."""


def _aws_error(action: str, error: Exception) -> AwsCallError:
    code = getattr(error, "response", {}).get("Error", {})
    reason = f"{code.get('Code')}: {code.get('Message')}" if code else str(error)
    return AwsCallError(f"{action}: {reason.splitlines()[0] if reason else type(error).__name__}")


# --- trigger -------------------------------------------------------------------------------


def start_workflow(session: Any, config: StageConfig) -> str:
    """Start one run of the stage's workflow (ingest → model); return its id."""
    glue = session.client("glue")
    try:
        return glue.start_workflow_run(Name=config.workflow_name)["RunId"]
    except Exception as error:
        raise _aws_error(f"start workflow {config.workflow_name}", error) from None


def job_arguments(
    config: StageConfig,
    *,
    run_id: str | None = None,
    raw_prefix: str | None = None,
    raw_bucket: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Arguments that override the job's defaults for one run (`--name` keys, str values)."""
    arguments: dict[str, str] = {}
    if run_id:
        arguments["--run_id"] = run_id
    if raw_prefix:
        if raw_bucket is None:
            raise InvalidArgumentError("--raw-prefix needs the raw bucket (from the ingest job)")
        arguments["--raw_path"] = f"s3://{raw_bucket}/{raw_prefix.strip('/')}/"
    for name, value in (extra or {}).items():
        arguments[name if name.startswith("--") else f"--{name}"] = value
    return arguments


def start_job(
    session: Any,
    config: StageConfig,
    step: str,
    *,
    run_id: str | None = None,
    raw_prefix: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> str:
    """Start one run of one job (outside the workflow) with overriding arguments."""
    if step not in STEPS:
        raise InvalidArgumentError(f"--job {step!r}: expected one of {', '.join(STEPS)}")
    if raw_prefix and step != "ingest":
        raise InvalidArgumentError("--raw-prefix applies to the ingest job only")
    glue = session.client("glue")
    name = config.job_name(step)
    raw_bucket = None
    if raw_prefix:
        raw_bucket = urlparse(_default_arguments(glue, name).get("--raw_path", "")).netloc or None
    arguments = job_arguments(
        config, run_id=run_id, raw_prefix=raw_prefix, raw_bucket=raw_bucket, extra=extra
    )
    try:
        return glue.start_job_run(JobName=name, Arguments=arguments)["JobRunId"]
    except Exception as error:
        raise _aws_error(f"start job {name}", error) from None


def _default_arguments(glue: Any, job_name: str) -> dict[str, str]:
    try:
        return glue.get_job(JobName=job_name)["Job"].get("DefaultArguments", {})
    except Exception as error:
        raise _aws_error(f"get job {job_name}", error) from None


# --- status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStatus:
    """One job run as `ecom status` shows it."""

    step: str
    job_run_id: str
    state: str
    started_at: datetime | None
    seconds: float | None
    rows: dict[str, int] | None
    error: str | None


def _seconds(run: Mapping[str, Any]) -> float | None:
    if run.get("ExecutionTime"):
        return float(run["ExecutionTime"])
    started, completed = run.get("StartedOn"), run.get("CompletedOn")
    if started and completed:
        return (completed - started).total_seconds()
    return None


def read_report(s3: Any, report_path: str, run_id: str, step: str) -> dict[str, Any] | None:
    """The step's run report `<report_path>/<run_id>-<step>.json` (any format
    `ecom.storage.runreports` reads), or None if absent."""
    url = urlparse(join_path(report_path, runreports.report_name(run_id, [step])))
    try:
        body = s3.get_object(Bucket=url.netloc, Key=url.path.lstrip("/"))["Body"].read()
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code in ("NoSuchKey", "404", "AccessDenied", "NoSuchBucket"):
            return None
        raise _aws_error(f"read report {url.geturl()}", error) from None
    return runreports.parse_report(body, url.geturl())


def report_rows(report: Mapping[str, Any]) -> dict[str, int]:
    """Row counts of an ingest or model report (`runreports.row_counts`)."""
    return runreports.row_counts(report)


def recent_runs(session: Any, config: StageConfig, *, limit: int = 5) -> list[RunStatus]:
    """The last `limit` runs of each job, newest first, with rows from their reports."""
    glue, s3 = session.client("glue"), session.client("s3")
    found: list[RunStatus] = []
    for step in STEPS:
        name = config.job_name(step)
        report_path = _default_arguments(glue, name).get("--report_path")
        try:
            runs = glue.get_job_runs(JobName=name, MaxResults=limit)["JobRuns"]
        except Exception as error:
            raise _aws_error(f"get job runs of {name}", error) from None
        for run in runs:
            run_id = run.get("Arguments", {}).get("--run_id") or run["Id"]
            report = read_report(s3, report_path, run_id, step) if report_path else None
            found.append(
                RunStatus(
                    step=step,
                    job_run_id=run["Id"],
                    state=run.get("JobRunState", "UNKNOWN"),
                    started_at=run.get("StartedOn"),
                    seconds=_seconds(run),
                    rows=report_rows(report) if report else None,
                    error=run.get("ErrorMessage"),
                )
            )
    return sorted(found, key=lambda run: run.started_at or datetime.min, reverse=True)


def format_runs(runs: list[RunStatus]) -> list[str]:
    """The lines `ecom status` prints."""
    if not runs:
        return ["no job runs yet: start one with `ecom trigger`"]
    lines = [f"{'step':<7} {'state':<10} {'started (UTC)':<20} {'seconds':>8}  rows / run id"]
    for run in runs:
        started = f"{run.started_at:%Y-%m-%d %H:%M:%S}" if run.started_at else "-"
        seconds = f"{run.seconds:>8.0f}" if run.seconds is not None else f"{'-':>8}"
        rows = ", ".join(f"{k} {v:,}" for k, v in run.rows.items()) if run.rows else ""
        lines.append(f"{run.step:<7} {run.state:<10} {started:<20} {seconds}  {run.job_run_id}")
        if rows:
            lines.append(f"{'':<40}  {rows}")
        if run.error:
            lines.append(f"{'':<40}  error: {run.error.splitlines()[0][:160]}")
    return lines


# --- destroy -------------------------------------------------------------------------------


def stack_resources(session: Any, config: StageConfig, resource_type: str) -> dict[str, str]:
    """Logical id → physical id of the stack's resources of one type."""
    cfn = session.client("cloudformation")
    found: dict[str, str] = {}
    try:
        paginator = cfn.get_paginator("list_stack_resources")
        for page in paginator.paginate(StackName=config.stack_name):
            for resource in page["StackResourceSummaries"]:
                if resource["ResourceType"] == resource_type:
                    found[resource["LogicalResourceId"]] = resource["PhysicalResourceId"]
    except Exception as error:
        raise _aws_error(f"list resources of stack {config.stack_name}", error) from None
    return found


def is_data_bucket(logical_id: str) -> bool:
    return logical_id.startswith(DATA_BUCKETS)


def empty_and_delete_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker, then the bucket; return objects deleted."""
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        keys = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000]})
        deleted += len(keys)
    s3.delete_bucket(Bucket=bucket)
    return deleted


def destroy(
    session: Any,
    config: StageConfig,
    *,
    yes: bool,
    delete_data: bool,
    ask: Callable[[str], str] = input,
    out: Callable[[str], None] = print,
) -> int:
    """Delete the stack; data buckets (raw, curated, access logs) survive unless delete_data."""
    buckets = stack_resources(session, config, "AWS::S3::Bucket")
    keys = stack_resources(session, config, "AWS::KMS::Key")
    doomed = {lid: name for lid, name in buckets.items() if delete_data or not is_data_bucket(lid)}
    kept = {lid: name for lid, name in buckets.items() if lid not in doomed}
    out(f"stack {config.stack_name} in {session.region_name}: delete the stack")
    out("  buckets deleted with their objects: " + (", ".join(sorted(doomed.values())) or "-"))
    out("  buckets kept: " + (", ".join(sorted(kept.values())) or "-"))
    if delete_data:
        out("  KMS key: scheduled for deletion (7-day window)")
    if not yes:
        answer = ask(f"type the stack name ({config.stack_name}) to confirm: ")
        if answer.strip() != config.stack_name:
            raise InvalidArgumentError("not confirmed: nothing deleted")
    cfn, s3 = session.client("cloudformation"), session.client("s3")
    try:
        cfn.delete_stack(StackName=config.stack_name)
        cfn.get_waiter("stack_delete_complete").wait(StackName=config.stack_name)
    except Exception as error:
        raise _aws_error(f"delete stack {config.stack_name}", error) from None
    for name in sorted(doomed.values()):
        try:
            count = empty_and_delete_bucket(s3, name)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code == "NoSuchBucket":
                continue
            raise _aws_error(f"delete bucket {name}", error) from None
        out(f"  deleted bucket {name} ({count:,} objects)")
    if delete_data:
        kms = session.client("kms")
        for key_id in keys.values():
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
            out(f"  KMS key {key_id} scheduled for deletion in 7 days")
    else:
        out("  the KMS key is kept: it decrypts the kept buckets")
    out(f"stack {config.stack_name} deleted")
    return 0
