"""Shared fixtures: one local Spark session for the whole run, paths to shared test data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from ecom.runtime.spark import local_session

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
CLICKSTREAM_SAMPLE = SHARED_DATA / "clickstream" / "2019-Oct-head.csv"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """The one SparkSession of the test run (local, 2 cores, small shuffles)."""
    session = local_session("ecom-tests", cores=2, driver_memory="2g", shuffle_partitions=4)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def clickstream_sample() -> Path:
    """The real 17k-row sample, or a skip saying why it is absent."""
    if not CLICKSTREAM_SAMPLE.exists():
        pytest.skip(f"real sample not found at {CLICKSTREAM_SAMPLE} (shared data absent)")
    return CLICKSTREAM_SAMPLE
