"""`ecom dashboards deploy` against moto: create on the first run, update on the second.

moto 5.2 implements create/describe/update_data_source, create_data_set, create_dashboard and
describe_dashboard. The calls it lacks (describe/update_data_set, update_dashboard,
update_dashboard_published_version) go to a stand-in that validates each request against the
QuickSight service model and keeps the state, so every call deploy makes is checked.
"""

from __future__ import annotations

import boto3
import botocore.session
from botocore.validate import validate_parameters
from moto import mock_aws

from ecom.dashboard.deploy import deploy_dashboard
from ecom.dashboard.quicksight import views_used

NOT_IN_MOTO = {
    "describe_data_set": "DescribeDataSet",
    "update_data_set": "UpdateDataSet",
    "update_dashboard": "UpdateDashboard",
    "update_dashboard_published_version": "UpdateDashboardPublishedVersion",
}


class MotoWithStandIns:
    """The moto client, plus validated stand-ins for the calls moto does not implement."""

    def __init__(self, client) -> None:
        self.client = client
        self.exceptions = client.exceptions
        self.model = botocore.session.get_session().get_service_model("quicksight")
        self.data_sets: set[str] = set()
        self.calls: list[str] = []
        self.versions = 1

    def __getattr__(self, name):
        if name not in NOT_IN_MOTO:
            method = getattr(self.client, name)

            def call(**kwargs):
                self.calls.append(name)
                response = method(**kwargs)
                if name == "create_data_set":
                    self.data_sets.add(kwargs["DataSetId"])
                return response

            return call

        def stand_in(**kwargs):
            self.calls.append(name)
            validate_parameters(kwargs, self.model.operation_model(NOT_IN_MOTO[name]).input_shape)
            if name == "describe_data_set" and kwargs["DataSetId"] not in self.data_sets:
                raise self.exceptions.ResourceNotFoundException(
                    {"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, name
                )
            if name == "update_dashboard":
                self.versions += 1
                return {"VersionArn": f"arn:aws:quicksight:::dashboard/x/version/{self.versions}"}
            return {}

        return stand_in


@mock_aws
def test_deploy_creates_then_updates_idempotently(aws_credentials, spec, target) -> None:
    client = MotoWithStandIns(boto3.client("quicksight", region_name=target.region))
    first = deploy_dashboard(client, spec, target)
    assert {action for _, _, action in first.actions} == {"created"}
    assert len(first.actions) == 2 + len(views_used(spec))

    source = client.client.describe_data_source(
        AwsAccountId=target.account_id, DataSourceId=target.data_source_id
    )["DataSource"]
    assert source["Type"] == "ATHENA"
    assert source["DataSourceParameters"]["AthenaParameters"]["WorkGroup"] == target.workgroup
    dashboard = client.client.describe_dashboard(
        AwsAccountId=target.account_id, DashboardId=target.dashboard_id(spec)
    )["Dashboard"]
    assert dashboard["Name"] == spec["name"]

    second = deploy_dashboard(client, spec, target)
    assert {action for _, _, action in second.actions} == {"updated"}
    assert [(k, r) for k, r, _ in second.actions] == [(k, r) for k, r, _ in first.actions]
    assert client.calls.count("create_dashboard") == 1
    assert client.calls.count("update_dashboard_published_version") == 1
    listed = client.client.list_dashboards(AwsAccountId=target.account_id)["DashboardSummaryList"]
    assert len(listed) == 1


def test_target_comes_from_configuration_and_environment(spec) -> None:
    from ecom.aws.config import load_config
    from ecom.dashboard.deploy import resolve_target

    config = load_config("prod", {"CDK_DEFAULT_ACCOUNT": "111122223333"})
    target = resolve_target(
        config,
        account_id=None,
        region="eu-west-1",
        spec=spec,
        environ={"ECOM_QUICKSIGHT_IMPORT_MODE": "SPICE"},
    )
    assert target.account_id == "111122223333"
    assert target.principal_arn == "arn:aws:quicksight:eu-west-1:111122223333:user/default/admin"
    assert target.workgroup == config.workgroup_name and target.database == config.database_name
    assert target.import_mode == "SPICE"
