"""Time expressions: absolute and relative dates with their precision, resolved against the publication date.

Each expression gets ``value`` ("YYYY", "YYYY-MM" or "YYYY-MM-DD") or ``None`` when it cannot be placed on the
calendar (日前 "recently", 首次執政 "in his first term", "recently"): those are kept as *vague* markers because
they tell the fact extractor not to borrow a date from elsewhere. Matching runs on the normalised (simplified,
half-width) text; offsets are into the original text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass
class TimeExpr:
    start: int
    end: int
    text: str
    value: str | None
    precision: str | None        # "day" | "month" | "year" | None
    kind: str                    # explicit | relative | anaphoric | vague
    resolution: str = "explicit"  # explicit | inferred-from-publication-date | relative

    def as_json(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "value": self.value,
                "precision": self.precision, "kind": self.kind, "resolution": self.resolution}


_ZH_NUM = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _zh_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if all(c in _ZH_NUM for c in s):  # 二〇二五
        return int("".join(str(_ZH_NUM[c]) for c in s))
    if "十" in s:
        a, _, b = s.partition("十")
        tens = _ZH_NUM.get(a, 1) if a else 1
        ones = _ZH_NUM.get(b, 0) if b else 0
        return tens * 10 + ones
    return None


_N = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_Y = r"(\d{4}|[〇零一二三四五六七八九]{4})"
_WEEKDAY_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                "oct": 10, "nov": 11, "dec": 12})
_WEEKDAY_EN = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                           "sunday"])}
_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"

# Order matters: longer, more specific patterns first; a character already covered is not matched again.
_ZH_PATTERNS = [
    ("ymd", re.compile(_Y + r"年" + _N + r"月" + _N + r"[日号]")),
    ("y_end", re.compile(_Y + r"年(底|初|末)")),
    ("rel_month_d", re.compile(r"(本月|上个?月|下个?月)" + _N + r"[日号]")),
    ("ym", re.compile(_Y + r"年" + _N + r"月(?:份)?(?!\d)")),
    ("rel_year_md", re.compile(r"(去年|今年|明年|前年)" + _N + r"月" + _N + r"[日号]")),
    ("rel_year_m", re.compile(r"(去年|今年|明年|前年)" + _N + r"月(?:份)?")),
    ("y", re.compile(_Y + r"年(?![代度]|\d)")),
    # 同年8月 (that same year) is a month to be given its year from context, like a bare 8月
    ("md", re.compile(r"(?<![\d])(?<!(?<!同)年)" + _N + r"月" + _N + r"[日号]")),
    ("d", re.compile(r"(?<![\d年月至到和、-])(\d{1,2})[日号](?![\d])")),
    ("m", re.compile(r"(?<![\d个個])(?<!(?<!同)年)(\d{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?(?![\d底初中])(?=[^\d])")),
    ("rel_year", re.compile(r"去年|今年|明年|前年")),
    ("rel_month", re.compile(r"上个?月|本月|这个月|下个?月")),
    ("rel_day", re.compile(r"昨天|昨日|今天|今日|前天|明天|本周|本週")),
    ("weekday", re.compile(r"(上|本|这|下)?(?:周|週|星期|礼拜)([一二三四五六日天])")),
    ("same_day", re.compile(r"当天|当日|同日|同一天")),
    ("next_day", re.compile(r"隔天|次日|翌日|第二天")),
    ("vague", re.compile(r"日前|近日|早前|稍早|此前|先前|早已|首次执政|第一任期|首个任期|上一任期|前一任期|近期")),
]
_EN_PATTERNS = [
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("en_mdy", re.compile(r"\b" + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")),
    ("en_dmy", re.compile(r"\b(\d{1,2})\s+" + _MONTH_RE + r",?\s+(\d{4})\b")),
    ("en_my", re.compile(r"\b" + _MONTH_RE + r",?\s+(\d{4})\b")),
    ("en_md", re.compile(r"\b" + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s*\d{4})")),
    ("en_dm", re.compile(r"\b(\d{1,2})\s+" + _MONTH_RE + r"\b(?!,?\s*\d{4})")),
    ("en_m", re.compile(r"\b(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Ff]rom|of|[Ee]arly|[Ll]ate|[Mm]id-?|[Ll]ast|[Tt]his)\s+" + _MONTH_RE +
                        r"(?:\s+(?:of\s+)?(this|that|last|next)\s+year)?(?!\s*\d)\b")),
    ("en_rel_year", re.compile(r"\b(last|this|next) year\b|\bearlier this year\b", re.I)),
    ("en_rel_month", re.compile(r"\b(last|this|next) month\b|\bearlier this month\b", re.I)),
    ("en_rel_day", re.compile(r"\b(yesterday|today|tomorrow)\b", re.I)),
    ("en_weekday", re.compile(r"\b(?:(last|this|next|on|late|early)\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|"
                              r"Saturday|Sunday)\b")),
    ("same_day", re.compile(r"\b(?:the same day|that day|later that day)\b", re.I)),
    ("en_y", re.compile(r"(?<![\d$,.])\b(19[5-9]\d|20[0-4]\d)\b(?![\d,.]\d|-\d|\s*(?:%|percent))")),
    ("vague", re.compile(r"\b(?:recently|earlier|previously|in (?:his|her|its) first term|during (?:his|her) first "
                         r"term|first administration)\b", re.I)),
]


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    try:
        if d is not None:
            return dt.date(y, m, d).isoformat()
        if m is not None:
            return f"{y:04d}-{m:02d}" if 1 <= m <= 12 else None
        return f"{y:04d}"
    except ValueError:
        return None


def _year_for(month: int, pub: dt.date | None, day: int | None = None) -> int | None:
    """News refers to the recent past: a month-day without a year is the latest such date not far after
    publication (up to a month ahead, for announced future dates)."""
    if pub is None:
        return None
    year = pub.year
    candidate = dt.date(year, month, min(day or 1, 28))
    if candidate > pub + dt.timedelta(days=31 if day else 60):
        year -= 1
    return year


def _shift_month(pub: dt.date, delta: int) -> str:
    y, m = pub.year, pub.month + delta
    while m < 1:
        y, m = y - 1, m + 12
    while m > 12:
        y, m = y + 1, m - 12
    return f"{y:04d}-{m:02d}"


def _weekday(pub: dt.date, wd: int, which: str | None) -> str:
    """"上週三" / "last Wednesday": that weekday of the previous week; a bare weekday ("週三", "on Wednesday")
    is the latest such day on or before publication."""
    back = (pub.weekday() - wd) % 7
    day = pub - dt.timedelta(days=back)
    if which in ("上", "last"):
        if back == 0 or which == "上":
            monday_this = pub - dt.timedelta(days=pub.weekday())
            day = monday_this - dt.timedelta(days=7 - wd)
    elif which in ("下", "next"):
        day = pub + dt.timedelta(days=(wd - pub.weekday()) % 7 or 7)
    return day.isoformat()


def find_times(text: str, norm: str, language: str, published: str | None, captions=()) -> list[TimeExpr]:
    """``captions``: (start, end) spans of photo captions and credits, whose dates are the pictures' and never
    the anchor of the body's 當天 / "the same day"."""
    pub = dt.date.fromisoformat(published) if published else None
    taken = bytearray(len(text))
    out: list[TimeExpr] = []
    patterns = _EN_PATTERNS if language == "en" else _ZH_PATTERNS + _EN_PATTERNS[:6]
    for kind, rx in patterns:
        for m in rx.finditer(norm):
            if any(taken[m.start():m.end()]):
                continue
            expr = _resolve(kind, m, pub)
            if expr is None:
                continue
            value, precision, ekind, resolution = expr
            te = TimeExpr(m.start(), m.end(), text[m.start():m.end()], value, precision, ekind, resolution)
            te._kind = kind
            out.append(te)
            taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    out.sort(key=lambda t: t.start)
    _year_from_context(out, norm)
    _resolve_anaphora(out, pub, norm, captions)
    for t in out:
        # "在2025年3月之前", "until March": a deadline or bound, not the date of an act
        if re.match(r"\s*(?:之前|以前|前(?![往进])|为止)|\s+(?:until|before)\b", norm[t.end:t.end + 8]) or \
                re.search(r"\b(?:until|before|by)\s+$", norm[max(0, t.start - 8):t.start]):
            t.kind = "bound"
    return out


