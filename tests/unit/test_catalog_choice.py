"""One function chooses the catalog a run registers in, for `ecom run` and the Glue jobs."""

from __future__ import annotations

import pytest

from ecom.catalog import Catalog, GlueCatalog, LocalCatalog, NoCatalog, catalog_for


@pytest.mark.parametrize(
    "curated",
    ["s3://bucket/curated", "s3://bucket/lake/curated/", "/tmp/lake/curated", "file:/x/curated"],
)
def test_a_named_database_means_glue_wherever_the_lake_is(curated):
    catalog = catalog_for(curated, "ecom_dev")
    assert isinstance(catalog, GlueCatalog)
    assert (catalog.kind, catalog.database, catalog.curated_path) == ("glue", "ecom_dev", curated)


@pytest.mark.parametrize(
    ("curated", "lake_root"),
    [("/tmp/lake/curated", "/tmp/lake"), ("data/lake/curated/", "data/lake")],
)
def test_a_local_lakes_curated_zone_without_database_means_the_local_catalog(curated, lake_root):
    catalog = catalog_for(curated, None)
    assert isinstance(catalog, LocalCatalog)
    assert (catalog.kind, catalog.lake_root) == ("local", lake_root)


@pytest.mark.parametrize("curated", ["s3://bucket/curated", "/tmp/lake/tables", "curated"])
def test_otherwise_there_is_nothing_to_register(curated):
    catalog = catalog_for(curated, "")
    assert isinstance(catalog, NoCatalog)
    summary = catalog.register(None)
    assert summary["catalog"] == "none" and curated in summary["reason"]


def test_every_choice_is_a_catalog():
    for catalog in (
        catalog_for("s3://b/curated", "db"),
        catalog_for("/l/curated"),
        catalog_for("s3://b/curated"),
    ):
        assert isinstance(catalog, Catalog)


def test_the_glue_client_given_is_the_one_used():
    client = object()
    assert catalog_for("s3://b/curated", "db", glue_client=client)._client is client


def test_local_catalog_of_a_lake_with_nothing_published_registers_nothing(tmp_path):
    summary = LocalCatalog(tmp_path).register()
    assert summary == {"catalog": "local", "path": None, "source": None, "tables": []}
    assert not (tmp_path / "catalog").exists()
