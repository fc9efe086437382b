"""The running local dashboard in headless Chromium: each sheet renders, no error element.

Chromium and chromedriver come from Debian (`scripts/ensure_chromium.sh`, which `make test`
runs; here too when they are missing and we are root), run with --headless --no-sandbox
--disable-gpu and a fresh --user-data-dir. Two lakes: the clickstream `sql_lake` (every
customer model ran) for its six sheets, the Online Retail `retail_lake` for the retail
sheet. With $ECOM_SCREENSHOTS naming a folder, each sheet's screenshot is written there as
dashboard-<sheet id>.png once Plotly has drawn it (`make screenshots` refreshes docs/img,
which the README shows); without it the tests only wait until each sheet shows its texts
(a test run leaves the repository's files alone).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.dashboard.conftest import REPO, env_with_src

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS_ENV = "ECOM_SCREENSHOTS"
WAIT = 120
WINDOW = (1600, 1400)
MAX_SHOT_HEIGHT = 6000


def ensure_chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.geteuid() != 0 and not shutil.which("sudo"):
        pytest.skip("chromium/chromium-driver missing and not root: run scripts/ensure_chromium.sh")
    result = subprocess.run(
        [str(REPO / "scripts" / "ensure_chromium.sh")], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"could not install chromium: {result.stderr.strip()[-300:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(lake: Path, log: Path) -> Iterator[str]:
    """`ecom dashboard` (its streamlit command line) on a free port; stopped afterwards."""
    from ecom.cli.dashboard import streamlit_command

    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            streamlit_command(str(lake), port),
            cwd=REPO,
            env=env_with_src(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
            if process.poll() is not None:
                pytest.fail(f"streamlit exited: {log.read_text()[-2000:]}")
        else:
            pytest.fail(f"streamlit did not start in {WAIT}s: {log.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    ensure_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def _wait_rendered(driver, expected_text: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(drv) -> bool:
        body = drv.find_element("tag name", "body").text
        running = drv.find_elements("css selector", '[data-testid="stStatusWidget"]')
        return expected_text in body and not any(el.is_displayed() for el in running)

    # Streamlit replaces elements while it reruns: one gone between finding it and asking
    # whether it shows means "not settled yet", and the wait polls again.
    wait = WebDriverWait(
        driver, WAIT, poll_frequency=0.5, ignored_exceptions=(StaleElementReferenceException,)
    )
    wait.until(ready)


def _full_page_screenshot(browser, path: Path) -> None:
    """The whole sheet, not only the window: Streamlit scrolls inside its main block, so the
    window grows to that block's height for the shot (at most MAX_SHOT_HEIGHT pixels)."""
    time.sleep(1.0)  # let Plotly finish drawing
    height = browser.execute_script(
        "const main = document.querySelector('[data-testid=\"stMain\"]');"
        "return main ? main.scrollHeight : document.body.scrollHeight;"
    )
    width = WINDOW[0]
    browser.set_window_size(width, min(int(height) + 40, MAX_SHOT_HEIGHT))
    time.sleep(1.5)  # Plotly redraws at the new size
    browser.save_screenshot(str(path))
    browser.set_window_size(*WINDOW)


def _show_sheets(browser, url: str, expected: dict[str, tuple[str, list[str]]]) -> None:
    """Open each sheet (title → (sheet id, texts it must show)), wait for it, screenshot it,
    and check it shows no error element and every expected text."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    screenshots = (REPO / folder) if folder else None
    if screenshots:
        screenshots.mkdir(parents=True, exist_ok=True)
    browser.get(url)
    for number, (sheet, (sheet_id, texts)) in enumerate(expected.items()):
        if number:
            label = browser.find_element(
                "xpath", f'//section[@data-testid="stSidebar"]//label[.//p[text()="{sheet}"]]'
            )
            label.click()
        _wait_rendered(browser, texts[0])
        body = browser.find_element("tag name", "body").text
        errors = browser.find_elements("css selector", '[data-testid="stException"]')
        if screenshots:
            _full_page_screenshot(browser, screenshots / f"dashboard-{sheet_id}.png")
        assert not errors, f"{sheet}: {[e.text for e in errors]}"
        for text in texts:
            assert text in body, f"{sheet}: {text!r} not shown"


def test_every_clickstream_sheet_renders_in_chromium(browser, sql_lake, tmp_path) -> None:
    from ecom.query.local import LocalEngine

    with LocalEngine(sql_lake.lake) as engine:
        kpi = engine.query("select * from kpi_summary").records()[0]
        latest = engine.query("select max(summary_date) from daily_kpis").rows[0][0]
        segment = engine.query(
            "select segment from customer_features where segment is not null "
            "group by segment order by count(*) desc limit 1"
        ).rows[0][0]
        roc = engine.query(
            "select model_value from model_evaluations where metric = 'roc_auc' "
            "order by evaluated_at desc limit 1"
        ).rows[0][0]
    expected = {
        "Executive": (
            "executive",
            [f"${kpi['lifetime_revenue']:,.2f}", f"{kpi['total_orders']:,}", "Revenue by month"],
        ),
        "Sales": ("sales", ["Top 10 products by revenue", "Revenue per day"]),
        "Customer value": ("customer_value", ["Customers by days since their last purchase"]),
        "Customers": ("customers", [f"{roc:,.2f}", segment, "Segment transitions per run"]),
        "Funnel": ("funnel", ["Sessions: view"]),
        "Data quality": ("data_quality", [latest.isoformat()]),
    }
    with serve(sql_lake.lake, tmp_path / "clickstream.log") as url:
        _show_sheets(browser, url, expected)


def test_the_retail_sheet_renders_in_chromium(browser, retail_lake, tmp_path) -> None:
    from ecom.query.local import LocalEngine

    with LocalEngine(retail_lake.lake) as engine:
        kpi = engine.query("select * from kpi_summary").records()[0]
    expected = {
        "Executive": ("retail_executive", [f"£{kpi['lifetime_revenue']:,.2f}"]),
        "Online Retail": (
            "online_retail",
            [f"£{kpi['gross_revenue']:,.2f}", "Revenue by country (top 10)"],
        ),
    }
    with serve(retail_lake.lake, tmp_path / "retail.log") as url:
        _show_sheets(browser, url, expected)


def test_streamlit_command_is_local_and_headless() -> None:
    from ecom.cli.dashboard import streamlit_command

    command = streamlit_command("/lake", 8765)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert "--server.address=127.0.0.1" in command and "--server.headless=true" in command
    assert command[-2:] == ["--lake", "/lake"]
