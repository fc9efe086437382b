"""Hostile input, one raw file per case, in one pipeline run (plus one re-run).

Every expectation below is counted by hand from the rows this module writes; nothing is
computed by the code under test. A bad *row* is quarantined with a reason; a bad *file* is
rejected whole, copied unchanged to `quarantine/files/<run_id>/`, and the run goes on.
"""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pytest

from ecom.jobs.pipeline import run_pipeline
from ecom.storage.lake import Lake

pytestmark = pytest.mark.e2e

HEADER = (
    "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session"
)
RUN_ID = "hostile-1"
RERUN_ID = "hostile-2"


def row(n: int, **changes: str) -> str:
    """A valid row, unique by n (so no two cases collide as duplicates), with some fields
    replaced; `drop`/`add` change the number of fields."""
    fields = {
        "event_time": f"2019-10-01 10:{n // 60:02d}:{n % 60:02d} UTC",
        "event_type": "view",
        "product_id": str(1000 + n),
        "category_id": "77",
        "category_code": "",
        "brand": f"brand{n}",
        "price": f"{n}.50",
        "user_id": str(500 + n),
        "user_session": f"s{n}",
    }
    fields.update({key: value for key, value in changes.items() if key in fields})
    values = list(fields.values())
    if "drop" in changes:
        values = values[:-1]
    if "add" in changes:
        values.append(changes["add"])
    return ",".join(values)


def csv_text(*lines: str, end: str = "\n") -> bytes:
    return (end.join(lines) + end).encode()


