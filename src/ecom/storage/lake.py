"""Where each dataset lives. I/O paths are decided here and nowhere else.

A lake root is a local folder or an object-store URI (`s3://bucket/prefix`); the same code
serves both. On AWS the jobs receive the individual paths as job arguments instead, so raw,
staged and curated data can live in separate buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

# The customer models' tables, the same for every source (ecom.jobs.segments, .churn).
CUSTOMER_TABLES: tuple[str, ...] = (
    "customer_features",
    "dim_customer_segment",
    "model_runs",
    "customer_scores",
    "model_evaluations",
)
# The curated star schema of each raw source (a lake holds one source).
CURATED_TABLES_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "clickstream": (
        "fact_purchases",
        "fact_sessions",
        "dim_user",
        "dim_product",
        "dim_category",
        "dim_time",
        "fact_daily_summary",
        "fact_monthly_summary",
        *CUSTOMER_TABLES,
    ),
    "online-retail": (
        "fact_purchases",
        "fact_cancellations",
        "fact_adjustments",
        "dim_user",
        "dim_product",
        "dim_time",
        "fact_daily_summary",
        "fact_monthly_summary",
        *CUSTOMER_TABLES,
    ),
}
# The source of a lake whose publication names none (lakes published before sources were).
DEFAULT_SOURCE = "clickstream"
DQ_RESULTS = "dq_results"
# Every table a catalog may register, whatever the source: the star schemas and the
# data-quality results (a lake registers those its publication names).
CATALOG_TABLES: tuple[str, ...] = (
    *dict.fromkeys(name for tables in CURATED_TABLES_BY_SOURCE.values() for name in tables),
    DQ_RESULTS,
)
# Partition column of each partitioned curated table (the others are written whole).
PARTITION_KEYS: dict[str, str] = {
    "fact_purchases": "purchase_date",
    "fact_sessions": "session_date",
    "fact_cancellations": "cancellation_date",
    "fact_adjustments": "adjustment_date",
}


def curated_tables(source: str) -> tuple[str, ...]:
    """The star schema of one source."""
    return CURATED_TABLES_BY_SOURCE[source]


def catalog_tables(source: str) -> tuple[str, ...]:
    """What a catalog registers for a lake of one source: its star and dq_results."""
    return (*CURATED_TABLES_BY_SOURCE[source], DQ_RESULTS)


def published_source(snapshot: Mapping[str, Any]) -> str:
    """The source a curated publication holds (`"source"`; absent in older lakes: clickstream)."""
    return str(snapshot.get("source") or DEFAULT_SOURCE)


def is_local(path: str | Path) -> bool:
    """True for a local path (or a `file:` URI), False for an object-store URI (`s3://`).

    The one place that tells the two apart: every local-only step (locks, the local catalog,
    atomic renames, argument checks) asks this function.
    """
    text = str(path)
    return "://" not in text or text.startswith("file:")


def local_path(path: str | Path) -> Path:
    """A local path or `file:` URI as a Path (ValueError for an object-store URI)."""
    if not is_local(path):
        raise ValueError(f"{path}: not a local path")
    return Path(str(path).removeprefix("file://").removeprefix("file:"))


def resolve_root(root: str | Path) -> str:
    """A lake root as runs record it: a local folder made absolute, a URI unchanged."""
    return str(local_path(root).resolve()) if is_local(root) else str(root)


def lake_of_curated(curated_path: str) -> str | None:
    """The root of the lake whose curated zone `curated_path` is (`<root>/curated`), else None."""
    root, _, name = curated_path.rstrip("/").rpartition("/")
    return root if name == "curated" and root else None


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
    def is_local(self) -> bool:
        """True for a lake in a local folder, False for one on an object store."""
        return is_local(self.root)

    @property
    def staged_zone(self) -> str:
        return join_path(self.root, "staged")

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
