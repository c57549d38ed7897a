"""Free-text search as people type it: without diacritics or with them, any case ("kiem soat thu tuc" finds
"Kiểm soát thủ tục"). Text is folded once when it is stored (``tasks.search_text``); a query folds its words the
same way and each word must appear."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from tracker.agencies.names import normalize_name

#: At most this many words of a query are searched (the rest are ignored, not an error)
MAX_WORDS = 8


def fold(text: str | None) -> str:
    """Lower case, no diacritics (đ → d), punctuation as spaces, with a space at each end so that a word can be
    matched whole or as the start of a word."""
    folded = normalize_name(text or "")
    return f" {folded} " if folded else ""


def query_words(q: str | None) -> list[str]:
    return fold(q).split()[:MAX_WORDS]


def matches(column, q: str | None) -> ColumnElement[bool]:
    """SQL: every word of ``q`` appears in the folded ``column`` (as a word or the start of one)."""
    words = query_words(q)
    if not words:
        return true()
    return and_(*(column.contains(f" {word}", autoescape=True) for word in words))
