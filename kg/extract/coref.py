"""Coreference for fact arguments: pronouns (她, he), demonstratives (該組織, 這個…組織, "the agency"), plural
references (這三個組織, 三國, "the three countries"), pronoun and generic subjects ("The order", "his
administration"), resolved by kind, gender, salience and recency. A mixin of :class:`kg.extract.facts.FactExtractor`.
"""

from __future__ import annotations

import bisect
import re

from . import triggers as T
from .factbase import count_word
from .mentions import ORG_CLASSES
from .segment import Sentence


class Coreference:
    def last_entity_before(self, pos: int, classes: set, gender: str | None = None,
                           exclude: set = frozenset()) -> str | None:
        for k in range(bisect.bisect_left(self._starts, pos) - 1, -1, -1):
            m = self.mentions[k]
            if m.end > pos:
                continue
            e = self.entities[m.entity_id]
            if e.cls not in classes or e.id in exclude:
                continue
            if gender == "female" and e.gender != "female":
                continue
            if gender == "male" and e.gender == "female":
                continue
            return e.id
        return None


    def salient_before(self, pos: int, classes: set, prefer: set, exclude: set, window: int = 450,
                       noun: str | None = None) -> str | None:
        """The referent of a demonstrative (該組織, "the agency"): among entities of the right kind mentioned in the
        preceding ``window`` characters, the most mentioned, the preferred kind, then the most recent."""
        scores: dict[str, float] = {}
        last: dict[str, int] = {}
        for m in self.mentions_in(max(0, pos - window), pos):
            if m.end > pos or m.end < pos - window:
                continue
            e = self.entities[m.entity_id]
            if e.cls not in classes or e.id in exclude:
                continue
            scores[e.id] = scores.get(e.id, 0.0) + 1.0
            last[e.id] = m.start
        if not scores:
            return self.last_entity_before(pos, classes, exclude=exclude)
        for eid in scores:
            if self.entities[eid].cls in prefer:
                scores[eid] += 1.0
            labels = " ".join(v for v in self.entities[eid].labels.values() if v).lower()
            if noun and noun.lower() in labels:
                scores[eid] += 2.0  # "the court" → the International Criminal Court, 該院 → 國際刑事法院
        recent = max(last, key=lambda k: last[k])
        scores[recent] += 2.0
        return max(sorted(scores), key=lambda k: (scores[k], last[k]))


    def pronoun_targets(self, a: int, b: int, exclude: set = frozenset(), allowed=None) -> list[tuple[int, str]]:
        """Pronouns and demonstratives in [a, b), resolved among the kinds ``allowed`` (the trigger's targets)."""
        out = []

        def within(classes):
            return (set(classes) & set(allowed)) or set(classes) if allowed else classes
        seg = self.norm[a:b]
        if self.en:
            for m in re.finditer(r"\b(her|she|him|he)\b", seg, re.I):
                g = "female" if m.group(1).lower() in ("her", "she") else "male"
                eid = self.last_entity_before(a + m.start(), {"Person"}, g)
                if eid:
                    out.append((a + m.start(), eid))
            for m in T.EN_DEMONSTRATIVE.finditer(seg):
                noun = m.group(1).lower()
                if re.match(r"['’]s\b", seg[m.end():m.end() + 3]):
                    continue  # "the court's chief prosecutor": a possessor, not the object
                inside = self.mentions_in(a + m.start(), a + m.end())
                if any(x.end > a + m.start(1) for x in inside) or \
                        any(self.cls(x.entity_id) not in ("Place", "State") for x in inside):
                    continue  # "the World Health Organization", "the BRICS group" are names, not demonstratives
                if any(x.start < a + m.end() and a + m.start(1) < x.end for x in self.mentions_in(a + m.start(1) - 60,
                                                                                                  a + m.end() + 60)):
                    continue
                classes = {"Treaty"} if noun in ("treaty", "accord", "pact", "agreement", "convention") else (
                    {"State"} if noun in ("country", "nation") else ORG_CLASSES - {"Group"})
                eid = self.salient_before(a + m.start(), within(classes), set(), exclude, noun=noun)
                if eid:
                    out.append((a + m.start(), eid))
            return out
        for m in re.finditer(r"(?<=[对向将与给把])其(?![他它余中]|实(?![施行]))", seg):
            eid = self.last_entity_before(a + m.start(), {"State"} | (ORG_CLASSES - {"Group"}) | {"Person"},
                                          exclude=exclude)
            if eid:
                out.append((a + m.start(), eid))
        for m in re.finditer(r"她(?!们)|(?<![其吉])他(?![们国人])", seg):
            g = "female" if m.group() == "她" else "male"
            eid = self.last_entity_before(a + m.start(), {"Person"}, g)
            if eid:
                out.append((a + m.start(), eid))
        for m in T.ZH_DEMONSTRATIVE.finditer(seg):
            noun = m.group(1)
            prefer = set()
            if noun in ("公约", "协定", "条约", "协议"):
                classes = {"Treaty"}
            elif noun in ("命令",):
                classes = {"ExecutiveOrder", "PresidentialMemorandum"}
            elif noun in ("国家", "国"):
                classes = {"State"}
            else:
                classes = ORG_CLASSES - {"Group"}
                prefer = classes - {"GovernmentBody"} if noun in ("组织", "基金", "理事会", "委员会") else {"GovernmentBody"}
            eid = self.salient_before(a + m.start(), within(classes), prefer, exclude,
                                      noun={"院": "法院", "法院": "法院", "法庭": "法院"}.get(noun))
            if eid:
                out.append((a + m.start(), eid))
        bare = T.ZH_BARE_HEAD.match(seg)
        if bare and not any(x.start <= a + bare.start(1) < x.end for x in self.mentions_in(max(0, a - 30), b)):
            # 退出條約, 重新參與理事會: a bare head noun right after the verb names the body the story is about
            noun = bare.group(1)
            classes = {"Treaty"} if noun in ("公约", "协定", "条约", "协议") else ORG_CLASSES - {"Group"}
            eid = self.salient_before(a + bare.start(1), within(classes), set(), exclude, window=1500, noun=noun)
            if eid:
                out.append((a + bare.start(1), eid))
        return out



    def plural_targets(self, a: int, b: int) -> list[tuple[int, str]]:
        rx = T.EN_PLURAL_DEMONSTRATIVE if self.en else T.ZH_PLURAL_DEMONSTRATIVE
        out = []
        for m in rx.finditer(self.norm, a, b):
            if self.en and not re.match(r"(?i)these|those", m.group()):
                continue
            count = m.group(1)
            n = None
            if count:
                n = int(count) if count.isdigit() else {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                                                         "七": 7, "八": 8, "九": 9, "十": 10, "two": 2, "three": 3,
                                                         "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                                                         "nine": 9, "ten": 10}.get(count.lower())
            lists = [lst for lst in self.list_memory if lst and lst[0][0] < m.start()]
            if not lists:
                continue
            members = [eid for _, eid in lists[-1]]
            for eid in members[:n] if n else members:
                out.append((m.start(), eid))
        return out


    def _pronoun_subject(self, s: Sentence, c, before: int) -> str | None:
        """A pronoun or a generic noun as subject (她/他, "she", "it", "the administration", 該國, 華府 is a name):
        the nearest earlier entity of the right kind."""
        lead = self.norm[c.start:before]
        doc = re.match(r"\s*(?:(?:But|And|However|Also),?\s+)?(?:the|that|this) (?:executive )?(?:order|memorandum|directive)\b|"
                       r"\s*(?:该|这项|这份|此)(?:行政)?(?:命令|备忘录)", lead, re.I)
        if doc:
            issued = [f for f in self.facts if f.type == "DirectiveIssuance" and f.actor]
            if issued:
                self._doc_subject = issued[-1]
                return issued[-1].actor
            return None
        adm = re.search(r"\b(his|her) (?:administration|government)\s*$", lead, re.I)
        if adm:
            person = self.last_entity_before(c.start + adm.start(1), {"Person"},
                                             "female" if adm.group(1).lower() == "her" else "male")
            if person:
                admin = self._administration_of(person)
                return admin or person
        if self.en:
            m = re.match(r"\s*(?:(?:But|And|However|Meanwhile|Also|Separately),?\s+)?(?:(?:in|on|during|by)\s+[^,]{0,40}?"
                         r"\s+)?(she|he|it|they|the administration|the "
                         r"government|the agency|the department|the country|washington)\b", lead, re.I) or \
                re.search(r"\b(?:that|said|says)\s+(she|he|it|they)\s+(?:\w+\s+){0,3}$", lead, re.I)
            if not m:
                plural = re.search(r"\bthe (two|three|four|five|six) (?:countries|nations|states)\b", lead, re.I)
                if plural:
                    lists = [lst for lst in self.state_lists if len(lst) == count_word(plural.group(1))
                             and lst[0][0] < before]
                    if lists:
                        return lists[-1][0][1]
                return None
            word = m.group(1).lower()
        else:
            plural = re.search(r"(?:这|那|上述)?(两|三|四|五|六|\d+)(?:个)?(?:国家|国)(?!际)", lead)
            if plural:
                lists = [lst for lst in self.state_lists if len(lst) == count_word(plural.group(1)) and lst[0][0] < before]
                if lists:
                    return lists[-1][0][1]
            m = re.match(r"\s*(?:而|但|并|且|此外|同时|随后)?\s*(她|他(?!们)|该国|该政府|该机构|该部门|该署|美方|中方)", lead)
            dem = re.match(r"\s*(?:而|但|并|且|此外|同时|随后)?\s*(?:该|这个|此)(组织|机构|法院|院|署|理事会|委员会)", lead)
            if dem and not m:
                return self.salient_before(c.start + dem.start(), ORG_CLASSES - {"Group"}, set(), set())
            if not m:
                return None
            word = m.group(1)
        if word in ("she", "她"):
            return self.last_entity_before(c.start + m.start(1), {"Person"}, "female")
        if word in ("he", "他"):
            return self.last_entity_before(c.start + m.start(1), {"Person"}, "male")
        if word in ("they",):
            return None
        if word in ("the country", "该国"):
            return self.last_entity_before(c.start + m.start(1), {"State"})
        if word in ("the administration", "the government", "该政府"):
            for mm in reversed(self.mentions):
                if mm.end <= c.start + m.start(1) and "administration" in (
                        self.entities[mm.entity_id].labels.get("en") or "").lower():
                    return mm.entity_id
            return self.last_entity_before(c.start + m.start(1), {"State"})
        return self.last_entity_before(c.start + m.start(1), {"State", "GovernmentBody"} if word not in (
            "the agency", "该机构", "该署") else ORG_CLASSES - {"Group"})


    def _administration_of(self, person: str) -> str | None:
        lex = getattr(self.finder, "lex", None)
        for cand in (f"{person}_ADMIN", f"{person}_ADMINISTRATION"):
            if cand in self.entities:
                return cand
            if lex is not None and lex.get(cand) is not None:
                self.finder.entity(cand)
                self.entities[cand] = self.finder.entities[cand]
                return cand
        return None
