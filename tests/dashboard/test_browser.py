"""The dashboard in a real browser: Debian's headless Chromium driven by Selenium (chromedriver).

Starts the dashboard exactly as ``giamsat dashboard`` does (``serve.dashboard_command``) on
127.0.0.1 with a random free port, on a filled store that also holds one hostile post. Then, as a
person would: every role logs in and opens its pages (screenshots in ``tests/artifacts/``, looked
at by people and by ``docs/dashboard.md``); no framework English is on screen; the monitor clicks a
queue row, confirms it into a ticket and sees the result where the action was; a reload and a
link opened in a new tab stay logged in; the unit finds its own matter and not another unit's;
the other unit cannot open the ticket by its link; and no request ever leaves 127.0.0.1 (the
hostile post carries an image and links to outside servers). Without Chromium the test is
skipped, except under CI (env ``CI``) where it fails: ``make browser-deps`` installs it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.dashtest import PASSWORD, USERS

from giamsat.core.model import Enrichment, Item, Scored, utcnow
from giamsat.core.profile import load_profile
from giamsat.serve import dashboard_command
from giamsat.triage.routing import route
from giamsat.triage.service import Triage

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~2 min: a server, a browser, nine log-ins

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ROLE_PAGES = {
    "monitor": ["Điểm tin", "Cảnh báo", "Phiếu xử lý", "Tìm kiếm", "Nguồn tin", "Tin đã bác bỏ"],
    "leader": ["Điểm tin", "Cảnh báo", "Phiếu xử lý", "Tìm kiếm", "Nguồn tin", "Tin đã bác bỏ"],
    "unit": ["Phiếu xử lý", "Tìm kiếm", "Tin đã bác bỏ"],
    "admin": ["Quản trị", "Nguồn tin"],
}
# Framework words that must never reach an officer's screen.
FRAMEWORK_ENGLISH = (
    "Choose options",
    "No options to select",
    "Choose an option",
    "No results",
    "Deploy",
    "Made with Streamlit",
    "Rerun",
    "Clear cache",
    "Record a screencast",
    "Running...",
    "Press Enter to apply",
    "Press Enter to submit form",
    "None",
    "NaN",
    "Traceback",
    "Skip to main content",
)
HOSTILE_TITLE = "Cát lậu [/x] <b>đậm</b> ![ảnh](http://tracker.invalid/p.png) [bấm](javascript:alert(1))"
HOSTILE_TEXT = (
    "Khai thác cát trái phép ở Cam Ranh. ![x](http://tracker.invalid/pixel.gif) "
    '<img src="http://tracker.invalid/i.png"> <script>alert(1)</script> [link](javascript:alert(2)) '
    "[ngoài](http://tracker.invalid/) \x00\x07\x1b[31m :red[đỏ] $x^2$ " + "cát lậu " * 40_000
)


def _need_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if missing:
        message = f"thiếu {', '.join(missing)} (make browser-deps)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hostile(store) -> Item:  # type: ignore[no-untyped-def]
    """One post written to attack the officers' browsers, enriched as risky so it is everywhere."""
    item = Item(
        source_id="mxh-import",
        url="https://mxh.example/bai/doc-hai",
        title=HOSTILE_TITLE,
        text=HOSTILE_TEXT,
        kind="social",
        author="<i>kẻ xấu</i> ![a](http://tracker.invalid/a.png)",
        published=utcnow(),
    )
    store.upsert_items([item])
    store.save_enrichment(
        item.id,
        Enrichment(
            sentiment=Scored("tieu-cuc", 0.9),
            category=Scored("xau-doc", 0.9),
            topics=[Scored("khoang-san", 0.9)],
            localities=["Cam Ranh"],
            risk=0.95,
            severity="khan",
            story_id="doc-hai",
            reasons=['cụm từ "cát lậu" ![r](http://tracker.invalid/r.png)'],
            province="khanh-hoa",
        ),
    )
    return store.get_item(item.id)


@pytest.fixture
def server(dash_store) -> Iterator[str]:  # type: ignore[no-untyped-def]
    item = _hostile(dash_store)
    profile = load_profile("khanh-hoa")
    Triage(profile, dash_store).ingest([item])
    port = _free_port()
    env = {**os.environ, "GIAMSAT_STORE": dash_store.uri, "GIAMSAT_PROFILE": "khanh-hoa"}
    log = ARTIFACTS / "streamlit.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            dashboard_command("127.0.0.1", port), env=env, stdout=out, stderr=subprocess.STDOUT
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
                    pytest.fail(f"streamlit did not start:\n{log.read_text(errors='replace')[-3000:]}")
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
        "--window-size=1440,1000",
        # an English browser: the page itself must make everything Vietnamese
        "--lang=en-US",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


