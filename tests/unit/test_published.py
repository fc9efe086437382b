"""Table presence and quarantine come from the publications, not from listing folders."""

from __future__ import annotations

import json

from ecom.storage import published
from ecom.storage.lake import curated_tables


def write_publication(zone, document):
    zone.mkdir(parents=True, exist_ok=True)
    (zone / "_current.json").write_text(json.dumps({"format": 1, **document}))


def test_quarantine_of_the_runs_the_staged_publication_holds(tmp_path):
    quarantine = tmp_path / "quarantine" / "events"
    for run_id in ("r1", "killed", "r3"):  # a killed run's rows are orphaned, not published
        (quarantine / f"ingest_run_id={run_id}").mkdir(parents=True)
    # r2 quarantined only whole files: in the publication, no folder of rows.
    write_publication(
        tmp_path / "staged", {"run_id": "r3", "tables": {}, "quarantine_runs": ["r1", "r2", "r3"]}
    )
    assert published.quarantine_folders(tmp_path) == [
        str(quarantine / "ingest_run_id=r1"),
        str(quarantine / "ingest_run_id=r3"),
    ]


def test_no_publication_means_no_quarantine_and_no_tables(tmp_path):
    (tmp_path / "quarantine" / "events" / "ingest_run_id=r1").mkdir(parents=True)
    (tmp_path / "curated" / "dim_user" / "v-r1").mkdir(parents=True)
    assert published.quarantine_folders(tmp_path) == []
    assert published.published_tables(tmp_path) == []
    assert not published.has_curated_tables(tmp_path)


def test_curated_tables_are_those_the_publication_names(tmp_path):
    star = curated_tables("online-retail")
    tables = {name: {"version": "v-r1"} for name in star}
    write_publication(
        tmp_path / "curated", {"run_id": "r1", "source": "online-retail", "tables": tables}
    )
    assert published.published_tables(tmp_path) == sorted(star)
    assert published.has_curated_tables(tmp_path)
    # The same tables read as a clickstream lake lack fact_sessions etc.: not complete.
    write_publication(tmp_path / "curated", {"run_id": "r1", "tables": tables})
    assert not published.has_curated_tables(tmp_path)
