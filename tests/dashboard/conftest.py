"""Fixtures of the dashboard tests: the spec, a QuickSight target, a small generated lake.

The lake is built once per session like tests/sql does (generate → run_pipeline on the one
`spark` fixture), with a few malformed rows appended so the quarantine is not empty.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ecom.dashboard.quicksight import QuickSightTarget
from ecom.dashboard.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "src" / "ecom" / "dashboard" / "app.py"
FAKE_ACCOUNT = "123456789012"
REGION = "us-east-1"
BAD_ROWS = (
    "2019-10-02 10:00:00 UTC,teleport,1,2,,acme,1.00,3,s-bad-1\n"
    "not a date,view,1,2,,acme,1.00,3,s-bad-2\n"
    "2019-10-02 10:00:01 UTC,view,1,2,,acme,-5.00,3,s-bad-3\n"
)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    return load_spec(REPO / "dashboards" / "spec.json")


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


@pytest.fixture(scope="session")
def dashboard_lake(spark, tmp_path_factory) -> Path:
    """~20k generated events over 2 months (plus 3 bad rows) → one pipeline run."""
    from ecom.catalog.local import register_local
    from ecom.devdata.generate import generate
    from ecom.jobs.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("dashboard-lake")
    raw, lake = root / "raw", root / "lake"
    generate(raw, 20_000, seed=11, months=2)
    first = sorted(raw.glob("*.csv"))[0]
    with first.open("a") as handle:
        handle.write(BAD_ROWS)
    run_pipeline(spark, str(raw), str(lake), show_progress=False)
    register_local(lake)
    return lake


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
