"""Bad input at the edges of a run: rejected files, empty input, bad arguments.

Every hostile case in one run: tests/e2e/test_hostile_input.py."""

from __future__ import annotations

import gzip

import pytest

from ecom import cli
from ecom.jobs.pipeline import run_pipeline
from ecom.sources.clickstream.contract import RAW_HEADER

pytestmark = pytest.mark.e2e

ROW = "2019-10-01 00:00:05 UTC,view,1,2,,,1.00,3,s1"


def test_missing_required_column_rejects_that_file_and_the_run_goes_on(spark, tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a-good.csv").write_text(f"{RAW_HEADER}\n{ROW}\n")
    no_price = RAW_HEADER.replace(",price", "")
    bad = f"{no_price}\n2019-10-01 00:00:05 UTC,view,1,2,,,3,s1\n"
    (raw / "b-no-price.csv").write_text(bad)
    lake = tmp_path / "lake"
    report = run_pipeline(spark, str(raw), str(lake), run_id="r1", show_progress=False)
    files = {entry["path"].rsplit("/", 1)[-1]: entry for entry in report["files"]}
    assert files["a-good.csv"]["status"] == "read"
    rejected = files["b-no-price.csv"]
    assert (rejected["status"], rejected["reason"]) == ("rejected", "missing_columns")
    assert rejected["message"].endswith("b-no-price.csv: missing required column(s): price")
    assert "\n" not in rejected["message"]
    assert report["rows"]["read"] == report["rows"]["staged"] == 1  # the rejected row is not read
    assert [w for w in report["warnings"] if "b-no-price.csv" in w] == [
        f"file rejected (missing_columns): {rejected['message']}"
    ]
    assert (lake / "quarantine" / "files" / "r1" / "b-no-price.csv").read_text() == bad


def test_cli_reports_missing_column_on_one_line_and_succeeds(spark, tmp_path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day.csv").write_text("event_time,event_type\n")
    code = cli.main(["run", "--raw", str(raw), "--lake", str(tmp_path / "lake"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    [line] = [line for line in out.splitlines() if "day.csv" in line]
    assert line.startswith("  warning: file rejected (missing_columns): ")
    assert line.endswith(
        "day.csv: missing required column(s): product_id, category_id, "
        "category_code, brand, price, user_id, user_session"
    )


@pytest.mark.parametrize("content", [None, RAW_HEADER + "\n", ""])
def test_empty_input_succeeds_with_zero_rows(spark, tmp_path, content) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    if content is not None:
        (raw / "day.csv").write_text(content)
    report = run_pipeline(spark, str(raw), str(tmp_path / "lake"), show_progress=False)
    assert report["rows"] == {
        "read": 0,
        "staged": 0,
        "quarantined": 0,
        "duplicates_dropped": 0,
        "reconciles": True,
    }


def test_cli_empty_folder_says_so_plainly(spark, tmp_path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    code = cli.main(["run", "--raw", str(raw), "--lake", str(tmp_path / "lake"), "--quiet"])
    assert code == 0
    assert "no new data rows in the raw input" in capsys.readouterr().out


def test_cli_missing_raw_folder_is_one_line(tmp_path, capsys) -> None:
    code = cli.main(["run", "--raw", str(tmp_path / "nope"), "--lake", str(tmp_path / "lake")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"ecom run: error: --raw {tmp_path / 'nope'}: no such file or folder\n"


def test_cli_lake_that_is_a_file_is_one_line(tmp_path, capsys) -> None:
    lake = tmp_path / "lake.txt"
    lake.write_text("x")
    code = cli.main(["run", "--raw", str(tmp_path), "--lake", str(lake)])
    assert code == 2
    assert (
        capsys.readouterr().err == f"ecom run: error: --lake {lake}: is a file, expected a folder\n"
    )


def test_cli_rejects_bad_generate_arguments(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate", "--out", "x", "--rows", "-3"])
    assert exit_info.value.code == 2
    assert "must be positive" in capsys.readouterr().err


def test_cli_truncated_gzip_is_rejected_on_one_line_and_the_run_succeeds(
    spark, tmp_path, capsys
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    whole = gzip.compress(("\n".join([RAW_HEADER, *[ROW] * 5000]) + "\n").encode())
    (raw / "day.csv.gz").write_bytes(whole[: len(whole) // 2])
    (raw / "good.csv").write_text(f"{RAW_HEADER}\n{ROW}\n")
    code = cli.main(["run", "--raw", str(raw), "--lake", str(tmp_path / "lake"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    [line] = [line for line in out.splitlines() if "day.csv.gz" in line]
    assert line.startswith("  warning: file rejected (truncated_gzip): ")
    assert "day.csv.gz: truncated gzip: the compressed stream stops after" in line


def test_quarantine_left_by_a_killed_run_is_removed_and_committed_one_kept(spark, tmp_path) -> None:
    """A killed run's quarantined rows and rejected-file copies are never published: the
    next run removes them; what published runs quarantined stays."""
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    raw.mkdir()
    (raw / "good.csv").write_text(f"{RAW_HEADER}\n{ROW}\n2019-10-01,view,1,2,,,1.00,3,s1\n")
    (raw / "page.csv").write_text("<html><body>502 Bad Gateway</body></html>\n")
    killed_rows = lake / "quarantine" / "events" / "ingest_run_id=killed" / "part-0.parquet"
    killed_copy = lake / "quarantine" / "files" / "killed" / "page.csv"
    for orphan in (killed_rows, killed_copy):
        orphan.parent.mkdir(parents=True)
        orphan.write_text("left by a killed run")
    run_pipeline(spark, str(raw), str(lake), run_id="r1", show_progress=False)
    assert not killed_rows.parent.exists() and not killed_copy.parent.exists()
    kept_rows = lake / "quarantine" / "events" / "ingest_run_id=r1"
    kept_copy = lake / "quarantine" / "files" / "r1" / "page.csv"
    assert kept_rows.is_dir() and kept_copy.read_bytes() == (raw / "page.csv").read_bytes()
    run_pipeline(spark, str(raw), str(lake), run_id="r2", show_progress=False)  # nothing new
    assert kept_rows.is_dir() and kept_copy.is_file()
