"""A lead or coordinator cell as printed → the agencies and groups it names, and what a person must look at.

The cell is read as words and separators. Known names (every alias of every agency, and the group phrases) are
matched longest first over the words, so punctuation inside a name ("Sở Văn hóa, Thể thao và Du lịch",
"Sở Lao động - Thương binh và Xã hội") never splits it. What is left between matches is split on separators;
role phrases ("chủ trì", "theo dõi, đôn đốc", "phối hợp với") are dropped, and a remaining piece that names a body
the directory does not know is returned as unresolved: flagged for a person, never dropped, never guessed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from tracker.agencies.names import normalize_name


def _phrases() -> dict[str, Any]:
    return json.loads(resources.files("tracker.agencies").joinpath("data", PHRASES).read_text("utf-8"))


PHRASES = "phrases.json"
_DATA = _phrases()


def _keys(phrases: list[str]) -> list[tuple[str, ...]]:
    return [tuple(normalize_name(p).split()) for p in phrases]


def _written(phrases: list[str]) -> re.Pattern[str]:
    """Phrases compared with their diacritics ("bố trí" is not "Bộ"), longest first, whole words."""
    ordered = sorted({unicodedata.normalize("NFC", p.lower()) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in ordered) + r")(?!\w)")


#: Group phrases (normalized) and the groups each names, longest first when matching
GROUP_PHRASES: dict[str, list[str]] = {normalize_name(k): v for k, v in _DATA["groups"]["phrases"].items()}
#: "cấp huyện" right after a kind of unit ("Bộ phận Một cửa cấp huyện") is its level, not the group
GROUP_QUALIFIERS = set(_keys(_DATA["groups"]["qualifiers"]["phrases"]))
#: Words of role phrases and glue, dropped when nothing else is left in a piece
ROLE_WORDS = frozenset(normalize_name(_DATA["role_words"]["words"]).split())
#: A piece right after a name that starts with one of these says what that agency does
ROLE_DESCRIPTIONS = _keys(_DATA["role_descriptions"]["phrases"])
#: "… liên quan": those concerned, not the whole group
INDEFINITE = _keys(_DATA["indefinite"]["phrases"])
PURPOSE_WORDS = {unicodedata.normalize("NFC", w) for w in _DATA["purpose_clause"]["words"]}
#: Words that say a piece names a body (an unknown one is flagged, not dropped)
BODY_PHRASES = _DATA["body_words"]["phrases"]
_BODY = _written(BODY_PHRASES)
_NOT_BODY = _written(_DATA["body_words"]["not_bodies"] + _DATA["not_agencies"]["phrases"])
#: Names that are no agency of the plan: the province itself, as issuer or as the one advised
NOT_AGENCIES = _DATA["not_agencies"]["phrases"]
#: National bodies: flagged, never mapped to the provincial agency whose name they share
NATIONAL_BODIES = _DATA["national_bodies"]["phrases"]
_NATIONAL_PREFIX = _keys(_DATA["national_bodies"]["prefixes"])

_SEPARATORS = re.compile(r"[;,\n\r\t()\[\]:/]|(?<!\w)-(?!\w)|\s[-–—]\s|^\s*[-–—•+]")
_SYNONYMS = sorted(
    (
        (tuple(normalize_name(long).split()), tuple(normalize_name(short).split()))
        for long, short in _DATA["short_forms"]["pairs"]
    ),
    key=lambda pair: len(pair[0]),
    reverse=True,
)


def _canonical_words(words: list[str]) -> list[str]:
    """Words with the usual long forms folded ("ủy ban nhân dân" → "ubnd")."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for long, short in _SYNONYMS:
            if tuple(words[i : i + len(long)]) == long:
                out.extend(short)
                i += len(long)
                break
        else:
            out.append(words[i])
            i += 1
    return out


def canonical_key(name: str) -> str:
    # "và" is left out of names: "Sở Văn hoá Thể thao du lịch" is "Sở Văn hóa, Thể thao và Du lịch"
    return " ".join(w for w in _canonical_words(normalize_name(name).split()) if w != "va")


@dataclass
class Resolution:
    agencies: list[str] = field(default_factory=list)
    agency_codes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, list[str]]:
        """The shape ``tracker agencies resolve --json`` prints."""
        return {"agencies": self.agencies, "groups": self.groups, "unresolved": self.unresolved}


