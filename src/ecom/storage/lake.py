"""Where each dataset lives. I/O paths are decided here and nowhere else.

A lake root is a local folder or an object-store URI (`s3://bucket/prefix`); the same code
serves both. On AWS the jobs receive the individual paths as job arguments instead, so raw,
staged and curated data can live in separate buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

CURATED_TABLES: tuple[str, ...] = (
    "fact_purchases",
    "fact_sessions",
    "dim_user",
    "dim_product",
    "dim_category",
    "dim_time",
    "fact_daily_summary",
    "fact_monthly_summary",
)
# Every table a catalog registers: the star schema and the data-quality results.
CATALOG_TABLES: tuple[str, ...] = (*CURATED_TABLES, "dq_results")


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid4().hex[:6]}"


def join_path(root: str, *parts: str) -> str:
    """Join path segments with `/` for both local paths and URIs."""
    return "/".join([root.rstrip("/"), *(part.strip("/") for part in parts)])


@dataclass(frozen=True)
class Lake:
    """The layout of one lake: staged, quarantine, curated and run reports under one root."""

    root: str

    @property
    def staged_events(self) -> str:
        return join_path(self.root, "staged", "events")

    @property
    def quarantine(self) -> str:
        return join_path(self.root, "quarantine", "events")

    @property
    def curated(self) -> str:
        return join_path(self.root, "curated")

    @property
    def reports(self) -> str:
        return join_path(self.root, "reports", "runs")

    def table(self, name: str) -> str:
        """Path of one curated table."""
        return join_path(self.curated, name)
