"""Key terms of a text: what an item is *about*, as a sparse TF-IDF vector over folded words.

Two posts telling one event in different words ("cá chết hàng loạt ở sông Cái", "song cai ca chet
trang mat song", "dân bức xúc vì cá chết") share few exact phrases but the same informative
terms. Terms are folded syllables and syllable bigrams (no diacritics, so posts typed without
accents match), minus function words; each weighs by its inverse document frequency in a large
background corpus of Vietnamese news (Baomoi, 145,145 titles and leads, GPL-3.0, train-ok), so
"cá chết" counts and "người dân" hardly does.

The document frequencies are an artefact of ``giamsat train`` (``nlp/artifacts/keyterms.json.xz``,
rebuilt by ``build_document_frequencies``); terms unknown to it count as rare.
"""

from __future__ import annotations

import json
import lzma
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from giamsat.core.resources import package_path
from giamsat.core.text import fold, nfc
from giamsat.nlp.text import EMAIL_RE, HASHTAG_RE, MENTION_RE, URL_RE

ARTIFACT = "keyterms.json.xz"
# prefixes people add when re-sharing; removed before matching (folded forms)
SHARE_PREFIXES = re.compile(
    r"^(?:(?:chia se|share|repost|nong|tin nong|khan|canh bao|fw|fwd|cap nhat|moi nhat|tin moi)\s*[:!\-–|>]+\s*)+"
)
_WORD = re.compile(r"[a-z0-9]+")
MIN_DF_UNIGRAM = 3
MIN_DF_BIGRAM = 8
TOP_TERMS = 40  # a post's vector keeps its 40 best terms: enough to tell events apart, cheap to compare

# Function words and fillers that never say what an item is about (folded). Kept short on purpose:
# IDF already discounts common words; this list removes the ones frequent enough to form
# misleading bigrams ("cua nguoi", "da co").
STOPWORDS = frozenset(
    [
        "a",
        "ah",
        "ai",
        "anh",
        "b",
        "ba",
        "bi",
        "bo",
        "bon",
        "c",
        "cac",
        "cai",
        "can",
        "cho",
        "chu",
        "chua",
        "chi",
        "cho",
        "co",
        "con",
        "cu",
        "cua",
        "cung",
        "d",
        "da",
        "dang",
        "day",
        "de",
        "den",
        "deu",
        "di",
        "do",
        "du",
        "duoc",
        "e",
        "em",
        "gi",
        "gio",
        "ha",
        "hay",
        "het",
        "hoac",
        "hon",
        "khi",
        "khong",
        "kia",
        "la",
        "lai",
        "lam",
        "len",
        "luc",
        "ma",
        "may",
        "minh",
        "moi",
        "mot",
        "muon",
        "n",
        "nay",
        "nen",
        "neu",
        "ngay",
        "nguoi",
        "nha",
        "nhieu",
        "nhu",
        "nhung",
        "no",
        "noi",
        "nua",
        "o",
        "oi",
        "ong",
        "qua",
        "ra",
        "rang",
        "rat",
        "roi",
        "sang",
        "sau",
        "se",
        "so",
        "ta",
        "tai",
        "tam",
        "theo",
        "thi",
        "thoi",
        "thuc",
        "tren",
        "trong",
        "truoc",
        "tu",
        "tung",
        "va",
        "van",
        "ve",
        "vi",
        "vien",
        "voi",
        "vua",
        "xin",
        "y",
        "nhe",
        "nha",
        "ak",
        "ah",
        "uh",
        "ui",
        "ko",
        "k",
        "dc",
        "duoc",
        "vs",
        "ne",
        "nhe",
        "the",
        "thi",
        "z",
        "j",
    ]
)


def _clean(text: str) -> str:
    t = nfc(text or "")
    for rx in (URL_RE, EMAIL_RE, MENTION_RE, HASHTAG_RE):
        t = rx.sub(" ", t)
    return t


