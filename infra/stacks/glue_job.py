"""One Glue Spark job with its own least-privilege role (one construct per job)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from ecom.aws.config import StageConfig
from stacks.nag import acknowledge_policy_wildcards

GLUE_VERSION = "5.1"  # Spark 3.5.6, Python 3.11, Java 17: the runtime pyspark is pinned to

# Reasons for the wildcards the roles need, by statement Sid (cdk-nag AwsSolutions-IAM5).
WILDCARD_REASONS = {
    "ReadInputPrefixes": "Objects under the job's input prefix; keys are data file names "
    "that change every run.",
    "WriteOutputPrefixes": "Objects under the job's output prefixes; Spark writes part files "
    "and _temporary folders whose names change every run.",
    "GlueTempAndSparkLogs": "The job's own temp and Spark event-log prefixes in the artifacts "
    "bucket; file names change every run.",
    "ContinuousLogs": "Glue creates its log groups and streams under /aws-glue/ with names "
    "that include the security configuration and the run id.",
    "PublishGlueMetrics": "cloudwatch:PutMetricData has no resource-level permissions; the "
    "statement is restricted to the Glue namespace by condition.",
    "ReadCatalog": "Tables of the stage's own Glue database (table/<database>/*).",
    "RegisterCatalog": (
        "The model job creates/updates the curated tables and their partitions in the stage's "
        "own Glue database (table/<database>/*); table names are not known to IAM in advance. "
        "It records the lake's source on that database and deletes another source's tables."
    ),
}


@dataclass(frozen=True)
class Prefix:
    """A bucket and a key prefix inside it (no leading slash, trailing slash optional)."""

    bucket: s3.IBucket
    key: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket.bucket_name}/{self.key}"

    @property
    def objects_arn(self) -> str:
        """All keys that start with the prefix, without its slash (covers `x_$folder$`)."""
        return self.bucket.arn_for_objects(self.key.rstrip("/") + "*")


def glue_catalog_arns(database_name: str) -> list[str]:
    """The catalog, the stage's database and its tables."""
    base = f"arn:{Aws.PARTITION}:glue:{Aws.REGION}:{Aws.ACCOUNT_ID}"
    return [
        f"{base}:catalog",
        f"{base}:database/{database_name}",
        f"{base}:table/{database_name}/*",
    ]


def glue_logs_arn() -> str:
    return f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws-glue/*"


def add_common_statements(role: iam.Role, key: kms.IKey, *, metrics: bool) -> None:
    """KMS use of the stage key, Glue's encrypted CloudWatch logs and (jobs) metrics."""
    role.add_to_policy(
        iam.PolicyStatement(
            sid="UseStageKey",
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            resources=[key.key_arn],
        )
    )
    role.add_to_policy(
        iam.PolicyStatement(
            sid="ContinuousLogs",
            actions=[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:AssociateKmsKey",
            ],
            resources=[glue_logs_arn()],
        )
    )
    if metrics:
        role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishGlueMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": "Glue"}},
            )
        )


class GlueSparkJob(Construct):
    """A `glueetl` job on Glue 5.1 running one entry script of `glue_jobs/` with the wheel.

    The role may list the buckets it touches, read `reads`, write `writes` and nothing else
    in S3; metrics and continuous logging are on, job bookmarks off (the lake's own file
    ledger replaces them); the security configuration encrypts its S3 output, logs and
    bookmarks with the stage key.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        step: str,
        script: Path,
        wheel: Path,
        key: kms.IKey,
        security_configuration: str,
        database_name: str,
        artifacts: s3.IBucket,
        reads: Sequence[Prefix],
        writes: Sequence[Prefix],
        registers_catalog: bool = False,
        arguments: Mapping[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.job_name = config.job_name(step)
        script_asset = s3_assets.Asset(self, "Script", path=str(script))
        wheel_asset = s3_assets.Asset(self, "Wheel", path=str(wheel))
        temp = Prefix(artifacts, f"glue-temp/{self.job_name}/")
        spark_logs = Prefix(artifacts, f"spark-logs/{self.job_name}/")

        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description=f"Glue job {self.job_name}: its own prefixes only",
        )
        buckets = {id(p.bucket): p.bucket for p in [*reads, *writes, temp]}
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ListOwnBuckets",
                actions=["s3:ListBucket", "s3:GetBucketLocation"],
                resources=[bucket.bucket_arn for bucket in buckets.values()],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadCode",
                actions=["s3:GetObject"],
                resources=[
                    asset.bucket.arn_for_objects(asset.s3_object_key)
                    for asset in (script_asset, wheel_asset)
                ],
            )
        )
        if reads:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="ReadInputPrefixes",
                    actions=["s3:GetObject"],
                    resources=[prefix.objects_arn for prefix in reads],
                )
            )
        write_actions = [
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:AbortMultipartUpload",
        ]
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteOutputPrefixes",
                actions=write_actions,
                resources=[prefix.objects_arn for prefix in writes],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="GlueTempAndSparkLogs",
                actions=write_actions,
                resources=[temp.objects_arn, spark_logs.objects_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadCatalog",
                actions=[
                    "glue:GetDatabase",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:GetPartitions",
                ],
                resources=glue_catalog_arns(database_name),
            )
        )
        if registers_catalog:  # the model job registers tables and partitions itself
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="RegisterCatalog",
                    actions=[
                        "glue:UpdateDatabase",  # records the lake's source (ecom.source)
                        "glue:CreateTable",
                        "glue:UpdateTable",
                        "glue:DeleteTable",  # another source's star, left by a former lake
                        "glue:GetPartition",
                        "glue:BatchCreatePartition",
                        "glue:BatchUpdatePartition",
                        "glue:BatchDeletePartition",
                    ],
                    resources=glue_catalog_arns(database_name),
                )
            )
        add_common_statements(self.role, key, metrics=True)

        self.job = glue.CfnJob(
            self,
            "Job",
            name=self.job_name,
            description=f"ecom {step}: glue_jobs/{script.name} (arguments in its docstring)",
            role=self.role.role_arn,
            glue_version=GLUE_VERSION,
            command=glue.CfnJob.JobCommandProperty(
                name="glueetl", python_version="3", script_location=script_asset.s3_object_url
            ),
            worker_type=config.worker_type,
            number_of_workers=config.number_of_workers,
            timeout=config.job_timeout_minutes,
            max_retries=0,
            execution_property=glue.CfnJob.ExecutionPropertyProperty(max_concurrent_runs=1),
            security_configuration=security_configuration,
            default_arguments={
                "--job-language": "python",
                # The staged zone's publication records every raw file ingested (path, size,
                # modification time) and the model job works from the staged changes, so
                # Glue's job bookmarks have nothing to track: they are off.
                "--job-bookmark-option": "job-bookmark-disable",
                "--enable-metrics": "true",
                "--enable-observability-metrics": "true",
                "--enable-continuous-cloudwatch-log": "true",
                "--enable-spark-ui": "true",
                "--spark-event-logs-path": spark_logs.url,
                "--TempDir": temp.url,
                "--extra-py-files": wheel_asset.s3_object_url,
                **arguments,
            },
        )
        # The role's policy must exist before the job can start with it.
        self.job.node.add_dependency(self.role.node.find_child("DefaultPolicy"))

    def acknowledge_wildcards(self) -> list[str]:
        """Acknowledge the role's accepted wildcards; call once every statement is added."""
        policy = self.role.node.find_child("DefaultPolicy")
        return acknowledge_policy_wildcards(policy, WILDCARD_REASONS)  # type: ignore[arg-type]
