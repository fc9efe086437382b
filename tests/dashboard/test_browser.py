"""The running local dashboard in headless Chromium: each sheet renders, no error element.

Chromium and chromedriver come from Debian (`scripts/ensure_chromium.sh`, run here when they
are missing and we are root). Screenshots go to test-artifacts/dashboard/<sheet>.png.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dashboard.conftest import REPO, env_with_src

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO / "test-artifacts" / "dashboard"
SHEETS = ("Executive", "Customers", "Funnel", "Data quality")
WAIT = 90


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


@pytest.fixture(scope="module")
def server(dashboard_lake, tmp_path_factory):
    """`ecom dashboard` (its streamlit command line) on a free port; stopped afterwards."""
    from ecom.cli.dashboard import streamlit_command

    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            streamlit_command(str(dashboard_lake), port),
            cwd=REPO,
            env=env_with_src(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
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
        process.terminate()
        pytest.fail(f"streamlit did not start in {WAIT}s: {log.read_text()[-2000:]}")
    yield url
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
        "--window-size=1600,1400",
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
    time.sleep(1.0)  # let Plotly finish drawing before the screenshot


def test_every_sheet_renders_in_chromium(server, browser, dashboard_lake) -> None:
    from ecom.query.local import LocalEngine

    with LocalEngine(dashboard_lake) as engine:
        kpi = engine.query("select * from kpi_summary").records()[0]
        latest = engine.query("select max(summary_date) from daily_kpis").rows[0][0]
    expected = {
        "Executive": [f"${kpi['lifetime_revenue']:,.2f}", f"{kpi['total_customers']:,}"],
        "Customers": ["RFM segments"],
        "Funnel": ["Sessions: view"],
        "Data quality": [latest.isoformat()],
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.get(server)
    for sheet in SHEETS:
        if sheet != "Executive":
            label = browser.find_element(
                "xpath", f'//section[@data-testid="stSidebar"]//label[.//p[text()="{sheet}"]]'
            )
            label.click()
        _wait_rendered(browser, expected[sheet][0])
        body = browser.find_element("tag name", "body").text
        errors = browser.find_elements("css selector", '[data-testid="stException"]')
        browser.save_screenshot(str(ARTIFACTS / f"{sheet.lower().replace(' ', '_')}.png"))
        assert not errors, f"{sheet}: {[e.text for e in errors]}"
        for text in expected[sheet]:
            assert text in body, f"{sheet}: {text!r} not shown"


def test_streamlit_command_is_local_and_headless() -> None:
    from ecom.cli.dashboard import streamlit_command

    command = streamlit_command("/lake", 8765)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert "--server.address=127.0.0.1" in command and "--server.headless=true" in command
    assert command[-2:] == ["--lake", "/lake"]
