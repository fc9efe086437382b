"""One run at a time per lake: a second run refuses with a clear message; a lock left by a
killed run does not block the next one."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from ecom import cli
from ecom.sources.clickstream.contract import RAW_HEADER
from ecom.storage.lock import LOCK_NAME, LakeLockedError, lake_lock

ROW = "2019-10-01 00:00:05 UTC,view,1,2,,,1.00,3,s1"


def test_second_holder_is_refused_and_lock_is_released(tmp_path) -> None:
    lake = tmp_path / "lake"
    with lake_lock(str(lake), "first-run") as path:
        assert json.loads(path.read_text())["run_id"] == "first-run"
        refused = pytest.raises(LakeLockedError, match=r"run first-run .* is still running")
        with refused, lake_lock(str(lake), "second-run"):
            pass
    assert not (lake / LOCK_NAME).exists()
    with lake_lock(str(lake), "third-run"):
        pass


def test_cli_refuses_a_locked_lake_on_one_line(spark, tmp_path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day.csv").write_text(f"{RAW_HEADER}\n{ROW}\n")
    lake = tmp_path / "lake"
    with lake_lock(str(lake), "busy-run"):
        code = cli.main(["run", "--raw", str(raw), "--lake", str(lake), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"ecom run: error: --lake {lake}: run busy-run (pid ")
    assert err.count("\n") == 1
    assert not any(lake.rglob("*.parquet"))


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path) -> None:
    lake = tmp_path / "lake"
    lake.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = {"run_id": "killed-run", "pid": int(dead.stdout), "host": socket.gethostname()}
    (lake / LOCK_NAME).write_text(json.dumps(stale))
    with lake_lock(str(lake), "next-run") as path:
        assert json.loads(path.read_text())["run_id"] == "next-run"
    assert not (lake / LOCK_NAME).exists()
