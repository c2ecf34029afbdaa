"""A small pure-Python model of the Elasticsearch analysis chain configured in ``analysis.json``.

It exists so that tests can check what the JSON *means* without a server: the mapping char filter,
the standard tokenizer, ``lowercase`` and ``asciifolding`` (with ``preserve_original``) are
interpreted from the settings themselves, and the model is checked against the token outputs
documented by Elastic. It is a model, not a re-implementation of Lucene:

* the standard tokenizer (Unicode UAX #29 word boundaries) is approximated by runs of word
  characters, keeping apostrophes between letters (``dog's``) and ``.``/``,`` between digits;
* ASCII folding is approximated by Unicode decomposition without combining marks plus the few
  letters that do not decompose (đ, ø, ł, æ, œ, ß...). For Latin letters used by Vietnamese this
  is exactly what Lucene's ``ASCIIFoldingFilter`` produces.

Like Lucene, a folded token is emitted *first* and the original follows at the same position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from giamsat.storage.es import analysis_settings

_NO_DECOMPOSITION = {
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "þ": "th", "Þ": "TH", "ı": "i",
}  # fmt: skip
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['’]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Token:
    token: str
    position: int


def apply_mapping(text: str, mappings: list[str]) -> str:
    """The ``mapping`` char filter: ``"a => b"`` rules, longest match first (as Lucene does)."""
    rules: dict[str, str] = {}
    for rule in mappings:
        left, _, right = rule.partition("=>")
        rules[left.strip()] = right.strip()
    if not rules:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(rules, key=len, reverse=True)))
    return pattern.sub(lambda m: rules[m.group(0)], text)


def standard_tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def ascii_fold(token: str) -> str:
    out = []
    for ch in token:
        if ord(ch) < 128:
            out.append(ch)
        elif ch in _NO_DECOMPOSITION:
            out.append(_NO_DECOMPOSITION[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base and all(ord(c) < 128 for c in base) else ch)
    return "".join(out)


def analyze(text: str, analyzer: str = "vi_text", settings: dict[str, Any] | None = None) -> list[Token]:
    """What ``GET _analyze {"analyzer": analyzer, "text": text}`` returns, per this model."""
    settings = settings or analysis_settings()
    spec = settings["analyzer"][analyzer]
    if spec.get("tokenizer") != "standard":
        raise ValueError(f"the model only knows the standard tokenizer, not {spec.get('tokenizer')}")
    return analyze_with(text, spec.get("char_filter", []), spec.get("filter", []), settings)


def analyze_with(
    text: str, char_filters: list[Any], filters: list[Any], settings: dict[str, Any] | None = None
) -> list[Token]:
    """Run named (or inline) char filters, the standard tokenizer and token filters."""
    settings = settings or {}
    for cf in char_filters:
        spec = cf if isinstance(cf, dict) else settings.get("char_filter", {}).get(cf)
        if not spec or spec.get("type") != "mapping":
            raise ValueError(f"unknown char filter {cf!r}")
        text = apply_mapping(text, spec.get("mappings", []))
    tokens = [Token(t, i) for i, t in enumerate(standard_tokenize(text))]
    for f in filters:
        spec = f if isinstance(f, dict) else settings.get("filter", {}).get(f, {"type": f})
        tokens = _apply_filter(tokens, spec)
    return tokens


def _apply_filter(tokens: list[Token], spec: dict[str, Any]) -> list[Token]:
    kind = spec.get("type")
    if kind == "lowercase":
        return [Token(t.token.lower(), t.position) for t in tokens]
    if kind == "asciifolding":
        keep = bool(spec.get("preserve_original", False))
        out: list[Token] = []
        for t in tokens:
            folded = ascii_fold(t.token)
            out.append(Token(folded, t.position))
            if keep and folded != t.token:
                out.append(Token(t.token, t.position))  # same position: a synonym of the folded form
        return out
    raise ValueError(f"the model does not know the token filter {kind!r}")


def normalize_keyword(
    value: str, normalizer: str = "vi_folded", settings: dict[str, Any] | None = None
) -> str:
    """What a keyword field with this normalizer indexes (normalizers keep one token)."""
    settings = settings or analysis_settings()
    spec = settings["normalizer"][normalizer]
    for cf in spec.get("char_filter", []):
        value = apply_mapping(value, settings["char_filter"][cf]["mappings"])
    for f in spec.get("filter", []):
        fspec = settings.get("filter", {}).get(f, {"type": f})
        value = _apply_filter([Token(value, 0)], {**fspec, "preserve_original": False})[0].token
    return value


def terms(tokens: list[Token]) -> set[str]:
    return {t.token for t in tokens}


def matches(query: str, document: str, analyzer: str = "vi_text") -> bool:
    """Would a ``match`` query with operator AND find ``document``? Query tokens at the same position
    are alternatives (Lucene builds a SynonymQuery from them), each position must be present."""
    doc_terms = terms(analyze(document, analyzer))
    by_pos: dict[int, set[str]] = {}
    for t in analyze(query, analyzer):
        by_pos.setdefault(t.position, set()).add(t.token)
    return bool(by_pos) and all(alts & doc_terms for alts in by_pos.values())
