"""Tests of the synthetic clickstream generator: format, exact sizes, determinism and shape.

Every expectation is computed with plain Python over the written CSV files.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import re
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import ecom.devdata.schedule as schedule_module
from ecom.devdata.generate import GenerateResult, generate
from ecom.sources.clickstream.contract import EVENT_TYPES, RAW_COLUMNS, RAW_HEADER

ROWS = 30_000
HEADER_LINE = (
    b"event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n"
)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
CODE_PATTERN = re.compile(r"[a-z_]+(\.[a-z_]+){1,3}")
BRAND_PATTERN = re.compile(r"[a-z0-9][a-z0-9.\-]*")
PRICE_PATTERN = re.compile(r"\d+\.\d\d")

Row = list[str]


def _read_rows(path: Path) -> list[Row]:
    """The data rows of one CSV file (plain or gzip), header checked and dropped."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        assert next(reader) == list(RAW_COLUMNS)
        return list(reader)


def _all_rows(files: list[Path]) -> list[Row]:
    """The data rows of all files, in file order."""
    return [row for path in files for row in _read_rows(path)]


def _dir_bytes(directory: Path) -> dict[str, bytes]:
    """File name to content for every file of a directory."""
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def _gunzip_dir(directory: Path) -> dict[str, bytes]:
    """File name without `.gz` to decompressed content for every file of a directory."""
    return {
        path.name.removesuffix(".gz"): gzip.decompress(path.read_bytes())
        for path in sorted(directory.iterdir())
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerateResult, Path]:
    """One default run of `ROWS` rows, one plain file per day."""
    out = tmp_path_factory.mktemp("per_day")
    return generate(out, ROWS, seed=42), out


@pytest.fixture(scope="module")
def rows(run: tuple[GenerateResult, Path]) -> list[Row]:
    """The data rows of the default run."""
    return _all_rows(run[0].files)


def _share(rows: list[Row], predicate: Callable[[Row], bool]) -> float:
    """Share of rows for which `predicate(row)` is true."""
    return sum(1 for row in rows if predicate(row)) / len(rows)


def test_header_is_exact_and_unquoted(run: tuple[GenerateResult, Path]) -> None:
    """Every file starts with the raw header line, unquoted, ending in a bare newline."""
    assert f"{RAW_HEADER}\n".encode() == HEADER_LINE
    for path in run[0].files:
        with path.open("rb") as handle:
            assert handle.readline() == HEADER_LINE


def test_row_count_is_exact(run: tuple[GenerateResult, Path], rows: list[Row]) -> None:
    """The files hold exactly the requested rows and the result says so."""
    assert len(rows) == ROWS
    assert run[0].rows == ROWS


def test_lines_end_with_newline_and_have_no_quotes(run: tuple[GenerateResult, Path]) -> None:
    """Rows end with `\\n` (no `\\r`), nothing is quoted and empty fields are empty."""
    for path in run[0].files[:5]:
        text = path.read_bytes()
        assert text.endswith(b"\n")
        assert b"\r" not in text
        assert b'"' not in text
        assert all(line.count(b",") == 8 for line in text.splitlines())


def test_per_day_files_cover_three_calendar_months(run: tuple[GenerateResult, Path]) -> None:
    """One file per day from 2019-10-01 to 2019-12-31, named after its day."""
    result, out = run
    days = [date(2019, 10, 1) + timedelta(days=i) for i in range(92)]
    assert [p.name for p in result.files] == [f"events-{d.isoformat()}.csv" for d in days]
    assert sorted(p.name for p in out.iterdir()) == [p.name for p in result.files]
    assert (result.first_date, result.last_date) == (days[0], days[-1])


def test_each_file_holds_its_day_sorted_by_time(run: tuple[GenerateResult, Path]) -> None:
    """Every row of a day file is on that UTC day and rows are in time order."""
    for path in run[0].files:
        day = path.name.removeprefix("events-").removesuffix(".csv")
        times = [row[0] for row in _read_rows(path)]
        assert times, f"{path.name} is empty"
        assert all(t.startswith(day) for t in times)
        assert times == sorted(times)


def test_some_sessions_cross_midnight(rows: list[Row]) -> None:
    """Sessions that run past midnight carry their later events into the next day's file."""
    days_per_session: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        days_per_session[row[8]].add(row[0][:10])
    assert any(len(days) > 1 for days in days_per_session.values())


def test_every_field_parses(rows: list[Row]) -> None:
    """Timestamps, ids, codes, brands, prices and session UUIDs have the raw formats."""
    for row in rows:
        event_time, event_type, product_id, category_id, code, brand, price, user, sess = row
        datetime.strptime(event_time, TIME_FORMAT)
        assert event_type in EVENT_TYPES
        assert 1_000_000 <= int(product_id) < 100_000_000
        assert 2**60 < 2_000_000_000_000_000_000 <= int(category_id) < 2**63
        assert code == "" or CODE_PATTERN.fullmatch(code)
        assert brand == "" or BRAND_PATTERN.fullmatch(brand)
        assert PRICE_PATTERN.fullmatch(price)
        assert Decimal(price) >= 0
        assert Decimal(price).as_tuple().exponent == -2
        assert 510_000_000 <= int(user) < 570_000_000
        assert str(uuid.UUID(sess)) == sess


