"""The SQL tests' lakes, one pipeline run each: ~30k generated clickstream events over 3
months, and a hand-written Online Retail lake of three tiny days (tests/sql/retail_lines.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ecom.catalog.local import register_local
from ecom.devdata.generate import generate
from ecom.jobs.pipeline import run_pipeline
from tests.sql.retail_lines import write_raw_days

ROWS = 30_000
MONTHS = 3
# A small user pool: enough returning buyers that churn has both classes in every fold.
USERS = 300
MODEL_OPTIONS = {"horizon_days": 30}


@dataclass(frozen=True)
class SqlLake:
    """The raw files and the lake the pipeline wrote from them."""

    raw: Path
    lake: Path

    def raw_files(self) -> list[Path]:
        return sorted(self.raw.glob("*.csv"))


@pytest.fixture(scope="session")
def sql_lake(spark, tmp_path_factory) -> SqlLake:
    """Generated raw CSV → run_pipeline → local catalog registered (shared by tests/sql)."""
    root = tmp_path_factory.mktemp("sql-lake")
    raw, lake = root / "raw", root / "lake"
    generate(raw, ROWS, seed=7, months=MONTHS, users=USERS)
    # H = 30 days: the 3 months hold twice the horizon, so every customer model runs.
    run_pipeline(spark, str(raw), str(lake), show_progress=False, model_options=MODEL_OPTIONS)
    register_local(lake)
    return SqlLake(raw, lake)


@pytest.fixture(scope="session")
def retail_lake(spark, tmp_path_factory) -> SqlLake:
    """The hand-written retail days → run_pipeline (source told by the header) → catalog."""
    root = tmp_path_factory.mktemp("retail-lake")
    raw, lake = root / "raw", root / "lake"
    write_raw_days(raw)
    run_pipeline(spark, str(raw), str(lake), show_progress=False)
    register_local(lake)
    return SqlLake(raw, lake)
