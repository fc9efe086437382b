"""The Customers sheet's country filter on the hand-written lake of segmented retail customers
(tests/sql/retail_segments.py): choosing countries changes the segment distribution, the
segment profiles (shares and averages of the chosen countries' customers) and the
transitions to the figures worked out by hand in that module; the model-quality panel is not
per country. Expected values are written out here, not queried."""

from __future__ import annotations

import pytest

from tests.dashboard.apptest import open_app, open_sheet

PROFILE_COLUMNS = [
    "Segment",
    "Customers",
    "Share of customers",
    "Revenue",
    "Share of revenue",
    "Average spend",
    "Average order value",
    "Orders per customer",
    "Days since last order",
]


@pytest.fixture
def customers(retail_segments_lake, monkeypatch):
    return open_sheet(open_app(retail_segments_lake, monkeypatch), "Customers")


# The panels with rows, in sheet order: the lake has no churn scores or model evaluation,
# so those panels show a note instead of a table.
SHOWN = (
    "segment_customers",
    "segment_revenue",
    "segment_profile",
    "segment_transitions",
    "segment_model_quality",
)


def panels(at) -> dict:
    """Each shown panel's data table by visual id."""
    frames = [frame.value for frame in at.dataframe]
    assert len(frames) == len(SHOWN)
    return dict(zip(SHOWN, frames, strict=True))


def choose_countries(at, countries: list[str]):
    at.sidebar.multiselect(key="country").set_value(countries).run()
    assert not at.exception, [e.value for e in at.exception]
    return panels(at)


def by_segment(frame, column: str) -> dict[str, float]:
    return {s: float(v) for s, v in zip(frame["segment"], frame[column], strict=True)}


def profile_rows(frame) -> list[list[str]]:
    assert list(frame.columns) == PROFILE_COLUMNS
    return [list(map(str, row)) for row in frame.itertuples(index=False)]


def transitions(frame) -> dict[tuple[str, str, str], int]:
    rows = zip(frame["Changed on"], frame["From"], frame["To"], frame["Customers"], strict=True)
    return {(day, left, entered): int(count) for day, left, entered, count in rows}


def test_the_country_filter_offers_the_customers_countries(customers) -> None:
    options = customers.sidebar.multiselect(key="country").options
    assert options == ["France", "Germany", "United Kingdom", "unknown"]


def test_every_country_by_default(customers) -> None:
    shown = panels(customers)
    assert by_segment(shown["segment_customers"], "customers") == {
        "Champions": 3,
        "At risk": 2,
        "Hibernating": 2,
    }
    # Shares of all 7 customers and of 1,275.85; Champions: 1,050.75 / 3 = 350.25 each,
    # 1,050.75 / 12 orders = 87.5625, 12 / 3 = 4 orders, (2 + 4 + 1) / 3 = 2.33 days.
    assert profile_rows(shown["segment_profile"]) == [
        ["Champions", "3", "42.9%", "£1,050.75", "82.4%", "£350.25", "£87.56", "4.00", "2.33"],
        ["At risk", "2", "28.6%", "£200.10", "15.7%", "£100.05", "£66.70", "1.50", "75.00"],
        ["Hibernating", "2", "28.6%", "£25.00", "2.0%", "£12.50", "£12.50", "1.00", "135.00"],
    ]


def test_one_country_shows_its_customers_alone(customers) -> None:
    shown = choose_countries(customers, ["United Kingdom"])
    assert by_segment(shown["segment_customers"], "customers") == {"Champions": 2, "At risk": 1}
    assert by_segment(shown["segment_revenue"], "revenue") == {
        "Champions": 800.50,
        "At risk": 80.10,
    }
    # Shares of the UK's 3 customers and 880.60: 2/3, 800.50/880.60 = 90.9%; Champions'
    # AOV 800.50 / 8 orders = 100.06.
    assert profile_rows(shown["segment_profile"]) == [
        ["Champions", "2", "66.7%", "£800.50", "90.9%", "£400.25", "£100.06", "4.00", "3.00"],
        ["At risk", "1", "33.3%", "£80.10", "9.1%", "£80.10", "£80.10", "1.00", "90.00"],
    ]
    assert transitions(shown["segment_transitions"]) == {
        ("2011-01-10", "At risk", "Champions"): 1,
        ("2010-12-09", "(new)", "At risk"): 2,
        ("2010-12-09", "(new)", "Champions"): 1,
    }


def test_two_countries_add_up_before_shares_and_averages(customers) -> None:
    shown = choose_countries(customers, ["France", "United Kingdom"])
    # Champions 2 UK + 1 France: 1,050.75 of 1,250.85 (84.0%), 12 orders; At risk 1 + 1:
    # 200.10 (16.0%), 3 orders, (60 + 90) / 2 = 75 days.
    assert profile_rows(shown["segment_profile"]) == [
        ["Champions", "3", "60.0%", "£1,050.75", "84.0%", "£350.25", "£87.56", "4.00", "2.33"],
        ["At risk", "2", "40.0%", "£200.10", "16.0%", "£100.05", "£66.70", "1.50", "75.00"],
    ]
    assert transitions(shown["segment_transitions"]) == {
        ("2011-01-10", "At risk", "Champions"): 1,
        ("2011-01-10", "Champions", "At risk"): 1,
        ("2010-12-09", "(new)", "At risk"): 2,
        ("2010-12-09", "(new)", "Champions"): 3,
    }


def test_countries_and_segments_filter_together(customers) -> None:
    customers.sidebar.multiselect(key="segment").set_value(["Hibernating"]).run()
    shown = choose_countries(customers, ["unknown"])
    assert profile_rows(shown["segment_profile"]) == [
        ["Hibernating", "1", "100.0%", "£10.00", "100.0%", "£10.00", "£10.00", "1.00", "150.00"],
    ]
    assert transitions(shown["segment_transitions"]) == {("2011-01-10", "(new)", "Hibernating"): 1}


def test_model_quality_is_not_per_country(customers) -> None:
    before = panels(customers)["segment_model_quality"]
    after = choose_countries(customers, ["Germany"])["segment_model_quality"]
    assert len(before) == 4  # runs r1 and r2, k = 2 and 3
    assert after.equals(before)