def test_event_type_shares(rows: list[Row]) -> None:
    """About 96% views, 2% carts, 0.3% removals and 1.7% purchases."""
    counts = Counter(row[1] for row in rows)
    shares = {name: counts[name] / len(rows) for name in EVENT_TYPES}
    assert shares["view"] == pytest.approx(0.96, abs=0.01)
    assert shares["cart"] == pytest.approx(0.020, abs=0.005)
    assert shares["remove_from_cart"] == pytest.approx(0.003, abs=0.0015)
    assert shares["purchase"] == pytest.approx(0.017, abs=0.005)


def test_missing_brand_and_category_code_shares(rows: list[Row]) -> None:
    """About 14% of rows lack a brand and 32% a category_code."""
    assert _share(rows, lambda row: row[5] == "") == pytest.approx(0.14, abs=0.03)
    assert _share(rows, lambda row: row[4] == "") == pytest.approx(0.32, abs=0.04)


def test_product_attributes_are_fixed(rows: list[Row]) -> None:
    """A product always has the same category and brand; a category one code."""
    attributes: dict[str, tuple[str, str, str]] = {}
    codes: dict[str, str] = {}
    for row in rows:
        assert attributes.setdefault(row[2], (row[3], row[4], row[5])) == (row[3], row[4], row[5])
        assert codes.setdefault(row[3], row[4]) == row[4]


def test_duplicates_are_exact_adjacent_and_counted(run: tuple[GenerateResult, Path]) -> None:
    """The extra exact-duplicate rows sit next to their original and match the result."""
    result = run[0]
    adjacent = 0
    all_rows: list[tuple[str, ...]] = []
    for path in result.files:
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        adjacent += sum(1 for a, b in itertools.pairwise(lines) if a == b)
        all_rows.extend(tuple(row) for row in _read_rows(path))
    extra = len(all_rows) - len(set(all_rows))
    assert result.duplicates > 0
    assert extra == adjacent == result.duplicates
    assert result.duplicates == round(ROWS * 0.0003)


def test_sessions_and_returning_users(rows: list[Row]) -> None:
    """Sessions hold several events of one user and users come back for several sessions."""
    session_users: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        session_users[row[8]].add(row[7])
    assert all(len(users) == 1 for users in session_users.values())
    assert 4.0 <= len(rows) / len(session_users) <= 6.0
    users = {row[7] for row in rows}
    assert len(session_users) / len(users) > 1.5
    assert len(rows) / 20 < len(users) < len(rows) / 6


def test_session_times_increase(rows: list[Row]) -> None:
    """Events of a session (duplicates aside) have strictly increasing timestamps."""
    times: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        times[row[8]].append(row[0])
    for values in times.values():
        distinct = sorted(set(values))
        assert len(distinct) >= len(values) - 2


