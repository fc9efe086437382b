"""Synth-time assertions on the properties that matter (aws_cdk.assertions)."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from ecom.aws.config import load_config
from ecom.quality.dqdl import render_rulesets
from ecom.quality.rules import RULES_BY_SOURCE
from ecom.storage.lake import curated_tables
from tests.infra.conftest import FAKE_ACCOUNT, REPO, STAGE, Synthesis


@pytest.fixture(scope="module")
def template(synthesis: Synthesis) -> Template:
    return Template.from_json(synthesis.template)


@pytest.fixture(scope="module")
def config():
    return load_config(STAGE, {"CDK_DEFAULT_ACCOUNT": FAKE_ACCOUNT})


def flat(value: Any) -> str:
    """A CloudFormation value as text: Ref → <Id>, GetAtt → <Id.Attr>, Join concatenated."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            return "<{}.{}>".format(*value["Fn::GetAtt"])
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return delimiter.join(flat(item) for item in items)
        if "Fn::Sub" in value:
            return value["Fn::Sub"]
    return json.dumps(value)


def job(synthesis: Synthesis, name: str) -> dict[str, Any]:
    (found,) = [
        r["Properties"]
        for r in synthesis.resources("AWS::Glue::Job").values()
        if r["Properties"]["Name"] == name
    ]
    return found


def test_two_glue_5_1_spark_jobs_with_metrics_and_logs_and_no_bookmarks(
    template: Template, config
) -> None:
    template.resource_count_is("AWS::Glue::Job", 2)
    for step in ("ingest", "model"):
        template.has_resource_properties(
            "AWS::Glue::Job",
            {
                "Name": config.job_name(step),
                "GlueVersion": "5.1",
                "Command": {
                    "Name": "glueetl",
                    "PythonVersion": "3",
                    "ScriptLocation": Match.any_value(),
                },
                "WorkerType": config.worker_type,
                "NumberOfWorkers": config.number_of_workers,
                "SecurityConfiguration": Match.any_value(),
                "DefaultArguments": Match.object_like(
                    {
                        "--job-bookmark-option": "job-bookmark-disable",
                        "--enable-metrics": "true",
                        "--enable-continuous-cloudwatch-log": "true",
                        "--extra-py-files": Match.any_value(),
                    }
                ),
            },
        )


def test_jobs_run_the_entry_scripts_and_the_wheel_as_assets(synthesis: Synthesis, config) -> None:
    assets = json.loads((synthesis.outdir / f"{synthesis.stack_name}.assets.json").read_text())
    packaged = {PurePosixPath(a["source"]["path"]).suffix for a in assets["files"].values()}
    assert {".py", ".whl"} <= packaged
    for step in ("ingest", "model"):
        props = job(synthesis, config.job_name(step))
        assert flat(props["Command"]["ScriptLocation"]).endswith(".py")
        assert flat(props["DefaultArguments"]["--extra-py-files"]).endswith(".whl")


def test_job_arguments_point_at_the_documented_bucket_paths(synthesis: Synthesis, config) -> None:
    raw = synthesis.logical_id("StorageRaw")
    curated = synthesis.logical_id("StorageCurated")
    ingest = {
        k: flat(v) for k, v in job(synthesis, config.job_name("ingest"))["DefaultArguments"].items()
    }
    assert ingest["--raw_path"] == f"s3://<{raw}>/events/"
    assert ingest["--staged_path"] == f"s3://<{curated}>/staged/events/"
    assert ingest["--quarantine_path"] == f"s3://<{curated}>/quarantine/events/"
    assert ingest["--report_path"] == f"s3://<{curated}>/reports/runs/"
    assert "--manifest_path" not in ingest  # the staged zone's publication records the files
    model = {
        k: flat(v) for k, v in job(synthesis, config.job_name("model"))["DefaultArguments"].items()
    }
    assert model["--staged_path"] == f"s3://<{curated}>/staged/events/"
    assert model["--curated_path"] == f"s3://<{curated}>/curated/"
    assert model["--report_path"] == f"s3://<{curated}>/reports/runs/"
    assert model["--database"] == config.database_name  # registers tables and partitions
    assert "--raw_path" not in model
    assert "--database" not in ingest