def story_tokens(text: str) -> list[str]:
    """Folded words of ``text`` without URLs, e-mails, @users, hashtags and share prefixes."""
    t = fold(_clean(text)).strip()
    t = SHARE_PREFIXES.sub("", t)
    return _WORD.findall(t)


def cased_tokens(text: str) -> tuple[list[str], list[bool]]:
    """``story_tokens`` with, for each, whether the writer capitalised it (names are)."""
    original = _clean(text)
    folded = fold(original)  # same length as ``original``: positions map back
    head = SHARE_PREFIXES.match(folded.strip())
    skip = (len(folded) - len(folded.lstrip())) + (head.end() if head else 0)
    tokens, caps = [], []
    for m in _WORD.finditer(folded, skip):
        tokens.append(m.group(0))
        caps.append(original[m.start()].isupper())
    return tokens, caps


def terms(tokens: list[str], caps: list[bool] | None = None) -> list[str]:
    """Informative unigrams and bigrams of folded tokens (order kept, repeats kept for TF).

    Function words are skipped, alone and in pairs — except in a pair of capitalised words: folded,
    names are often pairs of function words ("Đá Bàn" -> "da ban", "Nha Trang" -> "nha trang")."""
    out: list[str] = []
    keep = [len(t) > 1 and not t.isdigit() and t not in STOPWORDS for t in tokens]
    for i, tok in enumerate(tokens):
        if keep[i]:
            out.append(tok)
        if i + 1 < len(tokens):
            name = caps is not None and caps[i] and caps[i + 1] and not tokens[i + 1].isdigit()
            if (keep[i] and keep[i + 1]) or name:
                out.append(f"{tok} {tokens[i + 1]}")
    return out


def build_document_frequencies(texts: Iterable[str]) -> dict[str, object]:
    """Document frequencies of unigrams and bigrams over ``texts`` (the training corpus)."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(terms(*cased_tokens(text))))
        n += 1
    kept = {t: c for t, c in df.items() if c >= (MIN_DF_BIGRAM if " " in t else MIN_DF_UNIGRAM)}
    return {"documents": n, "df": kept}


def save_document_frequencies(table: dict[str, object], folder: Path) -> Path:
    path = folder / ARTIFACT
    with lzma.open(path, "wt", encoding="utf-8", preset=6) as fh:
        json.dump(table, fh, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return path


class KeyTerms:
    """TF-IDF vectors over folded terms with a fixed background IDF."""

    def __init__(self, documents: int, df: dict[str, int]) -> None:
        self.documents = max(documents, 1)
        self._idf = {t: math.log((self.documents + 1) / (c + 1)) + 1.0 for t, c in df.items()}
        self.rare = math.log(self.documents + 1) + 1.0  # unseen terms weigh as the rarest

    @classmethod
    def load(cls, path: Path | None = None) -> KeyTerms:
        return _load(str(path or package_path("nlp", "artifacts", ARTIFACT)))

    def idf(self, term: str) -> float:
        return self._idf.get(term, self.rare)

    def vector(self, text: str, top: int = TOP_TERMS) -> dict[str, float]:
        """L2-normalised TF-IDF of the text's best ``top`` terms (sublinear TF)."""
        # a bigram counts only when the corpus knows it as a collocation: unknown ones are mostly
        # accidental pairs across a phrase boundary ("Nha Trang | bức xúc")
        counts = Counter(t for t in terms(*cased_tokens(text)) if " " not in t or t in self._idf)
        if not counts:
            return {}
        weights = {t: (1.0 + math.log(c)) * self.idf(t) for t, c in counts.items()}
        best = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        norm = math.sqrt(sum(w * w for _, w in best)) or 1.0
        return {t: w / norm for t, w in best}


@cache
def _load(path: str) -> KeyTerms:
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"{file}: chưa có bảng tần suất từ khóa; chạy `giamsat train` để tạo")
    with lzma.open(file, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return KeyTerms(int(data["documents"]), {str(k): int(v) for k, v in data["df"].items()})


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())