_YEAR_CONTEXT_KINDS = {"md", "m", "en_m", "en_md", "en_dm"}


def _year_from_context(times: list[TimeExpr], norm: str) -> None:
    """"In April of that year", "in May", 同年5月: a month without a year written shortly after a year belongs to
    that year, not to the publication year."""
    for i, t in enumerate(times):
        if getattr(t, "_kind", None) not in _YEAR_CONTEXT_KINDS or not t.value or i == 0:
            continue
        if re.search(r"(?i)\b(?:this|last|next)\b|今年|去年|明年", t.text):
            continue
        prev = times[i - 1]
        if re.search(r"同年$|同一年$", norm[max(0, t.start - 3):t.start]):
            # 同年8月: the year of the latest date that has one, however far back
            years = [u for u in times[:i] if u.value and (u.kind == "explicit" or getattr(u, "_ctx_year", False))]
            if years:
                t.value, t.resolution, t._ctx_year = years[-1].value[:4] + t.value[4:], "relative", True
            continue
        if prev.value is None or t.start - prev.end > 200:
            continue
        if not (prev.kind == "explicit" or getattr(prev, "_ctx_year", False)):
            continue
        if len(prev.value) >= 7 and re.search(r"[。！？!?\n]|\.\s", norm[prev.end:t.start]) and \
                (t.value[4:7] or "-99") < prev.value[4:7]:
            # "… effective on November 22, 2020. In January, Moscow announced": a story told forwards; a month
            # earlier than the last dated month of a previous sentence is not that year's
            continue

        year = prev.value[:4]
        if t.value[:4] != year:
            t.value = year + t.value[4:]
            t.resolution = "relative"
        t._ctx_year = True


