"""The dashboard in a real browser: Debian's headless Chromium driven by Selenium (chromedriver).

Starts ``streamlit run dashboard/app.py`` on 127.0.0.1 with a random free port on a filled store,
logs in as each role, opens each page, does a confirm -> ticket -> answer cycle, checks the text
and saves screenshots in ``tests/artifacts/`` (git-ignored). Without Chromium the test is skipped,
except under CI (env ``CI``) where it fails: CI installs ``chromium chromium-driver``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.dashtest import APP, PASSWORD, USERS

from giamsat.core.profile import load_profile
from giamsat.triage.routing import route
from giamsat.triage.service import Triage

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~60-90 s: a server, a browser, five log-ins

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ROLE_PAGES = {
    "monitor": ["Điểm tin", "Cảnh báo", "Phiếu xử lý", "Tìm kiếm", "Nguồn tin", "Tin đã bác bỏ"],
    "leader": ["Điểm tin", "Cảnh báo", "Phiếu xử lý", "Tìm kiếm"],
    "unit": ["Phiếu xử lý", "Tìm kiếm", "Tin đã bác bỏ"],
    "admin": ["Quản trị", "Nguồn tin"],
}


def _need_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        message = f"thiếu {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(dash_store) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "GIAMSAT_STORE": dash_store.uri, "GIAMSAT_PROFILE": "khanh-hoa"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            APP,
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"streamlit did not start:\n{out[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1440,1100",
        "--lang=vi",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


class Page:
    """Small helpers over the Streamlit DOM (stable ``data-testid`` and ``aria-label`` hooks)."""

    def __init__(self, driver, base: str) -> None:  # type: ignore[no-untyped-def]
        self.d, self.base = driver, base

    def wait_text(self, text: str, timeout: float = 60) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.d, timeout).until(
            lambda d: text in d.find_element("tag name", "body").text and not self.running(),
            message=f"text not shown: {text!r}",
        )

    def running(self) -> bool:
        return bool(self.d.find_elements("css selector", '[data-testid="stStatusWidget"]'))

    def text(self) -> str:
        return self.d.find_element("tag name", "body").text

    def open(self, query: str = "") -> None:
        self.d.get(f"{self.base}/{query}")

    def type(self, label: str, value: str, timeout: float = 60) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        # Streamlit draws widgets after the page text; on a loaded CI machine that takes seconds.
        el = WebDriverWait(self.d, timeout).until(
            lambda d: (d.find_elements("css selector", f'[aria-label="{label}"]') or [None])[0],
            message=f"no input labelled {label!r}",
        )
        el.clear()
        el.send_keys(value)

    def click_button(self, text: str) -> None:
        buttons = [b for b in self.d.find_elements("tag name", "button") if b.text.strip() == text]
        assert buttons, f"no button {text!r}"
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", buttons[0])
        buttons[0].click()

    def login(self, username: str, query: str = "") -> None:
        self.open(query)
        self.wait_text("Đăng nhập")
        self.type("Tên đăng nhập", username)
        self.type("Mật khẩu", PASSWORD)
        self.click_button("Đăng nhập")
        self.wait_text("Đăng xuất")

    def go(self, title: str) -> None:
        sidebar = self.d.find_element("css selector", '[data-testid="stSidebar"]')
        label = next(
            el for el in sidebar.find_elements("tag name", "label") if el.text.strip().endswith(title)
        )
        label.click()
        self.wait_text(title)
        time.sleep(0.5)  # let charts finish drawing before the screenshot

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.d.save_screenshot(str(path))
        return path


def test_roles_pages_and_a_ticket_cycle_in_chromium(server: str, browser, dash_store) -> None:
    page = Page(browser, server)
    for role, titles in ROLE_PAGES.items():
        page.login(USERS[role])
        for title in titles:
            page.go(title)
            assert not page.d.find_elements("css selector", '[data-testid="stException"]'), (role, title)
            page.shot(f"{role}-{title.replace(' ', '-').lower()}")
        if role == "unit":
            assert "Cảnh báo\n" not in page.d.find_element("css selector", '[data-testid="stSidebar"]').text
    body = page.text()
    assert "Người dùng" in body or "Nguồn tin" in body

    # confirm -> ticket -> answer: the monitor confirms an alert that routing gives to Sở NN&MT
    profile = load_profile("khanh-hoa")
    monitor = profile.user(USERS["monitor"])
    alerts = Triage(profile, dash_store).list_alerts(monitor, status=["mo"], limit=1000)
    alert = next(a for a in alerts if route(profile, a.category, a.topics, [], a.severity).lead == "so-nnmt")
    page.login(USERS["monitor"], f"?page=canh-bao&alert={alert.id}")
    page.wait_text("Xác nhận và tạo phiếu")
    page.click_button("Xác nhận và tạo phiếu")
    page.wait_text("Đã tạo phiếu")
    line = next(x for x in page.text().splitlines() if x.startswith("Đã tạo phiếu"))
    ticket_id = line.split()[3]
    assert "Sở Nông nghiệp và Môi trường" in line
    page.shot("cycle-1-monitor-confirmed")

    page.login(USERS["unit"], f"?page=phieu&ticket={ticket_id}")
    page.wait_text(f"Phiếu {ticket_id}")
    page.click_button("Cập nhật")  # first target offered: Đang xác minh
    page.wait_text("đã chuyển sang 'Đang xác minh'")
    page.type("Nội dung trả lời (khi phản hồi)", "Đã kiểm tra thực địa; thông tin chưa chính xác.")
    page.click_button("Cập nhật")  # now first target: Đã phản hồi
    page.wait_text("đã chuyển sang 'Đã phản hồi'")
    assert "Nội dung trả lời: Đã kiểm tra thực địa" in page.text()
    page.shot("cycle-2-unit-answered")

    # another unit cannot open it by URL
    page.login(USERS["unit2"], f"?page=phieu&ticket={ticket_id}")
    page.wait_text("không được xem phiếu")
    page.shot("cycle-3-other-unit-refused")