def test_security_configuration_encrypts_s3_logs_and_bookmarks_with_the_cmk(
    synthesis: Synthesis, template: Template
) -> None:
    key = synthesis.logical_id("StorageDataKey")
    key_arn = {"Fn::GetAtt": [key, "Arn"]}
    template.has_resource_properties(
        "AWS::Glue::SecurityConfiguration",
        {
            "EncryptionConfiguration": {
                "S3Encryptions": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn}],
                "CloudWatchEncryption": {
                    "CloudWatchEncryptionMode": "SSE-KMS",
                    "KmsKeyArn": key_arn,
                },
                "JobBookmarksEncryption": {
                    "JobBookmarksEncryptionMode": "CSE-KMS",
                    "KmsKeyArn": key_arn,
                },
            }
        },
    )
    security = {"Ref": synthesis.logical_id("SecurityConfiguration")}
    for resource in synthesis.resources("AWS::Glue::Job").values():
        assert resource["Properties"]["SecurityConfiguration"] == security


def test_every_bucket_is_private_tls_only_and_encrypted(synthesis: Synthesis) -> None:
    buckets = synthesis.resources("AWS::S3::Bucket")
    assert len(buckets) == 5
    key = synthesis.logical_id("StorageDataKey")
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        encryption = rule["ServerSideEncryptionByDefault"]
        if logical_id.startswith("StorageAccessLogs"):
            # S3 delivers server access logs only to SSE-S3 target buckets.
            assert encryption == {"SSEAlgorithm": "AES256"}
        else:
            assert encryption == {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": {"Fn::GetAtt": [key, "Arn"]},
            }
            assert props["LoggingConfiguration"]["DestinationBucketName"] == {
                "Ref": synthesis.logical_id("StorageAccessLogs")
            }
        assert props["LifecycleConfiguration"]["Rules"], logical_id
        assert bucket["DeletionPolicy"] == "Retain", logical_id
    policies = synthesis.resources("AWS::S3::BucketPolicy").values()
    tls_only = {
        flat(p["Properties"]["Bucket"])
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
        and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        and s["Action"] == "s3:*"
    }
    assert tls_only == {f"<{logical_id}>" for logical_id in buckets}


def test_raw_and_curated_are_versioned(synthesis: Synthesis) -> None:
    for prefix in ("StorageRaw", "StorageCurated"):
        bucket = synthesis.template["Resources"][synthesis.logical_id(prefix)]
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}


def test_kms_key_rotates(template: Template) -> None:
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_no_crawlers_the_model_job_registers_the_catalog(synthesis: Synthesis) -> None:
    """A crawler would catalog every version folder of a table as data."""
    assert synthesis.resources("AWS::Glue::Crawler") == {}
    roles = {
        flat(r["Properties"].get("Description", ""))
        for r in synthesis.resources("AWS::IAM::Role").values()
    }
    assert not any("crawler" in description.lower() for description in roles)


def test_one_data_quality_ruleset_per_table_rendered_from_the_rules(
    synthesis: Synthesis, config
) -> None:
    rendered = render_rulesets(RULES_BY_SOURCE["clickstream"])
    assert set(rendered) == set(curated_tables("clickstream"))  # dq_results itself has no rules
    rulesets = {
        r["Properties"]["Name"]: r["Properties"]
        for r in synthesis.resources("AWS::Glue::DataQualityRuleset").values()
    }
    assert set(rulesets) == {config.ruleset_name(table) for table in rendered}
    for table, dqdl in rendered.items():
        props = rulesets[config.ruleset_name(table)]
        assert props["Ruleset"] == dqdl
        assert props["TargetTable"] == {"DatabaseName": config.database_name, "TableName": table}
    database = synthesis.logical_id("Database")
    for resource in synthesis.resources("AWS::Glue::DataQualityRuleset").values():
        assert database in resource.get("DependsOn", [])


def test_workflow_trigger_chain(synthesis: Synthesis, config) -> None:
    triggers = {
        t["Properties"]["Type"] + ":" + t["Properties"]["Name"]: t["Properties"]
        for t in synthesis.resources("AWS::Glue::Trigger").values()
    }
    assert len(triggers) == 2  # no crawl step: the model job registers the catalog
    workflow = {"Ref": synthesis.logical_id("Workflow")}
    assert all(t["WorkflowName"] == workflow for t in triggers.values())
    ingest_ref = {"Ref": synthesis.logical_id("IngestJob")}
    model_ref = {"Ref": synthesis.logical_id("ModelJob")}
    (scheduled,) = [t for k, t in triggers.items() if k.startswith("SCHEDULED:")]
    assert scheduled["Schedule"] == config.schedule_cron
    assert scheduled["Actions"] == [{"JobName": ingest_ref}]
    conditional = [t for k, t in triggers.items() if k.startswith("CONDITIONAL:")]
    by_predicate = {json.dumps(t["Predicate"]["Conditions"][0]["JobName"]): t for t in conditional}
    after_ingest = by_predicate[json.dumps(ingest_ref)]
    assert after_ingest["Predicate"]["Conditions"][0]["State"] == "SUCCEEDED"
    assert after_ingest["Actions"] == [{"JobName": model_ref}]
    assert json.dumps(model_ref) not in by_predicate


