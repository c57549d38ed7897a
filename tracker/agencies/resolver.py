"""A lead or coordinator cell as printed → the agencies and groups it names, and what a person must look at.

The cell is read as words and separators. Known names (every alias of every agency, and the group phrases) are
matched longest first over the words, so punctuation inside a name ("Sở Văn hóa, Thể thao và Du lịch",
"Sở Lao động - Thương binh và Xã hội") never splits it. What is left between matches is split on separators;
role phrases ("chủ trì", "theo dõi, đôn đốc", "phối hợp với") are dropped, and a remaining piece that names a body
the directory does not know is returned as unresolved: flagged for a person, never dropped, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.agencies.names import normalize_name

#: Group phrases as documents write them (normalized), longest first when matching
GROUP_PHRASES: dict[str, str] = {
    "cac so ban nganh": "ALL_DEPARTMENTS",
    "cac so ban nganh tinh": "ALL_DEPARTMENTS",
    "cac so ban nganh thuoc tinh": "ALL_DEPARTMENTS",
    "so ban nganh": "ALL_DEPARTMENTS",
    "cac so nganh": "ALL_DEPARTMENTS",
    "cac so ban": "ALL_DEPARTMENTS",
    "cac so": "ALL_DEPARTMENTS",
    "cac co quan chuyen mon thuoc ubnd tinh": "ALL_DEPARTMENTS",
    "cac co quan chuyen mon cap tinh": "ALL_DEPARTMENTS",
    "co quan chuyen mon thuoc ubnd tinh": "ALL_DEPARTMENTS",
    "ubnd cap huyen": "ALL_DISTRICTS",
    "ubnd cac huyen thi xa thanh pho": "ALL_DISTRICTS",
    "ubnd cac huyen thanh pho thi xa": "ALL_DISTRICTS",
    "ubnd cac huyen thanh pho": "ALL_DISTRICTS",
    "ubnd cac huyen thi xa": "ALL_DISTRICTS",
    "ubnd cac huyen": "ALL_DISTRICTS",
    "cac huyen thi xa thanh pho": "ALL_DISTRICTS",
    "cac huyen thanh pho": "ALL_DISTRICTS",
    "ubnd huyen thi xa thanh pho": "ALL_DISTRICTS",
    "cap huyen": "ALL_DISTRICTS",
    "ubnd cap xa": "ALL_COMMUNES",
    "ubnd cac xa phuong thi tran": "ALL_COMMUNES",
    "ubnd cac xa phuong": "ALL_COMMUNES",
    "ubnd cac xa": "ALL_COMMUNES",
    "cap xa": "ALL_COMMUNES",
    "cac co quan don vi dia phuong": "ALL_AGENCIES",
    "co quan don vi dia phuong": "ALL_AGENCIES",
    "cac co quan don vi dia phuong trong tinh": "ALL_AGENCIES",
    "cac so ban nganh dia phuong": "ALL_AGENCIES",
}

#: Words of role phrases and glue, dropped when nothing else is left in a piece
ROLE_WORDS = frozenset(
    normalize_name(
        "chủ trì phối hợp với và cùng các theo dõi đôn đốc tham mưu hướng dẫn thẩm định giám sát tổng hợp "
        "kiểm tra chủ động tổ chức thực hiện triển khai là của do trên cơ sở đề xuất trình báo cáo xây dựng "
        "cơ quan đơn vị địa phương liên quan có theo nhu cầu thực tế tại lĩnh vực phụ trách được giao "
        "việc nội dung về cho mỗi từng ubnd tỉnh"
    ).split()
)

#: Phrases that say a piece names a body (an unknown one is flagged, not dropped)
BODY_PHRASES = [
    normalize_name(p)
    for p in [
        "sở",
        "ban",
        "bộ",
        "ủy ban",
        "ubnd",
        "hđnd",
        "trung tâm",
        "đài",
        "báo",
        "cục",
        "chi cục",
        "văn phòng",
        "hội",
        "đoàn",
        "công an",
        "viện",
        "trường",
        "bệnh viện",
        "ngân hàng",
        "kho bạc",
        "liên đoàn",
        "mặt trận",
        "tỉnh đoàn",
        "đảng ủy",
        "thanh tra",
        "tổng cục",
        "công ty",
        "tập đoàn",
        "hiệp hội",
        "đại biểu",
        "cơ quan ngành dọc",
        "bưu điện",
        "cổng thông tin",
    ]
]
_BODY = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(BODY_PHRASES, key=len, reverse=True)) + r")\b")
#: Names that are no agency of the plan: the province itself, as issuer or as the one advised
NOT_AGENCIES = ["UBND tỉnh", "Chủ tịch UBND tỉnh", "UBND tỉnh Quảng Nam", "Ủy ban nhân dân tỉnh"]

_SEPARATORS = re.compile(r"[;,\n\r\t()\[\]:/]|(?<!\w)-(?!\w)|\s[-–—]\s|^\s*[-–—•+]")
_SYNONYMS = [
    (("uy", "ban", "nhan", "dan"), ("ubnd",)),
    (("hoi", "dong", "nhan", "dan"), ("hdnd",)),
    (("thanh", "pho"), ("tp",)),
    (("thi", "xa"), ("tx",)),
]


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
        for key, code in GROUP_PHRASES.items():
            self.keys[tuple(canonical_key(key).split())] = ("group", code)
        for name in NOT_AGENCIES:
            self.keys[tuple(canonical_key(name).split())] = ("skip", "")
        for alias, (code, display) in names.items():
            words = tuple(canonical_key(alias).split())
            if words:
                self.keys.setdefault(words, ("agency", code))
            self.display[code] = display
        self.longest = max((len(k) for k in self.keys), default=1)

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

        from tracker.agencies.models import Agency, AgencyAlias
        from tracker.agencies.queries import active_on
        from tracker.extensions import db

        query = select(AgencyAlias.alias, Agency.code, Agency.name).join(Agency, AgencyAlias.agency_id == Agency.id)
        if on is not None:
            query = query.where(active_on(on))
        names = {alias: (code, name) for alias, code, name in db.session.execute(query)}
        return cls(names)


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
    """Fold long forms over the word sequence ("ủy ban nhân dân" → one word "ubnd"), keeping token indexes."""
    out: list[tuple[int, tuple]] = []
    i = 0
    while i < len(words):
        for long, short in _SYNONYMS:
            span = words[i : i + len(long)]
            if tuple(w[1][2] for w in span) == long:
                first = span[0]
                out.append((first[0], (*first[1][:2], short[0], first[1][3])))
                # the other words of the long form count as matched with the first
                for index, token in span[1:]:
                    out.append((index, (*token[:2], "", token[3])))
                i += len(long)
                break
        else:
            out.append(words[i])
            i += 1
    return [w for w in out if w[1][2]]


def resolve_cell(text: str | None, index: AliasIndex) -> Resolution:
    """Read one lead or coordinator cell."""
    result = Resolution()
    text = unicodedata.normalize("NFC", re.sub(r"<[^>]+>", " ", text or ""))
    tokens = _tokens(text)
    words = [(i, t) for i, t in enumerate(tokens) if t[0] == "word" and t[2] != "va"]
    words = _fold(words)
    matched: set[int] = set()
    position = 0
    while position < len(words):
        hit = None
        for length in range(min(index.longest, len(words) - position), 0, -1):
            key = tuple(w[1][2] for w in words[position : position + length])
            if key in index.keys:
                hit = (length, index.keys[key])
                break
        if hit is None:
            position += 1
            continue
        length, (kind, code) = hit
        # every word from the first to the last of the name (separators inside it too)
        matched.update(range(words[position][0], words[position + length - 1][0] + 1))
        if kind == "skip":
            pass
        elif kind == "group":
            if code not in result.groups:
                result.groups.append(code)
        elif code not in result.agency_codes:
            result.agency_codes.append(code)
            result.agencies.append(index.display[code])
        position += length

    # What is left, piece by piece
    piece: list[tuple[str, str, str, int]] = []

    def flush() -> None:
        if not piece:
            return
        canon = [t[2] for t in piece if t[0] == "word"]
        meaningful = [w for w in canon if w not in ROLE_WORDS]
        printed, seen = [], set()
        for t in piece:
            if t[0] == "dash" or t[3] not in seen:
                printed.append(t[1])
                seen.add(t[3])
        original = " ".join(printed)
        original = re.sub(r"\s+-\s+", " - ", original).strip(" -")
        body = _BODY.search(" ".join(canon))
        capitalized = [t for t in piece[1:] if t[0] == "word" and t[1][:1].isupper()]
        if meaningful and (body or capitalized) and original:
            # "… với doanh nghiệp Ban Tiếp công dân tỉnh": the body's name starts at its capital
            start = next((t for t in piece if t[0] == "word" and t[1][:1].isupper() and _BODY.match(t[2])), None)
            if start is not None and start is not piece[0]:
                original = original[original.find(start[1]) :]
            if original not in result.unresolved:
                result.unresolved.append(original)
        piece.clear()

    for i, token in enumerate(tokens):
        if i in matched or token[0] == "sep":
            flush()
            continue
        if token[0] == "dash" and (not piece or tokens[i - 1][0] != "word"):
            flush()
            continue
        piece.append(token)
    flush()
    if not (result.agencies or result.groups or result.unresolved) and re.search(r"\w", text):
        # Nothing known and nothing that looks like a name: a person reads the whole cell
        result.unresolved.append(re.sub(r"\s+", " ", text).strip(" -;,"))
    return result
