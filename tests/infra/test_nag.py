"""cdk-nag AwsSolutions: no unacknowledged finding, and every acknowledgment has a reason."""

from __future__ import annotations

from tests.infra.conftest import Synthesis


def test_synthesis_passes_cdk_nag(synthesis: Synthesis) -> None:
    assert synthesis.error is None, synthesis.error


def test_no_unacknowledged_finding_of_any_severity(synthesis: Synthesis) -> None:
    reports = (synthesis.report or {}).get("pluginReports", [])
    violations = [
        (
            report["pluginName"],
            violation["ruleName"],
            violation["severity"],
            [c["constructPath"] for c in violation["violatingConstructs"]],
        )
        for report in reports
        for violation in report["violations"]
    ]
    assert violations == []


def test_cdk_nag_ran_and_every_acknowledgment_has_a_reason(synthesis: Synthesis) -> None:
    acknowledged = {}
    for logical_id, resource in synthesis.template["Resources"].items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            acknowledged.setdefault(rule["id"], []).append(logical_id)
            assert len(rule.get("reason", "")) >= 20, (logical_id, rule)
    # The pack wrote its acknowledgments into the template: it ran over this stack.
    assert "AwsSolutions-IAM5[Resource::*]" in acknowledged
    assert any(rule.startswith("AwsSolutions-") for rule in acknowledged)