def test_failures_notify_an_encrypted_topic(
    synthesis: Synthesis, template: Template, config
) -> None:
    topic = synthesis.logical_id("Alerts")
    template.has_resource_properties(
        "AWS::SNS::Topic",
        {"KmsMasterKeyId": {"Fn::GetAtt": [synthesis.logical_id("StorageDataKey"), "Arn"]}},
    )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.glue"],
                "detail-type": ["Glue Job State Change"],
                "detail": {
                    "jobName": [config.job_name("ingest"), config.job_name("model")],
                    "state": Match.array_with(["FAILED", "TIMEOUT", "ERROR"]),
                },
            },
            "Targets": [Match.object_like({"Arn": {"Ref": topic}})],
        },
    )
    patterns = [
        r["Properties"]["EventPattern"] for r in synthesis.resources("AWS::Events::Rule").values()
    ]
    assert all(p["detail-type"] == ["Glue Job State Change"] for p in patterns)


def test_athena_workgroup_is_enforced_capped_and_encrypted(
    synthesis: Synthesis, template: Template, config
) -> None:
    template.has_resource_properties(
        "AWS::Athena::WorkGroup",
        {
            "Name": config.workgroup_name,
            "WorkGroupConfiguration": Match.object_like(
                {
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                    "BytesScannedCutoffPerQuery": config.bytes_scanned_cutoff_per_query,
                    "ResultConfiguration": {
                        "OutputLocation": Match.any_value(),
                        "EncryptionConfiguration": {
                            "EncryptionOption": "SSE_KMS",
                            "KmsKey": {
                                "Fn::GetAtt": [synthesis.logical_id("StorageDataKey"), "Arn"]
                            },
                        },
                    },
                }
            ),
        },
    )
    (workgroup,) = synthesis.resources("AWS::Athena::WorkGroup").values()
    location = flat(
        workgroup["Properties"]["WorkGroupConfiguration"]["ResultConfiguration"]["OutputLocation"]
    )
    assert location == f"s3://<{synthesis.logical_id('StorageAthenaResults')}>/athena/"


def test_quicksight_athena_data_source_over_the_workgroup(template: Template, config) -> None:
    template.has_resource_properties(
        "AWS::QuickSight::DataSource",
        {
            "Type": "ATHENA",
            "DataSourceParameters": {"AthenaParameters": {"WorkGroup": Match.any_value()}},
            "Permissions": [
                {
                    "Principal": {"Fn::Sub": config.quicksight_principal_arn},
                    "Actions": Match.any_value(),
                }
            ],
        },
    )


def test_quicksight_dashboard_is_the_spec_resolved_for_the_stage_source(
    synthesis: Synthesis, config
) -> None:
    """The stack renders the spec for the stage's raw source: that source's sheets, and one
    dataset per view or table they read (no dataset of another source's views)."""
    from ecom.dashboard.spec import load_spec

    spec = load_spec(REPO / config.dashboard_spec)
    shown = [
        s for s in spec["sheets"] if config.raw_source in s.get("sources", [config.raw_source])
    ]
    (dashboard,) = synthesis.resources("AWS::QuickSight::Dashboard").values()
    sheets = dashboard["Properties"]["Definition"]["Sheets"]
    assert [sheet["Name"] for sheet in sheets] == [sheet["title"] for sheet in shown]
    names = {
        r["Properties"]["Name"] for r in synthesis.resources("AWS::QuickSight::DataSet").values()
    }
    read = {v["source"] for s in shown for v in s["visuals"]} - set(spec["local_sources"])
    assert names == {f"{config.name_prefix} {view}" for view in read}


