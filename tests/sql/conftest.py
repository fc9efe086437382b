"""The SQL tests' generated and hand-written lakes `sql_lake` and `retail_lake` live in
tests/conftest.py (the dashboard tests read them too, and a session fixture defined once is
built once); the hand-written clickstream lake of 32 events (tests/sql/clickstream_events.py)
that only the SQL tests read is here."""

from __future__ import annotations

import pytest

from ecom.catalog.local import register_local
from ecom.jobs.pipeline import run_pipeline
from tests.conftest import SqlLake
from tests.sql import clickstream_events


@pytest.fixture(scope="session")
def clickstream_hand_lake(spark, tmp_path_factory) -> SqlLake:
    """The hand-written clickstream days → run_pipeline → catalog."""
    root = tmp_path_factory.mktemp("clickstream-hand-lake")
    raw, lake = root / "raw", root / "lake"
    clickstream_events.write_raw_days(raw)
    run_pipeline(spark, str(raw), str(lake), show_progress=False)
    register_local(lake)
    return SqlLake(raw, lake)
