"""The whole pipeline of one stage: storage, catalog, jobs, workflow, alerts, Athena, QuickSight.

The catalog has no crawlers: the model job registers the curated tables and their
partitions itself, at the version folders the curated publication names
(`ecom.catalog.glue`); a crawler would catalog every version folder under a table as data.
The stack adds one Glue Data Quality ruleset per curated table, rendered from the same
rules the model job evaluates (`ecom.quality.dqdl`).

Paths handed to the jobs follow the job arguments documented in `glue_jobs/ingest.py` and
`glue_jobs/model.py`; the resource names follow `ecom.aws.config.StageConfig`, which the
`ecom trigger/status/destroy` commands read too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, CfnOutput, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from ecom.aws.config import StageConfig
from ecom.quality.dqdl import render_rulesets
from ecom.quality.rules import RULES_BY_SOURCE
from stacks import quicksight
from stacks.glue_job import GlueSparkJob, Prefix
from stacks.nag import acknowledge
from stacks.storage import Storage

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
        # The staged zone: the events table's versions, its publication (`_current.json`,
        # which also records the raw files ingested) and `_snapshots/`, `_incoming/`.
        staged_zone = Prefix(curated, "staged/")
        quarantine = Prefix(curated, "quarantine/events/")
        rejected_files = Prefix(curated, "quarantine/files/")  # raw files rejected whole
        reports = Prefix(curated, "reports/runs/")
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
            writes=[staged_zone, quarantine, rejected_files, reports],
            arguments={
                "--raw_path": raw_events.url,
                "--staged_path": staged.url,
                "--quarantine_path": quarantine.url,
                "--report_path": reports.url,
                "--source": config.raw_source,
            },
            **common,
        )
        self.model = GlueSparkJob(
            self,
            "Model",
            step="model",
            script=code.model_script,
            reads=[staged_zone],
            writes=[curated_tables, reports],
            registers_catalog=True,
            arguments={
                "--staged_path": staged.url,
                "--curated_path": curated_tables.url,
                "--report_path": reports.url,
                "--database": config.database_name,
                **{f"--{name}": str(value) for name, value in config.model_settings.items()},
            },
            **common,
        )
        self.rulesets = self._data_quality_rulesets()
        self.workflow, self.triggers = self._workflow()
        self.topic = self._alerts()
        self.workgroup = self._workgroup()
        self._quicksight(dashboard_spec)

        for job in (self.ingest, self.model):
            job.acknowledge_wildcards()
        self._outputs(raw_events, staged, curated_tables, reports)

    def _data_quality_rulesets(self) -> list[glue.CfnDataQualityRuleset]:
        """One Glue Data Quality ruleset per curated table, from the model job's own rules.

        The model job evaluates the rules itself (dq_results, and its gate); these rulesets
        let the same checks run in Glue Data Quality on the catalog tables, e.g. on demand
        from the console. ReferentialIntegrity rules need the dimension passed as an
        additional data source under its table name.
        """
        config = self.config
        rulesets = []
        for table, dqdl in render_rulesets(RULES_BY_SOURCE[config.raw_source]).items():
            ruleset = glue.CfnDataQualityRuleset(
                self,
                f"Ruleset-{table}",
                name=config.ruleset_name(table),
                description=f"{table}: the rules of ecom.quality.rules, rendered as DQDL",
                ruleset=dqdl,
                target_table=glue.CfnDataQualityRuleset.DataQualityTargetTableProperty(
                    database_name=config.database_name, table_name=table
                ),
            )
            ruleset.add_dependency(self.database)
            rulesets.append(ruleset)
        return rulesets

    def _workflow(self) -> tuple[glue.CfnWorkflow, list[glue.CfnTrigger]]:
        """Scheduled → ingest → (SUCCEEDED) model, which registers the tables it published."""
        config = self.config
        workflow = glue.CfnWorkflow(
            self,
            "Workflow",
            name=config.workflow_name,
            description="ingest → model",
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
        return workflow, [scheduled, model]

    def _alerts(self) -> sns.Topic:
        """Failed, timed-out or stopped job runs → an encrypted SNS topic."""
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
