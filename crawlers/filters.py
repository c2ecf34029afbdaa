"""The crawler's two readings of an item: is it about our province, which language.

Both are the NLP stage's own functions applied to ``item_text(item)``, the same string the
Enricher reads; the crawler records the language on the item (``Item.language``) and the
Enricher reuses it, so language is computed once and province is decided by the same finder.
"""

from __future__ import annotations

from giamsat.core.model import Item, item_text
from giamsat.core.profile import Profile
from giamsat.nlp.language import UNDETERMINED
from giamsat.nlp.language import detect_language as _detect_language
from giamsat.nlp.mentions import is_about_province as _is_about_province


def is_about_province(item: Item, profile: Profile) -> bool:
    """True when the item names the province at any level (wards, old names, landmarks)."""
    return _is_about_province(item_text(item), profile)


def detect_language(item: Item) -> str | None:
    """ISO 639-1 code of the item's text, or None when it cannot tell."""
    code = _detect_language(item_text(item))
    return None if code == UNDETERMINED else code
