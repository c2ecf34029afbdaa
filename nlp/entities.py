"""Named entities (PER, ORG, LOC, MISC) with underthesea's offline CRF ``ner``.

``extract_entities(text)`` splits the text into sentences, runs ``underthesea.ner`` on each,
merges ``B-``/``I-`` tags into entities and de-duplicates them (first spelling kept, compared on
the folded form). Only the first ``max_chars`` characters are read: entities serve as facets and
reasons, and the lead of an article names the actors.

Cost: underthesea's NER runs a POS tagger, a chunker and the NER CRF, with features computed in
Python — about 85 % of the Enricher's time on a stream of province-relevant posts before the
two savings below (docs/benchmarks.md). So the CRF runs only where a name can be:

* a sentence with no capitalised word after its first, no two capitalised words in a row and no
  acronym names nobody the CRF could find (its features rest on capitalisation): it is skipped —
  most lower-case social writing is;
* reposts and press leads repeat sentences word for word: results are cached per sentence.

Only the first ``max_chars`` characters are read: the lead of an article names the actors.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from giamsat.core.model import Entity
from giamsat.core.text import clean, fold
from giamsat.nlp.text import split_sentences

log = logging.getLogger(__name__)

ENABLED = True  # module switch: bulk jobs may set nlp.entities.ENABLED = False
SENTENCE_CACHE = 20_000  # tagged sentences kept (reposts and shared leads repeat them)
ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
MAX_SENTENCE_CHARS = 600  # the CRF is linear, but one giant "sentence" (no punctuation) is split


_TEMPLATE = re.compile(r"T\[(?P<i1>-?\d+)(,(?P<i2>-?\d+))?\](\[(?P<col>.*)\])?(\.(?P<fn>.*))?")
Template = tuple[str, int, int | None, int, Callable[[str], object] | None]


def _parse(templates: list[str], module: Any) -> list[Template]:
    """underthesea's feature templates ("T[-1,0][1]", "T[0].istitle"), parsed once."""
    functions = {
        "lower": module.text_lower,
        "istitle": module.text_istitle,
        "isallcap": module.text_isallcap,
        "isdigit": module.text_isdigit,
        "is_in_dict": module.text_is_in_dict,
    }
    out: list[Template] = []
    for t in templates:
        m = _TEMPLATE.match(t)
        if m is None:
            raise ValueError(f"unknown feature template {t!r}")
        out.append(
            (
                f"{t}=",
                int(m["i1"]),
                int(m["i2"]) if m["i2"] else None,
                int(m["col"]) if m["col"] else 0,
                functions[m["fn"]] if m["fn"] else None,
            )
        )
    return out


def _features(sent: list[tuple[str, ...]], templates: list[Template]) -> list[list[str]]:
    """The same feature strings as underthesea's ``word2features``, in linear time.

    underthesea rebuilds every column of the sentence for every token and template (quadratic in
    the sentence length, 85 % of the Enricher's time); here each template is one pass over the
    sentence, and a function of one column (``lower``, ``is_in_dict``…) is computed once per
    token for all the templates that shift it. The strings are identical
    (``tests/nlp/test_entities.py`` compares them with underthesea's own, and the tags with
    ``underthesea.ner`` on real sentences)."""
    n = len(sent)
    if n == 0:
        return []
    columns = list(zip(*sent, strict=True))
    # the value of every span a template reads (one token, or tokens a..a+width-1 joined), per
    # (column, width, function): shifted templates of the same column share it
    spans: dict[tuple[int, int, object], list[str]] = {}
    per_template: list[list[str]] = []
    for prefix, i1, i2, col, fn in templates:
        width = 1 if i2 is None else i2 - i1 + 1
        values = spans.get((col, width, fn))
        if values is None:
            column = columns[col]
            words = column if width == 1 else [" ".join(column[a : a + width]) for a in range(n - width + 1)]
            values = [str(fn(w)) for w in words] if fn else list(words)
            spans[(col, width, fn)] = values
        # token i reads the span starting at a = i + i1: BOS before the sentence, EOS past it
        n_bos = min(max(-i1, 0), n)
        first = n_bos + i1
        inside = [prefix + v for v in values[first : max(n + i1, 0)]] if n_bos < n else []
        per_template.append([prefix + "BOS"] * n_bos + inside + [prefix + "EOS"] * (n - n_bos - len(inside)))
    return [list(row) for row in zip(*per_template, strict=True)]


