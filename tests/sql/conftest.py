"""One small lake for the SQL tests: ~30k generated events over 3 months, one pipeline run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ecom.catalog.local import register_local
from ecom.devdata.generate import generate
from ecom.jobs.pipeline import run_pipeline

ROWS = 30_000
MONTHS = 3
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
    generate(raw, ROWS, seed=7, months=MONTHS)
    # H = 30 days: the 3 months hold twice the horizon, so every customer model runs.
    run_pipeline(spark, str(raw), str(lake), show_progress=False, model_options=MODEL_OPTIONS)
    register_local(lake)
    return SqlLake(raw, lake)
