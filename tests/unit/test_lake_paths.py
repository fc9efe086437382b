"""One place decides local vs object store: `ecom.storage.lake.is_local`.

The grep below keeps it that way: an ad-hoc `"://" in path` (or `startswith("s3://")`)
anywhere else in the library or the Glue entry scripts fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecom.storage.lake import Lake, is_local, local_path, resolve_root

REPO = Path(__file__).resolve().parents[2]
SCANNED = (REPO / "src", REPO / "glue_jobs")
ALLOWED = {REPO / "src" / "ecom" / "storage" / "lake.py"}
# `"://" in x`, `'://' not in x`, `x.startswith("s3://")`, `startswith(("s3", ...`
AD_HOC = re.compile(r"""["']://["']\s+(not\s+)?in\b|startswith\(\(?\s*["']s3a?[:"']""")


def ad_hoc_tests(text: str) -> list[int]:
    """Line numbers (1-based) of ad-hoc local-vs-URI tests in a file's text."""
    return [number for number, line in enumerate(text.splitlines(), 1) if AD_HOC.search(line)]


def test_the_pattern_finds_the_ad_hoc_forms():
    sample = "\n".join(
        [
            'if "://" in root:',
            "ok = '://' not in path",
            'if path.startswith("s3://"):',
            'if path.startswith(("s3a://", "s3://")):',
            'url = f"s3://{bucket}/"',  # building a URI is not a test of one
            "is_local(path)",
        ]
    )
    assert ad_hoc_tests(sample) == [1, 2, 3, 4]


def test_no_ad_hoc_local_or_uri_test_outside_lake_py():
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for root in SCANNED
        for path in sorted(root.rglob("*.py"))
        if path not in ALLOWED
        for line in ad_hoc_tests(path.read_text(encoding="utf-8"))
    ]
    assert not found, "use ecom.storage.lake.is_local instead of:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data/lake", True),
        ("/tmp/lake", True),
        ("file:///tmp/lake", True),
        ("file:/tmp/lake", True),
        ("s3://bucket/lake", False),
        ("s3a://bucket/lake", False),
        ("", True),  # the current folder
    ],
)
def test_is_local(path, expected):
    assert is_local(path) is expected
    assert Lake(path).is_local is expected


def test_local_path_strips_file_uris_and_refuses_object_stores():
    assert local_path("file:///tmp/lake") == Path("/tmp/lake")
    assert local_path("file:/tmp/lake") == Path("/tmp/lake")
    assert local_path("rel/lake") == Path("rel/lake")
    with pytest.raises(ValueError, match="s3://b/lake: not a local path"):
        local_path("s3://b/lake")


def test_resolve_root_makes_local_roots_absolute_and_leaves_uris(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_root("lake") == str(tmp_path / "lake")
    assert resolve_root("s3://bucket/lake/") == "s3://bucket/lake/"
