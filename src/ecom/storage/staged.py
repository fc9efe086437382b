"""The staged zone's bookkeeping: which raw files were ingested, which dates each ingest
changed (for the model job), which source the lake holds, and whose quarantine rows stand.

All of it lives in the zone's publication document (`ecom.storage.tablestore`), so it changes
in the same atomic step as the staged rows themselves.
"""

from __future__ import annotations

from ecom.storage import hadoopfs, tablestore
from ecom.storage.lake import join_path
from ecom.storage.rawcheck import rejected_files_path
from ecom.storage.rawfiles import RawFile

# The staged table of every source (clickstream events or invoice lines), partitioned by
# event_date.
STAGED_TABLE = "events"
# Staged changes a publication remembers for the model job (it needs those since its last
# publication; when they are no longer listed it rebuilds everything).
KEEP_CHANGES = 200
# Lakes published before sources were recorded hold clickstream events.
LEGACY_SOURCE = "clickstream"


def lake_source(snapshot: tablestore.Snapshot) -> str | None:
    """The source a staged publication holds (None: nothing staged yet)."""
    if snapshot.get("source"):
        return str(snapshot["source"])
    return LEGACY_SOURCE if snapshot["tables"] else None


def new_epoch(run_id: str) -> tablestore.Snapshot:
    """The staged zone's document at a full refresh: no events, no files, a new epoch."""
    return {**tablestore.empty_snapshot(), "epoch": run_id, "generation": 0, "files": {}}


def is_done(raw_file: RawFile, done: dict[str, dict[str, object]]) -> bool:
    """True when this very file (same path, size and modification time) was ingested."""
    entry = done.get(raw_file.path)
    return entry is not None and (entry["size"], entry["modified"]) == (
        raw_file.size,
        raw_file.modified,
    )


def staged_publication(
    snapshot: tablestore.Snapshot,
    run_id: str,
    source: str,
    raw_files: list[RawFile],
    events_entry: dict[str, object] | None,
    dates: list[str],
    quarantined: bool,
) -> tablestore.Snapshot:
    """The staged zone's next document: rows, ingested files, the change for the model."""
    generation = int(snapshot.get("generation", 0)) + 1
    files = dict(snapshot.get("files", {}))
    for f in raw_files:
        files[f.path] = {"size": f.size, "modified": f.modified, "run_id": run_id}
    tables = dict(snapshot["tables"])
    if events_entry is not None:
        tables[STAGED_TABLE] = events_entry
    change = {"generation": generation, "run_id": run_id, "dates": dates}
    quarantine_runs = list(snapshot.get("quarantine_runs", []))
    if quarantined:
        quarantine_runs.append(run_id)
    return {
        **snapshot,
        "epoch": snapshot.get("epoch") or run_id,
        "generation": generation,
        "source": source,
        "tables": tables,
        "files": files,
        "changes": [*snapshot.get("changes", []), change][-KEEP_CHANGES:],
        "quarantine_runs": quarantine_runs,
    }


def prune_quarantine(spark, quarantine_path: str, committed: list[str]) -> None:
    """Remove the quarantined rows and rejected-file copies of runs no publication holds
    (killed, or superseded by a full refresh)."""
    keep = {f"ingest_run_id={run_id}" for run_id in committed}
    for name in hadoopfs.list_names(spark, quarantine_path):
        if name.startswith("ingest_run_id=") and name not in keep:
            hadoopfs.delete(spark, join_path(quarantine_path, name))
    files_root = rejected_files_path(quarantine_path, "-").rsplit("/", 1)[0]
    for name in hadoopfs.list_names(spark, files_root):
        if name not in committed:
            hadoopfs.delete(spark, join_path(files_root, name))