def _month_of(s: str) -> int:
    return _MONTHS[s.lower().rstrip(".")]


def _resolve(kind: str, m: re.Match, pub: dt.date | None):
    g = m.groups()
    inferred = "inferred-from-publication-date"
    if kind == "ymd":
        y, mo, d = _zh_int(g[0]), _zh_int(g[1]), _zh_int(g[2])
        v = _iso(y, mo, d)
        return (v, "day", "explicit", "explicit") if v else None
    if kind == "ym":
        v = _iso(_zh_int(g[0]), _zh_int(g[1]))
        return (v, "month", "explicit", "explicit") if v else None
    if kind == "y_end":
        y = _zh_int(g[0])
        return (_iso(y, 12 if g[1] in ("底", "末") else 1), "month", "explicit", "explicit")
    if kind == "rel_month_d":
        if pub is None:
            return (None, "day", "relative", "relative")
        ym = _shift_month(pub, -1 if "上" in g[0] else (1 if "下" in g[0] else 0))
        v = _iso(int(ym[:4]), int(ym[5:]), _zh_int(g[1]))
        return (v, "day", "relative", "relative") if v else None
    if kind == "d":
        if pub is None:
            return (None, "day", "relative", inferred)
        d = int(g[0])
        if not 1 <= d <= 31:
            return None
        ym = pub.strftime("%Y-%m") if d <= pub.day + 1 else _shift_month(pub, -1)
        v = _iso(int(ym[:4]), int(ym[5:]), d)
        return (v, "day", "relative", inferred) if v else None
    if kind == "y":
        y = _zh_int(g[0])
        return (f"{y:04d}", "year", "explicit", "explicit") if y and 1800 < y < 2200 else None
    if kind in ("md", "m"):
        mo = _zh_int(g[0])
        d = _zh_int(g[1]) if kind == "md" else None
        if not mo or not 1 <= mo <= 12:
            return None
        y = _year_for(mo, pub, d)
        if y is None:
            return (None, "day" if d else "month", "relative", inferred)
        v = _iso(y, mo, d)
        return (v, "day" if d else "month", "relative", inferred) if v else None
    if kind in ("rel_year", "rel_year_md", "rel_year_m", "en_rel_year"):
        word = (g[0] if g and g[0] else m.group()).lower()
        delta = {"去年": -1, "今年": 0, "明年": 1, "前年": -2, "last": -1, "this": 0, "next": 1}.get(word, 0)
        if pub is None:
            return (None, "year", "relative", "relative")
        y = pub.year + delta
        if kind == "rel_year_md":
            v = _iso(y, _zh_int(g[1]), _zh_int(g[2]))
            return (v, "day", "relative", "relative") if v else None
        if kind == "rel_year_m":
            v = _iso(y, _zh_int(g[1]))
            return (v, "month", "relative", "relative") if v else None
        return (f"{y:04d}", "year", "relative", "relative")
    if kind in ("rel_month", "en_rel_month"):
        if pub is None:
            return (None, "month", "relative", "relative")
        word = m.group().lower()
        delta = -1 if ("上" in word or "last" in word) else (1 if ("下" in word or "next" in word) else 0)
        return (_shift_month(pub, delta), "month", "relative", "relative")
    if kind in ("rel_day", "en_rel_day"):
        word = m.group().lower()
        if word in ("本周", "本週"):
            return None
        if pub is None:
            return (None, "day", "relative", "relative")
        delta = {"昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "前天": -2, "明天": 1,
                 "yesterday": -1, "today": 0, "tomorrow": 1}[word]
        return ((pub + dt.timedelta(days=delta)).isoformat(), "day", "relative", "relative")
    if kind == "weekday":
        if pub is None:
            return (None, "day", "relative", "relative")
        return (_weekday(pub, _WEEKDAY_ZH[g[1]], g[0]), "day", "relative", "relative")
    if kind == "en_weekday":
        if pub is None:
            return (None, "day", "relative", "relative")
        which = (g[0] or "").lower() or None
        return (_weekday(pub, _WEEKDAY_EN[g[1].lower()], which), "day", "relative", "relative")
    if kind == "same_day":
        return (None, "day", "anaphoric", "relative")
    if kind == "next_day":
        return (None, "day", "next-day", "relative")
    if kind == "vague":
        return (None, None, "vague", "relative")
    if kind == "iso":
        v = _iso(int(g[0]), int(g[1]), int(g[2]))
        return (v, "day", "explicit", "explicit") if v else None
    if kind == "en_mdy":
        v = _iso(int(g[2]), _month_of(g[0]), int(g[1]))
        return (v, "day", "explicit", "explicit") if v else None
    if kind == "en_dmy":
        v = _iso(int(g[2]), _month_of(g[1]), int(g[0]))
        return (v, "day", "explicit", "explicit") if v else None
    if kind == "en_my":
        v = _iso(int(g[1]), _month_of(g[0]))
        return (v, "month", "explicit", "explicit") if v else None
    if kind in ("en_md", "en_dm"):
        mon, day = (g[0], g[1]) if kind == "en_md" else (g[1], g[0])
        mo, d = _month_of(mon), int(day)
        y = _year_for(mo, pub, d)
        if y is None:
            return (None, "day", "relative", inferred)
        v = _iso(y, mo, d)
        return (v, "day", "relative", inferred) if v else None
    if kind == "en_m":
        mo = _month_of(g[0])
        y = _year_for(mo, pub)
        which = (g[1] or "").lower() if len(g) > 1 else ""
        if y is not None and which in ("this", "last", "next"):
            y = pub.year + {"this": 0, "last": -1, "next": 1}[which]
        elif y is not None and m.group().lower().startswith("this"):
            y = pub.year
        elif y is not None and m.group().lower().startswith("last") and dt.date(y, mo, 1) >= dt.date(pub.year, pub.month, 1):
            y -= 1
        return (_iso(y, mo) if y else None, "month", "relative", inferred)
    if kind == "en_y":
        return (g[0], "year", "explicit", "explicit")
    return None


