"""`ecom deploy`: dry run without credentials, the summary, the Athena view step."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ecom.aws import deploy
from ecom.aws.config import load_config, parse_config
from ecom.cli import aws as commands
from ecom.errors import InvalidArgumentError
from ecom.storage.lake import CUSTOMER_TABLES
from tests.infra.conftest import REPO, Synthesis


def parse(argv: list[str]):
    import argparse

    parser = argparse.ArgumentParser(prog="ecom")
    commands.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_register_adds_the_four_commands() -> None:
    args = parse(["destroy", "--stage", "prod", "--yes", "--delete-data"])
    assert (args.handler, args.stage, args.yes, args.delete_data) == (
        commands.cmd_destroy,
        "prod",
        True,
        True,
    )
    assert parse(["deploy", "--dry-run"]).handler is commands.cmd_deploy
    assert parse(["trigger", "--job", "ingest", "--run-id", "r1"]).handler is commands.cmd_trigger
    assert parse(["status", "--limit", "3"]).limit == 3


def test_dry_run_synthesizes_and_lists_resources_without_credentials(
    no_aws_credentials, placeholder_wheel: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse(
        [
            "deploy",
            "--stage",
            "dev",
            "--dry-run",
            "--wheel",
            str(placeholder_wheel),
            "--outdir",
            str(tmp_path / "cdk.out"),
        ]
    )
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "AWS::Glue::Job" in out and "ecom-dev-ingest" in out and "ecom-dev-model" in out
    assert "AWS::Athena::WorkGroup" in out and "AWS::S3::Bucket" in out
    assert "dry run: nothing deployed" in out
    assert (tmp_path / "cdk.out" / "ecom-dev.template.json").is_file()


def test_deploy_without_credentials_says_so(no_aws_credentials) -> None:
    args = parse(["deploy", "--stage", "dev"])
    with pytest.raises(InvalidArgumentError, match="needs AWS credentials"):
        args.handler(args)


def test_deploy_without_the_infra_extra_says_how_to_install_it(monkeypatch) -> None:
    """A fresh `make demo` venv has no CDK: one line, not a traceback."""
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        commands,
        "find_spec",
        lambda name: None if name == "aws_cdk" else real_find_spec(name),
    )
    args = parse(["deploy", "--stage", "dev", "--dry-run"])
    with pytest.raises(InvalidArgumentError) as error:
        args.handler(args)
    message = str(error.value)
    assert "aws_cdk not installed" in message and "make deploy-check" in message
    assert "\n" not in message


def test_trigger_options_need_a_job() -> None:
    args = parse(["trigger", "--run-id", "r1"])
    with pytest.raises(InvalidArgumentError, match="need --job"):
        args.handler(args)


def test_summary_counts_types_and_names(synthesis: Synthesis) -> None:
    lines = deploy.summarize(synthesis.template)
    assert lines[0].startswith(f"{len(synthesis.template['Resources'])} resources")
    assert not [line for line in lines if "AWS::Glue::Crawler" in line]
    rulesets = [line for line in lines if "AWS::Glue::DataQualityRuleset" in line]
    # The eight clickstream star tables and the customer models' tables.
    assert rulesets and rulesets[0].split()[0] == str(8 + len(CUSTOMER_TABLES))


def test_views_are_created_in_the_workgroup_and_database(aws_credentials, tmp_path: Path) -> None:
    config = load_config("dev")
    (tmp_path / "b_view.sql").write_text("create or replace view b_view as select 1 as x\n")
    (tmp_path / "a_view.sql").write_text("create or replace view a_view as select 2 as x\n")
    with mock_aws():
        athena = boto3.client("athena", region_name="us-east-1")
        athena.create_work_group(Name=config.workgroup_name)
        result = deploy.create_views(
            athena, config, deploy.view_files(tmp_path), sleep=lambda _: None
        )
        assert result.created == ["a_view", "b_view"] and result.failed == {}
        executions = athena.list_query_executions(WorkGroup=config.workgroup_name)[
            "QueryExecutionIds"
        ]
        assert len(executions) == 2


def test_view_files_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert deploy.view_files(tmp_path / "absent") == []


def test_stage_files_parse_and_name_resources() -> None:
    dev, prod = load_config("dev"), load_config("prod")
    assert (dev.job_name("ingest"), dev.database_name) == ("ecom-dev-ingest", "ecom_dev")
    assert prod.number_of_workers > dev.number_of_workers
    assert (REPO / "infra" / "config" / "dev.json").is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"worker_type": "G.9X"}, "worker_type"),
        ({"number_of_workers": 1}, "number_of_workers"),
        ({"account": "12345"}, "12 digits"),
        ({"schedule_cron": "daily"}, "cron"),
        ({"surprise": 1}, "unknown key"),
    ],
)
def test_bad_stage_settings_are_one_line_errors(change: dict, message: str) -> None:
    import json

    data = json.loads((REPO / "infra" / "config" / "dev.json").read_text())
    with pytest.raises(InvalidArgumentError, match=message):
        parse_config({**data, **change}, "dev.json")


def test_unknown_stage_is_a_one_line_error() -> None:
    with pytest.raises(InvalidArgumentError, match="no configuration file"):
        load_config("staging")
