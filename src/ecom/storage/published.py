"""What a local lake has published, read from its publication documents (no Spark).

Readers outside the jobs (the dashboard, `ecom status`) ask here which tables exist and
which quarantine rows count, instead of listing folders: a folder can hold a killed run's
orphaned output, which no publication names (`ecom.storage.tablestore`).
"""

from __future__ import annotations

from pathlib import Path

from ecom.storage import tablestore
from ecom.storage.lake import Lake, curated_tables, join_path, published_source


def curated_publication(lake_root: str | Path) -> tablestore.Snapshot:
    """The curated zone's current publication (an empty one before the first)."""
    return tablestore.load_local(Lake(str(lake_root)).curated)


def staged_publication(lake_root: str | Path) -> tablestore.Snapshot:
    """The staged zone's current publication (an empty one before the first)."""
    zone, _ = tablestore.split_table_path(Lake(str(lake_root)).staged_events)
    return tablestore.load_local(zone)


def published_tables(lake_root: str | Path) -> list[str]:
    """The curated tables the publication names, sorted."""
    return sorted(curated_publication(lake_root)["tables"])


def has_curated_tables(lake_root: str | Path) -> bool:
    """True when the curated publication names every table of the lake's source's star."""
    snapshot = curated_publication(lake_root)
    return all(name in snapshot["tables"] for name in curated_tables(published_source(snapshot)))


def quarantine_folders(lake_root: str | Path) -> list[str]:
    """The quarantine folders (`<quarantine>/ingest_run_id=<run>`) of the runs the staged
    publication holds, oldest first; a run that rejected only whole files has none."""
    quarantine = Lake(str(lake_root)).quarantine
    runs = staged_publication(lake_root).get("quarantine_runs", [])
    folders = [join_path(quarantine, f"ingest_run_id={run_id}") for run_id in runs]
    return [folder for folder in folders if Path(folder).is_dir()]