TRUNCATED_GZIP = gzip.compress(csv_text(HEADER, *[row(900 + n) for n in range(40)]))
# name → (bytes, expected status, expected reason or None)
CASES: dict[str, tuple[bytes, str, str | None]] = {
    # row-level problems: one good row each, the rest quarantined
    "wrong-column-count.csv": (
        csv_text(HEADER, row(1), row(2, drop="1"), row(3, add="extra")),
        "read",
        None,
    ),
    "bad-timestamp.csv": (
        csv_text(HEADER, row(4), row(5, event_time="2019-10-01T10:00:05Z"), row(6, event_time="x")),
        "read",
        None,
    ),
    "price-not-a-number.csv": (csv_text(HEADER, row(7), row(8, price="abc")), "read", None),
    "price-negative.csv": (csv_text(HEADER, row(9), row(10, price="-3.50")), "read", None),
    "null-ids.csv": (
        csv_text(
            HEADER, row(11), row(12, user_id=""), row(13, product_id=""), row(14, user_session="")
        ),
        "read",
        None,
    ),
    "unknown-event-type.csv": (
        csv_text(HEADER, row(15), row(16, event_type="click")),
        "read",
        None,
    ),
    # files that are fine, or empty
    "empty.csv": (b"", "skipped", "empty file (0 bytes or no lines)"),
    "header-only.csv": (csv_text(HEADER), "read", None),
    "bom.csv": (b"\xef\xbb\xbf" + csv_text(HEADER, row(17), row(18)), "read", None),
    "crlf.csv": (csv_text(HEADER, row(19), row(20), end="\r\n"), "read", None),
    "quoted-comma.csv": (
        csv_text(HEADER, row(21, brand='"Acme, Inc."', category_code='"kids,toys"')),
        "read",
        None,
    ),
    "valid.csv.gz": (gzip.compress(csv_text(HEADER, row(22), row(23), row(24))), "read", None),
    "extra-column.csv": (
        csv_text(
            "event_time,event_type,referrer,product_id,category_id,category_code,brand,price,user_id,user_session",
            "2019-10-01 11:00:00 UTC,cart,google,1025,77,,brand25,25.50,525,s25",
            "2019-10-01 11:00:01 UTC,purchase,,1026,77,,brand26,26.50,526,s26",
        ),
        "read",
        None,
    ),
    "day.csv": (csv_text(HEADER, row(27), row(28), row(29)), "read", None),
    # the same content delivered again under another name: its rows are exact duplicates
    "day-redelivered.csv": (csv_text(HEADER, row(27), row(28), row(29)), "read", None),
    # files rejected whole
    "truncated.csv.gz": (TRUNCATED_GZIP[: len(TRUNCATED_GZIP) // 2], "rejected", "truncated_gzip"),
    "not-gzip.csv.gz": (csv_text(HEADER, row(30)), "rejected", "corrupt_gzip"),
    "error-page.csv": (
        b"<!DOCTYPE html>\n<html><head><title>503</title></head>"
        b"<body>Service Unavailable</body></html>\n",
        "rejected",
        "not_csv",
    ),
    "access-denied.csv": (
        b'{"Code":"AccessDenied","Message":"Access Denied"}\n',
        "rejected",
        "not_csv",
    ),
    "missing-column.csv": (
        csv_text(
            "event_time,event_type,product_id,category_id,category_code,brand,user_session",
            "2019-10-01 12:00:00 UTC,view,1031,77,,brand31,s31",
        ),
        "rejected",
        "missing_columns",
    ),
}
REJECTED = [name for name, (_, status, _) in CASES.items() if status == "rejected"]

QUARANTINED = {
    "malformed_row": 2,  # wrong-column-count: one field short, one extra
    "invalid_event_time": 2,  # bad-timestamp
    "invalid_price": 1,  # price-not-a-number
    "negative_price": 1,  # price-negative
    "invalid_user_id": 1,  # null-ids
    "invalid_product_id": 1,  # null-ids
    "missing_user_session": 1,  # null-ids
    "invalid_event_type": 1,  # unknown-event-type
}
# good rows: one in each of the six row-level files, bom 2, crlf 2, quoted 1, gzip 3,
# extra-column 2, day 3 (its re-delivery adds none)
STAGED = 6 + 2 + 2 + 1 + 3 + 2 + 3
DUPLICATES = 3  # day-redelivered.csv
READ = STAGED + sum(QUARANTINED.values()) + DUPLICATES
FIXED = csv_text(HEADER, row(31))  # missing-column.csv delivered again, repaired


def staged_rows(spark, lake: Path):
    """The staged events as readers see them (the staged zone's layout is versioned now)."""
    try:
        from tests.lakeread import read_staged
    except ImportError:
        return spark.read.parquet(str(lake / "staged" / "events"))
    return read_staged(spark, Lake(str(lake)))


def by_name(report: dict) -> dict[str, dict]:
    return {entry["path"].rsplit("/", 1)[-1]: entry for entry in report["files"]}


@pytest.fixture(scope="module")
def hostile(spark, tmp_path_factory):
    """One run over every case, then a re-run with only missing-column.csv re-delivered."""
    raw = tmp_path_factory.mktemp("raw")
    for name, (content, _, _) in CASES.items():
        (raw / name).write_bytes(content)
    lake = tmp_path_factory.mktemp("lake")
    first = run_pipeline(spark, str(raw), str(lake), run_id=RUN_ID, show_progress=False)
    staged = {r["session_id"]: r.asDict() for r in staged_rows(spark, lake).collect()}
    (raw / "missing-column.csv").write_bytes(FIXED)
    second = run_pipeline(spark, str(raw), str(lake), run_id=RERUN_ID, show_progress=False)
    return raw, lake, first, staged, second


def test_every_file_has_an_outcome_and_a_reason(hostile) -> None:
    _, _, report, _, _ = hostile
    files = by_name(report)
    assert set(files) == set(CASES)
    for name, (content, status, reason) in CASES.items():
        assert (files[name]["status"], files[name]["reason"]) == (status, reason), name
        assert files[name]["bytes"] == len(content), name


def test_rejections_are_one_line_naming_the_file(hostile) -> None:
    _, _, report, _, _ = hostile
    files = by_name(report)
    for name in REJECTED:
        message = files[name]["message"]
        assert "\n" not in message
        assert message.startswith(files[name]["path"] + ": ")
    assert files["missing-column.csv"]["message"].endswith(
        "missing-column.csv: missing required column(s): price, user_id"
    )
    assert "truncated gzip" in files["truncated.csv.gz"]["message"]
    assert "<!DOCTYPE html>" in files["error-page.csv"]["message"]
    rejected_warnings = [w for w in report["warnings"] if w.startswith("file rejected")]
    assert len(rejected_warnings) == len(REJECTED)
    for name in REJECTED:
        assert sum(name in warning for warning in rejected_warnings) == 1
    assert any("referrer" in w and "extra-column.csv" in w for w in report["warnings"])


def test_rows_reconcile_and_rejected_rows_are_not_read(hostile) -> None:
    _, _, report, _, _ = hostile
    assert report["rows"] == {
        "read": READ,
        "staged": STAGED,
        "quarantined": sum(QUARANTINED.values()),
        "duplicates_dropped": DUPLICATES,
        "reconciles": True,
    }
    assert report["quarantined_by_reason"] == QUARANTINED


def test_rejected_files_are_kept_byte_for_byte(hostile) -> None:
    _, lake, _, _, _ = hostile
    kept = lake / "quarantine" / "files" / RUN_ID
    assert sorted(path.name for path in kept.iterdir()) == sorted(REJECTED)
    for name in REJECTED:
        assert (kept / name).read_bytes() == CASES[name][0], name


def test_good_rows_of_odd_but_valid_files_are_staged_with_their_values(hostile) -> None:
    _, _, _, staged, _ = hostile
    assert len(staged) == STAGED  # one row per session; day's sessions s27-s29 once each
    expected = {  # session → (source file, event_type, product_id, brand, category_code, price, user)
        "s17": ("bom.csv", "view", 1017, "brand17", None, "17.50", 517),
        "s18": ("bom.csv", "view", 1018, "brand18", None, "18.50", 518),
        "s19": ("crlf.csv", "view", 1019, "brand19", None, "19.50", 519),
        "s20": ("crlf.csv", "view", 1020, "brand20", None, "20.50", 520),
        "s21": ("quoted-comma.csv", "view", 1021, "Acme, Inc.", "kids,toys", "21.50", 521),
        "s22": ("valid.csv.gz", "view", 1022, "brand22", None, "22.50", 522),
        "s24": ("valid.csv.gz", "view", 1024, "brand24", None, "24.50", 524),
        "s25": ("extra-column.csv", "cart", 1025, "brand25", None, "25.50", 525),
        "s26": ("extra-column.csv", "purchase", 1026, "brand26", None, "26.50", 526),
    }
    for session, (source, event_type, product, brand, code, price, user) in expected.items():
        got = staged[session]
        assert got["source_file"].rsplit("/", 1)[-1] == source, session
        assert (got["event_type"], got["product_id"], got["brand"]) == (event_type, product, brand)
        assert (got["category_code"], got["price"], got["user_id"]) == (code, Decimal(price), user)
        assert got["category_id"] == 77
    assert str(staged["s25"]["event_at"]) == "2019-10-01 11:00:00"
    assert str(staged["s18"]["event_at"]) == "2019-10-01 10:00:18"
    assert staged["s28"]["source_file"].rsplit("/", 1)[-1] in {"day.csv", "day-redelivered.csv"}
    good_of_row_level_files = {"s1", "s4", "s7", "s9", "s11", "s15"}
    assert good_of_row_level_files <= set(staged)
    assert not {"s2", "s3", "s5", "s6", "s8", "s10", "s12", "s13", "s14", "s16"} & set(staged)
    assert not {f"s{n}" for n in (30, 31)} & set(staged)  # rows of rejected files
    assert not {f"s{900 + n}" for n in range(40)} & set(staged)


def test_rerun_skips_every_file_seen_and_reads_a_repaired_redelivery(hostile, spark) -> None:
    _, lake, _, _, report = hostile
    files = by_name(report)
    assert files["missing-column.csv"]["status"] == "read"
    for name in set(CASES) - {"missing-column.csv"}:
        assert files[name]["status"] == "skipped", name  # rejected ones too: not re-judged
        assert files[name]["reason"] == f"already ingested by run {RUN_ID}", name
    assert report["rows"] == {
        "read": 1,
        "staged": 1,
        "quarantined": 0,
        "duplicates_dropped": 0,
        "reconciles": True,
    }
    assert not [w for w in report["warnings"] if w.startswith("file rejected")]
    assert not (lake / "quarantine" / "files" / RERUN_ID).exists()
    assert staged_rows(spark, lake).where("session_id = 's31'").count() == 1
    assert staged_rows(spark, lake).count() == STAGED + 1
