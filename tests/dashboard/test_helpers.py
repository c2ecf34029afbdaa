"""Pure display helpers and the streaming CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from giamsat.core import csvexport
from giamsat.core.model import Mention, utcnow
from giamsat.dashboard import export
from giamsat.dashboard.ui import Span, countdown, highlight_html, mention_spans, phrase_spans, risky_phrases
from giamsat.storage.base import Query


def test_countdown_colours() -> None:
    now = utcnow()
    assert countdown(now - timedelta(hours=3), now).colour == "red"
    assert countdown(now - timedelta(hours=3), now).text == "quá hạn 3 giờ 0 phút"
    assert countdown(now + timedelta(hours=2), now).colour == "orange"
    late = countdown(now + timedelta(days=2, hours=5), now)
    assert (late.colour, late.text) == ("green", "còn 2 ngày 5 giờ")
    assert countdown(None, now).colour == "gray"
    assert countdown(now - timedelta(hours=1), now, done=True).colour == "gray"


def test_phrases_are_found_with_either_tone_style_or_without_diacritics() -> None:
    text = "Nghe nói Khánh Hoà sắp thu hồi đất; TIN ĐỒN lan rộng, tin don khác."
    spans = phrase_spans(text, ["tin đồn", "Khánh Hòa"])
    found = sorted(text[s.start : s.end] for s in spans)
    assert found == ["Khánh Hoà", "TIN ĐỒN", "tin don"]


def test_risky_phrases_come_from_reasons_and_lexicon() -> None:
    phrases = risky_phrases(['cụm từ nguy cơ "xuyên tạc"', "phân loại xau-doc"], ["kích động", "Xuyên tạc"])
    assert phrases == ["xuyên tạc", "kích động"]  # folded duplicates collapse


def test_mentions_with_wrong_offsets_are_found_by_text() -> None:
    text = "Tại Cam Ranh, người dân phản ánh."
    ok = Mention(text="Cam Ranh", start=4, end=12, level="ward")
    shifted = Mention(text="Cam Ranh", start=40, end=48, level="ward")  # offsets of title+text
    assert [(s.start, s.end) for s in mention_spans(text, [ok, shifted])] == [(4, 12), (4, 12)]


def test_highlight_escapes_html_and_keeps_one_of_overlapping_spans() -> None:
    text = "<b>Cam Ranh</b> tin đồn"
    html = highlight_html(
        text, [Span(3, 11, "mention", "Cam Ranh"), Span(7, 11, "risk"), Span(16, 23, "risk")]
    )
    assert html.startswith('&lt;b&gt;<mark class="mention"')
    assert html.count("<mark") == 2 and "tin đồn</mark>" in html


def test_csv_export_streams_every_row(dash_store) -> None:
    chunks = list(export.csv_chunks(dash_store, Query(), rows_per_chunk=50))
    assert len(chunks) >= 5  # produced piece by piece, not as one string
    assert chunks[0].startswith("\ufeff")
    rows = list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"))))
    assert rows[0] == csvexport.HEADER
    assert len(rows) - 1 == dash_store.count(Query())
    assert any("Khánh" in r[4] or "Cam Ranh" in r[4] for r in rows[1:])


def test_csv_export_to_file_respects_the_filter(dash_store) -> None:
    query = Query(text="khai thac cat", categories=["phan-anh"])
    path = export.write_csv(dash_store, query, with_text=True)
    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    finally:
        path.unlink()
    assert rows[0][-1] == "Nội dung"
    assert len(rows) - 1 == dash_store.count(query) > 0
    assert all(r[7] == "Phản ánh" and "cát" in r[-1] for r in rows[1:])


def test_csv_cells_never_become_formulas() -> None:
    hostile = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "bình thường"]
    assert [csvexport.safe_cell(v) for v in hostile] == [
        '\'=HYPERLINK("http://x")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "bình thường",
    ]


def test_untrusted_text_never_becomes_markup() -> None:
    from markdown_it import MarkdownIt

    from giamsat.dashboard import safe

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    hostile = "![x](http://t.invalid/p.png) <b>b</b> [a](javascript:alert(1)) :red[x] # h\n    code | a |\x00\x1b\u202e"
    out = safe.md(hostile)
    tokens = [t for tok in md.parse(out) for t in [tok, *(tok.children or [])]]
    assert not [
        t for t in tokens if t.type in ("image", "link_open", "html_inline", "html_block", "code_block")
    ]
    assert "\x00" not in out and "\u202e" not in out
    # what the reader sees is what was written (escapes removed), on one line
    from support.dashtest import shown

    assert shown(out).startswith("![x](http://t.invalid/p.png) <b>b</b>")
    assert safe.link("tiêu đề [x]", "javascript:alert(1)") == safe.md("tiêu đề [x]")
    assert safe.link("a", "https://baokhanhhoa.vn/a (b).html").endswith(
        "(https://baokhanhhoa.vn/a%20%28b%29.html)"
    )
    assert len(safe.md("chữ " * 100_000)) < 400  # capped
    assert safe.plain("một hai ba bốn năm", 10) == "một hai…"  # cut on a word
    assert safe.html_text("<img src=x>\nb") == "&lt;img src=x&gt;<br>b"


def test_charts_count_in_whole_numbers_and_label_every_bar() -> None:
    from giamsat.dashboard import charts

    rows = [(f"Chủ đề {i}", i + 1) for i in range(13)]
    spec = charts.ranked_bars(rows, "Chủ đề").to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    assert y["axis"]["labelOverlap"] is False and y["sort"] == [r[0] for r in rows]
    assert spec["height"] >= 13 * charts.BAR_HEIGHT  # room for all 13 labels
    assert spec["layer"][0]["encoding"]["x"]["axis"]["tickMinStep"] == 1
    assert spec["layer"][1]["mark"]["type"] == "text"  # the number after each bar
    assert charts.signed(-2) == "-2" and charts.signed(1234) == "+1.234" and charts.signed(0) == "0"
