"""The local persistent catalog: `<lake>/catalog/catalog.json`, read by the local query engine.

Built from the curated zone's current publication (`ecom.storage.tablestore`) and the footers of the
Parquet files it names (no data read): the lake's raw source, and per table of that source
its location, columns and types, partition keys and partitions (each with the folder of its
published version), files, bytes and rows. A table published without any data file (a
partitioned table written empty) is registered with the columns its entry records, no
files and no rows.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ecom.catalog.schema import PARTITION_KEYS, Column, TableSchema, columns_of_arrow
from ecom.errors import EcomError, InvalidArgumentError
from ecom.storage import tablestore
from ecom.storage.lake import Lake, catalog_tables, is_local, published_source

# 2: the catalog records the lake's source, and tables published without data files.
CATALOG_VERSION = 2


class NoPipelineRunError(EcomError):
    """The lake has no curated tables yet."""

    def __init__(self, lake_root: str) -> None:
        super().__init__(
            f"no pipeline run yet: run `make demo` or `ecom run` first (lake: {lake_root})"
        )


def catalog_path(lake_root: str | Path) -> Path:
    """Where the local catalog of a lake lives."""
    return Path(lake_root) / "catalog" / "catalog.json"


def _data_files(folder: Path) -> list[Path]:
    """The Parquet files directly in one published folder (no hidden or temporary files)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(("_", ".")))


def _partition_type(values: list[str]) -> str:
    try:
        for value in values:
            date.fromisoformat(value)
    except ValueError:
        return "string"
    return "date"


def describe_table(
    lake_root: str, name: str, snapshot: tablestore.Snapshot
) -> dict[str, Any] | None:
    """One published table from its Parquet footers; None when it was never published."""
    zone = Lake(lake_root).curated
    partition = PARTITION_KEYS.get(name)
    files: list[Path] = []
    partitions: dict[str, dict[str, Any]] = {}
    for folder, value in tablestore.data_locations(zone, snapshot, name):
        folder_files = _data_files(Path(folder))
        files.extend(folder_files)
        if value is not None and folder_files:
            partitions[value] = {
                "values": [value],
                "location": folder,
                "files": len(folder_files),
                "rows": sum(pq.read_metadata(path).num_rows for path in folder_files),
            }
    if not files:
        return _describe_empty_table(lake_root, name, snapshot)
    schema = pq.read_schema(files[0])
    rows = 0
    size = 0
    for path in files:
        rows += pq.read_metadata(path).num_rows
        size += path.stat().st_size
    keys: list[Column] = []
    if partition:
        keys = [Column(partition[0], _partition_type(sorted(partitions)))]
    table = TableSchema(
        name=name,
        columns=columns_of_arrow(schema, exclude=(partition[0],) if partition else ()),
        partition_keys=keys,
        partitions=[partitions[value]["values"] for value in sorted(partitions)],
    )
    location = Lake(lake_root).table(name) if partition else str(files[0].parent)
    return {
        **table.to_dict(),
        "location": location,
        "format": "parquet",
        "version": snapshot.get("run_id"),
        "files": len(files),
        "data_files": [str(path) for path in files],
        "bytes": size,
        "rows": rows,
        "partition_details": [partitions[value] for value in sorted(partitions)],
    }


def _describe_empty_table(
    lake_root: str, name: str, snapshot: tablestore.Snapshot
) -> dict[str, Any] | None:
    """A table its publication names with no data file: its recorded columns, no rows."""
    columns = tablestore.recorded_columns(snapshot, name)
    if columns is None:  # not published, or published before entries recorded columns
        return None
    partition = PARTITION_KEYS.get(name)
    table = TableSchema(
        name=name,
        columns=[Column(**column) for column in columns],
        partition_keys=[Column(*partition)] if partition else [],
    )
    folders = tablestore.data_locations(Lake(lake_root).curated, snapshot, name)
    return {
        **table.to_dict(),
        "location": folders[0][0] if folders and not partition else Lake(lake_root).table(name),
        "format": "parquet",
        "version": snapshot.get("run_id"),
        "files": 0,
        "data_files": [],
        "bytes": 0,
        "rows": 0,
        "partition_details": [],
    }


def build_local_catalog(lake_root: str | Path) -> dict[str, Any]:
    """The catalog of a local lake as a dict (nothing written); NoPipelineRunError if empty."""
    root = str(lake_root)
    if not is_local(root):
        raise InvalidArgumentError(f"--lake {root}: the local catalog needs a local folder")
    resolved = str(Path(root).resolve())
    snapshot = tablestore.load_local(Lake(resolved).curated)
    source = published_source(snapshot)
    tables = {}
    for name in catalog_tables(source):
        described = describe_table(resolved, name, snapshot)
        if described is not None:
            tables[name] = described
    if not tables:
        raise NoPipelineRunError(root)
    return {
        "version": CATALOG_VERSION,
        "lake": str(Path(root).resolve()),
        "source": source,
        "registered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }


def register_local(lake_root: str | Path) -> Path:
    """Build the local catalog of `lake_root` and write it atomically; returns its path."""
    catalog = build_local_catalog(lake_root)
    path = catalog_path(lake_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as out:
        json.dump(catalog, out, indent=2)
        out.write("\n")
    os.replace(out.name, path)
    return path


def load_local_catalog(lake_root: str | Path) -> dict[str, Any] | None:
    """The saved local catalog, or None when the lake has none."""
    path = catalog_path(lake_root)
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def current_catalog(lake_root: str | Path) -> dict[str, Any]:
    """The lake's saved catalog, or one built now when there is none or it is of an older
    format (one that does not record the source); nothing is written."""
    saved = load_local_catalog(lake_root)
    if saved is not None and saved.get("version") == CATALOG_VERSION:
        return saved
    return build_local_catalog(lake_root)


def table_schemas(catalog: dict[str, Any]) -> list[TableSchema]:
    """The tables of a local catalog as TableSchema objects (for Glue registration)."""
    return [TableSchema.from_dict(table) for table in catalog["tables"].values()]


class LocalCatalog:
    """The `Catalog` of a local lake: `<lake>/catalog/catalog.json`, read by `ecom query`."""

    kind = "local"

    def __init__(self, lake_root: str | Path) -> None:
        self.lake_root = str(lake_root)

    def register(self, spark: Any = None) -> dict[str, Any]:
        """Write the catalog of what the curated publication names; return a summary."""
        try:
            path = register_local(self.lake_root)
        except NoPipelineRunError:  # a model run before any data: nothing to register yet
            return {"catalog": self.kind, "path": None, "source": None, "tables": []}
        saved = load_local_catalog(self.lake_root) or {}
        return {
            "catalog": self.kind,
            "path": str(path),
            "source": saved.get("source"),
            "tables": sorted(saved.get("tables", {})),
        }
