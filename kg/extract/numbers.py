"""Amounts and counts with their units: ``300至400億美元`` → 3.0e10–4.0e10 USD, ``198個國家`` → 198 countries,
``$1.5 billion`` → 1.5e9 USD. Matching runs on the normalised text (simplified, half-width); offsets are into
the original text."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ZH_MULT = {"万": 1e4, "亿": 1e8, "万亿": 1e12, "兆": 1e12, "千": 1e3, "百万": 1e6, "千万": 1e7}
_EN_MULT = {"thousand": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
            "trillion": 1e12, "tn": 1e12}
_CURRENCY = {"美元": "USD", "美金": "USD", "欧元": "EUR", "人民币": "CNY", "元": "CNY", "英镑": "GBP",
             "日元": "JPY", "日圆": "JPY", "港元": "HKD", "港币": "HKD", "新台币": "TWD", "卢布": "RUB",
             "$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "dollars": "USD",
             "euros": "EUR"}
_ZH_COUNT_NOUNS = "国家|国际组织|组织|机构|成员国|会员国|国|人|名|家|项|条|所|个月|年|天|周"

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_ZH_MONEY = re.compile(rf"({_NUM})\s*(万亿|百万|千万|万|亿|兆)?\s*(?:(?:至|到|-|~|—)\s*({_NUM})\s*(万亿|百万|千万|万|亿|兆)?)?"
                       r"\s*(美元|美金|欧元|人民币|英镑|日元|日圆|港元|港币|新台币|卢布|元)")
_ZH_COUNT = re.compile(rf"({_NUM})\s*(?:个|名|家|项|条|所)?({_ZH_COUNT_NOUNS})")
_EN_MONEY = re.compile(rf"(US\$|\$|€|£)\s*({_NUM})\s*(?:(?:-|–|to|and)\s*(?:US\$|\$|€|£)?\s*({_NUM}))?\s*"
                       r"(trillion|billion|million|thousand|bn|tn|mn|m|b)?\b", re.I)
_EN_COUNT = re.compile(rf"\b({_NUM})\s+(countries|nations|states|organi[sz]ations|agencies|bodies|entities|"
                       r"member states|people|employees|staff|workers|months|years|days|weeks)\b", re.I)


@dataclass
class Quantity:
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    kind: str  # money | count

    def as_json(self) -> dict:
        d = {"start": self.start, "end": self.end, "text": self.text, "unit": self.unit, "kind": self.kind}
        if self.low is not None and self.high is not None and self.low != self.high:
            d.update(low=self.low, high=self.high)
        else:
            d["value"] = self.value
        return d


def _f(s: str) -> float:
    return float(s.replace(",", ""))


def _clean(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


def find_numbers(text: str, norm: str, language: str) -> list[Quantity]:
    out: list[Quantity] = []
    taken = bytearray(len(text))

    def add(m, value, low, high, unit, kind):
        if any(taken[m.start():m.end()]):
            return
        taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        out.append(Quantity(m.start(), m.end(), text[m.start():m.end()], _clean(value) if value is not None else None,
                            _clean(low) if low is not None else None, _clean(high) if high is not None else None,
                            unit, kind))

    for m in _ZH_MONEY.finditer(norm):
        a, ma, b, mb, cur = m.groups()
        mult_b = _ZH_MULT.get(mb or "", 1.0)
        mult_a = _ZH_MULT.get(ma or "", mult_b if b else 1.0)  # 300至400亿: the unit of the upper bound applies to both
        low = _f(a) * mult_a
        high = _f(b) * mult_b if b else low
        add(m, low if not b else None, low, high, _CURRENCY[cur], "money")
    for m in _EN_MONEY.finditer(norm):
        cur, a, b, mult = m.groups()
        k = _EN_MULT.get((mult or "").lower(), 1.0)
        low = _f(a) * k
        high = _f(b) * k if b else low
        add(m, low if not b else None, low, high, _CURRENCY.get(cur.upper() if cur.isalpha() else cur, "USD"), "money")
    for rx in ((_ZH_COUNT,) if language != "en" else ()) + (_EN_COUNT,):
        for m in rx.finditer(norm):
            n = _f(m.group(1))
            add(m, n, None, None, m.group(2).lower(), "count")
    out.sort(key=lambda q: q.start)
    return out