def _resolve_anaphora(times: list[TimeExpr], pub: dt.date | None, norm: str = "", captions=()) -> None:
    """當天 / "the same day": the day of the latest day-precise date of the preceding few sentences (not a date
    after publication, which is an announced future date); without one, the news day (the latest such date
    within a week before publication); else the nearest day-precise date before it."""
    boundaries = [m.end() for m in re.finditer(r"(?:[。！？!?]|[.](?=\s+[\"“A-Z]))\s*|\n+", norm)]
    import bisect

    for i, t in enumerate(times):
        if t.kind == "next-day":
            # 2025年1月21日上任後隔天: the day after a date written just before it
            prev = times[i - 1] if i else None
            if prev is not None and prev.precision == "day" and prev.value and t.start - prev.end <= 12:
                t.value = (dt.date.fromisoformat(prev.value) + dt.timedelta(days=1)).isoformat()
            t.kind = "anaphoric"
            continue
        if t.kind != "anaphoric":
            continue
        def in_caption(x):
            return any(a <= x.start < b for a, b in captions)
        earlier = [u for u in times[max(0, i - 50):i] if u.precision == "day" and u.value and
                   (in_caption(t) or not in_caption(u))]
        if not earlier:
            if pub is not None:
                t.value = pub.isoformat()
            continue
        k = bisect.bisect_right(boundaries, t.start)
        window_start = boundaries[k - 4] if k >= 4 else 0
        # 當天 inside a paragraph refers within it, else to the news day (below); a paragraph that opens with
        # "The same day" / 同日 continues the previous one
        par_start = norm.rfind("\n", 0, t.start) + 1
        if len(norm[par_start:t.start].strip()) > 3:
            window_start = max(window_start, par_start)


        near = [u for u in earlier if u.start >= window_start and (pub is None or u.value <= pub.isoformat())]
        if near:
            t.value = near[-1].value
            continue
        recent = []
        if pub is not None:
            recent = [u for u in earlier
                      if dt.timedelta(0) <= pub - dt.date.fromisoformat(u.value) <= dt.timedelta(days=7)]
        t.value = (recent[-1] if recent else earlier[-1]).value
