"""Text -> sparse feature vectors for the linear classifiers.

One ``Featurizer`` turns a batch of texts into TF-IDF weighted counts over four views of the text:

* ``w:`` syllable unigrams and bigrams on the lower-cased, tone-normalised text (Vietnamese
  compounds are mostly two syllables, so syllable bigrams recover most of what a word segmenter
  gives, at a fraction of the cost - see ``benchmarks/nlp.py`` for the measured figures);
* ``f:`` the same on the *folded* text (no diacritics, đ->d), so a post typed without diacritics
  ("thu hoi dat") still meets the weights learned from edited press text;
* ``c:`` character 2-4-grams inside folded words: robust to teencode, typos and stretched words;
* ``e:`` emoji and emoticon tokens, which carry sentiment in social posts;
* cue columns (models trained since 12/2026, ``Featurizer(cue_scale=...)``): one dense column per
  family of cue phrases in ``nlp/cues.json`` (rumour, sensational/clickbait, grievance, hostile
  wording, official/reported style), ``log(1 + hits)`` matched on folded text, appended after the
  TF-IDF block: a rare class learns one weight for a whole family of markers instead of one per
  bigram it has seen.

Features are hashed (no vocabulary dict to pickle) and then the ``max_features`` columns with the
highest document frequency in the training texts are kept, which keeps artefacts small while
staying exact at prediction time. Everything is deterministic.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from giamsat.core.resources import package_path
from giamsat.core.text import normalize_tone

N_HASH = 2**21

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_USER = re.compile(r"@\w+")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"\w+")
_REPEAT = re.compile(r"(\w)\1{2,}")  # "quáaaaa" -> "quáa": stretched words meet their base
# emoji blocks + a few ASCII emoticons (":))", "=))", ":(" ...) that carry tone in comments
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_EMOTICON = re.compile(r"(?:[:=;]\)+|[:=;]\(+|:v|<3|\^\^|:d\b|:p\b)", re.I)

# Common teencode / abbreviations seen in Vietnamese comments -> standard syllables.
TEENCODE: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "hông": "không",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "j": "gì",
    "gi": "gì",
    "vs": "với",
    "mik": "mình",
    "mk": "mình",
    "bn": "bao nhiêu",
    "ng": "người",
    "nguoi": "người",
    "ny": "người yêu",
    "trc": "trước",
    "ntn": "như thế nào",
    "r": "rồi",
    "z": "vậy",
    "v": "vậy",
    "cx": "cũng",
    "cg": "cũng",
    "nc": "nước",
    "bt": "biết",
    "bik": "biết",
    "thik": "thích",
    "iu": "yêu",
    "dt": "điện thoại",
    "đt": "điện thoại",
    "tp": "thành phố",
    "ubnd": "ủy ban nhân dân",
    "csgt": "cảnh sát giao thông",
    "mxh": "mạng xã hội",
    "fb": "facebook",
    # more social-media shorthand (typed both with and without diacritics)
    "mn": "mọi người",
    "mng": "mọi người",
    "ae": "anh em",
    "hk": "không",
    "khum": "không",
    "hem": "không",
    "bh": "bây giờ",
    "bgio": "bây giờ",
    "lm": "làm",
    "ms": "mới",
    "oy": "rồi",
    "ròi": "rồi",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "cmt": "bình luận",
    "ib": "nhắn tin",
    "inbox": "nhắn tin",
    "sdt": "số điện thoại",
    "sđt": "số điện thoại",
    "cty": "công ty",
    "bv": "bệnh viện",
    "bvđk": "bệnh viện đa khoa",
    "cccd": "căn cước",
    "ctv": "cộng tác viên",
    "kq": "kết quả",
    "nhìu": "nhiều",
    "wá": "quá",
    "qá": "quá",
}

# Fast, length-preserving fold (lower-case input): one table lookup per character.
_FOLD = {}
for _ch in "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ":
    _FOLD[ord(_ch)] = "d" if _ch == "đ" else unicodedata.normalize("NFD", _ch)[0]


def fold_lower(text: str) -> str:
    """Strip Vietnamese diacritics from already lower-cased NFC text (fast ``str.translate``)."""
    return text.translate(_FOLD)


def prepare(text: str) -> str:
    """Model-side normalisation: NFC, entities decoded, lower-case, new tone style, URLs,
    user handles and numbers replaced by placeholders, stretched letters squeezed."""
    text = html.unescape(unicodedata.normalize("NFC", text or "")).lower()
    text = normalize_tone(text)
    text = _URL.sub(" urltoken ", text)
    text = _USER.sub(" usertoken ", text)
    text = _NUM.sub(" 0 ", text)
    return _REPEAT.sub(r"\1\1", text)


def tokens(prepared: str) -> list[str]:
    """Syllable tokens of prepared text with teencode expanded."""
    out: list[str] = []
    for tok in _TOKEN.findall(prepared):
        rep = TEENCODE.get(tok)
        if rep is None:
            out.append(tok)
        else:
            out.extend(rep.split())
    return out


ALL_VIEWS = ("w", "f", "c", "e")
CUES_FILE = package_path("nlp", "cues.json")


def load_cues(path: Path | None = None) -> dict[str, list[str]]:
    """Cue families of ``nlp/cues.json`` (keys starting with ``_`` are comments)."""
    data = json.loads((path or CUES_FILE).read_text(encoding="utf-8"))
    return {k: list(v) for k, v in data.items() if not k.startswith("_") and v}


def cue_patterns(cues: dict[str, list[str]]) -> list[re.Pattern[str]]:
    """One whole-word regex per family, over folded lower-cased phrases."""
    return [_phrase_regex({fold_lower(" ".join(p.lower().split())): p for p in v}) for v in cues.values()]


def cue_matrix(texts: Sequence[str], patterns: list[re.Pattern[str]]) -> np.ndarray:
    """``log(1 + hits)`` of each cue family per text (dense, texts x families), on folded tokens."""
    out = np.zeros((len(texts), len(patterns)), dtype=np.float32)
    for i, text in enumerate(texts):
        joined = " ".join(fold_lower(t) for t in tokens(prepare(text)))
        for j, rx in enumerate(patterns):
            n = sum(1 for _ in rx.finditer(joined))
            if n:
                out[i, j] = np.log1p(n)
    return out


def analyze(text: str, views: tuple[str, ...] = ALL_VIEWS) -> list[str]:
    """All feature strings of one raw text (module-level so pickled models can refer to it).

    ``views`` drops costly views for long documents (VNTC full articles use ``("w", "f")``)."""
    prepared = prepare(text)
    toks = tokens(prepared)
    folded = [fold_lower(t) for t in toks]
    feats: list[str] = []
    if "w" in views:
        feats += ["w:" + t for t in toks]
        feats += ["w:" + a + " " + b for a, b in itertools.pairwise(toks)]
    if "f" in views:
        feats += ["f:" + t for t in folded]
        feats += ["f:" + a + " " + b for a, b in itertools.pairwise(folded)]
    if "c" in views:
        for t in folded:
            padded = " " + t + " "
            n = len(padded)
            for size in (2, 3, 4):
                feats.extend("c:" + padded[i : i + size] for i in range(n - size + 1))
    if "e" in views:
        feats += ["e:" + m for m in _EMOJI.findall(text or "")]
        feats += ["e:" + m.lower()[:3] for m in _EMOTICON.findall(text or "")]
    return feats


def _hasher(views: tuple[str, ...] = ALL_VIEWS) -> HashingVectorizer:
    analyzer = analyze if views == ALL_VIEWS else partial(analyze, views=views)
    return HashingVectorizer(
        analyzer=analyzer, n_features=N_HASH, alternate_sign=False, norm=None, dtype=np.float32
    )


def _count_chunk(texts: list[str], views: tuple[str, ...]) -> sp.csr_matrix:
    return _hasher(views).transform(texts).tocsr()


class Featurizer:
    """Hashed counts -> top-``max_features`` columns by document frequency -> sublinear TF-IDF."""

    def __init__(
        self,
        max_features: int = 200_000,
        min_df: int = 2,
        views: tuple[str, ...] = ALL_VIEWS,
        n_jobs: int = 1,
        cue_scale: float = 0.0,
    ) -> None:
        self.max_features = max_features
        self.min_df = min_df
        self.views = tuple(views)
        self.n_jobs = n_jobs  # >1: hash chunks in worker processes (the analyzer is pure Python)
        self.columns: np.ndarray | None = None
        self.tfidf: TfidfTransformer | None = None
        # > 0: one extra column per cue family of nlp/cues.json, log(1 + hits) times this scale,
        # appended after the TF-IDF block (models trained before 12/2026 have none)
        self.cue_scale = cue_scale
        self.cues: dict[str, list[str]] = {}  # the families it was trained with (kept in the artefact)
        self._cue_rx: list[re.Pattern[str]] | None = None

    @property
    def n_features(self) -> int:
        return 0 if self.columns is None else len(self.columns) + len(self.cue_labels)

    @property
    def cue_labels(self) -> list[str]:
        return list(getattr(self, "cues", None) or {})

    def _with_cues(self, X: sp.csr_matrix, texts: list[str]) -> sp.csr_matrix:
        if not self.cue_labels:
            return X
        if getattr(self, "_cue_rx", None) is None:
            self._cue_rx = cue_patterns(self.cues)
        K = cue_matrix(texts, self._cue_rx or []) * np.float32(self.cue_scale)
        return sp.hstack([X, sp.csr_matrix(K)], format="csr", dtype=np.float32)

    def _counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = list(texts)
        views = getattr(self, "views", ALL_VIEWS)
        n_jobs = getattr(self, "n_jobs", 1)
        if n_jobs > 1 and len(texts) >= 4000:
            from joblib import Parallel, delayed

            size = -(-len(texts) // n_jobs)
            parts = Parallel(n_jobs=n_jobs)(
                delayed(_count_chunk)(texts[i : i + size], views) for i in range(0, len(texts), size)
            )
            return sp.vstack(parts).tocsr()
        return _count_chunk(texts, views)

    def fit(self, texts: Sequence[str]) -> Featurizer:
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self._counts(texts)
        df = np.bincount(counts.indices, minlength=N_HASH)
        candidates = np.flatnonzero(df >= self.min_df)
        if len(candidates) > self.max_features:
            # highest document frequency first; ties broken by column index for determinism
            order = np.lexsort((candidates, -df[candidates]))
            candidates = np.sort(candidates[order[: self.max_features]])
        self.columns = candidates.astype(np.int32)
        selected = counts[:, self.columns]
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        X = self.tfidf.fit_transform(selected).astype(np.float32).tocsr()
        if getattr(self, "cue_scale", 0.0) > 0:
            self.cues = load_cues()
            self._cue_rx = None
        return self._with_cues(X, list(texts))

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        if self.columns is None or self.tfidf is None:
            raise RuntimeError("Featurizer.transform before fit")
        texts = list(texts)
        counts = self._counts(texts)
        X = self.tfidf.transform(counts[:, self.columns]).astype(np.float32).tocsr()
        return self._with_cues(X, texts)


# -- profile lexicons: explain (reasons) and a small tuned prior, never decide -----------------
_NON_LETTERS = re.compile(r"[\W\d_]+")
_DROP_MARKED = dict.fromkeys(_FOLD)  # every character with a diacritic -> deleted


def _has_diacritics(text: str) -> bool:
    """True when the text is typed with diacritics (then matching stays diacritic-sensitive,
    so "bao" in "bao nhiêu" never matches the lexicon word "bão")."""
    # counted with C-level str/re calls: this runs twice per item (a generator was 4 % of the
    # Enricher's time on articles)
    letters = len(_NON_LETTERS.sub("", text))
    lowered = text.lower()
    marked = len(lowered) - len(lowered.translate(_DROP_MARKED))
    return letters == 0 or marked / letters > 0.02


def has_diacritics(text: str) -> bool:
    """Public form of the check above (training uses it to decide which rows get a folded copy)."""
    return _has_diacritics(normalize_tone(unicodedata.normalize("NFC", text or "")).lower())


class LexiconMatcher:
    """Whole-word phrase matching, tone-style and case insensitive; diacritic-insensitive only
    for texts typed without diacritics."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        self.labels = list(phrases)
        self._exact: dict[str, re.Pattern[str]] = {}
        self._folded: dict[str, re.Pattern[str]] = {}
        self._names: dict[str, dict[str, str]] = {}
        for label, items in phrases.items():
            items = [p for p in items if p and p.strip()]
            if not items:
                continue
            keys = {normalize_tone(unicodedata.normalize("NFC", p)).lower(): p for p in items}
            fkeys = {fold_lower(k): p for k, p in keys.items()}
            self._names[label] = {**keys, **fkeys}
            self._exact[label] = _phrase_regex(keys)
            self._folded[label] = _phrase_regex(fkeys)

    def find(self, text: str) -> dict[str, list[str]]:
        """``{label: [phrases as written in the lexicon]}`` for labels with at least one hit."""
        key = normalize_tone(unicodedata.normalize("NFC", text or "")).lower()
        folded = not _has_diacritics(key)
        if folded:
            key = fold_lower(key)
        out: dict[str, list[str]] = {}
        for label, rx in (self._folded if folded else self._exact).items():
            hits = list(dict.fromkeys(self._names[label][m.group(1)] for m in rx.finditer(key)))
            if hits:
                out[label] = hits
        return out


def _phrase_regex(keys: dict[str, str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(r"(?<!\w)(" + alts + r")(?!\w)")


_MATCHERS: dict[tuple[int, str], LexiconMatcher] = {}


def topic_matcher(profile) -> LexiconMatcher:
    key = (id(profile), "topics")
    if key not in _MATCHERS:
        _MATCHERS[key] = LexiconMatcher({t.code: list(t.lexicon) for t in profile.topics})
    return _MATCHERS[key]


def category_matcher(profile) -> LexiconMatcher:
    key = (id(profile), "category")
    if key not in _MATCHERS:
        lex = profile.category_lexicon
        _MATCHERS[key] = LexiconMatcher(
            {
                "phan-anh": list(lex.phan_anh),
                "sai-su-that": list(lex.sai_su_that),
                "xau-doc": list(lex.xau_doc),
            }
        )
    return _MATCHERS[key]


def topic_lexicon_hits(profile, text: str) -> set[str]:
    return set(topic_matcher(profile).find(text))