class Page:
    """Small helpers over the Streamlit DOM (stable ``data-testid`` and ``aria-label`` hooks)."""

    def __init__(self, driver, base: str) -> None:  # type: ignore[no-untyped-def]
        self.d, self.base = driver, base
        self.requests: list[str] = []

    def wait(self, check, message: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.d, timeout, poll_frequency=0.2).until(
            lambda d: check() and not self.running(), message
        )

    def wait_text(self, text: str, timeout: float = 60) -> None:
        self.wait(lambda: text in self.text(), f"text not shown: {text!r}", timeout)

    def running(self) -> bool:
        return bool(self.d.find_elements("css selector", '[data-testid="stStatusWidget"]'))

    def text(self) -> str:
        return self.d.find_element("tag name", "body").text

    def open(self, query: str = "") -> None:
        self.d.get(f"{self.base}/{query}")

    def type(self, label: str, value: str, timeout: float = 60) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        el = WebDriverWait(self.d, timeout).until(
            lambda d: (d.find_elements("css selector", f'[aria-label="{label}"]') or [None])[0],
            message=f"no input labelled {label!r}",
        )
        el.clear()
        el.send_keys(value)

    def click_button(self, text: str) -> None:
        # a button with an icon reads "<icon name>\n<label>"
        buttons = [
            b for b in self.d.find_elements("tag name", "button") if b.text.strip().split("\n")[-1] == text
        ]
        assert buttons, f"no button {text!r}"
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", buttons[0])
        buttons[0].click()

    def login(self, username: str, query: str = "") -> None:
        self.d.delete_all_cookies()
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
        self.wait(
            lambda: (
                self.d.find_elements("css selector", "h2")
                and title in self.d.find_element("css selector", "h2").text
            ),
            f"page {title}",
        )
        time.sleep(0.6)  # let charts finish drawing before the screenshot

    def click_first_row(self) -> None:
        """Click the first data row of the first table (its selection box on the left)."""
        from selenium.webdriver.common.action_chains import ActionChains

        grid = self.d.find_element("css selector", '[data-testid="stDataFrame"]')
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'});", grid)
        time.sleep(0.3)
        w, h = grid.size["width"], grid.size["height"]
        ActionChains(self.d).move_to_element_with_offset(
            grid, -w // 2 + 18, -h // 2 + 35 + 17
        ).click().perform()

    def shot(self, name: str, full: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if full:  # the whole page, not just the first screen
            height = self.d.execute_script(
                "const m = document.querySelector('[data-testid=\"stMain\"]') || document.body;"
                "return Math.max(m.scrollHeight, document.body.scrollHeight);"
            )
            self.d.set_window_size(1440, min(max(1000, int(height) + 120), 6000))
            time.sleep(0.4)
        self.d.save_screenshot(str(path))
        if full:
            self.d.set_window_size(1440, 1000)
        return path

    def outside_requests(self) -> list[str]:
        """Every URL the browser asked for that is not on 127.0.0.1 (from the performance log)."""
        for entry in self.d.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                self.requests.append(msg["params"]["request"]["url"])
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).hostname != "127.0.0.1"
        ]

    def markup_from_outside(self) -> list[str]:
        """Images, scripts and frames pointing away from this server, and script links."""
        return list(
            self.d.execute_script(
                """
                const here = location.origin, bad = [];
                for (const el of document.querySelectorAll('img[src], script[src], iframe[src], source[src]')) {
                  const u = new URL(el.getAttribute('src'), location.href);
                  if (u.origin !== here && u.protocol !== 'data:' && u.protocol !== 'blob:') bad.push(el.outerHTML.slice(0, 120));
                }
                for (const a of document.querySelectorAll('a[href]')) {
                  if (a.getAttribute('href').trim().toLowerCase().startsWith('javascript:')) bad.push(a.outerHTML.slice(0, 120));
                }
                return bad;
                """
            )
        )

    def framework_english(self) -> list[str]:
        body = self.text()
        return [w for w in FRAMEWORK_ENGLISH if w in body]


