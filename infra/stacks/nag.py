"""cdk-nag v3 acknowledgments: every accepted finding is acknowledged here, with its reason.

cdk-nag 3 reports IAM wildcard findings one by one (`AwsSolutions-IAM5[Resource::...]`) and
has no prefix matching, so the finding ids of a policy are computed from the policy itself,
exactly as cdk-nag flattens them, and acknowledged only for statements whose `Sid` carries a
reason. A wildcard in a statement without a reason stays a violation and fails synthesis.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag rule (e.g. `AwsSolutions-S1`) on a construct and its children."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))


def flatten_reference(node: Any) -> str:
    """A resolved CloudFormation value as cdk-nag's flat string (`<Logical.Arn>/prefix/*`)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return delimiter.join(flatten_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def wildcard_findings(document: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(finding, Sid) for each wildcard action or resource of the Allow statements."""
    findings: list[tuple[str, str | None]] = []
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid")
        findings += [
            (f"Action::{action}", sid) for action in _as_list(statement["Action"]) if "*" in action
        ]
        for resource in _as_list(statement.get("Resource", [])):
            flat = flatten_reference(resource)
            if "*" in flat:
                findings.append((f"Resource::{flat}", sid))
    return findings


def acknowledge_policy_wildcards(policy: iam.Policy, reasons: Mapping[str, str]) -> list[str]:
    """Acknowledge AwsSolutions-IAM5 for the wildcards of statements whose Sid has a reason.

    Call after every statement has been added. Returns the acknowledged finding ids.
    """
    cfn_policy = policy.node.default_child
    document = Stack.of(policy).resolve(cfn_policy.policy_document)  # type: ignore[union-attr]
    acknowledged = []
    for finding, sid in wildcard_findings(document):
        if sid in reasons:
            acknowledge(policy, f"AwsSolutions-IAM5[{finding}]", reasons[sid])
            acknowledged.append(finding)
    return acknowledged
