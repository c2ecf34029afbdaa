"""Paragraph recall, precision and boilerplate share of an extractor against hand-written gold body text
(``tests/crawlers/extraction_gold``; the rules are in its README). Used by the CI quality floor
(``tests/crawlers/test_extraction_gold.py``) and by ``benchmarks/extraction.py``.

Matching, in short (the README has the reasons):

* text is compared as word tokens: NFC, lower case, ``\\w+`` runs only, so spacing, punctuation and
  bullet marks do not matter;
* a gold paragraph is **recalled** when at least ``THRESHOLD`` (0.9) of its tokens are found, in order
  and in runs of at least ``MIN_RUN`` tokens, inside one extracted paragraph or up to ``WINDOW``
  consecutive ones (an extractor may split or merge paragraphs);
* an extracted paragraph is **correct** when at least ``THRESHOLD`` of its tokens are found the same
  way in the gold (optional paragraphs such as captions included);
* **boilerplate** is the share of extracted characters whose tokens are not found in the gold: the
  tokens of an extracted paragraph outside its best-matching runs, weighted by characters;
* lines of a gold file starting with ``~ `` are optional (captions): never missed, never junk;
  lines starting with ``# `` are comments (a list page's file holds only a comment: no body).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parents[1] / "crawlers" / "extraction_gold"
# GIAMSAT_DATA_DIR, else ../shared/data beside the checkout (as for `giamsat train`/`eval`)
PAGES = (
    Path(os.environ.get("GIAMSAT_DATA_DIR") or Path(__file__).resolve().parents[2].parent / "shared" / "data")
    / "pages"
)
THRESHOLD = 0.9
MIN_RUN = 3
WINDOW = 3
OPTIONAL = "~ "
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


@dataclass
class Gold:
    page: str
    required: list[str]
    optional: list[str]
    all: list[str]  # in page order, optional ones included

    @classmethod
    def load(cls, path: Path) -> Gold:
        lines = [line.rstrip() for line in path.read_text(encoding="utf-8").splitlines()]
        lines = [line for line in lines if line.strip() and not line.startswith("# ")]
        required = [line for line in lines if not line.startswith(OPTIONAL)]
        optional = [line[len(OPTIONAL) :] for line in lines if line.startswith(OPTIONAL)]
        everything = [line.removeprefix(OPTIONAL) for line in lines]
        return cls(path.stem, required, optional, everything)


@dataclass
class PageScore:
    page: str
    gold_paragraphs: int
    recalled: int
    extracted_paragraphs: int
    correct: int
    extracted_chars: int
    boilerplate_chars: int
    missed: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.recalled / self.gold_paragraphs if self.gold_paragraphs else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.extracted_paragraphs if self.extracted_paragraphs else 1.0

    @property
    def boilerplate(self) -> float:
        return self.boilerplate_chars / self.extracted_chars if self.extracted_chars else 0.0


def _covered(needle: list[str], haystack: list[str]) -> set[int]:
    """Positions of ``needle`` tokens found in order in ``haystack``, counting only runs of MIN_RUN
    tokens or more (a whole needle shorter than MIN_RUN counts when it matches entirely)."""
    if not needle or not haystack:
        return set()
    blocks = SequenceMatcher(None, needle, haystack, autojunk=False).get_matching_blocks()
    floor = min(MIN_RUN, len(needle))
    return {i for b in blocks if b.size >= floor for i in range(b.a, b.a + b.size)}


def _windows(paragraphs: Sequence[list[str]]) -> list[list[str]]:
    out = []
    for i in range(len(paragraphs)):
        for w in range(1, WINDOW + 1):
            if i + w <= len(paragraphs):
                out.append([t for p in paragraphs[i : i + w] for t in p])
    return out


def _best(needle: list[str], windows: list[list[str]]) -> set[int]:
    probe = set(needle)
    best: set[int] = set()
    for win in windows:
        if probe.isdisjoint(win):
            continue
        found = _covered(needle, win)
        if len(found) > len(best):
            best = found
            if len(best) == len(needle):
                break
    return best


def split_paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if tokens(line)]


def score(gold: Gold, extracted: str) -> PageScore:
    paragraphs = split_paragraphs(extracted)
    ext_tokens = [tokens(p) for p in paragraphs]
    gold_tokens = [tokens(p) for p in gold.all]
    ext_windows = _windows(ext_tokens)
    gold_windows = _windows(gold_tokens)

    recalled, missed = 0, []
    for para in gold.required:
        toks = tokens(para)
        if len(_best(toks, ext_windows)) >= THRESHOLD * len(toks):
            recalled += 1
        else:
            missed.append(para)

    correct, junk, chars, bp_chars = 0, [], 0, 0
    for para, toks in zip(paragraphs, ext_tokens, strict=True):
        found = _best(toks, gold_windows)
        chars += len(para)
        # the paragraph's characters in proportion to the characters of its unmatched tokens
        token_chars = sum(len(t) for t in toks)
        unmatched = sum(len(t) for i, t in enumerate(toks) if i not in found)
        bp_chars += round(len(para) * unmatched / token_chars)
        if len(found) >= THRESHOLD * len(toks):
            correct += 1
        else:
            junk.append(para)
    return PageScore(
        gold.page, len(gold.required), recalled, len(paragraphs), correct, chars, bp_chars, missed, junk
    )


@dataclass
class Summary:
    pages: list[PageScore]

    @property
    def recall(self) -> float:  # micro-averaged over all gold paragraphs
        total = sum(p.gold_paragraphs for p in self.pages)
        return sum(p.recalled for p in self.pages) / total if total else 1.0

    @property
    def precision(self) -> float:
        total = sum(p.extracted_paragraphs for p in self.pages)
        return sum(p.correct for p in self.pages) / total if total else 1.0

    @property
    def boilerplate(self) -> float:
        total = sum(p.extracted_chars for p in self.pages)
        return sum(p.boilerplate_chars for p in self.pages) / total if total else 0.0

    @property
    def worst_recall(self) -> float:
        return min((p.recall for p in self.pages), default=1.0)


def manifest() -> list[dict]:
    return json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))


def article_pages() -> list[dict]:
    return [m for m in manifest() if m["page_type"] == "article"]


def list_pages() -> list[dict]:
    return [m for m in manifest() if m["page_type"] == "list"]


def page_html(entry: dict) -> str:
    from giamsat.crawlers import encoding

    return encoding.decode((PAGES / entry["file"]).read_bytes(), "text/html").text


def gold_for(entry: dict) -> Gold:
    return Gold.load(GOLD_DIR / (Path(entry["file"]).stem + ".txt"))


def evaluate(extract: Callable[[str, str], str], entries: list[dict] | None = None) -> Summary:
    """``extract(html, url) -> text`` scored on every real article page."""
    entries = article_pages() if entries is None else entries
    return Summary([score(gold_for(e), extract(page_html(e), e["og_url"])) for e in entries])
