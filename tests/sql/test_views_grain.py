"""The grain each view states (`-- grain: one row per ...`) holds: the key columns of that
grain are unique and never null, for each source's views on its lake. Checked on DuckDB;
tests/sql/test_views_parity.py shows Spark SQL returns the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecom.catalog.ddl import view_files
from ecom.query.local import LocalEngine
from tests.sql.helpers import SOURCES, lake_of

# The customer models' views, the same SQL for every source; the retail test lake (three
# tiny days) has too few customers to segment or score, so they are checked on the
# clickstream lake only.
CUSTOMER_GRAIN_KEYS: dict[str, tuple[str, ...]] = {
    "customer_segments": ("segment",),
    "customer_segments_by_country": ("segment", "country"),
    "segment_transitions": ("run_id", "from_segment", "to_segment", "country"),
    "segment_model_quality": ("run_id", "k"),
    "churn_risk": ("risk_band",),
    "clv_forecast": ("decile",),
    "model_evaluation": ("run_id", "model", "metric"),
}
# View → the columns its grain comment names; () for a one-row view.
GRAIN_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "clickstream": {
        "user_ltv": ("user_id",),
        "kpi_summary": (),
        "monthly_revenue": ("month_key",),
        "weekday_revenue": ("year_month", "iso_weekday"),
        "top_brands": ("brand",),
        "top_categories": ("category_code",),
        "ltv_tier_distribution": ("ltv_tier",),
        "daily_kpis": ("summary_date",),
        "product_performance": ("product_id",),
        "rfm_segments": ("user_id",),
        "cohort_retention": ("cohort_month", "months_since_first_purchase"),
        "session_funnel": ("period_grain", "period_start"),
        **CUSTOMER_GRAIN_KEYS,
    },
    "online-retail": {
        "user_ltv": ("user_id",),
        "kpi_summary": (),
        "monthly_revenue": ("month_key",),
        "weekday_revenue": ("year_month", "iso_weekday"),
        "ltv_tier_distribution": ("ltv_tier",),
        "daily_kpis": ("summary_date",),
        "product_performance": ("stock_code",),
        "rfm_segments": ("user_id",),
        "cohort_retention": ("cohort_month", "months_since_first_purchase"),
        "revenue_by_country": ("country",),
        "non_product_lines": ("stock_code", "line_kind"),
    },
}
CASES = [(source, view) for source in SOURCES for view in sorted(GRAIN_KEYS[source])]


@pytest.fixture(scope="module")
def grain_engines():
    """Lake folder → the local engine on it, opened on first use."""
    opened: dict[Path, LocalEngine] = {}

    def engine(lake: Path) -> LocalEngine:
        if lake not in opened:
            opened[lake] = LocalEngine(lake)
        return opened[lake]

    yield engine
    for opened_engine in opened.values():
        opened_engine.close()


def test_every_view_of_each_source_has_its_grain_here():
    for source in SOURCES:
        checked = set(GRAIN_KEYS[source]) | set(CUSTOMER_GRAIN_KEYS)
        assert checked == set(view_files(source=source)), source


@pytest.mark.e2e  # opens each source's pipeline lake by name (lake_of)
@pytest.mark.parametrize(("source", "view"), CASES)
def test_grain_keys_are_unique_and_not_null(request, grain_engines, source, view):
    engine = grain_engines(lake_of(request, source))
    keys = GRAIN_KEYS[source][view]
    if not keys:
        assert len(engine.query(f"select * from {view}").rows) == 1
        return
    rows = engine.query(f"select {', '.join(keys)} from {view}").rows
    assert rows, f"{view} is empty on the {source} test lake"
    assert all(value is not None for row in rows for value in row), f"{view}: null key"
    assert len(set(rows)) == len(rows), f"{view}: {keys} repeat"