class AliasIndex:
    """Every known spelling of every agency (and the group phrases), keyed by canonical words."""

    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        #: canonical key → ("agency", code) or ("group", code); plus the display name of each agency code
        self.keys: dict[tuple[str, ...], tuple[str, str]] = {}
        self.display: dict[str, str] = {}
        for key, codes in GROUP_PHRASES.items():
            self.keys[tuple(canonical_key(key).split())] = ("group", "+".join(codes))
        for name in NOT_AGENCIES:
            self.keys[tuple(canonical_key(name).split())] = ("skip", "")
        for name in NATIONAL_BODIES:
            self.keys[tuple(canonical_key(name).split())] = ("national", "")
        for alias, (code, display) in names.items():
            words = tuple(canonical_key(alias).split())
            if words:
                self.keys.setdefault(words, ("agency", code))
            self.display[code] = display
        self.longest = max((len(k) for k in self.keys), default=1)
        #: cell text → its reading: an appendix repeats its agency cells ("Các Sở, Ban, ngành" on most rows)
        self.readings: dict[str, Resolution] = {}
        #: code → (last day it was active, its successor's code) for the units that ended (from the database)
        self.ended: dict[str, tuple[date, str | None]] = {}

    @classmethod
    def from_directory(cls, data: dict[str, Any]) -> AliasIndex:
        names: dict[str, tuple[str, str]] = {}
        for row in data["agencies"]:
            for alias in [row["name"], row.get("short_name", ""), *row.get("aliases", [])]:
                if alias:
                    names.setdefault(alias, (row["code"], row["name"]))
        return cls(names)

    @classmethod
    def from_database(cls, on: date | None = None) -> AliasIndex:
        from sqlalchemy import select
        from sqlalchemy.orm import aliased

        from tracker.agencies.models import Agency, AgencyAlias
        from tracker.agencies.queries import active_on
        from tracker.extensions import db

        query = select(AgencyAlias.alias, Agency.code, Agency.name).join(Agency, AgencyAlias.agency_id == Agency.id)
        if on is not None:
            query = query.where(active_on(on))
        names = {alias: (code, name) for alias, code, name in db.session.execute(query)}
        index = cls(names)
        successor = aliased(Agency)
        for code, active_to, successor_code, successor_name in db.session.execute(
            select(Agency.code, Agency.active_to, successor.code, successor.name)
            .outerjoin(successor, Agency.successor_id == successor.id)
            .where(Agency.active_to.is_not(None))
        ):
            index.ended[code] = (active_to, successor_code)
            if successor_code:
                index.display.setdefault(successor_code, successor_name)
        return index

    def successor_on(self, code: str, day: date) -> str | None:
        """The unit that carries ``code``'s work on ``day`` when ``code`` had ended by then (following renames and
        mergers as far as they go); None when ``code`` is still active then, or ended with no successor."""
        seen = {code}
        current = code
        while current in self.ended and self.ended[current][0] < day:
            following = self.ended[current][1]
            if following is None or following in seen:
                return None if current == code else current
            seen.add(following)
            current = following
        return None if current == code else current


def _tokens(text: str) -> list[tuple[str, str, str, int]]:
    """(kind, original, canonical, number of the printed word) for each word and separator of the cell."""
    out: list[tuple[str, str, str, int]] = []
    for line in text.splitlines() or [text]:
        out.append(("sep", "\n", "", -1))
        line = re.sub(r"^\s*[-–—•+*]\s*", "; ", line)  # a bullet starts a new piece
        line = re.sub(r"\s[-–—]\s(?=[-–—•+]?\s*[A-ZĐ])", " ; ", line)  # " - Sở Nội vụ": a list dash
        for match in re.finditer(r"\w+(?:&\w+)*|[;,()\[\]:/]|[-–—]|\.", line):
            piece = match.group(0)
            if re.fullmatch(r"[;,()\[\]:/.]", piece):
                out.append(("sep", piece, "", -1))
            elif re.fullmatch(r"[-–—]", piece):
                out.append(("dash", piece, "", -1))
            else:
                for word in normalize_name(piece).split():
                    out.append(("word", piece, word, len(out)))
    return out


