"""Sentences and clauses with offsets into the document text.

Chinese sentences end at 。！？ (and their ASCII forms) and at line breaks; clauses split at commas,
semicolons and colons. English sentences end at . ! ? followed by a space and an upper-case letter or
a quote (abbreviations such as "U.S." and "Jan." do not end a sentence); English clauses split at
semicolons and at a comma followed by a connective (", but", ", which", ", saying" …) — a bare comma
in English usually separates list items, so it does not split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    clauses: list  # list[Span]
    paragraph_start: bool = False
    line_alone: bool = False  # the sentence is a whole line without final punctuation (a heading or caption)
    zone: str = "body"  # "caption" (a photo's caption) or "credit" (攝:…, "Photo: …"): weaker evidence than the body


_ABBREV = {"u.s", "u.n", "u.k", "e.u", "mr", "mrs", "ms", "dr", "st", "jan", "feb", "mar", "apr", "jun", "jul",
           "aug", "sep", "sept", "oct", "nov", "dec", "no", "gov", "sen", "rep", "gen", "lt", "col", "inc", "corp",
           "co", "ltd", "jr", "sr", "vs", "etc", "prof", "a.m", "p.m", "d.c"}

_ZH_END = re.compile(r"[。！？!?]+[」』”\"']*|;|；")
_EN_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"“‘'(]?[A-Z0-9])")
_ZH_CLAUSE = re.compile(r"[,，;；:：]|(?<=[\u4e00-\u9fff」》])[ \u3000]+(?=[\u4e00-\u9fff「《])")  # a space in a headline too
_EN_CLAUSE = re.compile(r";|:(?=\s)|,\s+(?=(?:but|which|while|whereas|saying|who|although|though|after|as|when|"
                        r"because|adding|citing|according|and\s+(?:said|then|also))\b)|—")


def _split_line(text: str, start: int, end: int, english: bool) -> list[tuple[int, int]]:
    out = []
    pos = start
    if english:
        for m in _EN_END.finditer(text, start, end):
            word = re.search(r"([A-Za-z.]+)$", text[pos:m.start()])
            if word and m.group().startswith(".") and word.group(1).lower().rstrip(".") in _ABBREV:
                continue
            if word and m.group().startswith(".") and len(word.group(1)) == 1 and word.group(1).isupper():
                continue  # an initial: "Joe R. Biden"
            out.append((pos, m.end()))
            pos = m.end()
    else:
        for m in _ZH_END.finditer(text, start, end):
            out.append((pos, m.end()))
            pos = m.end()
    if pos < end:
        out.append((pos, end))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# A photo credit: 攝:Name / 摄影:Name / 圖片來源:… / "Photo: Name" / "(AP Photo/Name)" / "Getty Images".
_CREDIT = re.compile(r"(?:^|(?<=[。.!?！？」”\s]))(?:攝影?|摄影?|圖片?來源|图片?来源|圖|图|照片|Photo(?:graph)?|Image|Picture|"
                     r"Credit)\s*(?:[:：]|by\b)[^。!?！？]{0,80}$|"
                     r"\((?:AP|AFP|Reuters|EPA|Getty)(?: Photo)?\s*/[^()]{1,60}\)\s*$|"
                     r"(?:Getty Images|達志影像|达志影像|路透社?|美聯社|美联社|法新社)\s*$", re.I)


def _zones(text: str, lines: list[tuple[int, int]]) -> list[str]:
    """A line that is a credit, or that ends with one or stands right before one, is a photo caption: it dates
    and places the picture, not the act it mentions."""
    credit = [bool(_CREDIT.search(text[a:b])) for a, b in lines]
    zones = []
    for i, (a, b) in enumerate(lines):
        if credit[i] and _CREDIT.match(text[a:b].lstrip()):
            zones.append("credit")
        elif credit[i] or (i + 1 < len(lines) and credit[i + 1] and _CREDIT.match(text[lines[i + 1][0]:lines[i + 1][1]])):
            zones.append("caption")
        else:
            zones.append("body")
    return zones


def sentences(text: str, language: str) -> list[Sentence]:
    english = language == "en"
    result: list[Sentence] = []
    lines = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        ls, le = _trim(text, line_start, line_start + len(line))
        line_start += len(line)
        if ls < le:
            lines.append((ls, le))
    for (ls, le), zone in zip(lines, _zones(text, lines)):
        pieces = _split_line(text, ls, le, english)
        last_char = text[le - 1]
        alone = len(pieces) == 1 and last_char not in "。！？!?.」\"”"
        for i, (a, b) in enumerate(pieces):
            a, b = _trim(text, a, b)
            if a >= b:
                continue
            z = "credit" if zone == "caption" and _CREDIT.match(text[a:b]) else zone
            result.append(Sentence(len(result), a, b, _clauses(text, a, b, english), i == 0, alone, z))
    return result


def _clauses(text: str, start: int, end: int, english: bool) -> list[Span]:
    pattern = _EN_CLAUSE if english else _ZH_CLAUSE
    out, pos = [], start
    for m in pattern.finditer(text, start, end):
        segment = text[pos:m.start()]  # a comma inside parentheses does not end the clause
        if segment.count("(") + segment.count("（") > segment.count(")") + segment.count("）"):
            continue
        out.append(Span(pos, m.end()))
        pos = m.end()
    if pos < end:
        out.append(Span(pos, end))
    return out or [Span(start, end)]
