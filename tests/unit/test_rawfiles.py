"""Listing raw files and reading their headers through Hadoop's FileSystem."""

from __future__ import annotations

import gzip

import pytest

from ecom.errors import InvalidArgumentError, MissingColumnsError
from ecom.sources.base import group_by_layout, header_columns, layout_of
from ecom.sources.clickstream.contract import RAW_COLUMNS, RAW_HEADER
from ecom.storage.rawfiles import list_raw_files


def test_header_columns_strip_bom_quotes_spaces_and_case() -> None:
    assert header_columns('\ufeffEvent_Time, "brand" ,price') == ["event_time", "brand", "price"]


def test_layout_maps_reordered_columns_and_lists_extras() -> None:
    header = (
        "user_session,extra,"
        + ",".join(
            ["event_time", "event_type", "product_id", "category_id", "category_code", "brand"]
        )
        + ",price,user_id"
    )
    layout = layout_of("f.csv", header, RAW_COLUMNS)
    assert layout.positions["user_session"] == 0
    assert layout.positions["event_time"] == 2
    assert layout.positions["user_id"] == 9
    assert layout.width == 10
    assert layout.extra_columns == ("extra",)


def test_missing_columns_error_names_file_and_columns() -> None:
    header = "event_time,event_type,product_id,category_id,category_code,brand,user_session"
    with pytest.raises(MissingColumnsError) as error:
        layout_of("s3://bucket/raw/day1.csv", header, RAW_COLUMNS)
    assert (
        str(error.value) == "s3://bucket/raw/day1.csv: missing required column(s): price, user_id"
    )


def test_list_raw_files_reads_headers_plain_gzip_and_skips_hidden(spark, tmp_path) -> None:
    (tmp_path / "a.csv").write_text(RAW_HEADER + "\n1,2\n")
    with gzip.open(tmp_path / "b.csv.gz", "wt") as handle:
        handle.write(RAW_HEADER + "\r\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".hidden.csv").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.csv").write_text(RAW_HEADER + "\n")

    files = list_raw_files(spark, str(tmp_path))

    names = [f.path.rsplit("/", 1)[-1] for f in files]
    assert names == ["a.csv", "b.csv.gz", "empty.csv", "c.csv"]
    assert [f.header for f in files] == [RAW_HEADER, RAW_HEADER, None, RAW_HEADER]
    layouts = group_by_layout([(f.path, f.header) for f in files], RAW_COLUMNS)
    assert len(layouts) == 1 and len(layouts[0].files) == 3


def test_list_raw_files_missing_folder_is_one_line_error(spark, tmp_path) -> None:
    with pytest.raises(InvalidArgumentError, match=r"--raw .*nope: no such file or folder"):
        list_raw_files(spark, str(tmp_path / "nope"))


def test_layout_header_drops_the_bom_as_spark_line_reader_does() -> None:
    layout = layout_of("f.csv", "\ufeff" + RAW_HEADER + "\r", RAW_COLUMNS)
    assert layout.header == RAW_HEADER


def test_a_file_whose_first_line_cannot_be_read_is_listed_with_why(spark, tmp_path) -> None:
    (tmp_path / "plain.csv.gz").write_text(RAW_HEADER + "\n")  # not gzip

    [listed] = list_raw_files(spark, str(tmp_path))

    assert listed.header is None
    assert listed.error is not None and "\n" not in listed.error
    assert listed.error.startswith("java.")