def _fold(words: list[tuple[int, tuple]]) -> list[tuple[int, tuple]]:
    """Fold long forms over the word sequence ("ủy ban nhân dân" → one word "ubnd"), keeping token indexes.

    The folded word keeps the token index of the long form's last word as its fifth field, so that a name
    ending in a long form ("Sở Nội vụ" → "so nv") covers every printed word.
    """
    out: list[tuple[int, tuple]] = []
    i = 0
    while i < len(words):
        for long, short in _SYNONYMS:
            span = words[i : i + len(long)]
            if tuple(w[1][2] for w in span) == long:
                first = span[0]
                out.append((first[0], (*first[1][:2], short[0], first[1][3], span[-1][0])))
                # the other words of the long form count as matched with the first
                for index, token in span[1:]:
                    out.append((index, (*token[:2], "", token[3])))
                i += len(long)
                break
        else:
            out.append(words[i])
            i += 1
    return [w for w in out if w[1][2]]


def _printed(tokens: list[tuple[str, str, str, int]]) -> str:
    """The tokens as the document wrote them (a printed word split into several counts once)."""
    out, seen = [], set()
    for kind, original, _, number in tokens:
        if kind == "word" and number in seen:
            continue
        seen.add(number)
        if kind == "sep" and original in ",;:.)":
            out.append(original)
        elif kind != "sep" or original not in "\n":
            out.append(f" {original}")
    text = "".join(out).replace("( ", "(").strip()
    return re.sub(r"\s+-\s+", " - ", text).strip(" -.;,")


def _indefinite_end(words: list, canon: list[str], start: int, tokens: list) -> int | None:
    """The word position after "liên quan" when only glue and kinds of body lie between ``start`` and it."""
    for i in range(start, len(words)):
        if _starts_with(canon[i:], INDEFINITE):
            return i + len(_starts_with(canon[i:], INDEFINITE))
        between = tokens[words[i - 1][0] + 1 : words[i][0]] if i > start else []
        if canon[i] not in ROLE_WORDS or any(t[0] == "sep" and t[1] in ";\n" for t in between):
            return None
    return None


