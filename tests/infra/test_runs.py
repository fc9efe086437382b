"""`ecom trigger` / `status` / `destroy` against moto, with botocore validating every request."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.validate import validate_parameters
from moto import mock_aws

from ecom.aws import runs
from ecom.aws.config import load_config
from ecom.errors import InvalidArgumentError

REGION = "us-east-1"
RAW, CURATED = "fake-raw", "fake-curated"


@pytest.fixture
def config():
    return load_config("dev")


class RecordingSession:
    """A boto3 Session whose clients record (service, operation, params) of every call."""

    def __init__(self) -> None:
        self.session = boto3.Session(region_name=REGION)
        self.region_name = REGION
        self.calls: list[tuple[Any, str, dict[str, Any]]] = []

    def get_credentials(self):
        return self.session.get_credentials()

    def client(self, service: str):
        client = self.session.client(service)

        def record(params, model, **_):
            self.calls.append((model, model.name, dict(params)))

        client.meta.events.register("provide-client-params.*.*", record)
        return client


@pytest.fixture
def session(aws_credentials, config):
    """Moto with the stage's two jobs and workflow, defined as the stack defines them."""
    with mock_aws():
        glue = boto3.client("glue", region_name=REGION)
        common = {"Role": "arn:aws:iam::123456789012:role/fake", "GlueVersion": "5.1"}
        common["Command"] = {"Name": "glueetl", "ScriptLocation": "s3://fake-assets/x.py"}
        glue.create_job(
            Name=config.job_name("ingest"),
            DefaultArguments={
                "--raw_path": f"s3://{RAW}/events/",
                "--report_path": f"s3://{CURATED}/reports/runs/",
            },
            **common,
        )
        glue.create_job(
            Name=config.job_name("model"),
            DefaultArguments={"--report_path": f"s3://{CURATED}/reports/runs/"},
            ExecutionProperty={"MaxConcurrentRuns": 5},
            **common,
        )
        glue.create_workflow(Name=config.workflow_name)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=CURATED)
        yield RecordingSession()


def assert_valid_requests(session: RecordingSession) -> None:
    """Every recorded request is valid for its operation's input shape (botocore's model)."""
    assert session.calls
    for model, _name, params in session.calls:
        validate_parameters(params, model.input_shape)


def test_trigger_starts_the_workflow(session, config) -> None:
    run_id = runs.start_workflow(session, config)
    assert run_id
    glue = boto3.client("glue", region_name=REGION)
    assert (
        glue.get_workflow_run(Name=config.workflow_name, RunId=run_id)["Run"]["WorkflowRunId"]
        == run_id
    )
    assert [name for _, name, _ in session.calls] == ["StartWorkflowRun"]
    assert session.calls[0][2] == {"Name": "ecom-dev-pipeline"}
    assert_valid_requests(session)


def test_trigger_one_ingest_run_with_run_id_and_raw_prefix(session, config) -> None:
    job_run_id = runs.start_job(
        session, config, "ingest", run_id="2019-10", raw_prefix="events/2019-10/", extra={"x": "1"}
    )
    glue = boto3.client("glue", region_name=REGION)
    run = glue.get_job_run(JobName=config.job_name("ingest"), RunId=job_run_id)["JobRun"]
    expected = {"--run_id": "2019-10", "--raw_path": f"s3://{RAW}/events/2019-10/", "--x": "1"}
    (sent,) = [params for _, name, params in session.calls if name == "StartJobRun"]
    assert sent == {"JobName": "ecom-dev-ingest", "Arguments": expected}
    assert expected.items() <= run["Arguments"].items()  # moto merges in the defaults
    assert_valid_requests(session)


def test_trigger_rejects_raw_prefix_for_model_and_unknown_jobs(session, config) -> None:
    with pytest.raises(InvalidArgumentError, match="ingest job only"):
        runs.start_job(session, config, "model", raw_prefix="events/")
    with pytest.raises(InvalidArgumentError, match="expected one of"):
        runs.start_job(session, config, "crawl")


def test_trigger_of_a_missing_workflow_is_one_line_error(aws_credentials, config) -> None:
    with (
        mock_aws(),
        pytest.raises(runs.AwsCallError, match="start workflow ecom-dev-pipeline: EntityNotFound"),
    ):
        runs.start_workflow(RecordingSession(), config)


def put_report(step: str, run_id: str, body: dict[str, Any]) -> None:
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=CURATED, Key=f"reports/runs/{run_id}-{step}.json", Body=json.dumps(body).encode()
    )