def test_product_popularity_is_zipf_like(rows: list[Row]) -> None:
    """The top 1% of viewed products take more than 10% of the views."""
    views = Counter(row[2] for row in rows if row[1] == "view")
    ranked = sorted(views.values(), reverse=True)
    top = max(1, len(ranked) // 100)
    assert sum(ranked[:top]) / sum(ranked) > 0.10
    assert len(ranked) > 200


def test_brand_popularity_is_skewed(rows: list[Row]) -> None:
    """A handful of brands take a large share of the branded rows."""
    brands = Counter(row[5] for row in rows if row[5])
    ranked = sorted(brands.values(), reverse=True)
    assert sum(ranked[:5]) / sum(ranked) > 0.25
    assert len(ranked) >= 20


def test_shopping_behaviour(rows: list[Row]) -> None:
    """Carts are removed sometimes, orders have several items, purchases follow views."""
    by_session: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_session[row[8]].append(row)
    removed_after_cart = multi_item_orders = purchases = seen_before = 0
    for events in by_session.values():
        events.sort(key=lambda row: row[0])
        seen: set[str] = set()
        carted: set[str] = set()
        bought: set[str] = set()
        for row in events:
            kind, product = row[1], row[2]
            if kind == "remove_from_cart" and product in carted:
                removed_after_cart += 1
            elif kind == "purchase":
                purchases += 1
                seen_before += product in seen
                bought.add(product)
            elif kind == "cart":
                carted.add(product)
            seen.add(product)
        multi_item_orders += len(bought) > 1
    assert removed_after_cart > 0
    assert multi_item_orders > 0
    assert seen_before / purchases > 0.5


def test_prices(rows: list[Row]) -> None:
    """Purchase prices have a median of a few hundred at most and a max of a few thousand."""
    purchase_prices = [Decimal(row[6]) for row in rows if row[1] == "purchase"]
    assert 50 <= statistics.median(purchase_prices) <= 300
    all_prices = [Decimal(row[6]) for row in rows]
    assert min(all_prices) > 0
    assert 500 < max(all_prices) < 5_000


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    """The same arguments write byte-identical files; another seed writes others."""
    generate(tmp_path / "a", 5_000, seed=7)
    generate(tmp_path / "b", 5_000, seed=7)
    generate(tmp_path / "c", 5_000, seed=8)
    first = _dir_bytes(tmp_path / "a")
    assert first == _dir_bytes(tmp_path / "b")
    other = _dir_bytes(tmp_path / "c")
    assert first.keys() == other.keys()
    assert first != other


def test_gzip_matches_plain_output(tmp_path: Path) -> None:
    """Gzip files decompress to the plain files of the same seed, reproducibly."""
    plain = generate(tmp_path / "plain", 10_000, seed=3)
    packed = generate(tmp_path / "packed", 10_000, seed=3, gzip=True)
    generate(tmp_path / "again", 10_000, seed=3, gzip=True)
    assert all(path.name.endswith(".csv.gz") for path in packed.files)
    assert _gunzip_dir(tmp_path / "packed") == _dir_bytes(tmp_path / "plain")
    assert _dir_bytes(tmp_path / "packed") == _dir_bytes(tmp_path / "again")
    assert packed.rows == plain.rows == len(_all_rows(packed.files))
    assert packed.duplicates == plain.duplicates


def test_single_file_equals_the_days_concatenated(tmp_path: Path) -> None:
    """Single-file mode writes one `events.csv` with the day files' rows in order."""
    days = generate(tmp_path / "days", 8_000, seed=5)
    single = generate(tmp_path / "single", 8_000, seed=5, per_day=False)
    assert [path.name for path in single.files] == ["events.csv"]
    assert [path.name for path in (tmp_path / "single").iterdir()] == ["events.csv"]
    body = b"".join(path.read_bytes()[len(HEADER_LINE) :] for path in days.files)
    assert single.files[0].read_bytes() == HEADER_LINE + body
    assert single.rows == 8_000


def test_single_gzip_file(tmp_path: Path) -> None:
    """Single-file gzip mode writes `events.csv.gz` with all rows."""
    result = generate(tmp_path, 2_000, per_day=False, gzip=True)
    assert [path.name for path in result.files] == ["events.csv.gz"]
    assert len(_all_rows(result.files)) == 2_000


def test_thousand_rows(tmp_path: Path) -> None:
    """A tiny run still writes every day and exactly the requested rows."""
    result = generate(tmp_path, 1_000)
    assert len(result.files) == 92
    assert len(_all_rows(result.files)) == 1_000
    assert result.duplicates == 0


def test_zero_rows_writes_headers_only(tmp_path: Path) -> None:
    """No rows: one header-only file per day."""
    result = generate(tmp_path, 0, months=1)
    assert len(result.files) == 31
    assert all(path.read_bytes() == HEADER_LINE for path in result.files)


def test_start_and_months_follow_the_calendar(tmp_path: Path) -> None:
    """A range is whole calendar months from `start` (February of a leap year too)."""
    november = generate(tmp_path / "nov", 3_000, start=date(2019, 11, 1), months=1)
    assert [november.first_date, november.last_date] == [date(2019, 11, 1), date(2019, 11, 30)]
    assert len(november.files) == 30
    leap = generate(tmp_path / "leap", 3_000, start=date(2019, 12, 1), months=3)
    assert len(leap.files) == 31 + 31 + 29
    assert leap.last_date == date(2020, 2, 29)
    assert len(_all_rows(leap.files)) == 3_000


def test_duplicate_rate_zero(tmp_path: Path) -> None:
    """Without duplicates every row is distinct."""
    result = generate(tmp_path, 10_000, duplicate_rate=0.0)
    all_rows = [tuple(row) for row in _all_rows(result.files)]
    assert result.duplicates == 0
    assert len(set(all_rows)) == len(all_rows) == 10_000


def test_sub_day_windows_keep_the_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Days split into many windows stay exact in size, on their day and in time order."""
    monkeypatch.setattr(schedule_module, "CHUNK_ROWS", 200)
    result = generate(tmp_path, 20_000, months=1, duplicate_rate=0.001)
    total = 0
    all_rows: list[tuple[str, ...]] = []
    for path in result.files:
        day = path.name.removeprefix("events-").removesuffix(".csv")
        day_rows = _read_rows(path)
        times = [row[0] for row in day_rows]
        assert all(t.startswith(day) for t in times)
        assert times == sorted(times)
        total += len(day_rows)
        all_rows.extend(tuple(row) for row in day_rows)
    assert total == 20_000
    assert len(all_rows) - len(set(all_rows)) == result.duplicates == 20


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": -1}, "rows"),
        ({"rows": 10, "months": 0}, "months"),
        ({"rows": 10, "seed": -1}, "seed"),
        ({"rows": 10, "duplicate_rate": 0.7}, "duplicate_rate"),
    ],
)
def test_bad_arguments_are_rejected(tmp_path: Path, kwargs: dict[str, int], message: str) -> None:
    """Impossible arguments raise ValueError naming the argument."""
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, **kwargs)  # type: ignore[arg-type]