def _starts_with(words: list[str], phrases: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    return next((p for p in phrases if tuple(words[: len(p)]) == p), None)


#: How many cell readings an index keeps (an appendix has far fewer distinct agency cells)
READINGS_KEPT = 20_000


def resolve_cell(text: str | None, index: AliasIndex) -> Resolution:
    """Read one lead or coordinator cell (each distinct text once per index; the caller gets its own copy)."""
    text = text or ""
    reading = index.readings.get(text)
    if reading is None:
        if len(index.readings) >= READINGS_KEPT:
            index.readings.clear()
        reading = index.readings[text] = _read_cell(text, index)
    return Resolution(
        list(reading.agencies), list(reading.agency_codes), list(reading.groups), list(reading.unresolved)
    )


def _read_cell(text: str, index: AliasIndex) -> Resolution:
    result = Resolution()
    text = unicodedata.normalize("NFC", re.sub(r"<[^>]+>", " ", text or ""))
    tokens = _tokens(text)
    words = [(i, t) for i, t in enumerate(tokens) if t[0] == "word" and t[2] != "va"]
    words = _fold(words)
    canon = [w[1][2] for w in words]
    matched: set[int] = set()
    #: token indexes whose words are not read as names: a parenthesis that explains the name before it,
    #: a purpose clause ("… để Văn phòng UBND tỉnh có ý kiến"), a national body's name
    quiet: set[int] = set()

    def quiet_until_separator(first: int, *, closing: str | None = None) -> None:
        for i in range(first, len(tokens)):
            kind, original = tokens[i][:2]
            if closing is None and kind == "sep" and original in ";\n":
                return
            if closing is not None and kind == "sep" and original == closing:
                return
            quiet.add(i)

    def unresolved(first: int, last: int) -> None:
        original = _printed(tokens[first : last + 1])
        if original and original not in result.unresolved:
            result.unresolved.append(original)
        matched.update(range(first, last + 1))

    position = 0
    while position < len(words):
        token_index, token = words[position]
        if token_index in quiet or token_index in matched:
            position += 1
            continue
        if token[1].lower() in PURPOSE_WORDS:
            quiet_until_separator(token_index)
            continue
        national = _starts_with(canon[position:], _NATIONAL_PREFIX)
        if national and token[1][:1].isupper() and position + len(national) < len(words):
            following = words[position + len(national)][1][1]
            if following[:1].isupper():
                # "Bộ Nội vụ": a ministry, flagged as a whole, never "Sở Nội vụ"
                last = next((i for i in range(token_index, len(tokens)) if tokens[i][0] == "sep"), len(tokens)) - 1
                unresolved(token_index, last)
                continue
        hit = None
        for length in range(min(index.longest, len(words) - position), 0, -1):
            key = tuple(canon[position : position + length])
            if key in index.keys:
                hit = (length, index.keys[key], key)
                break
        if hit is None:
            position += 1
            continue
        length, (kind, code), key = hit
        end_word = words[position + length - 1]
        first, last = token_index, end_word[1][4] if len(end_word[1]) > 4 else end_word[0]
        previous = tokens[first - 1] if first else None
        if (
            kind == "group"
            and key in GROUP_QUALIFIERS
            and previous
            and previous[0] == "word"
            and first - 1 not in matched
        ):
            position += length  # "Bộ phận Một cửa cấp huyện": the level of a unit, left to the piece it ends
            continue
        if kind == "group":
            # "Các Sở, ngành, địa phương liên quan": those concerned, which a person names
            end = _indefinite_end(words, canon, position + length, tokens)
            if end is not None:
                unresolved(first, words[end - 1][0])
                position = end
                continue
        if kind == "national":
            unresolved(first, last)
            position += length
            continue
        if kind == "skip":
            position += length  # "UBND tỉnh": its words stay in the piece they belong to
            continue
        # every word from the first to the last of the name (separators inside it too)
        matched.update(range(first, last + 1))
        if kind == "group":
            for group in code.split("+"):
                if group not in result.groups:
                    result.groups.append(group)
        elif kind == "agency" and code not in result.agency_codes:
            result.agency_codes.append(code)
            result.agencies.append(index.display[code])
        if last + 1 < len(tokens) and tokens[last + 1][1] == "(":
            quiet_until_separator(last + 2, closing=")")  # "UBND cấp huyện (Văn phòng HĐND&UBND)"
        position += length

    # What is left, piece by piece
    piece: list[tuple[str, str, str, int]] = []
    piece_start = 0
    after_name = False  # the piece follows a name with no separator between
    #: where a run of kinds of body joined by commas began ("Các cơ quan, đơn vị liên quan")
    run_start: int | None = None

    def flush(end: int) -> None:
        nonlocal run_start
        if not piece:
            return
        words_of_piece = [t[2] for t in piece if t[0] == "word"]
        meaningful = [w for w in words_of_piece if w not in ROLE_WORDS]
        written = _NOT_BODY.sub(" ", " ".join(t[1].lower() for t in piece if t[0] == "word"))
        body = _BODY.search(written)
        capitalized = [t for t in piece[1:] if t[0] == "word" and t[1][:1].isupper() and not t[1].isupper()]
        indefinite = any(_starts_with(words_of_piece[i:], INDEFINITE) for i in range(len(words_of_piece)))
        described = after_name and _starts_with(words_of_piece, ROLE_DESCRIPTIONS)
        if not described and (meaningful or indefinite) and (body or capitalized):
            first = run_start if indefinite and run_start is not None else piece_start
            kept = [t for i, t in enumerate(tokens[first:end], first) if i not in quiet]
            original = re.sub(r"^(và|với|cùng)\s+", "", _printed(kept))
            # "… với doanh nghiệp Ban Tiếp công dân tỉnh": the body's name starts at its capital
            start = next(
                (t for t in piece if t[0] == "word" and t[1][:1].isupper() and _BODY.match(t[1].lower())), None
            )
            if start is not None and start is not piece[0] and not piece[0][1][:1].isupper() and body and body.start():
                original = original[original.find(start[1]) :]
            if original and original not in result.unresolved:
                result.unresolved.append(original)
            run_start = None
        elif not meaningful and body:
            run_start = piece_start if run_start is None else run_start
        else:
            run_start = None
        piece.clear()

    for i, token in enumerate(tokens):
        if i in quiet:
            continue
        if i in matched:
            flush(i)
            after_name, run_start = True, None
            continue
        if token[0] == "sep" or (token[0] == "dash" and (not piece or tokens[i - 1][0] != "word")):
            flush(i)
            # "Sở X chủ trì, tham mưu …": the role goes on after a comma; a parenthesis explains the name
            after_name = after_name and token[1] in "(,"
            if token[1] != ",":
                run_start = None
            continue
        if not piece:
            piece_start = i
        piece.append(token)
    flush(len(tokens))
    if not (result.agencies or result.groups or result.unresolved) and re.search(r"\w", text) and not quiet:
        # Nothing known and nothing that looks like a name: a person reads the whole cell
        result.unresolved.append(re.sub(r"\s+", " ", text).strip(" -;,."))
    return result
