"""QuickSight: the Athena data source, and the hook where datasets and the dashboard go.

QuickSight itself (the account subscription, its users, and its service role's access to the
lake buckets and the KMS key) is set up once per account in the QuickSight console; the
stack only creates resources inside it, and only when `quicksight_principal_arn` is set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource, Fn
from aws_cdk import aws_quicksight as quicksight
from constructs import Construct

from ecom.aws.config import StageConfig

DATA_SOURCE_OWNER_ACTIONS = [
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
]


def principal_arn(config: StageConfig) -> str:
    """The owner's ARN; `${AWS::Region}` and `${AWS::AccountId}` are filled by CloudFormation."""
    assert config.quicksight_principal_arn
    return Fn.sub(config.quicksight_principal_arn)


def add_athena_data_source(
    scope: Construct, *, config: StageConfig, workgroup_name: str
) -> quicksight.CfnDataSource:
    """The Athena data source over the stage's workgroup, owned by the configured principal."""
    return quicksight.CfnDataSource(
        scope,
        "AthenaDataSource",
        aws_account_id=Aws.ACCOUNT_ID,
        data_source_id=f"{config.name_prefix}-athena",
        name=f"{config.name_prefix} Athena",
        type="ATHENA",
        data_source_parameters=quicksight.CfnDataSource.DataSourceParametersProperty(
            athena_parameters=quicksight.CfnDataSource.AthenaParametersProperty(
                work_group=workgroup_name
            )
        ),
        ssl_properties=quicksight.CfnDataSource.SslPropertiesProperty(disable_ssl=False),
        permissions=[
            quicksight.CfnDataSource.ResourcePermissionProperty(
                principal=principal_arn(config), actions=DATA_SOURCE_OWNER_ACTIONS
            )
        ],
    )


def load_dashboard_spec(path: Path) -> Mapping[str, Any]:
    """Read the dashboard spec file named by `dashboard_spec` in the stage configuration."""
    return json.loads(path.read_text(encoding="utf-8"))


def add_dashboard(
    scope: Construct,
    *,
    config: StageConfig,
    data_source: quicksight.CfnDataSource,
    database_name: str,
    spec: Mapping[str, Any] | None,
) -> list[CfnResource]:
    """Hook: datasets and the dashboard generated from the dashboard spec.

    Called by the stack after the data source exists, with the parsed spec (None when the
    stage configuration names none). The dashboard issue fills this in; it should, from
    `spec` alone:
      1. create one `quicksight.CfnDataSet` per view the spec uses, each a custom SQL or
         relational table over `database_name`.<view> through `data_source.attr_arn`, in
         DIRECT_QUERY mode (SPICE needs capacity), with the same permissions as the source;
      2. create one `quicksight.CfnDashboard` whose `Definition` is set with
         `add_property_override("Definition", ...)` (the L1 typing of definitions is too
         deep for jsii), referencing the datasets by identifier;
      3. return every resource it created, so the stack can add dependencies and tests can
         find them.
    Until then it creates nothing and returns an empty list.
    """
    del scope, config, data_source, database_name, spec
    return []