class _Pipeline:
    """underthesea's offline NER (word_tokenize → POS CRF → chunk CRF → NER CRF) with its own
    models and templates; only the feature loop is ours."""

    def __init__(self) -> None:
        from underthesea import word_tokenize
        from underthesea.pipeline.chunking import tagged_feature as chunk_features
        from underthesea.pipeline.chunking.model_crf import CRFChunkingPredictor
        from underthesea.pipeline.ner import tagged_feature as ner_features
        from underthesea.pipeline.ner.model_crf import CRFNERPredictor
        from underthesea.pipeline.pos_tag import tagged_feature as pos_features
        from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

        self.tokenize = word_tokenize
        self.pos, self.chunk, self.ner = (
            CRFPOSTagPredictor.Instance(),
            CRFChunkingPredictor.Instance(),
            CRFNERPredictor.Instance(),
        )
        self.t_pos = _parse(self.pos.transformer.template, pos_features)
        self.t_chunk = _parse(self.chunk.transformer.template, chunk_features)
        self.t_ner = _parse(self.ner.transformer.template, ner_features)

    def __call__(self, sentence: str) -> list[tuple[str, str, str, str]]:
        words = self.tokenize(sentence)
        if not words:
            return []
        pos = self.pos.model.tag(_features([(w, "X") for w in words], self.t_pos))
        chunks = self.chunk.model.tag(
            _features([(w, p, "X") for w, p in zip(words, pos, strict=True)], self.t_chunk)
        )
        tags = self.ner.model.tag(
            _features([(w, p, c, "X") for w, p, c in zip(words, pos, chunks, strict=True)], self.t_ner)
        )
        return list(zip(words, pos, chunks, tags, strict=True))


@lru_cache(maxsize=1)
def _ner() -> _Pipeline:
    t0 = time.perf_counter()
    pipeline = _Pipeline()
    pipeline("Khởi động mô hình.")  # the model files are read on first use
    log.info("underthesea ner loaded in %.2fs", time.perf_counter() - t0)
    return pipeline


def _chunks(text: str) -> list[str]:
    out: list[str] = []
    for sentence in split_sentences(text):
        while len(sentence) > MAX_SENTENCE_CHARS:
            cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > 0 else MAX_SENTENCE_CHARS
            out.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


_WORD = re.compile(r"[^\W\d_]+")
_ACRONYM = re.compile(r"\b[A-ZĐ]{2,}\b")


def could_name(sentence: str) -> bool:
    """Can the CRF find a name here? It needs capitals: a capitalised word after the first, two
    capitalised words in a row (a name opening the sentence), or an acronym (UBND, CSGT)."""
    if _ACRONYM.search(sentence):
        return True
    words = _WORD.findall(sentence)
    caps = [w[0].isupper() for w in words]
    return any(caps[1:]) or (len(caps) > 1 and caps[0] and caps[1])


@lru_cache(maxsize=SENTENCE_CACHE)
def _tag(sentence: str) -> tuple[tuple[str, str], ...]:
    try:
        tagged = _ner()(sentence)
    except Exception as exc:  # a CRF failure on one odd sentence must not lose the others
        log.warning("ner failed on a sentence (%s): %r", exc, sentence[:80])
        return ()
    return tuple(merge_tags([(t[0], t[-1]) for t in tagged]))


def merge_tags(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``[(word, "B-PER"), (word, "I-PER"), (word, "O")]`` -> ``[("w1 w2", "PER")]``.

    An ``I-`` tag without a preceding ``B-`` of the same type starts a new entity (the CRF does
    produce such sequences)."""
    out: list[tuple[str, str]] = []
    words: list[str] = []
    kind: str | None = None
    for word, tag in tokens:
        prefix, _, label = tag.partition("-")
        if prefix == "I" and kind == label and words:
            words.append(word)
            continue
        if words and kind:
            out.append((" ".join(words), kind))
        words, kind = ([word], label) if prefix in ("B", "I") and label in ENTITY_TYPES else ([], None)
    if words and kind:
        out.append((" ".join(words), kind))
    return out


def extract_entities(text: str, max_chars: int = 2000, enabled: bool | None = None) -> list[Entity]:
    """Entities of ``text`` (first ``max_chars`` characters), de-duplicated, in order of appearance.

    >>> [(e.text, e.type) for e in extract_entities("Ông Nguyễn Văn Nam làm việc tại Nha Trang.")]
    [('Nguyễn Văn Nam', 'PER'), ('Nha Trang', 'LOC')]
    """
    if not (ENABLED if enabled is None else enabled):
        return []
    text = clean(text or "")[: max(0, max_chars)]
    if not text:
        return []
    seen: set[tuple[str, str]] = set()
    out: list[Entity] = []
    for chunk in _chunks(text):
        if not could_name(chunk):
            continue
        for surface, kind in _tag(chunk):
            surface = surface.strip(" ,.;:-–()\"'“”")
            if len(surface) < 2:
                continue
            key = (fold(surface), kind)
            if key in seen:
                continue
            seen.add(key)
            out.append(Entity(text=surface, type=kind))
    return out
