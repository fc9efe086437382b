"""The data lake's storage: one customer-managed KMS key and five S3 buckets."""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ecom.aws.config import StageConfig
from stacks.nag import acknowledge

ABORT_UPLOADS = Duration.days(7)


class Storage(Construct):
    """KMS key + raw, curated, athena-results, artifacts and access-logs buckets.

    Every bucket blocks public access, denies non-TLS requests and is retained when the
    stack is deleted (`ecom destroy --delete-data` empties and deletes them explicitly).
    All but the access-logs bucket use SSE-KMS with the stack's key: S3 server access log
    delivery supports only SSE-S3 on the target bucket.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "DataKey",
            description=f"{config.name_prefix}: lake buckets, Glue logs and bookmarks, alerts",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self._allow_services_to_use_key()

        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-logs",
                    expiration=Duration.days(config.access_logs_expiration_days),
                    abort_incomplete_multipart_upload_after=ABORT_UPLOADS,
                )
            ],
        )
        acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the access-log target bucket; logging it into itself would loop.",
        )
        self.raw = self._bucket(
            "Raw",
            versioned=True,  # the source of truth: an overwritten or deleted file comes back
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="raw-to-infrequent-access",
                    noncurrent_version_expiration=Duration.days(30),
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(config.raw_transition_to_ia_days),
                        )
                    ],
                    abort_incomplete_multipart_upload_after=ABORT_UPLOADS,
                )
            ],
        )
        self.curated = self._bucket(
            "Curated",
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-replaced-versions",
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=ABORT_UPLOADS,
                )
            ],
        )
        self.athena_results = self._bucket(
            "AthenaResults",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-query-results",
                    expiration=Duration.days(config.athena_results_expiration_days),
                    abort_incomplete_multipart_upload_after=ABORT_UPLOADS,
                )
            ],
        )
        self.artifacts = self._bucket(
            "Artifacts",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-glue-temp",
                    prefix="glue-temp/",
                    expiration=Duration.days(7),
                    abort_incomplete_multipart_upload_after=ABORT_UPLOADS,
                ),
                s3.LifecycleRule(
                    id="expire-spark-event-logs",
                    prefix="spark-logs/",
                    expiration=Duration.days(30),
                ),
            ],
        )

    def _bucket(
        self,
        construct_id: str,
        *,
        lifecycle_rules: list[s3.LifecycleRule],
        versioned: bool = False,
    ) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=versioned,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{construct_id.lower()}/",
            lifecycle_rules=lifecycle_rules,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _allow_services_to_use_key(self) -> None:
        """Key policy: CloudWatch Logs (encrypted Glue logs) and EventBridge (to SNS)."""
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="GlueLogGroupsEncryption",
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                    "kms:DescribeKey",
                ],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}"
                            ":log-group:/aws-glue/*"
                        )
                    }
                },
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="EventBridgeToEncryptedTopic",
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],  # in a key policy, "*" is this key
            )
        )
