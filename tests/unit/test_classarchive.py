"""The class-data-sharing archive: which JVM options a session gets, and that the JVM of
the test session really maps the archive `make test` built (it fits the class path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecom.cli import archive
from ecom.runtime import classarchive


def test_no_options_without_an_archive(tmp_path: Path) -> None:
    assert classarchive.java_options(tmp_path / "absent.jsa") == []


def test_options_map_an_existing_archive_and_silence_a_misfit(tmp_path: Path) -> None:
    archive = tmp_path / "spark.jsa"
    archive.write_bytes(b"not checked here: the JVM validates it")
    options = classarchive.java_options(archive)
    assert options[0] == f"-XX:SharedArchiveFile={archive}"
    assert "-Xlog:cds*=off" in options  # a misfit archive is ignored without a word


def test_environment_names_another_archive_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(classarchive.ENV, str(tmp_path / "other.jsa"))
    assert classarchive.archive_path() == tmp_path / "other.jsa"
    monkeypatch.setenv(classarchive.ENV, "off")
    assert classarchive.archive_path() is None
    assert classarchive.java_options() == []
    monkeypatch.delenv(classarchive.ENV)
    default = classarchive.archive_path()
    assert default is not None and default.name.endswith("-classes.jsa")


def test_build_refuses_while_a_session_runs(spark, tmp_path: Path) -> None:
    with pytest.raises(archive.ClassArchiveError, match="fresh one"):
        archive.build(tmp_path / "x.jsa")
    assert not (tmp_path / "x.jsa").exists()


def test_the_session_jvm_maps_the_archive(spark) -> None:
    archive = classarchive.archive_path()
    if archive is None or not archive.is_file():
        pytest.skip(f"no class archive at {archive}: `make class-archive` builds it")
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    maps = Path(f"/proc/{pid}/maps").read_text()
    # Mapped only when the JVM accepted it (same JDK, same jars, same class path).
    assert str(archive) in maps, (
        f"the test JVM does not map {archive}: rebuild it with `ecom class-archive`, and "
        "leave SPARK_CONF_DIR unset or empty (JDK 17 maps no archive past a folder with files)"
    )
