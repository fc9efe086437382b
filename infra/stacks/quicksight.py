"""QuickSight: the Athena data source, and the hook where datasets and the dashboard go.

QuickSight itself (the account subscription, its users, and its service role's access to the
lake buckets and the KMS key) is set up once per account in the QuickSight console; the
stack only creates resources inside it, and only when `quicksight_principal_arn` is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource, Fn
from aws_cdk import aws_quicksight as quicksight
from constructs import Construct

from ecom.aws.config import StageConfig
from ecom.dashboard.quicksight.resources import DATA_SOURCE_ACTIONS as DATA_SOURCE_OWNER_ACTIONS


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


def load_dashboard_spec(path: Path, source: str) -> Mapping[str, Any]:
    """The dashboard spec file named by `dashboard_spec` in the stage configuration, validated
    and resolved for the stage's raw source (its datasets and the sheets its data fills)."""
    from ecom.dashboard.spec import for_source, load_spec

    return for_source(load_spec(path), source)


def add_dashboard(
    scope: Construct,
    *,
    config: StageConfig,
    data_source: quicksight.CfnDataSource,
    database_name: str,
    spec: Mapping[str, Any] | None,
) -> list[CfnResource]:
    """One `CfnDataSet` per view the spec reads and one `CfnDashboard` from the same spec.

    The physical tables and the `Definition` come from `ecom.dashboard.quicksight`, which also
    builds the boto3 requests of `ecom dashboards deploy`, so both renderings cannot drift.
    Datasets use the spec's `import_mode` (DIRECT_QUERY unless the spec says SPICE).
    Returns every resource created (none when the stage names no spec).
    """
    if spec is None:
        return []
    from ecom.dashboard.quicksight import (
        DASHBOARD_ACTIONS,
        DATA_SET_ACTIONS,
        dashboard_definition,
        dataset_physical_table,
        physical_table_id,
        views_used,
    )

    owner = principal_arn(config)
    resources: list[CfnResource] = []
    arns: dict[str, str] = {}
    for view in views_used(spec):
        table = dataset_physical_table(
            spec, view, data_source_arn=data_source.attr_arn, database=database_name
        )["RelationalTable"]
        data_set = quicksight.CfnDataSet(
            scope,
            f"DataSet{''.join(part.capitalize() for part in view.split('_'))}",
            aws_account_id=Aws.ACCOUNT_ID,
            data_set_id=f"{config.name_prefix}-{view.replace('_', '-')}",
            name=f"{config.name_prefix} {view}",
            import_mode=spec.get("import_mode", "DIRECT_QUERY"),
            physical_table_map={
                physical_table_id(view): quicksight.CfnDataSet.PhysicalTableProperty(
                    relational_table=quicksight.CfnDataSet.RelationalTableProperty(
                        data_source_arn=table["DataSourceArn"],
                        catalog=table["Catalog"],
                        schema=table["Schema"],
                        name=table["Name"],
                        input_columns=[
                            quicksight.CfnDataSet.InputColumnProperty(
                                name=column["Name"], type=column["Type"]
                            )
                            for column in table["InputColumns"]
                        ],
                    )
                )
            },
            permissions=[
                quicksight.CfnDataSet.ResourcePermissionProperty(
                    principal=owner, actions=DATA_SET_ACTIONS
                )
            ],
        )
        data_set.add_dependency(data_source)
        arns[view] = data_set.attr_arn
        resources.append(data_set)
    dashboard = quicksight.CfnDashboard(
        scope,
        "Dashboard",
        aws_account_id=Aws.ACCOUNT_ID,
        dashboard_id=f"{config.name_prefix}-{spec['dashboard_id']}",
        name=str(spec["name"]),
        permissions=[
            quicksight.CfnDashboard.ResourcePermissionProperty(
                principal=owner, actions=DASHBOARD_ACTIONS
            )
        ],
    )
    dashboard.add_property_override("Definition", dashboard_definition(spec, arns))
    for data_set in resources:
        dashboard.add_dependency(data_set)
    resources.append(dashboard)
    return resources
