"""One hostile post through every page as every role (Streamlit AppTest on a real store).

The post, its author, the model's reasons, a staff comment, a debunked claim and a ticket answer
carry a Markdown image to an outside server, HTML tags, a ``javascript:`` link, Rich markup,
Streamlit directives, control characters and 300 KB of text. Everything Streamlit was asked to
render is parsed the way the browser's Markdown renderer would (CommonMark via markdown-it-py)
and the ``st.html`` blocks with an HTML parser: no image, no raw HTML, no link but to the
dashboard itself or to an article's own http(s) address, no control character, no element
anywhere near the post's size.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt
from support.dashtest import MARKDOWN_KINDS, USERS, shown

from giamsat.core.model import Enrichment, Item, Scored, utcnow
from giamsat.core.profile import load_profile
from giamsat.triage.service import Triage

OUTSIDE = "tracker.invalid"
PAYLOAD = (
    f"![ảnh]({'http://'}{OUTSIDE}/p.png) <img src=http://{OUTSIDE}/i.png> <b>đậm</b> <script>alert(1)</script> "
    "[bấm](javascript:alert(1)) [ngoài](http://tracker.invalid/x) [/x] [bold red]rich[/] "
    ":red[đỏ] :material/warning: $x^2$ \x00\x07\x1b[31m\u202e ngược # tiêu đề\n    mã | a | b |"
)
ROLE_PAGES = {
    "monitor": ["diem-tin", "canh-bao", "phieu", "tim-kiem", "nguon-tin", "bac-bo"],
    "leader": ["diem-tin", "canh-bao", "phieu", "tim-kiem", "nguon-tin", "bac-bo"],
    "unit": ["phieu", "tim-kiem", "bac-bo"],
    "admin": ["diem-tin", "canh-bao", "phieu", "tim-kiem", "nguon-tin", "bac-bo", "quan-tri"],
}
_md = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@pytest.fixture
def hostile(dash_store):  # type: ignore[no-untyped-def]
    profile = load_profile("khanh-hoa")
    triage = Triage(profile, dash_store)
    item = Item(
        source_id="mxh-import",
        url="https://mxh.example/bai/doc-hai",
        title="Cát lậu " + PAYLOAD,
        text=("Khai thác cát trái phép ở Cam Ranh. " + PAYLOAD + " ") + "cát lậu " * 40_000,
        kind="social",
        author="<i>kẻ xấu</i> " + PAYLOAD,
        published=utcnow(),
        meta={"screenshot": f"http://{OUTSIDE}/shot.png"},
    )
    dash_store.upsert_items([item])
    dash_store.save_enrichment(
        item.id,
        Enrichment(
            sentiment=Scored("tieu-cuc", 0.9),
            category=Scored("xau-doc", 0.9),
            topics=[Scored("khoang-san", 0.9)],
            localities=["Cam Ranh"],
            risk=0.99,
            severity="khan",
            story_id="doc-hai",
            reasons=[f'cụm từ "cát lậu" {PAYLOAD}'],
            claim_matches=[{"claim_id": "1", "score": 0.9}],
            province="khanh-hoa",
        ),
    )
    (alert,) = triage.ingest([dash_store.get_item(item.id)])
    monitor = profile.user(USERS["monitor"])
    triage.add_claim(monitor, "Tin sai " + PAYLOAD, "Đính chính " + PAYLOAD, f"javascript:alert({OUTSIDE!r})")
    ticket = triage.confirm(monitor, str(alert.id), lead="so-nnmt", note="Ghi chú " + PAYLOAD)
    # a link staff attach on purpose stays a link (to an http page, opened only on a click)
    triage.comment(monitor, str(ticket.id), "Bình luận " + PAYLOAD, "https://stnmt.khanhhoa.gov.vn/tai-lieu")
    triage.transition(
        profile.user(USERS["unit"]), str(ticket.id), "da-phan-hoi", answer_text="Trả lời " + PAYLOAD
    )
    dash_store.put_doc(
        "sources",
        {
            "id": "mxh-import",
            "last_error": PAYLOAD,
            "consecutive_failures": 9,
            "last_run": utcnow().isoformat(),
        },
    )
    return alert, ticket


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _problems(source: str, where: str) -> list[str]:
    out = []
    if any((ord(c) < 32 and c not in "\n\t") or c == "\u202e" for c in source):
        out.append(f"{where}: control character")
    if len(source) > 60_000:
        out.append(f"{where}: {len(source)} characters")
    for token in _md.parseInline(source) + _md.parse(source):
        for t in [token, *(token.children or [])]:
            if t.type == "image":
                out.append(f"{where}: image {t.attrGet('src')}")
            if t.type in ("html_inline", "html_block"):
                out.append(f"{where}: raw HTML {t.content[:60]!r}")
            if t.type == "link_open":
                href = str(t.attrGet("href") or "")
                parts = urlsplit(href)
                if href.startswith("?"):
                    continue  # a link inside the dashboard
                if parts.scheme not in ("http", "https") or OUTSIDE in href:
                    out.append(f"{where}: link {href!r}")
    return out


def _html_problems(source: str, where: str) -> list[str]:
    parser = _Tags()
    parser.feed(source)
    bad = [f"{where}: <{tag}>" for tag, _ in parser.tags if tag not in ("div", "mark", "br", "style")]
    bad += [f"{where}: {OUTSIDE}" for _, attrs in parser.tags for v in attrs.values() if v and OUTSIDE in v]
    return bad


def _check(at, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    assert not at.exception, (where, at.exception)
    problems: list[str] = []
    for kind in MARKDOWN_KINDS:
        for el in getattr(at, kind):
            problems += _problems(str(el.value), f"{where} {kind}")
    for el in at.get("html"):
        problems += _html_problems(str(el.proto.body), f"{where} html")
    for el in at.get("expander"):
        problems += _problems(str(el.proto.label), f"{where} expander")
    return problems


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_a_hostile_post_is_data_on_every_page_for_every_role(open_app, hostile, role: str) -> None:
    alert, ticket = hostile
    problems: list[str] = []
    at = open_app(USERS[role])
    for slug in ROLE_PAGES[role]:
        at.sidebar.radio(key="nav").set_value(slug).run()
        problems += _check(at, f"{role}/{slug}")
    if role != "unit":
        detail = open_app(USERS[role], page="canh-bao", alert=str(alert.id))
        problems += _check(detail, f"{role}/alert")
        # not vacuous: the payload is on the page - as text
        assert any(OUTSIDE in shown(str(m.value)) for m in detail.markdown)
        assert any(OUTSIDE in str(h.proto.body) for h in detail.get("html"))
    own = open_app(USERS[role], page="phieu", ticket=str(ticket.id))
    problems += _check(own, f"{role}/ticket")
    if role != "unit":
        page = "\n".join(str(m.value) for m in own.markdown)
        assert "Bình luận" in page and "Trả lời" in "\n".join(str(s.value) for s in own.success)
    search = open_app(USERS[role], page="tim-kiem")
    search.text_input(key="q_text").input("cát lậu").run()
    problems += _check(search, f"{role}/search")
    assert not problems, "\n".join(problems[:20])