def test_status_lists_runs_with_state_duration_and_report_rows(session, config) -> None:
    ingest_id = runs.start_job(session, config, "ingest", run_id="r1")
    model_id = runs.start_job(session, config, "model")
    put_report(
        "ingest",
        "r1",
        {
            "step": "ingest",
            "run_id": "r1",
            "rows_read": 1000,
            "rows_staged": 990,
            "rows_quarantined": 7,
            "duplicates_dropped": 3,
        },
    )
    put_report(
        "model",
        model_id,
        {"step": "model", "run_id": model_id, "staged_rows": 990, "tables": {"fact_purchases": 42}},
    )
    session.calls.clear()
    found = {run.job_run_id: run for run in runs.recent_runs(session, config, limit=5)}
    assert set(found) == {ingest_id, model_id}
    ingest = found[ingest_id]
    assert ingest.step == "ingest"
    assert ingest.state  # moto reports a state; real runs go STARTING → RUNNING → SUCCEEDED
    assert ingest.rows == {"read": 1000, "staged": 990, "quarantined": 7, "duplicates_dropped": 3}
    assert found[model_id].rows == {"staged": 990, "fact_purchases": 42}
    lines = runs.format_runs(list(found.values()))
    assert any("read 1,000, staged 990, quarantined 7" in line for line in lines)
    assert {name for _, name, _ in session.calls} == {"GetJob", "GetJobRuns", "GetObject"}
    assert_valid_requests(session)


def test_status_without_report_shows_the_run_without_rows(session, config) -> None:
    runs.start_job(session, config, "ingest")
    (run,) = [r for r in runs.recent_runs(session, config) if r.step == "ingest"]
    assert run.rows is None


def test_duration_from_execution_time_or_timestamps() -> None:
    assert runs._seconds({"ExecutionTime": 95}) == 95.0
    started = datetime(2024, 1, 1, 3, 0, tzinfo=UTC)
    completed = datetime(2024, 1, 1, 3, 2, 30, tzinfo=UTC)
    assert runs._seconds({"StartedOn": started, "CompletedOn": completed}) == 150.0
    assert runs._seconds({"StartedOn": started}) is None


def test_format_runs_when_there_are_none() -> None:
    assert "ecom trigger" in runs.format_runs([])[0]


def test_data_buckets_are_recognized_by_logical_id() -> None:
    assert runs.is_data_bucket("StorageRaw7E344C76")
    assert runs.is_data_bucket("StorageCurated8783DDC7")
    assert runs.is_data_bucket("StorageAccessLogs96FB524C")
    assert not runs.is_data_bucket("StorageAthenaResults77D61381")
    assert not runs.is_data_bucket("StorageArtifacts08431D1F")


TEMPLATE = {
    "Resources": {
        "StorageRaw7E344C76": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "Properties": {"BucketName": "fake-stack-raw"},
        },
        "StorageAthenaResults77D61381": {
            "Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain",
            "Properties": {"BucketName": "fake-stack-results"},
        },
    }
}


@pytest.mark.parametrize("delete_data", [False, True])
def test_destroy_keeps_data_buckets_unless_asked(aws_credentials, config, delete_data) -> None:
    with mock_aws():
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=config.stack_name, TemplateBody=json.dumps(TEMPLATE)
        )
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("fake-stack-raw", "fake-stack-results"):
            s3.put_object(Bucket=bucket, Key="a/b.csv", Body=b"x")
        lines: list[str] = []
        runs.destroy(
            RecordingSession(), config, yes=True, delete_data=delete_data, out=lines.append
        )
        left = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        assert "fake-stack-results" not in left
        assert ("fake-stack-raw" in left) is not delete_data
        assert any("deleted bucket fake-stack-results (1 objects)" in line for line in lines)


def test_destroy_asks_for_the_stack_name(aws_credentials, config) -> None:
    with mock_aws():
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName=config.stack_name, TemplateBody=json.dumps(TEMPLATE)
        )
        with pytest.raises(InvalidArgumentError, match="not confirmed"):
            runs.destroy(
                RecordingSession(),
                config,
                yes=False,
                delete_data=False,
                ask=lambda _: "no",
                out=lambda _: None,
            )
        stacks = boto3.client("cloudformation", region_name=REGION).describe_stacks()["Stacks"]
        assert [s["StackStatus"] for s in stacks] == ["CREATE_COMPLETE"]
