"""Fixtures of the infrastructure tests: one synthesis per session, fake AWS credentials.

The app is synthesized once (stage prod: it has every optional resource, QuickSight too)
with a placeholder wheel, and every assertion, cdk-nag, cfn-lint and checkov test reads
that one cloud assembly.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FAKE_ACCOUNT = "123456789012"
STAGE = "prod"

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@dataclass(frozen=True)
class Synthesis:
    """The synthesized stack: template, assembly folder, validation report and error."""

    template: dict[str, Any]
    template_path: Path
    outdir: Path
    report: dict[str, Any] | None
    error: str | None
    stack_name: str

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.template["Resources"].items() if r["Type"] == kind}

    def logical_id(self, path_id: str) -> str:
        """The logical id CDK made from a construct path (`StorageRaw` → `StorageRaw1A2B3C4D`)."""
        pattern = re.compile(rf"^{re.escape(path_id)}([0-9A-F]{{8}})?$")
        (found,) = [k for k in self.template["Resources"] if pattern.match(k)]
        return found


def load_infra_app():
    """infra/app.py as a module (it puts src/ and infra/ on sys.path itself)."""
    spec = importlib.util.spec_from_file_location("ecom_infra_app", REPO / "infra" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def placeholder_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for dist/*.whl: synthesis only hashes and copies it."""
    wheel = tmp_path_factory.mktemp("dist") / "ecom_analytics-0.0.0-py3-none-any.whl"
    wheel.write_bytes(b"placeholder wheel for synthesis tests\n")
    return wheel


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory, placeholder_wheel: Path) -> Synthesis:
    """Synthesize the app once; a cdk-nag failure is recorded, not raised."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    app_module = load_infra_app()
    context = {"wheel": str(placeholder_wheel), "CDK_DEFAULT_ACCOUNT": FAKE_ACCOUNT}
    app, stack = app_module.build_app(STAGE, context=context, outdir=str(outdir))
    error = None
    try:
        app.synth()
    except RuntimeError as exc:  # cdk-nag (or another validation plugin) found violations
        error = str(exc)
    template_path = outdir / f"{stack.stack_name}.template.json"
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.is_file() else None
    return Synthesis(
        template=json.loads(template_path.read_text()),
        template_path=template_path,
        outdir=outdir,
        report=report,
        error=error,
        stack_name=stack.stack_name,
    )


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and region, so no test can reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere: env cleared, config and credentials files pointed at nothing."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
