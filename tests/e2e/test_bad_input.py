"""Bad input at the edges of a run: missing columns, empty input, bad arguments."""

from __future__ import annotations

import gzip

import pytest

from ecom import cli
from ecom.errors import MissingColumnsError
from ecom.pipeline import run_pipeline
from ecom.raw import RAW_HEADER

pytestmark = pytest.mark.e2e

ROW = "2019-10-01 00:00:05 UTC,view,1,2,,,1.00,3,s1"


def test_missing_required_column_stops_before_writing_anything(spark, tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a-good.csv").write_text(f"{RAW_HEADER}\n{ROW}\n")
    no_price = RAW_HEADER.replace(",price", "")
    (raw / "b-no-price.csv").write_text(f"{no_price}\n2019-10-01 00:00:05 UTC,view,1,2,,,3,s1\n")
    lake = tmp_path / "lake"
    with pytest.raises(MissingColumnsError) as error:
        run_pipeline(spark, str(raw), str(lake), show_progress=False)
    message = str(error.value)
    assert message.endswith("b-no-price.csv: missing required column(s): price")
    assert "\n" not in message
    assert not lake.exists() or not any(lake.rglob("*.parquet"))


def test_cli_reports_missing_column_on_one_line(spark, tmp_path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day.csv").write_text("event_time,event_type\n")
    code = cli.main(["run", "--raw", str(raw), "--lake", str(tmp_path / "lake"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0
    assert "day.csv: missing required column(s): product_id, category_id" in err


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
    assert "no data rows found in the raw input" in capsys.readouterr().out


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


def test_cli_truncated_gzip_is_one_line_error(spark, tmp_path, capsys) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    whole = gzip.compress(("\n".join([RAW_HEADER, *[ROW] * 5000]) + "\n").encode())
    (raw / "day.csv.gz").write_bytes(whole[: len(whole) // 2])
    code = cli.main(["run", "--raw", str(raw), "--lake", str(tmp_path / "lake"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("ecom run: error: Spark failed: java.io.EOFException")
    assert err.count("\n") == 1
