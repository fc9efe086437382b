"""checkov on the synthesized template: each failed check is fixed or accepted with a reason."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.conftest import REPO, Synthesis

ACCEPTED_FILE = REPO / "infra" / "checkov_accepted.yaml"
CANDIDATES = (REPO / ".venv-checkov" / "bin" / "checkov", Path("/tmp/checkov-venv/bin/checkov"))


def checkov_bin() -> str | None:
    """$CHECKOV_BIN, else `checkov` on PATH, else the Makefile's .venv-checkov."""
    if os.environ.get("CHECKOV_BIN"):
        return os.environ["CHECKOV_BIN"]
    found = shutil.which("checkov")
    if found:
        return found
    return next((str(path) for path in CANDIDATES if path.is_file()), None)


def accepted() -> list[dict[str, str]]:
    entries = yaml.safe_load(ACCEPTED_FILE.read_text(encoding="utf-8"))["accepted"]
    for entry in entries:
        assert set(entry) == {"check", "resource", "reason"}, entry
        assert len(entry["reason"].strip()) >= 20, entry
    return entries


@pytest.fixture(scope="module")
def failed_checks(synthesis: Synthesis) -> list[dict[str, Any]]:
    binary = checkov_bin()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("checkov not found: set CHECKOV_BIN (make creates .venv-checkov)")
        pytest.skip("checkov not found: set CHECKOV_BIN or run `make checkov`")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    command = [binary, "-f", str(synthesis.template_path), "--framework", "cloudformation"]
    command += ["--skip-download", "--quiet", "--compact", "-o", "json"]
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = json.loads(done.stdout)
    result = result[0] if isinstance(result, list) else result
    assert result["summary"]["parsing_errors"] == 0
    assert result["summary"]["passed"] > 0
    return result["results"]["failed_checks"]


def is_accepted(check: dict[str, Any], entries: list[dict[str, str]]) -> bool:
    logical_id = check["resource"].split(".", 1)[1]
    return any(
        check["check_id"] == entry["check"] and logical_id.startswith(entry["resource"])
        for entry in entries
    )


def test_every_failed_check_is_accepted_with_a_reason(failed_checks: list[dict[str, Any]]) -> None:
    entries = accepted()
    unaccepted = [
        f"{c['check_id']} {c['resource']}: {c['check_name']}"
        for c in failed_checks
        if not is_accepted(c, entries)
    ]
    assert unaccepted == []


def test_no_stale_acceptances(failed_checks: list[dict[str, Any]]) -> None:
    stale = [
        entry
        for entry in accepted()
        if not any(is_accepted(check, [entry]) for check in failed_checks)
    ]
    assert stale == []


def test_an_unlisted_failure_is_reported() -> None:
    check = {
        "check_id": "CKV_AWS_999",
        "resource": "AWS::S3::Bucket.StorageRawABC",
        "check_name": "x",
    }
    assert not is_accepted(check, accepted())