def policy_statements(synthesis: Synthesis) -> list[tuple[str, dict[str, Any]]]:
    """Every identity, bucket and topic policy statement (KMS key policies apart)."""
    found = []
    for kind, key in (
        ("AWS::IAM::Policy", "PolicyDocument"),
        ("AWS::S3::BucketPolicy", "PolicyDocument"),
        ("AWS::SNS::TopicPolicy", "PolicyDocument"),
    ):
        for logical_id, resource in synthesis.resources(kind).items():
            found += [(logical_id, s) for s in resource["Properties"][key]["Statement"]]
    for logical_id, role in synthesis.resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            found += [(logical_id, s) for s in policy["PolicyDocument"]["Statement"]]
    return found


# Resource "*" only where AWS has no resource-level permission, by statement Sid.
ACCEPTED_RESOURCE_STAR = {"PublishGlueMetrics"}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_action_star_and_resource_star_only_where_acknowledged(synthesis: Synthesis) -> None:
    statements = policy_statements(synthesis)
    assert statements
    for logical_id, statement in statements:
        assert "*" not in as_list(statement["Action"]), (logical_id, statement)
        if statement["Effect"] == "Allow" and "*" in as_list(statement.get("Resource", [])):
            assert statement.get("Sid") in ACCEPTED_RESOURCE_STAR, (logical_id, statement)
            assert statement.get("Condition"), (logical_id, statement)


def role_resources(synthesis: Synthesis, role_prefix: str, action: str) -> set[str]:
    role = synthesis.logical_id(role_prefix)
    found = set()
    for resource in synthesis.resources("AWS::IAM::Policy").values():
        if {"Ref": role} not in resource["Properties"]["Roles"]:
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if action in as_list(statement["Action"]):
                found |= {flat(r) for r in as_list(statement["Resource"])}
    return found


def test_job_roles_are_scoped_to_their_prefixes(synthesis: Synthesis, config) -> None:
    raw = synthesis.logical_id("StorageRaw")
    curated = synthesis.logical_id("StorageCurated")
    artifacts = synthesis.logical_id("StorageArtifacts")
    ingest_writes = role_resources(synthesis, "IngestRole", "s3:PutObject")
    assert ingest_writes == {
        f"<{curated}.Arn>/staged*",  # the events' versions and the zone's publication
        f"<{curated}.Arn>/quarantine/events*",
        f"<{curated}.Arn>/quarantine/files*",
        f"<{curated}.Arn>/reports/runs*",
        f"<{artifacts}.Arn>/glue-temp/{config.job_name('ingest')}*",
        f"<{artifacts}.Arn>/spark-logs/{config.job_name('ingest')}*",
    }
    model_writes = role_resources(synthesis, "ModelRole", "s3:PutObject")
    assert model_writes == {
        f"<{curated}.Arn>/curated*",
        f"<{curated}.Arn>/reports/runs*",
        f"<{artifacts}.Arn>/glue-temp/{config.job_name('model')}*",
        f"<{artifacts}.Arn>/spark-logs/{config.job_name('model')}*",
    }
    model_reads = role_resources(synthesis, "ModelRole", "s3:GetObject")
    assert not any(raw in resource for resource in model_reads)
    assert f"<{curated}.Arn>/staged*" in model_reads  # reads staged/_current.json too


def test_model_role_may_move_partitions_between_versions(synthesis: Synthesis) -> None:
    (statement,) = [s for _, s in policy_statements(synthesis) if s.get("Sid") == "RegisterCatalog"]
    assert {"glue:BatchCreatePartition", "glue:BatchUpdatePartition"} <= set(
        as_list(statement["Action"])
    )


def test_model_role_may_record_the_source_and_drop_another_sources_tables(
    synthesis: Synthesis,
) -> None:
    """ecom.catalog.glue writes the source to the database and deletes stale star tables."""
    (statement,) = [s for _, s in policy_statements(synthesis) if s.get("Sid") == "RegisterCatalog"]
    assert {"glue:UpdateDatabase", "glue:DeleteTable"} <= set(as_list(statement["Action"]))


def test_resource_names_match_the_stage_configuration(synthesis: Synthesis, config) -> None:
    names = {r["Properties"].get("Name") for r in synthesis.template["Resources"].values()}
    assert {
        config.workflow_name,
        config.workgroup_name,
        config.job_name("ingest"),
        config.job_name("model"),
    } <= names
    (database,) = synthesis.resources("AWS::Glue::Database").values()
    assert database["Properties"]["DatabaseInput"]["Name"] == config.database_name
