"""Agency names compared as people read them: case, diacritic variants and punctuation ignored."""

from __future__ import annotations

import re
import unicodedata

# Old-style and new-style tone placement ("hoá" / "hóa", "thuỷ" / "thủy") differ only in which vowel
# carries the mark; stripping marks makes them equal.
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def normalize_name(text: str) -> str:
    """Lower case, no diacritics (đ → d), punctuation as single spaces."""
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("&", " va ")
    return _PUNCT.sub(" ", text).strip()
