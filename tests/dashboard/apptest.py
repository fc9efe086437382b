"""Helpers of the AppTest tests: open the app on a lake, switch sheets, read its panels."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP

__all__ = ["APP", "TIMEOUT"]

TIMEOUT = 180


def open_app(lake: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("ECOM_LAKE", str(lake))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def panel_tables(at: AppTest, spec, sheet: str) -> dict:
    """The data table of each panel of a sheet, by visual id (panels render in spec order)."""
    (wanted,) = [s for s in spec["sheets"] if s["title"] == sheet]
    ids = [v["id"] for v in wanted["visuals"] if v["type"] != "kpi"]
    frames = [frame.value for frame in at.dataframe]
    assert len(frames) == len(ids)
    return dict(zip(ids, frames, strict=True))


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def open_sheet(at: AppTest, sheet: str) -> AppTest:
    at.sidebar.radio(key="sheet").set_value(sheet).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def latest_report(lake: Path) -> dict:
    reports = [json.loads(p.read_text()) for p in (lake / "reports" / "runs").glob("*.json")]
    return max(reports, key=lambda report: report["finished_at"])
