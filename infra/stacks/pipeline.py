"""The whole pipeline of one stage: storage, catalog, jobs, workflow, alerts, Athena, QuickSight.

Paths handed to the jobs follow the job arguments documented in `glue_jobs/ingest.py` and
`glue_jobs/model.py`; the resource names follow `ecom.aws.config.StageConfig`, which the
`ecom trigger/status/destroy` commands read too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from ecom.aws.config import StageConfig
from ecom.lake import CURATED_TABLES
from stacks import quicksight
from stacks.glue_job import (
    WILDCARD_REASONS,
    GlueSparkJob,
    Prefix,
    add_common_statements,
    glue_catalog_arns,
)
from stacks.nag import acknowledge, acknowledge_policy_wildcards
from stacks.storage import Storage

# Crawlers: one table per prefix, compatible schemas combined, partitions inherit the table.
CRAWLER_CONFIGURATION = {
    "Version": 1.0,
    "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"},
    "CrawlerOutput": {"Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}},
}
CRAWLER_EXCLUSIONS = ["**/_SUCCESS", "**/_temporary/**", "**_$folder$"]
FAILED_JOB_STATES = ["FAILED", "TIMEOUT", "ERROR", "STOPPED"]


@dataclass(frozen=True)
class CodePaths:
    """The files the jobs run: the two entry scripts and the project wheel."""

    ingest_script: Path
    model_script: Path
    wheel: Path


class PipelineStack(Stack):
    """One stage of the pipeline, named after its configuration's `name_prefix`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        code: CodePaths,
        dashboard_spec: dict | None = None,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.storage = Storage(self, "Storage", config=config)
        key = self.storage.key
        raw, curated = self.storage.raw, self.storage.curated

        raw_events = Prefix(raw, "events/")
        staged = Prefix(curated, "staged/events/")
        quarantine = Prefix(curated, "quarantine/events/")
        rejected_files = Prefix(curated, "quarantine/files/")  # raw files rejected whole
        reports = Prefix(curated, "reports/runs/")
        ingested_files = Prefix(curated, "state/ingested_files/")
        curated_tables = Prefix(curated, "curated/")

        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=config.database_name,
                description=f"{config.name_prefix}: curated star schema and Athena views",
            ),
        )
        self.security_configuration = glue.CfnSecurityConfiguration(
            self,
            "SecurityConfiguration",
            name=f"{config.name_prefix}-security",
            encryption_configuration=glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                s3_encryptions=[
                    glue.CfnSecurityConfiguration.S3EncryptionProperty(
                        s3_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn
                    )
                ],
                cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                    cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=key.key_arn
                ),
                job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=key.key_arn
                ),
            ),
        )
        security_name = self.security_configuration.ref

        common = dict(
            config=config,
            wheel=code.wheel,
            key=key,
            security_configuration=security_name,
            database_name=config.database_name,
            artifacts=self.storage.artifacts,
        )
        self.ingest = GlueSparkJob(
            self,
            "Ingest",
            step="ingest",
            script=code.ingest_script,
            reads=[raw_events],
            writes=[staged, quarantine, rejected_files, reports, ingested_files],
            arguments={
                "--raw_path": raw_events.url,
                "--staged_path": staged.url,
                "--quarantine_path": quarantine.url,
                "--report_path": reports.url,
                "--manifest_path": ingested_files.url,
            },
            **common,
        )
        self.model = GlueSparkJob(
            self,
            "Model",
            step="model",
            script=code.model_script,
            reads=[staged],
            writes=[curated_tables, reports],
            registers_catalog=True,
            arguments={
                "--staged_path": staged.url,
                "--curated_path": curated_tables.url,
                "--report_path": reports.url,
                "--database": config.database_name,
            },
            **common,
        )
        self.crawler_role, self.crawlers = self._crawlers(curated_tables)
        self.workflow, self.triggers = self._workflow()
        self.topic = self._alerts()
        self.workgroup = self._workgroup()
        self._quicksight(dashboard_spec)

        for job in (self.ingest, self.model):
            job.acknowledge_wildcards()
        acknowledge_policy_wildcards(
            self.crawler_role.node.find_child("DefaultPolicy"),  # type: ignore[arg-type]
            WILDCARD_REASONS,
        )
        self._outputs(raw_events, staged, curated_tables, reports)

    def _crawlers(self, curated_tables: Prefix) -> tuple[iam.Role, list[glue.CfnCrawler]]:
        """One crawler per curated table prefix, sharing one read-only role."""
        config = self.config
        role = iam.Role(
            self,
            "CrawlerRole",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description=f"Glue crawlers of {config.name_prefix}: read curated/, write the catalog",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListOwnBuckets",
                actions=["s3:ListBucket", "s3:GetBucketLocation"],
                resources=[curated_tables.bucket.bucket_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadInputPrefixes",
                actions=["s3:GetObject"],
                resources=[curated_tables.objects_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteCatalog",
                actions=[
                    "glue:GetDatabase",
                    "glue:GetTable",
                    "glue:GetTables",
                    "glue:CreateTable",
                    "glue:UpdateTable",
                    "glue:GetPartition",
                    "glue:GetPartitions",
                    "glue:BatchGetPartition",
                    "glue:CreatePartition",
                    "glue:BatchCreatePartition",
                    "glue:UpdatePartition",
                    "glue:BatchUpdatePartition",
                ],
                resources=glue_catalog_arns(config.database_name),
            )
        )
        add_common_statements(role, self.storage.key, metrics=False)
        crawlers = []
        for table in CURATED_TABLES:
            crawler = glue.CfnCrawler(
                self,
                f"Crawler-{table}",
                name=config.crawler_name(table),
                description=f"Catalogs {curated_tables.key}{table}/ as table {table}",
                role=role.role_arn,
                database_name=self.database.ref,
                targets=glue.CfnCrawler.TargetsProperty(
                    s3_targets=[
                        glue.CfnCrawler.S3TargetProperty(
                            path=f"{curated_tables.url}{table}/", exclusions=CRAWLER_EXCLUSIONS
                        )
                    ]
                ),
                # The model job rebuilds every table, so a crawl rereads every folder.
                recrawl_policy=glue.CfnCrawler.RecrawlPolicyProperty(
                    recrawl_behavior="CRAWL_EVERYTHING"
                ),
                schema_change_policy=glue.CfnCrawler.SchemaChangePolicyProperty(
                    update_behavior="UPDATE_IN_DATABASE", delete_behavior="DEPRECATE_IN_DATABASE"
                ),
                configuration=json.dumps(CRAWLER_CONFIGURATION),
                crawler_security_configuration=self.security_configuration.ref,
            )
            crawler.node.add_dependency(role.node.find_child("DefaultPolicy"))
            crawlers.append(crawler)
        return role, crawlers

    def _workflow(self) -> tuple[glue.CfnWorkflow, list[glue.CfnTrigger]]:
        """Scheduled → ingest → (SUCCEEDED) model → (SUCCEEDED) crawlers."""
        config = self.config
        workflow = glue.CfnWorkflow(
            self,
            "Workflow",
            name=config.workflow_name,
            description="ingest → model → crawlers",
            max_concurrent_runs=1,
        )
        scheduled = glue.CfnTrigger(
            self,
            "ScheduledTrigger",
            name=f"{config.name_prefix}-start",
            workflow_name=workflow.ref,
            type="SCHEDULED",
            schedule=config.schedule_cron,
            start_on_creation=config.schedule_enabled,
            actions=[glue.CfnTrigger.ActionProperty(job_name=self.ingest.job.ref)],
        )
        model = glue.CfnTrigger(
            self,
            "ModelTrigger",
            name=f"{config.name_prefix}-after-ingest",
            workflow_name=workflow.ref,
            type="CONDITIONAL",
            start_on_creation=True,
            predicate=_succeeded(self.ingest.job.ref),
            actions=[glue.CfnTrigger.ActionProperty(job_name=self.model.job.ref)],
        )
        crawl = glue.CfnTrigger(
            self,
            "CrawlTrigger",
            name=f"{config.name_prefix}-after-model",
            workflow_name=workflow.ref,
            type="CONDITIONAL",
            start_on_creation=True,
            predicate=_succeeded(self.model.job.ref),
            actions=[
                glue.CfnTrigger.ActionProperty(crawler_name=crawler.ref)
                for crawler in self.crawlers
            ],
        )
        return workflow, [scheduled, model, crawl]

    def _alerts(self) -> sns.Topic:
        """Failed, timed-out or stopped job runs and failed crawls → an encrypted SNS topic."""
        config = self.config
        topic = sns.Topic(
            self,
            "Alerts",
            topic_name=f"{config.name_prefix}-alerts",
            display_name=f"{config.name_prefix} pipeline alerts",
            master_key=self.storage.key,
            enforce_ssl=True,
        )
        if config.alert_email:
            topic.add_subscription(subscriptions.EmailSubscription(config.alert_email))
        events.Rule(
            self,
            "JobFailures",
            description="A Glue job of the pipeline failed, timed out or was stopped",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Job State Change"],
                detail={
                    "jobName": [self.ingest.job_name, self.model.job_name],
                    "state": FAILED_JOB_STATES,
                },
            ),
            targets=[targets.SnsTopic(topic)],
        )
        events.Rule(
            self,
            "CrawlerFailures",
            description="A crawler of the pipeline failed",
            event_pattern=events.EventPattern(
                source=["aws.glue"],
                detail_type=["Glue Crawler State Change"],
                detail={
                    "crawlerName": [config.crawler_name(table) for table in CURATED_TABLES],
                    "state": ["Failed"],
                },
            ),
            targets=[targets.SnsTopic(topic)],
        )
        return topic

    def _workgroup(self) -> athena.CfnWorkGroup:
        """Athena workgroup: enforced settings, KMS-encrypted results, a per-query cutoff."""
        config = self.config
        results = self.storage.athena_results
        return athena.CfnWorkGroup(
            self,
            "Workgroup",
            name=config.workgroup_name,
            description=f"{config.name_prefix}: analysts, views and QuickSight",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=config.bytes_scanned_cutoff_per_query,
                requester_pays_enabled=False,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{results.bucket_name}/athena/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=self.storage.key.key_arn
                    ),
                ),
            ),
        )

    def _quicksight(self, dashboard_spec: dict | None) -> None:
        config = self.config
        if not config.quicksight_principal_arn:
            return
        self.data_source = quicksight.add_athena_data_source(
            self, config=config, workgroup_name=self.workgroup.ref
        )
        self.dashboard_resources = quicksight.add_dashboard(
            self,
            config=config,
            data_source=self.data_source,
            database_name=config.database_name,
            spec=dashboard_spec,
        )

    def _outputs(
        self, raw_events: Prefix, staged: Prefix, curated: Prefix, reports: Prefix
    ) -> None:
        outputs = {
            "RawEventsPath": raw_events.url,
            "StagedPath": staged.url,
            "CuratedPath": curated.url,
            "ReportsPath": reports.url,
            "AthenaResultsBucket": self.storage.athena_results.bucket_name,
            "Database": self.config.database_name,
            "Workgroup": self.workgroup.ref,
            "Workflow": self.workflow.ref,
            "IngestJob": self.ingest.job.ref,
            "ModelJob": self.model.job.ref,
            "AlertsTopic": self.topic.topic_arn,
        }
        for name, value in outputs.items():
            CfnOutput(self, f"Out{name}", value=value)


def _succeeded(job_name: str) -> glue.CfnTrigger.PredicateProperty:
    return glue.CfnTrigger.PredicateProperty(
        logical="ANY",
        conditions=[
            glue.CfnTrigger.ConditionProperty(
                logical_operator="EQUALS", job_name=job_name, state="SUCCEEDED"
            )
        ],
    )


__all__ = ["CodePaths", "PipelineStack", "acknowledge"]
