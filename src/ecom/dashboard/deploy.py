"""`ecom dashboards deploy`: create or update the QuickSight resources of the spec via boto3.

Each resource is described first, then created when absent or updated when present, so a
second deploy changes nothing but the versions: the data source, one dataset per view, the
dashboard (a new version, then published). The target comes from the stage configuration
(`infra/config/<stage>.json`) with environment overrides; nothing is hard-coded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecom.aws.config import StageConfig
from ecom.dashboard.quicksight import (
    QuickSightTarget,
    dashboard_request,
    data_set_requests,
    data_source_request,
)
from ecom.errors import InvalidArgumentError


def resolve_target(
    config: StageConfig,
    *,
    account_id: str | None,
    region: str,
    import_mode: str | None = None,
    principal_arn: str | None = None,
    spec: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> QuickSightTarget:
    """The deploy target: stage names, then $ECOM_QUICKSIGHT_* overrides, then arguments."""
    env = os.environ if environ is None else environ
    account = account_id or config.account
    if not account:
        raise InvalidArgumentError("QuickSight needs the AWS account id (stage config or STS)")
    principal = (
        principal_arn or env.get("ECOM_QUICKSIGHT_PRINCIPAL_ARN") or config.quicksight_principal_arn
    )
    if not principal:
        raise InvalidArgumentError(
            "no QuickSight principal: set quicksight_principal_arn in the stage configuration "
            "or $ECOM_QUICKSIGHT_PRINCIPAL_ARN"
        )
    principal = principal.replace("${AWS::Region}", region).replace("${AWS::AccountId}", account)
    mode = (
        import_mode
        or env.get("ECOM_QUICKSIGHT_IMPORT_MODE")
        or (spec or {}).get("import_mode")
        or "DIRECT_QUERY"
    )
    if mode not in ("DIRECT_QUERY", "SPICE"):
        raise InvalidArgumentError(f"import mode must be DIRECT_QUERY or SPICE, got {mode!r}")
    return QuickSightTarget(
        account_id=account,
        region=region,
        prefix=config.name_prefix,
        workgroup=config.workgroup_name,
        database=config.database_name,
        principal_arn=principal,
        import_mode=mode,
    )


@dataclass
class DeployResult:
    """What a deploy did to each resource: `created` or `updated`."""

    actions: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, kind: str, resource_id: str, action: str) -> None:
        self.actions.append((kind, resource_id, action))

    def summary(self) -> str:
        return "\n".join(f"  {action:8} {kind:11} {rid}" for kind, rid, action in self.actions)


def _exists(client: Any, describe: str, **ids: str) -> bool:
    try:
        getattr(client, describe)(**ids)
    except client.exceptions.ResourceNotFoundException:
        return False
    return True


def _without(request: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in request.items() if key not in keys}


def deploy_dashboard(
    client: Any, spec: Mapping[str, Any], target: QuickSightTarget
) -> DeployResult:
    """Describe → create or update the data source, datasets and dashboard; what it did."""
    result = DeployResult()
    source = data_source_request(target)
    ids = {"AwsAccountId": target.account_id, "DataSourceId": target.data_source_id}
    if _exists(client, "describe_data_source", **ids):
        client.update_data_source(**_without(source, "Type", "Permissions"))
        result.add("data source", target.data_source_id, "updated")
    else:
        client.create_data_source(**source)
        result.add("data source", target.data_source_id, "created")

    for request in data_set_requests(spec, target):
        ids = {"AwsAccountId": target.account_id, "DataSetId": request["DataSetId"]}
        if _exists(client, "describe_data_set", **ids):
            client.update_data_set(**_without(request, "Permissions"))
            result.add("data set", request["DataSetId"], "updated")
        else:
            client.create_data_set(**request)
            result.add("data set", request["DataSetId"], "created")

    dashboard = dashboard_request(spec, target)
    ids = {"AwsAccountId": target.account_id, "DashboardId": dashboard["DashboardId"]}
    if _exists(client, "describe_dashboard", **ids):
        response = client.update_dashboard(**_without(dashboard, "Permissions"))
        version = int(str(response["VersionArn"]).rsplit("/", 1)[-1])
        client.update_dashboard_published_version(**ids, VersionNumber=version)
        result.add("dashboard", dashboard["DashboardId"], "updated")
    else:
        client.create_dashboard(**dashboard)
        result.add("dashboard", dashboard["DashboardId"], "created")
    return result
