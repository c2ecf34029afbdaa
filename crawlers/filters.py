"""Per-item decisions taken at crawl time: is a national item about our province, which language.

Both are the NLP package's own functions, so the crawler and the enrichment stage agree.
"""

from __future__ import annotations

from giamsat.core.profile import Profile


def is_about_province(text: str, profile: Profile) -> bool:
    """True when the text names the province at any level (wards, old names, landmarks)."""
    from giamsat.nlp.mentions import is_about_province as nlp_is_about  # builds its automaton once

    return bool(nlp_is_about(text, profile))


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text (``nlp.language``), or None when it cannot tell."""
    from giamsat.nlp.language import UNDETERMINED
    from giamsat.nlp.language import detect_language as nlp_detect

    code = nlp_detect(text[:5000])
    return None if code == UNDETERMINED else code
