"""Judging raw files before any row is read: header checks, whole-gzip checks, where rejected
files go."""

from __future__ import annotations

import gzip

import pytest

from ecom.sources.clickstream.contract import RAW_COLUMNS, RAW_HEADER
from ecom.storage.rawcheck import (
    check_gzip_files,
    gzip_problem,
    header_rejection,
    rejected_files_path,
    screen_raw_files,
)
from ecom.storage.rawfiles import RawFile, list_raw_files

ROW = "2019-10-01 00:00:05 UTC,view,1,2,,,1.00,3,s1"


def reason_of(header: str | None, path: str = "s3://b/raw/day.csv", error: str | None = None):
    rejection = header_rejection(RawFile(path, 10, header, 0, error), RAW_COLUMNS)
    return None if rejection is None else (rejection.reason, rejection.message)


def test_our_header_in_any_order_case_or_with_a_bom_is_accepted() -> None:
    assert reason_of(RAW_HEADER) is None
    assert reason_of("\ufeff" + RAW_HEADER.upper()) is None
    assert reason_of(",".join(reversed(RAW_HEADER.split(","))) + ",extra") is None
    assert reason_of(None) is None  # empty: skipped, not rejected


@pytest.mark.parametrize(
    "header",
    [
        "<!DOCTYPE html>",
        "<html><head><title>Error</title>",
        "  <?xml version='1.0'?><Error><Code>NoSuchKey</Code></Error>",
        "\ufeff<!doctype HTML>",
        "oops <html>",
    ],
)
def test_markup_is_not_csv(header: str) -> None:
    reason, message = reason_of(header)
    assert reason == "not_csv"
    assert message.startswith("s3://b/raw/day.csv: not CSV: the first line is markup: ")


def test_json_binary_and_blank_first_lines() -> None:
    assert reason_of('{"Code":"AccessDenied"}')[0] == "not_csv"
    assert reason_of("PAR1\x00\x15\x04")[0] == "not_csv"
    assert reason_of("\ufffd\ufffd\x08garbage")[0] == "not_csv"
    assert reason_of("  \r") == (
        "no_header",
        "s3://b/raw/day.csv: the first line is blank, expected a header",
    )


def test_missing_columns_message_is_the_one_of_missing_columns_error() -> None:
    header = "event_time,event_type,product_id,category_id,category_code,brand,user_session"
    assert reason_of(header) == (
        "missing_columns",
        "s3://b/raw/day.csv: missing required column(s): price, user_id",
    )


def test_read_errors_of_plain_files_reject_them_and_of_gzip_files_wait_for_the_gzip_check() -> None:
    reason, message = reason_of(None, "s3://b/raw/day.csv.bz2", "java.io.IOException: bad block")
    assert reason == "unreadable"
    assert message == "s3://b/raw/day.csv.bz2: cannot read the file: java.io.IOException: bad block"
    assert reason_of(None, "s3://b/raw/day.csv.gz", "java.io.EOFException") is None


def test_gzip_problem_whole_truncated_corrupt_and_concatenated() -> None:
    whole = gzip.compress(("\n".join([RAW_HEADER, *[ROW] * 2000]) + "\n").encode())
    assert gzip_problem(whole) is None
    assert gzip_problem(whole + gzip.compress(b"more\n")) is None  # two members
    assert gzip_problem(gzip.compress(b"")) is None
    assert gzip_problem(whole[:-1])[0] == "truncated_gzip"  # trailer cut
    assert gzip_problem(whole[: len(whole) // 2])[0] == "truncated_gzip"
    assert gzip_problem(whole[:5])[0] == "truncated_gzip"  # inside the gzip header
    assert gzip_problem(RAW_HEADER.encode())[0] == "corrupt_gzip"  # not gzip at all
    flipped = bytearray(whole)
    flipped[-6] ^= 0xFF  # the CRC32 in the trailer
    assert gzip_problem(bytes(flipped)) == (
        "corrupt_gzip",
        "not a valid gzip stream (Error -3 while decompressing data: incorrect data check)",
    )
    reason, detail = gzip_problem(whole + b"garbage")
    assert reason == "corrupt_gzip" and "after gzip member 1" in detail


def test_gzip_problem_keeps_memory_bounded_on_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20))  # 64 MiB of zeros in ~64 KiB
    assert len(bomb) < 200_000
    assert gzip_problem(bomb) is None


