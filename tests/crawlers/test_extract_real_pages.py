"""Extraction on real saved pages of five national sites (no site-specific code): title, date and a
main text that starts with the article's lead and carries no navigation."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from giamsat.core.text import fold
from giamsat.crawlers import encoding
from giamsat.crawlers.extract import VN_TZ, extract_article

PAGES = (
    Path(os.environ.get("GIAMSAT_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data"))
    / "pages"
)
if not (PAGES / "manifest.json").exists():
    pytest.skip(f"real pages not available at {PAGES}", allow_module_level=True)

ARTICLES = [
    m
    for m in json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    if m["page_type"] == "article"
]


def _extract(entry: dict):
    raw = (PAGES / entry["file"]).read_bytes()
    html = encoding.decode(raw, "text/html").text
    return html, extract_article(html, entry["og_url"])


@pytest.mark.parametrize("entry", ARTICLES, ids=[m["file"] for m in ARTICLES])
def test_real_article(entry):
    html, art = _extract(entry)
    assert art.title == entry["og_title"]
    assert art.canonical_url == entry["og_url"]
    if entry["published_meta"]:
        expected = datetime.fromisoformat(entry["published_meta"])
        expected = expected if expected.tzinfo else expected.replace(tzinfo=VN_TZ)
        assert art.published == expected
    else:
        assert art.published is not None and art.published.year == 2026
    # the lead (sapo) first: the meta description, possibly after a dateline such as "(Chinhphu.vn) -"
    lead = fold(entry["description"][:50])
    assert 0 <= fold(art.text[:120]).find(lead) <= 40, art.text[:200]
    assert len(art.text) > 1000
    # no navigation: no menu/related-link anchor text appears as a line of the text
    anchors = {fold(a.text_content().strip()) for a in lxml.html.fromstring(html).iter("a")}
    anchors = {a for a in anchors if len(a) >= 12} - {fold(art.title)}
    lines = [fold(line.lstrip("- ").strip()) for line in art.text.splitlines()]
    leaked = [line for line in lines if line in anchors]
    assert not leaked, leaked
    assert "tai ung dung" not in fold(art.text)
