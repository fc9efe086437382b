"""Fixtures of the dashboard tests: the spec and a QuickSight target.

Their lake, `dashboard_lake`, is in tests/conftest.py: the notebook tests read it too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecom.dashboard.quicksight import QuickSightTarget
from ecom.dashboard.spec import for_source, load_spec

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "src" / "ecom" / "dashboard" / "app.py"
FAKE_ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def whole_spec() -> dict[str, Any]:
    """dashboards/spec.json, validated, every source in it."""
    return load_spec(REPO / "dashboards" / "spec.json")


@pytest.fixture(scope="session")
def spec(whole_spec) -> dict[str, Any]:
    """The spec resolved for a clickstream lake (what `dashboard_lake` shows)."""
    return for_source(whole_spec, "clickstream")


@pytest.fixture(scope="session")
def retail_spec(whole_spec) -> dict[str, Any]:
    """The spec resolved for an Online Retail lake."""
    return for_source(whole_spec, "online-retail")


@pytest.fixture(scope="session")
def target() -> QuickSightTarget:
    """A deploy target with fixed fake names (the golden snapshot depends on them)."""
    return QuickSightTarget(
        account_id=FAKE_ACCOUNT,
        region=REGION,
        prefix="ecom-test",
        workgroup="ecom-test",
        database="ecom_test",
        principal_arn=f"arn:aws:quicksight:{REGION}:{FAKE_ACCOUNT}:user/default/analyst",
    )


@pytest.fixture
def aws_credentials(monkeypatch) -> Iterator[None]:
    """Fake credentials and region, so nothing can reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield


def env_with_src() -> dict[str, str]:
    """The environment for a subprocess that imports ecom from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return env