def test_rejected_files_go_beside_the_quarantined_rows() -> None:
    assert rejected_files_path("s3://b/lake/quarantine/events/", "r1") == (
        "s3://b/lake/quarantine/files/r1"
    )
    assert rejected_files_path("/data/lake/quarantine/events", "r1") == (
        "/data/lake/quarantine/files/r1"
    )
    assert rejected_files_path("s3://quarantine-bucket", "r1") == "s3://quarantine-bucket/_files/r1"


def test_gzip_check_runs_on_executors_and_names_each_file(spark, tmp_path) -> None:
    whole = gzip.compress(f"{RAW_HEADER}\n{ROW}\n".encode())
    (tmp_path / "good.csv.gz").write_bytes(whole)
    (tmp_path / "cut.csv.gz").write_bytes(whole[:-3])
    results = {
        path.rsplit("/", 1)[-1]: (ok, error)
        for path, ok, error in check_gzip_files(
            spark, [str(tmp_path / "good.csv.gz"), str(tmp_path / "cut.csv.gz")]
        )
    }
    assert results["good.csv.gz"] == (True, None)
    assert results["cut.csv.gz"][0] is False
    assert results["cut.csv.gz"][1].startswith("truncated_gzip: ")
    assert check_gzip_files(spark, []) == []


def test_screening_rejects_copies_and_keeps_the_rest(spark, tmp_path) -> None:
    raw = tmp_path / "raw"
    (raw / "2019" / "10").mkdir(parents=True)
    good = f"{RAW_HEADER}\n{ROW}\n".encode()
    (raw / "good.csv").write_bytes(good)
    (raw / "empty.csv").write_bytes(b"")
    (raw / "2019" / "10" / "page.csv").write_bytes(b"<html>\n<body>gone</body>\n")
    whole = gzip.compress(good)
    (raw / "cut.csv.gz").write_bytes(whole[:-3])
    (raw / "plain.csv.gz").write_bytes(good)  # plain text named .gz: its first line fails
    files = list_raw_files(spark, str(raw))
    target = str(tmp_path / "lake" / "quarantine" / "files" / "r1")

    screening = screen_raw_files(spark, str(raw), files, target, RAW_COLUMNS)

    names = {f.path.rsplit("/", 1)[-1]: f.path for f in files}
    assert sorted(f.path.rsplit("/", 1)[-1] for f in screening.readable) == [
        "empty.csv",
        "good.csv",
    ]
    assert {path.rsplit("/", 1)[-1]: r.reason for path, r in screening.rejected.items()} == {
        "page.csv": "not_csv",
        "cut.csv.gz": "truncated_gzip",
        "plain.csv.gz": "corrupt_gzip",
    }
    assert screening.rejected[names["cut.csv.gz"]].message.startswith(
        f"{names['cut.csv.gz']}: truncated gzip: "
    )
    kept = tmp_path / "lake" / "quarantine" / "files" / "r1"
    assert (kept / "2019" / "10" / "page.csv").read_bytes() == b"<html>\n<body>gone</body>\n"
    assert (kept / "cut.csv.gz").read_bytes() == whole[:-3]
    assert (kept / "plain.csv.gz").read_bytes() == good
    assert not (kept / "good.csv").exists()
    assert len(screening.warnings) == 3
    assert all(w.startswith("file rejected (") for w in screening.warnings)


def test_screening_one_file_named_as_raw_path_keeps_its_name(spark, tmp_path) -> None:
    (tmp_path / "day.csv").write_text("event_time,event_type\n")
    path = str(tmp_path / "day.csv")
    screening = screen_raw_files(
        spark, path, list_raw_files(spark, path), str(tmp_path / "q"), RAW_COLUMNS
    )
    assert [r.reason for r in screening.rejected.values()] == ["missing_columns"]
    assert (tmp_path / "q" / "day.csv").read_text() == "event_time,event_type\n"