def test_every_role_the_loop_reload_links_and_isolation_in_chromium(server: str, browser, dash_store) -> None:
    page = Page(browser, server)
    t0 = time.monotonic()
    for role, titles in ROLE_PAGES.items():
        page.login(USERS[role])
        for title in titles:
            page.go(title)
            assert not page.d.find_elements("css selector", '[data-testid="stException"]'), (role, title)
            assert not page.framework_english(), (role, title, page.framework_english())
            page.shot(f"{role}-{title.replace(' ', '-').lower()}")
        if role == "unit":
            assert "Cảnh báo\n" not in page.d.find_element("css selector", '[data-testid="stSidebar"]').text
        if role == "leader":  # the date picker speaks Vietnamese, weeks from Monday, in an English browser
            page.go("Điểm tin")
            page.d.find_element("css selector", '[data-testid="stDateInput"] button').click()
            page.wait_text("CN")
            body = page.text()
            assert "Tháng" in body and body.index("T2") < body.index("CN")
            page.shot("leader-lich-chon-ngay", full=False)
            page.d.find_element("tag name", "body").send_keys("\ue00c")  # Escape closes it
    assert not page.d.find_elements("css selector", '[data-testid="stToolbarActions"] button'), (
        "toolbar shown"
    )

    # -- the monitor's loop: click the top row of the queue, confirm it, see the result there
    profile = load_profile("khanh-hoa")
    monitor = profile.user(USERS["monitor"])
    triage = Triage(profile, dash_store)
    page.login(USERS["monitor"], "?page=canh-bao")
    page.wait_text("cảnh báo, rủi ro cao nhất trước")
    page.click_first_row()
    page.wait(lambda: bool(page.d.find_elements("css selector", "h3")), "detail opened by a click")
    top = sorted(triage.list_alerts(monitor, status=["mo"], limit=1000), key=lambda a: (-a.risk, a.created))[
        0
    ]
    page.wait(lambda: top.title[:30] in page.d.find_element("css selector", "h3").text, "top row opened")
    page.wait_text("Xác nhận và tạo phiếu")
    page.shot("loop-1-alert-opened-by-a-click")
    # the hostile post's alert by its link: its text is shown as text, nothing is fetched
    hostile = next(a for a in triage.list_alerts(monitor, status=["mo"], limit=1000) if "Cát lậu" in a.title)
    page.open(f"?page=canh-bao&alert={hostile.id}")
    page.wait_text("![ảnh](http://tracker.invalid/p.png)")
    assert not page.markup_from_outside()
    page.shot("monitor-hostile-post-as-text")
    # pick an alert that routing gives to Sở NN&MT for the rest of the cycle
    alert = next(
        a
        for a in triage.list_alerts(monitor, status=["mo"], limit=1000)
        if route(profile, a.category, a.topics, [], a.severity).lead == "so-nnmt" and "Cát lậu" not in a.title
    )
    page.open(f"?page=canh-bao&alert={alert.id}")  # a deep link to an alert
    page.wait_text("Xác nhận và tạo phiếu")
    page.click_button("Xác nhận và tạo phiếu")
    page.wait_text("Đã tạo phiếu")
    ticket_id = str(triage.get_alert(monitor, alert.id).ticket_id)
    body = page.text()
    assert f"Đã tạo phiếu {ticket_id} giao Sở Nông nghiệp và Môi trường chủ trì" in body
    assert "Nhận xử lý" not in body and "Tạm hoãn" not in body.split("Đã tạo phiếu")[1]
    page.shot("loop-2-confirmed-where-the-eye-is", full=False)

    # -- a reload keeps the session and the open alert
    page.d.refresh()
    page.wait_text(f"mở phiếu {ticket_id}")
    page.wait_text("Đăng xuất")  # still signed in; the sidebar may finish drawing after the page

    # -- the unit: a link opened in a new tab, the matter, an answer
    page.login(USERS["unit"])
    page.d.switch_to.new_window("tab")
    page.open(f"?page=phieu&ticket={ticket_id}")  # same browser: the session cookie holds
    page.wait_text(f"Phiếu {ticket_id}")
    assert "Đăng nhập" not in [b.text for b in page.d.find_elements("tag name", "button")]
    page.wait_text("Tin, bài liên quan")
    page.shot("loop-3-unit-ticket-with-the-matter")
    page.click_button("Cập nhật")  # first target offered: Đang xác minh
    page.wait_text("Đã chuyển phiếu sang 'Đang xác minh'")
    page.type("Nội dung trả lời (khi phản hồi)", "Đã kiểm tra thực địa; thông tin chưa chính xác.")
    page.click_button("Cập nhật")  # now first target: Đã phản hồi
    page.wait_text("Đã chuyển phiếu sang 'Đã phản hồi'")
    assert "Nội dung trả lời: Đã kiểm tra thực địa" in page.text()
    page.shot("loop-4-unit-answered")

    # -- the unit's search shows its own matter and never the hostile tip routed elsewhere
    page.open("?page=tim-kiem")
    page.wait_text("Đơn vị chỉ tìm được")
    page.type("Từ khóa", "cát lậu\n")
    page.wait_text("tin từ")
    assert "Cát lậu" not in page.text()
    page.shot("loop-5-unit-search-isolated", full=False)

    # -- another unit cannot open the ticket by its link
    page.login(USERS["unit2"], f"?page=phieu&ticket={ticket_id}")
    page.wait_text("không được xem phiếu")
    page.shot("loop-6-other-unit-refused", full=False)

    # -- log-out ends the session: the same link asks to log in again
    page.click_button("Đăng xuất")
    page.wait_text("Đăng nhập")
    page.open(f"?page=phieu&ticket={ticket_id}")
    page.wait_text("Tên đăng nhập")

    outside = page.outside_requests()
    assert not outside, outside
    assert page.requests, "the performance log recorded nothing"
    assert time.monotonic() - t0 < 240
