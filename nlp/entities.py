"""Named entities (PER, ORG, LOC, MISC) with underthesea's offline CRF ``ner``.

``extract_entities(text)`` splits the text into sentences, runs ``underthesea.ner`` on each,
merges ``B-``/``I-`` tags into entities and de-duplicates them (first spelling kept, compared on
the folded form). Only the first ``max_chars`` characters are read: entities serve as facets and
reasons, and the lead of an article names the actors.

Cost (measured on this machine, see ``benchmarks/``-style figures in the report): the first call
loads the model (~0.5 s); afterwards roughly 1-3 ms per sentence. Bulk analysis can switch it off
for short social posts with ``ENABLED = False`` or ``extract_entities(..., enabled=False)``; the
rest of the pipeline does not depend on entities.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from giamsat.core.model import Entity
from giamsat.core.text import clean, fold
from giamsat.nlp.text import split_sentences

log = logging.getLogger(__name__)

ENABLED = True  # module switch: bulk jobs may set nlp.entities.ENABLED = False
ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
MAX_SENTENCE_CHARS = 600  # the CRF is linear, but one giant "sentence" (no punctuation) is split


@lru_cache(maxsize=1)
def _ner():
    t0 = time.perf_counter()
    from underthesea import ner

    ner("Khởi động mô hình.")  # the model file is read on first use
    log.info("underthesea ner loaded in %.2fs", time.perf_counter() - t0)
    return ner


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


def extract_entities(text: str, max_chars: int = 5000, enabled: bool | None = None) -> list[Entity]:
    """Entities of ``text`` (first ``max_chars`` characters), de-duplicated, in order of appearance.

    >>> [(e.text, e.type) for e in extract_entities("Ông Nguyễn Văn Nam làm việc tại Nha Trang.")]
    [('Nguyễn Văn Nam', 'PER'), ('Nha Trang', 'LOC')]
    """
    if not (ENABLED if enabled is None else enabled):
        return []
    text = clean(text or "")[: max(0, max_chars)]
    if not text:
        return []
    ner = _ner()
    seen: set[tuple[str, str]] = set()
    out: list[Entity] = []
    for chunk in _chunks(text):
        try:
            tagged = ner(chunk)
        except Exception as exc:  # a CRF failure on one odd sentence must not lose the others
            log.warning("ner failed on a sentence (%s): %r", exc, chunk[:80])
            continue
        for surface, kind in merge_tags([(t[0], t[-1]) for t in tagged]):
            surface = surface.strip(" ,.;:-–()\"'“”")
            if len(surface) < 2:
                continue
            key = (fold(surface), kind)
            if key in seen:
                continue
            seen.add(key)
            out.append(Entity(text=surface, type=kind))
    return out
