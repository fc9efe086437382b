"""The local dashboard's figures on tiny inline frames: axes titled as the spec says, money
axes in the source's currency, the monthly chart on a monthly axis, the LTV donut in tier
order with customer counts on hover."""

from __future__ import annotations

import pandas as pd
import pytest

from ecom.dashboard.figures import figure, format_value
from ecom.dashboard.spec import AXIS_KINDS, SOURCES, band_column, for_source, measure_alias


def _visual(spec, visual_id):
    return next(v for s in spec["sheets"] for v in s["visuals"] if v["id"] == visual_id)


def _frame_for(visual) -> pd.DataFrame:
    """Two rows of plausible values for any spec visual (strings, numbers or dates)."""
    columns: dict[str, list] = {}
    for dim in visual.get("dimensions", []):
        if dim.get("format") in ("date", "month"):
            columns[dim["column"]] = pd.to_datetime(["2019-10-01", "2019-11-01"])
        else:
            columns[dim["column"]] = ["a", "b"]
    if visual["type"] == "histogram":
        columns[band_column(visual)] = ["0-6", "7-13"]
    for measure in [*visual["measures"], *visual.get("tooltip", [])]:
        columns[measure_alias(measure)] = [1.0, 2.0]
    return pd.DataFrame(columns)


@pytest.mark.parametrize("source", SOURCES)
def test_every_chart_has_both_axes_titled(whole_spec, source) -> None:
    spec = for_source(whole_spec, source)
    charts = [v for s in spec["sheets"] for v in s["visuals"] if v["type"] in AXIS_KINDS]
    assert charts
    for visual in charts:
        layout = figure(visual, _frame_for(visual), currency=spec["currency"]).layout
        titles = {layout.xaxis.title.text, layout.yaxis.title.text}
        assert titles == {visual["axes"]["x"], visual["axes"]["y"]}, visual["id"]
        assert "value" not in {t.lower() for t in titles}, visual["id"]


def test_monthly_revenue_is_on_a_monthly_axis_with_a_currency_title(spec) -> None:
    visual = _visual(spec, "monthly_revenue")
    frame = pd.DataFrame(
        {
            "month_start_date": pd.to_datetime(["2019-10-01", "2019-11-01", "2019-12-01"]),
            "revenue": [10.0, 20.0, 15.0],
        }
    )
    layout = figure(visual, frame, currency="USD").layout
    assert layout.xaxis.dtick == "M1"
    assert layout.xaxis.tickformat == "%b %Y"
    assert layout.xaxis.title.text == "Month"
    assert layout.yaxis.title.text == "Revenue (USD)"
    assert layout.yaxis.tickprefix == "$"


def test_ltv_donut_is_share_of_revenue_in_tier_order_with_customers_on_hover(spec) -> None:
    visual = _visual(spec, "ltv_tiers")
    # Rows in alphabetical order, as a query without the sort would return them.
    frame = pd.DataFrame(
        {
            "ltv_tier": ["High", "Low", "Medium", "VIP"],
            "ltv_quartile": [3, 1, 2, 4],
            "revenue": [300.0, 100.0, 200.0, 400.0],
            "customers": [7, 40, 20, 3],
        }
    )
    (pie,) = figure(visual, frame, currency="GBP").data
    assert list(pie.labels) == ["Low", "Medium", "High", "VIP"]
    assert list(pie.values) == [100.0, 200.0, 300.0, 400.0]
    assert pie.sort is False and "percent" in pie.textinfo
    assert [int(row[0]) for row in pie.customdata] == [40, 20, 7, 3]
    assert "Customers: %{customdata[0]" in pie.hovertemplate
    assert "£%{value" in pie.hovertemplate


@pytest.mark.parametrize(
    ("value", "fmt", "currency", "shown"),
    [
        (1234.5, "currency", "GBP", "£1,234.50"),
        (0.0312, "percent", "USD", "3.1%"),
        (12345, "integer", "USD", "12,345"),
        (0.7123, "number", "USD", "0.71"),
        (None, "currency", "USD", "–"),
        (float("nan"), "number", "USD", "–"),
    ],
)
def test_format_value(value, fmt, currency, shown) -> None:
    assert format_value(value, fmt, currency) == shown
