"""One catalog interface for both ways to run: the local pipeline and the Glue jobs.

After the model job publishes (also after a failed data-quality gate, which publishes only
`dq_results`), the run registers the curated publication in one `Catalog`. Which one is
decided here and nowhere else, from the job's arguments:

- a Glue database named (`--database`, `ecom run --glue-database`): `GlueCatalog`;
- else a local lake's curated zone (`<lake>/curated`): `LocalCatalog`, the JSON catalog
  that `ecom query` and the dashboard read;
- else (an object-store lake without a database): `NoCatalog`, nothing to register.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ecom.catalog.glue import GlueCatalog
from ecom.catalog.local import LocalCatalog
from ecom.storage.lake import is_local, lake_of_curated

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@runtime_checkable
class Catalog(Protocol):
    """Where a run registers the curated zone's current publication."""

    kind: str

    def register(self, spark: SparkSession) -> dict[str, Any]:
        """Register what the publication names; return a JSON-ready summary."""
        ...


class NoCatalog:
    """No catalog to register in (the summary says why)."""

    kind = "none"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def register(self, spark: SparkSession | None = None) -> dict[str, Any]:
        return {"catalog": self.kind, "reason": self.reason}


def catalog_for(curated_path: str, database: str | None = None, glue_client: Any = None) -> Catalog:
    """The catalog a run with these arguments registers its publication in."""
    if database:
        return GlueCatalog(database, curated_path, client=glue_client)
    lake_root = lake_of_curated(curated_path)
    if is_local(curated_path) and lake_root is not None:
        return LocalCatalog(lake_root)
    return NoCatalog(f"{curated_path}: no Glue database named and not a local lake's curated zone")
