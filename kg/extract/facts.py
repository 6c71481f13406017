"""Policy-action facts: triggers, arguments (actor, targets), modality, dates, document-level merging.

The extractor works sentence by sentence and clause by clause (see :mod:`kg.extract.segment`):

* a trigger (:mod:`kg.extract.triggers`) proposes an action type; figurative and nominal uses are filtered
  (構成威脅 is not a threat, 撤出國際合作 is not a withdrawal);
* targets come from the trigger's object region: after the verb, between 對/向 and the verb, before 被;
  coordinated lists (A、B及C) give several targets; pronouns and demonstratives (她, 該單位, 這個…組織,
  "the agency", "she") resolve to the nearest earlier entity of the right kind and gender; "66個國際組織" is a
  group entity; an action with no object at all (也再度宣布退出) takes the object of the previous action of its
  type; an object that is not an entity (撤出國際合作) means no fact;
* the actor is the subject of the clause (the person after a title: 美國總統特朗普 → 特朗普), else the subject
  of an earlier clause of the sentence; speakers (X認為, "X said") and datelines are never actors; after 被 / "by"
  the agent of a passive verb is the actor;
* a threat swallows the actions it threatens (威脅…施以制裁 is a Threat, not a Sanction); 宣布 followed by a
  clause is an Announcement of the actions in that clause, 宣布 followed directly by a verb only marks its
  modality;
* the date is the nearest time expression in the clause, then earlier clauses, then the previous sentence when
  the sentence continues it (同時, "Meanwhile"); a vague time (日前, "recently") means no date;
* duplicates (same type, targets and compatible actor and date) merge, evidence accumulates; members listed
  after a group (名單上的66個國際組織中…例如A、B) get derived facts (``subaction_of``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from . import triggers as T
from .mentions import AGENT_CLASSES, ORG_CLASSES, Entity, Mention, local_id
from .names import EN_TITLES, ZH_TITLES
from .segment import Sentence

DEFAULT_CONFIDENCE = {"Withdrawal": 0.9, "FundingSuspension": 0.85, "Sanction": 0.9, "Threat": 0.8, "Veto": 0.85,
                      "Rejection": 0.8, "Criticism": 0.75, "AgencyClosure": 0.85, "DirectiveIssuance": 0.9,
                      "Announcement": 0.85, "Review": 0.75, "Reversal": 0.75, "Statement": 0.8}


@dataclass
class Fact:
    type: str
    trigger: tuple
    sentence: int
    actor: str | None = None
    targets: list = field(default_factory=list)
    date: str | None = None
    date_role: str | None = None
    date_resolution: str | None = None
    date_evidence: tuple | None = None
    vague_time: bool = False
    modality: str = "effective"
    evidence: list = field(default_factory=list)
    confidence: float = 0.85
    actor_inherited: bool = False
    target_resolved: bool = False
    subaction_of: int | None = None  # index into the fact list
    derived: bool = False
    legal_basis: str | None = None
    quote: tuple | None = None
    restatement: bool = False        # the act named again (三國的退出於…生效, "the exit takes effect")
    effective_date: str | None = None


class FactExtractor:
    def __init__(self, text, norm, language, sentences: list[Sentence], mentions: list[Mention],
                 entities: dict[str, Entity], times, finder=None):
        self.text, self.norm, self.lang = text, norm, language
        self.en = language == "en"
        self.sentences = sentences
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self._starts = [m.start for m in self.mentions]
        self.entities = entities
        self.times = sorted(times, key=lambda t: t.start)
        self._tstarts = [t.start for t in self.times]
        self.finder = finder
        self.new_mentions: list[Mention] = []
        self.facts: list[Fact] = []
        self.list_memory: list[list[str]] = []  # coordinated lists of organisations, for 這三個組織
        self._exclude: set = set()  # the tentative actor: a demonstrative object never refers back to it
        self.state_lists: list[list] = []
        self._doc_subject: Fact | None = None

    # ------------------------------------------------------------------------------------------ helpers
    def cls(self, eid: str) -> str:
        return self.entities[eid].cls

    def recent_facts(self, min_sentence: int) -> list[Fact]:
        """The facts of the last few sentences (the list is in sentence order), oldest first."""
        k = len(self.facts)
        while k > 0 and self.facts[k - 1].sentence >= min_sentence:
            k -= 1
        return self.facts[k:]

    def mentions_in(self, a: int, b: int) -> list[Mention]:
        i = bisect.bisect_left(self._starts, a)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < b:
            if self.mentions[i].end <= b:
                out.append(self.mentions[i])
            i += 1
        return out

    def clause_of(self, s: Sentence, pos: int):
        for i, c in enumerate(s.clauses):
            if c.start <= pos < c.end:
                return i, c
        return len(s.clauses) - 1, s.clauses[-1]

    def in_parens(self, pos: int, lo: int) -> bool:
        seg = self.text[lo:pos]
        return seg.count("(") + seg.count("（") > seg.count(")") + seg.count("）")

    def in_quotes(self, pos: int, lo: int) -> bool:
        seg = self.norm[lo:pos]
        return seg.count("「") > seg.count("」") or seg.count("“") > seg.count("”") or (
            self.en and seg.count('"') % 2 == 1)

    # ------------------------------------------------------------------------------------------ groups
    def group_entity(self, n: int, noun: str, text: str) -> Entity:
        noun = noun.lower()
        kind = "treaties" if noun in ("条约", "协定", "公约", "treaties") else (
            noun if noun in ("judges", "officials", "diplomats", "individuals", "prosecutors") else "organizations")
        lex = getattr(self.finder, "lex", None)
        if lex is not None:
            for e in lex.entries.values():
                if e.cls == "Group" and len(e.members) == n:
                    if e.id not in self.entities:
                        self.finder.entity(e.id)
                        self.entities[e.id] = self.finder.entities[e.id]
                    return self.entities[e.id]
        eid = local_id(f"group of {n} {kind}")
        ent = self.entities.get(eid)
        if ent is None:
            ent = Entity(id=eid, cls="Group", labels={"en": (f"{n} international {kind}" if kind in ("organizations",
                                                                                                  "treaties")
                                                             else f"{n} {kind}") if not self.en else text,
                                                      "zh-Hant": text if not self.en else None,
                                                      "zh-Hans": self.norm_of(text) if not self.en else None},
                         source="rule:group")
            self.entities[eid] = ent
        return ent

    def norm_of(self, s: str) -> str:
        from kg.lexicon import normalize
        return normalize(s)

    def groups_in(self, a: int, b: int) -> list[tuple[int, int, str]]:
        out = []
        rx = T.EN_GROUP if self.en else T.ZH_GROUP
        for m in rx.finditer(self.norm, a, b):
            n = _NUMBER_WORDS.get(m.group(1).lower()) or (int(m.group(1)) if m.group(1).isdigit() else 0)
            if n < 2:
                continue
            known = [x for x in self.mentions_in(max(0, m.start() - 100), m.end() + 100)
                     if x.start < m.end() and m.start() < x.end and
                     (self.cls(x.entity_id) == "Group" or (x.start <= m.start() and x.end >= m.end()))]
            if known:
                continue  # the lexicon knows this group (or a name overlaps): the mention already says which
            noun = m.group(3)
            ent = self.group_entity(n, noun, self.text[m.start():m.end()])
            mention = Mention(m.start(), m.end(), self.text[m.start():m.end()], ent.id, "group")
            if not any(x.start == mention.start and x.entity_id == ent.id for x in self.new_mentions):
                self.new_mentions.append(mention)
            out.append((m.start(), m.end(), ent.id))
        return out

    # ------------------------------------------------------------------------------------------ coreference
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

    # ------------------------------------------------------------------------------------------ arguments
    def target_candidates(self, a: int, b: int, classes, lo: int, exclude: set = frozenset()) -> list[tuple[int, str]]:
        """Entities (with position) in [a, b) usable as targets: mentions, groups, pronouns, demonstratives."""
        found: list[tuple[int, str]] = []
        for m in self.mentions_in(a, b):
            if self.cls(m.entity_id) in classes and not self._modifies_person(m):
                found.append((m.start, m.entity_id))
        for start, end, gid in self.groups_in(a, b):
            found = [f for f in found if not (start <= f[0] < end)]
            found.append((start, gid))
        exclude = exclude or self._exclude
        found += [p for p in self.pronoun_targets(a, b, exclude, classes) if self.cls(p[1]) in classes]
        found += [p for p in self.plural_targets(a, b) if self.cls(p[1]) in classes]
        found.sort()
        return found

    def _modifies_person(self, m: Mention) -> bool:
        """聯合國特別報告員阿爾巴內斯, "UN special rapporteur Francesca Albanese": the body only qualifies the
        person's title."""
        k = bisect.bisect_left(self._starts, m.end)
        nxt = self.mentions[k] if k < len(self.mentions) else None
        if nxt is None or self.cls(nxt.entity_id) != "Person":
            return False
        gap = self.norm[m.end:nxt.start].strip()
        if not gap or re.search(r"[,;:.!?，；：、。！？\n]", gap):
            return False
        titles = EN_TITLES if self.en else ZH_TITLES
        if self.en:
            return len(gap) <= 40 and any(gap.lower().endswith(t.lower()) for t in titles)
        return len(gap) <= 8 and re.fullmatch("(?:" + "|".join(titles) + ")+", gap) is not None

    def dedupe(self, found) -> list[str]:
        out = []
        for _, eid in found:
            if eid not in out:
                out.append(eid)
        return out

    def has_object(self, pos: int, end: int) -> bool:
        rest = self.norm[pos:end]
        if re.match(r"\s*(?:将|预计将?|会)?于?[^,，。;；]{0,14}?(?:正式)?生效|\s*(?:would|will|is to|shall)?\s*(?:take|takes|took)"
                    r" effect|\s*(?:would|will|is to)?\s*(?:become|becomes) effective", rest):
            return False  # "退出將於…生效", "the withdrawal takes effect …": the act named again, no new object
        rest = re.sub(r"^(?:[\s了」\"”』]|之?后|以后|以来|时|期间|前)+", "", rest) if not self.en else rest.strip()
        return bool(rest) and not re.match(r"^[,，。;；:：!?！？.]", rest)

    def subject_of(self, s: Sentence, c, before: int, strict: bool = False) -> tuple[str | None, bool]:
        """The agent that is the subject of clause ``c`` (looking only before ``before``). ``strict`` (for
        earlier clauses) wants it at the head of the clause: after connectives and time words, or right after a
        relative clause ending in 的 (曾將…斥為騙局的特朗普)."""
        a = c.start
        # a speech verb between subject and trigger: the speaker is not the actor ("X said Y would withdraw")
        rx = re.compile(T.EN_SPEECH.pattern + r"|\bannounc\w+(?:\s+(?:on|last|this)?\s*\w+day)?\s+that\b", re.I) if self.en \
            else re.compile(r"(?:说|表示|认为|指出|称|强调|写道|宣称|透露)")
        for m in rx.finditer(self.norm, a, before):
            a = m.end()
        cands = [m for m in self.mentions_in(a, before)
                 if self.cls(m.entity_id) in AGENT_CLASSES and not self.in_parens(m.start, s.start)
                 and not self.in_quotes(m.start, s.start)]
        cands = [m for m in cands if not self._prepositional(m, a) and not self._dateline(m)]
        if not cands:
            return None, False
        if strict:
            lead = self._strip_lead(self.norm[a:cands[0].start], a)
            if not (len(lead) <= 4 or (lead.endswith("的") and not re.search(r"是由|被|[对向在从]", lead)) or
                    (self.en and len(lead.split()) <= 3)):
                return None, False
        first = self._subject_head(cands, a)
        return first, True

    def _strip_lead(self, lead: str, a: int) -> str:
        i = bisect.bisect_left(self._tstarts, a)
        for t in self.times[i:]:
            if t.start >= a + len(lead):
                break
            if t.end <= a + len(lead):
                lead = lead.replace(self.norm[t.start:t.end], "")
        if self.en:
            return re.sub(r"^(?:\s|,|But|And|However|Meanwhile|Also|The|On|In|Last|This|Earlier|Later)+\b", "", lead).strip()
        return T.ZH_CONNECTIVES.sub("", lead.strip())

    def _prepositional(self, m: Mention, lo: int) -> bool:
        before = self.norm[max(lo, m.start - 2):m.start]
        if self.en:
            if re.match(r"['’]s\b", self.norm[m.end:m.end + 3]):
                return True  # "Trump's first term": a possessor, not the subject
            return bool(re.search(r"\b(?:in|at|from|to|with|against|of|for|on|by|about|into|toward|towards|during|"
                                  r"under|according to)\s+(?:the\s+)?$", self.norm[max(lo, m.start - 20):m.start]))
        if any(before.endswith(p) for p in T.ZH_PREPOSITIONS):
            return True
        after = self.norm[m.end:m.end + 1]
        return after == "的" and not self.norm[m.end:m.end + 3].startswith(("的最新",))

    def _dateline(self, m: Mention) -> bool:
        after = self.norm[m.end:m.end + 3]
        return self.cls(m.entity_id) == "MediaOrganization" and (
            after.startswith(("电", "讯", "报道", "报导", "消息")) or self.en)

    def _subject_head(self, cands: list[Mention], lo: int) -> str:
        """美國總統特朗普 → 特朗普; 美國白宮 → 白宮: follow a chain of names joined by nothing or by a title."""
        titles = EN_TITLES if self.en else ZH_TITLES
        head = cands[0]
        for nxt in cands[1:]:
            gap = self.norm[head.end:nxt.start].strip()
            if self.en:
                gap = re.sub(r"^(?:'s|’s)\s*", "", gap)
                ok = gap == "" or any(gap == t or gap.endswith(" " + t) or gap == t.lower() for t in titles) or \
                    re.fullmatch(r"(?:[A-Z][a-z]+\s)*(?:" + "|".join(re.escape(t) for t in titles) + ")", gap) is not None
            else:
                ok = gap == "" or (len(gap) <= 8 and re.fullmatch("(?:" + "|".join(titles) + ")+", gap) is not None)
            if not ok:
                break
            head = nxt
        return head.entity_id

    def find_actor(self, s: Sentence, ci: int, trig_start: int, exclude: set) -> tuple[str | None, bool]:
        c = s.clauses[ci]
        eid, _ = self.subject_of(s, c, trig_start)
        if eid and eid not in exclude:
            return eid, False
        pron = self._pronoun_subject(s, c, trig_start)
        if pron and pron not in exclude:
            return pron, True
        for j in range(ci - 1, -1, -1):
            pc = s.clauses[j]
            if self._speaker_clause(pc):
                continue
            eid, _ = self.subject_of(s, pc, pc.end, strict=True)
            if eid and eid not in exclude:
                return eid, True
        return None, False

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
                    lists = [lst for lst in self.state_lists if len(lst) == _count(plural.group(1))
                             and lst[0][0] < before]
                    if lists:
                        return lists[-1][0][1]
                return None
            word = m.group(1).lower()
        else:
            plural = re.search(r"(?:这|那|上述)?(两|三|四|五|六|\d+)(?:个)?(?:国家|国)(?!际)", lead)
            if plural:
                lists = [lst for lst in self.state_lists if len(lst) == _count(plural.group(1)) and lst[0][0] < before]
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

    def _restated_actor(self, s, ci, ts, prior) -> str | None:
        """"the exit takes effect on …", 三國的退出於…生效: the act named again keeps its actor unless a subject is
        written."""
        own, _ = self.find_actor(s, ci, ts, set(prior.targets))
        return own or prior.actor

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

    def _speaker_clause(self, c) -> bool:
        seg = self.norm[c.start:c.end].rstrip(",，;；:：「“\" ")
        if self.en:
            return bool(re.search(r"\b(?:said|says|told|stated|added|noted|argued)\s*$", seg))
        return bool(T.ZH_SPEECH.search(seg))

    # ------------------------------------------------------------------------------------------ modality/date
    def modality(self, t: T.Trigger, s: Sentence, c, ts: int, te: int) -> tuple[str, bool]:
        before = self.norm[c.start:ts]
        after = self.norm[te:c.end]
        sentence_before = self.norm[s.start:ts]
        if self.en:
            if T.EN_NEGATION.search(self.norm[max(c.start, ts - 30):ts]) or \
                    T.EN_NEGATION_CLAUSE.search(self.norm[max(c.start, ts - 25):ts]):
                return "negated", False
            if T.EN_EFFECTIVE.search(self.norm[c.start:c.end]):
                return "effective", True
            if T.EN_ORDERED.search(before):
                return "ordered", False
            if T.EN_PLANNED.search(self.norm[max(c.start, ts - 40):ts]):
                return "planned", False
            if T.EN_HISTORICAL.search(self.norm[c.start:c.end]):
                return "historical", False
            if T.EN_ANNOUNCED.search(sentence_before):
                return "announced", False
            return "effective", False
        if (T.ZH_NEGATION.search(before[-4:]) and not before.endswith("不再")) or T.ZH_NEGATION_CLAUSE.search(before):
            return "negated", False
        if T.ZH_EFFECTIVE.search(after) or T.ZH_EFFECTIVE.search(before):
            return "effective", True
        if T.ZH_ORDERED.search(before):
            return "ordered", False
        if T.ZH_HISTORICAL.search(before):
            return "historical", False
        if T.ZH_PLANNED.search(before[-6:]):
            return "planned", False
        if T.ZH_ANNOUNCED.search(sentence_before):
            return "announced", False
        return "effective", False

    def find_date(self, s: Sentence, ci: int, ts: int):
        """(time expression or None, vague?) for a trigger at ``ts`` in clause ``ci`` of ``s``."""
        def usable(t):
            return (t.value is not None or t.kind == "vague") and t.kind != "bound"

        def in_range(a, b):
            i = bisect.bisect_left(self._tstarts, a)
            out = []
            while i < len(self.times) and self.times[i].start < b:
                t = self.times[i]
                if t.end <= b and usable(t):
                    out.append(t)
                i += 1
            return out

        c = s.clauses[ci]
        own = in_range(c.start, c.end)
        if own:
            best = min(own, key=lambda t: (0 if t.end <= ts else 1, abs(ts - t.end) if t.end <= ts else t.start - ts))
            return best
        for j in range(ci - 1, -1, -1):
            pc = s.clauses[j]
            found = in_range(pc.start, pc.end)
            if found:
                return found[-1]
        # a sentence that continues the previous one (同時, "Meanwhile") shares its date
        rx = T.EN_CARRY_DATE if self.en else T.ZH_CARRY_DATE
        if s.index > 0 and rx.match(self.norm[s.start:s.end]):
            prev = self.sentences[s.index - 1]
            found = in_range(prev.start, prev.end)
            if found:
                return found[-1]
        return None

    # ------------------------------------------------------------------------------------------ main
    def run(self) -> list[Fact]:
        trig_list = T.EN_TRIGGERS if self.en else T.ZH_TRIGGERS
        not_action = T.EN_NOT_ACTION if self.en else T.ZH_NOT_ACTION
        blocked = bytearray(len(self.text))
        for m in not_action.finditer(self.norm):
            blocked[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        mention_cover = bytearray(len(self.text))
        for m in self.mentions:
            mention_cover[m.start:m.end] = b"\x01" * (m.end - m.start)
        for s in self.sentences:
            self._remember_lists(s)
            hits = []
            for t in trig_list:
                for m in t.rx.finditer(self.norm, s.start, s.end):
                    if blocked[m.start()]:
                        continue
                    if mention_cover[m.start()]:
                        continue
                    hits.append((m.start(), -(m.end() - m.start()), t, m))
            hits.sort(key=lambda h: (h[0], h[1]))
            taken_until = -1
            chosen = []
            for start, neg, t, m in hits:
                if start < taken_until:
                    continue
                chosen.append((t, m))
                taken_until = m.end() if t.type != "FundingSuspension" or t.target != "between" else \
                    m.start() + 4
            self._sentence(s, chosen)
        self._derive_members()
        self._enumerated_members()
        self._continuation_dates()
        self._borrow_announcement_dates()
        self._statements()
        return self._merge()

    def _remember_lists(self, s: Sentence) -> None:
        """Coordinated lists of organisations (A、B及C), remembered for "這三個組織" / "these three bodies", and of
        states, for 三國 / "the three countries"."""
        states = [m for m in self.mentions_in(s.start, s.end) if self.cls(m.entity_id) == "State"]
        run = []
        for m in states:
            if run and re.fullmatch(r"\s*(?:、|和|及|与|以及|,|，|and|, and)\s*", self.norm[run[-1].end:m.start]):
                run.append(m)
                continue
            if len(run) >= 2:
                self.state_lists.append([(x.start, x.entity_id) for x in run])
            run = [m]
        if len(run) >= 2:
            self.state_lists.append([(x.start, x.entity_id) for x in run])
        orgs = [m for m in self.mentions_in(s.start, s.end) if self.cls(m.entity_id) in ORG_CLASSES | {"Treaty"}
                and not self.in_parens(m.start, s.start)]
        run: list[tuple[int, str]] = []
        sep = r"^\s*(?:[(（][^)）]*[)）])?\s*(?:、|,|，|及|和|与|以及|and|or|, and)\s*$"
        for m in orgs:
            if run:
                prev_end = [x for x in orgs if x.entity_id == run[-1][1] and x.start == run[-1][0]][0].end
                if re.match(sep, self.norm[prev_end:m.start]):
                    if m.entity_id not in [r[1] for r in run]:
                        run.append((m.start, m.entity_id))
                    continue
                if len(run) >= 2:
                    self.list_memory.append(run)
            run = [(m.start, m.entity_id)]
        if len(run) >= 2:
            self.list_memory.append(run)

    def _sentence(self, s: Sentence, chosen) -> None:
        threat_from = None
        announcements: list[Fact] = []
        first_fact = len(self.facts)
        for t, m in chosen:
            ts, te = m.start(), m.end()
            if threat_from is not None and ts > threat_from:
                continue  # the content of a threat is not a realised action
            if self.in_quotes(ts, s.start) and not self.en:
                continue
            ci, c = self.clause_of(s, ts)
            hedge = T.EN_HEDGE if self.en else T.ZH_HEDGE
            if t.type not in ("Threat", "Announcement") and hedge.search(self.norm[max(s.start, ts - 30):ts]):
                continue  # 理論上可以撤銷, "could withdraw": a possibility, not an act
            fact = Fact(t.type, (ts, te), s.index, evidence=[(s.start, s.end)],
                        confidence=DEFAULT_CONFIDENCE.get(t.type, 0.8))
            inherited_date = None
            if t.type == "Follow":
                # 以色列隨後跟進, "Hungary followed suit": the previous action, by a new actor
                prev = [f for f in self.recent_facts(s.index - 1) if f.type not in ("Announcement", "Statement") and
                        f.targets and
                        f.sentence >= s.index - 1]
                if not prev:
                    continue
                p = prev[-1]
                actor, inh = self.find_actor(s, ci, ts, set(p.targets))
                if actor is None or actor == p.actor:
                    continue
                fact.type, fact.targets, fact.actor, fact.actor_inherited = p.type, list(p.targets), actor, inh
                fact.confidence = DEFAULT_CONFIDENCE.get(p.type, 0.8) - 0.1
                inherited_date = p
            elif t.type == "Announcement":
                if not self._announcement(fact, s, ci, c, ts, te, announcements):
                    continue
            else:
                if not self._arguments(fact, t, s, ci, c, ts, te):
                    continue
            fact.modality, effective = self.modality(t, s, c, ts, te)
            if t.type == "Threat":
                fact.modality = "threatened"
                threat_from = te
            if t.type == "Announcement":
                fact.modality = "announced"
            texpr = self.find_date(s, ci, ts)
            coarse = None
            if texpr is None and not s.paragraph_start and s.index > 0 and \
                    fact.modality not in ("historical", "negated") and t.type != "Follow":
                # a paragraph tells one story: "安理会18日就…进行表决。…美国投下反对票" happened that day; the date is
                # that of the paragraph's last dated act, else its last date (two sentences back at most)
                texpr = self._paragraph_date(s)
                lead = self.norm[s.start:ts]
                if re.search(r"在此之前|此前几天|几天前|数日前|days? (?:earlier|before)", lead):
                    coarse = 7  # "a few days before": the month only
                elif re.search(r"随后|其后|后来|subsequently|later", lead):
                    coarse = 4  # "then, later": the year only
            if texpr is not None:
                if texpr.kind == "vague":
                    fact.vague_time = True
                else:
                    fact.date, fact.date_resolution = texpr.value, texpr.resolution
                    fact.date_evidence = (texpr.start, texpr.end)
                    if coarse and fact.date and len(fact.date) > coarse:
                        fact.date, fact.date_resolution = fact.date[:coarse], "relative"
            elif inherited_date is not None and inherited_date.date:
                fact.date, fact.date_resolution = inherited_date.date, "relative"
            elif self._doc_subject is not None and self._doc_subject.date and fact.actor == self._doc_subject.actor:
                # "The order also paused …": done by the order, on the day it was signed
                fact.date, fact.date_resolution = self._doc_subject.date, "relative"
            self._doc_subject = None
            if fact.date:
                fact.date_role = "effective" if (effective or fact.modality in ("effective", "historical")) and \
                    fact.type != "Announcement" else "announced"
            if fact.modality == "historical":
                fact.vague_time = fact.vague_time or fact.date is None
            self.facts.append(fact)
            for extra in self._actor_group(s, ci, ts, fact.actor):
                twin = Fact(**{**fact.__dict__, "actor": extra, "targets": list(fact.targets),
                               "evidence": list(fact.evidence)})
                self.facts.append(twin)
        # a reported announcement (白宮宣布,美國將…) announces the actions around it in the sentence
        for ann in announcements:
            backward = getattr(ann, "_backward", False)
            content = [f for f in self.facts[first_fact:] if f.type not in ("Announcement", "Statement") and
                       ((f.trigger[0] < ann.trigger[0]) if backward else (f.trigger[0] > ann.trigger[0]))]
            for f in content:
                for tg in f.targets:
                    if tg not in ann.targets:
                        ann.targets.append(tg)
                if f.modality == "effective":
                    f.modality = "announced"
                if ann.date and not f.date:
                    f.date, f.date_role, f.date_resolution = ann.date, "announced", ann.date_resolution
            if getattr(ann, "_nominal", False):
                # "Rubio announced the designations of …": the official speaks, the state acts
                for f in content:
                    if f.actor == ann.actor and self.cls(f.actor) == "Person" and self.entities[f.actor].country:
                        f.actor = self.entities[f.actor].country
                        if f.actor not in self.entities and self.finder is not None:
                            self.finder.entity(f.actor)
                            self.entities[f.actor] = self.finder.entities[f.actor]
            same_actor = content and all(self._compatible_actor(f.actor, ann.actor) and f.actor in (ann.actor, None)
                                         for f in content)
            if not ann.targets or same_actor:
                self.facts.remove(ann)  # "Hungary announced that it would withdraw": one act, not two

    def _paragraph_date(self, s: Sentence):
        k = s.index - 1
        while k >= 0 and k >= s.index - 2:
            prev = self.sentences[k]
            if any(prev.start <= x.start < prev.end and x.kind == "vague" for x in self.times):
                return None  # 日前…: the story left the calendar
            facts = [f for f in self.recent_facts(k) if f.sentence == k and f.date_evidence and
                     f.modality not in ("historical", "negated")]
            if facts:
                ev = facts[-1].date_evidence
                return next((x for x in self.times if (x.start, x.end) == ev), None)
            dated = [x for x in self.times if prev.start <= x.start < prev.end and x.value and
                     x.kind not in ("bound", "vague") and x.precision in ("day", "month")]
            if dated:
                return dated[-1]
            if prev.paragraph_start:
                break
            k -= 1
        return None

    def _actor_group(self, s: Sentence, ci: int, ts: int, actor: str | None) -> list[str]:
        """Other actors coordinated with ``actor``: 布基納法索、馬里及尼日爾…退出; 俄罗斯和中国否决; 三國 / "the three
        countries" for the last list of that many states."""
        if actor is None:
            return []
        lead = self.norm[s.start:ts]
        plural = re.search(r"(?:这|那|上述|该)?(两|三|四|五|六|\d+)(?:个)?(?:国家|国)(?!际)|\bthe (two|three|four|five|six) "
                           r"(?:countries|nations|states|governments)\b", lead, re.I)
        if plural:
            n = _count(plural.group(1) or plural.group(2))
            lists = [lst for lst in self.state_lists if len(lst) == n and lst[0][0] < ts]
            if lists:
                members = [e for _, e in lists[-1]]
                if actor in members:
                    return [e for e in members if e != actor]
        ms = [m for m in self.mentions_in(s.start, ts) if m.entity_id == actor]
        if not ms:
            return []
        m0 = ms[-1]
        cls = self.cls(actor)
        group = []
        sep = r"\s*(?:、|和|及|与|以及|,|，|and|, and|or)\s*"
        pos = m0.end
        for m in self.mentions_in(m0.end, ts):
            if m.start < pos:
                continue
            if not re.fullmatch(sep, self.norm[pos:m.start]) or self.cls(m.entity_id) != cls:
                break
            group.append(m.entity_id)
            pos = m.end
        pos = m0.start
        for m in reversed(self.mentions_in(s.start, m0.start)):
            if not re.fullmatch(sep, self.norm[m.end:pos]) or self.cls(m.entity_id) != cls:
                break
            group.append(m.entity_id)
            pos = m.start
        return [g for g in dict.fromkeys(group) if g != actor]

    def _announcement(self, fact, s, ci, c, ts, te, announcements) -> bool:
        after = self.norm[te:s.end]
        before = self.norm[max(s.start, ts - 1):ts]
        if not self.en and before == "的":
            return False  # 最新公告 as a noun: it refers back, it is not a new act
        if self.en:
            reported = re.match(r"\s*(?:(?:on|this|last|late|early)\s+\w+\s+|\w+day\s+)?(?:that\b|:)", after)
            nominal = re.match(r"\s*(?:the|its|new|a)\s+(?:designations?|sanctions|withdrawal|suspension|closure|exit|"
                               r"veto|boycott)\b", after, re.I)
            backward = re.match(r"\s*(?:(?:on|this|last|late|early)\s+\w+|\w+day|yesterday|today|this week|last week)?\s*"
                                r"(?:[,.;]|$)", after) and ts > s.start + 20
            if nominal:
                reported = nominal
                fact._nominal = True
            elif backward and not reported:
                reported = backward
                fact._backward = True
            anaphoric = re.match(r"\s*(?:the|this|that|its)\s+(?:decision|move|list|step|plan)\b", after)
        else:
            reported = re.match(r"\s*(?:[,，:：「]|说)", after)
            anaphoric = re.match(r"\s*(?:了)?(?:这项|此项|该项|这一|此一|上述|这份|该)(?:决定|名单|措施|命令|决策|计划)", after)
        if not (reported or anaphoric):
            return False
        actor, inherited = self.find_actor(s, ci, ts, set())
        fact.actor, fact.actor_inherited = actor, inherited
        if anaphoric:
            prior = [f for f in self.facts if f.type == "Announcement" and f.targets] or \
                    [f for f in self.facts if f.targets]
            if not prior:
                return False
            fact.targets = list(prior[-1].targets)
            fact.target_resolved = True
            return True
        announcements.append(fact)
        return True

    def _arguments(self, fact: Fact, t: T.Trigger, s: Sentence, ci: int, c, ts: int, te: int) -> bool:
        classes = t.target_classes
        targets: list[tuple[int, str]] = []
        actor = None
        actor_inherited = False
        passive = None
        tentative, _ = self.find_actor(s, ci, ts, set())
        self._exclude = {tentative} if tentative else set()
        if self.en:
            pm = re.search(r"\b(?:was|were|been|being|is|are|be|get|got)\s+(?:\w+ly\s+)?$", self.norm[c.start:ts])
            if pm and re.match(r"[a-z]*(?:ed|en|d)\b|\s*down\b|shut\b|cut\b", self.norm[ts:te].split()[-1] if
                              self.norm[ts:te].split() else ""):
                passive = c.start + pm.start()
        else:
            k = max(self.norm.rfind("被", c.start, ts), self.norm.rfind("遭", c.start, ts))
            if k >= 0 and ts - k <= 20:
                passive = k
        if passive is not None:
            targets = self.target_candidates(c.start, passive, classes, s.start)
            if self.en:
                by = re.search(r"\bby\s+", self.norm[te:c.end])
                if by:
                    agents = [m for m in self.mentions_in(te + by.end(), c.end) if self.cls(m.entity_id) in AGENT_CLASSES]
                    if agents:
                        actor = self._subject_head(agents, te)
            else:
                agents = [m for m in self.mentions_in(passive, ts) if self.cls(m.entity_id) in AGENT_CLASSES]
                if agents:
                    actor = self._subject_head(agents, passive)
            if not targets and t.type in ("Reversal",):
                prior = [f for f in self.recent_facts(s.index) if f.targets]
                if prior:
                    targets = [(ts, x) for x in prior[-1].targets]
        else:
            targets = self._active_targets(t, s, ci, c, ts, te, classes)
            if targets is None:
                return False
        if not targets and t.needs_target:
            after = self.norm[te:c.end]
            refers_back = re.match(r"\s*(?:了)?(?:这一|这项|该项?|上述|此项?|those|these|the|that|this|its|his|her)\s*"
                                   r"(?:决定|命令|制裁|措施|禁令|政策|决策|decision|order|move|sanctions|ban|policy|"
                                   r"withdrawal|measures?|freeze|suspension)", after, re.I)
            if not refers_back and re.search(r"(?:those|these|the|its|该|这些|上述)\s*(?:sanctions|制裁)", self.norm[ts:te], re.I):
                refers_back = True  # "lifted those sanctions"
            if self.has_object(te, c.end) and not refers_back and t.type != "Threat":
                return False  # an object that is not one of ours: 撤出國際合作, "withdraw troops"
            same_sentence = t.type in ("Threat",)
            prior = [f for f in self.recent_facts(s.index - 2) if f.targets and f.type not in ("Announcement", "Statement") and
                     (f.type == t.type or t.type in ("Reversal", "Threat")) and
                     (f.sentence == s.index if same_sentence else f.sentence >= s.index - 2)]
            if t.type == "Reversal" and re.search(r"制裁|sanction", self.norm[ts:c.end], re.I):
                prior = [f for f in self.facts if f.type == "Sanction" and f.targets] or prior
            if prior:
                targets = [(ts, x) for x in prior[-1].targets]
                if prior[-1].actor and not self.has_object(te, c.end) and t.type == prior[-1].type:
                    actor = actor or self._restated_actor(s, ci, ts, prior[-1])
                    fact.restatement = bool(re.match(r"\s*(?:将|预计将?|会)?于?[^,，。;；]{0,14}?(?:正式)?生效|\s*(?:would|will|"
                                                     r"is to|shall)?\s*(?:take|takes|took) effect", self.norm[te:c.end]))
            elif not refers_back and not self.has_object(te, c.end) and t.type in ("Withdrawal", "FundingSuspension",
                                                                                  "Reversal", "Rejection"):
                # the object is the topic of the passage: 美國曾於1984年…退出, "he halted U.S. funding"
                topic = self.salient_before(ts, classes - {"State", "Person", "Group"}, set(),
                                            self._exclude | {tentative}, window=300)
                if topic is None:
                    return False
                targets = [(ts, topic)]
            else:
                return False
            fact.target_resolved = True
        if actor is None:
            exclude = {e for _, e in targets}
            actor, actor_inherited = self.find_actor(s, ci, ts, exclude)
        if actor is None and passive is None:
            # "The withdrawal from the WHO takes effect on …": the act already reported, by its actor
            ids = {e for _, e in targets}
            earlier = [f for f in self.facts if f.type == t.type and f.actor and ids & set(f.targets)]
            if earlier:
                actor, actor_inherited = earlier[-1].actor, True
        if actor is None and t.target != "subject":
            # "Karim Khan was sanctioned under the same order": the agent of the paragraph's last act
            first = s.index
            while first > 0 and first > s.index - 3 and not self.sentences[first].paragraph_start:
                first -= 1
            recent = [f for f in self.recent_facts(first) if f.actor and f.type not in ("Statement",)
                      and f.actor not in {e for _, e in targets}]
            if recent:
                actor, actor_inherited = recent[-1].actor, True
        fact.actor, fact.actor_inherited = actor, actor_inherited
        fact.targets = [e for e in self.dedupe(targets) if e != actor]
        if not fact.targets and t.needs_target:
            return False
        if t.type == "Reversal" and passive is not None:
            fact.modality = "reversed"
        # a directive mentioned in the clause is the legal basis of the action
        if t.type != "DirectiveIssuance":
            docs = [m.entity_id for m in self.mentions_in(s.start, s.end)
                    if self.cls(m.entity_id) in T.DOCUMENTS]
            fact.legal_basis = docs[0] if docs else None
        return True

    def _active_targets(self, t, s, ci, c, ts, te, classes):
        mode = t.target
        if mode == "subject":
            # 美國國際開發署本月1日起停止執行對外援助業務: the clause's subject is what closes
            before = [(m.start, m.entity_id) for m in self.mentions_in(c.start, ts) if self.cls(m.entity_id) in classes]
            return before[:1]
        if mode == "follow":
            return []
        if mode == "reversal":
            inner = self.target_candidates(ts, te, classes, s.start)
            found = inner or self._near_object(te, self.target_candidates(te, c.end, classes, s.start))
            if any(self.cls(e) != "State" for _, e in found):
                found = [f for f in found if self.cls(f[1]) != "State"]  # 俄羅斯對《條約》的批准: the treaty
            return found
        if mode == "threat":
            # the threatened action's object, else the first non-person entity the threat talks about
            rest = self.target_candidates(te, s.end, classes, s.start)
            for m in (T.EN_TRIGGERS if self.en else T.ZH_TRIGGERS):
                if m.type in ("Threat", "Announcement"):
                    continue
                hit = m.rx.search(self.norm, te, s.end)
                if hit:
                    k = max(self.norm.rfind(p, te, hit.start()) for p in (("to", "against", "on") if self.en else
                                                                          ("对", "向")))
                    inner = self.target_candidates(k, hit.start(), classes, s.start) if k >= 0 else []
                    if inner:
                        return inner[:1]
            return rest[:1]
        if mode == "veto":
            council = [(m.start, m.entity_id) for m in self.mentions_in(s.start, s.end)
                       if "Security Council" in (self.entities[m.entity_id].labels.get("en") or "")]
            if council:
                return council[:1]
            nxt = s.clauses[ci + 1].end if ci + 1 < len(s.clauses) else c.end
            found = self.target_candidates(te, nxt, classes, s.start)[:1]
            if found:
                return found
            # a veto is cast in the Security Council named earlier in the passage
            for m in reversed(self.mentions):
                if m.end <= ts and ts - m.end < 800 and \
                        "Security Council" in (self.entities[m.entity_id].labels.get("en") or ""):
                    return [(ts, m.entity_id)]
            return []
        if mode == "review":
            k = max(self.norm.rfind(p, c.start, ts) for p in (("of", "into") if self.en else ("对", "针对")))
            if k >= 0:
                inner = self.target_candidates(k, ts, classes, s.start)
                if inner:
                    return inner[:1]
            direct = self.target_candidates(te, min(c.end, te + (25 if self.en else 6)), classes, s.start)
            return direct[:1]
        if mode == "document":
            after = [x for x in self.target_candidates(te, min(c.end, te + 25), classes, s.start)][:1]
            if after:
                return after
            # "Executive Order 14203, which President Donald Trump signed"
            before = [(m.start, m.entity_id) for m in self.mentions_in(s.start, ts) if self.cls(m.entity_id) in classes
                      and re.match(r"\s*(?:,|，)\s*(?:which|that|由|是)", self.norm[m.end:m.end + 8])]
            return before[-1:]
        if mode == "object":
            found = self.target_candidates(te, c.end, classes, s.start)
            gap_ok = [f for f in found if re.fullmatch(r"\s*(?:了|the|of)?\s*", self.norm[te:f[0]])]
            return gap_ok[:1]
        if mode == "announce":
            return []
        if mode in ("between", "between_en"):
            # 暫停對X的資金支持 / 對她實施制裁 / "cut X's funding": the object sits before the verb's noun
            if t.type == "FundingSuspension" and mode == "between":
                inner = self.target_candidates(ts, te, classes, s.start)
                if inner:
                    return inner
                return self.target_candidates(te, c.end, classes, s.start) if not self.has_object(te, c.end) or \
                    re.match(r"\s*(?:给|予|给予)?", self.norm[te:c.end]) else []
            if mode == "between_en":
                after = self.target_candidates(te, c.end, classes, s.start)
                near = [x for x in after if re.fullmatch(r"\s*(?:to|for|of|from)\s+(?:the\s+)?(?:[\w\-]+\s+){0,3}?",
                                                         self.norm[te:x[0]])]
                if near:
                    return self._coordinated(near, after)
                inner = [x for x in self.target_candidates(ts, te, classes, s.start)
                         if not (self.cls(x[1]) == "State" and re.match(
                             r"\S*\s*(?:['’]s\s+)?(?:\w+\s+)?" + T._FUNDS_EN, self.norm[x[0]:te], re.I))]
                if inner:
                    return inner
                return self._coordinated(after[:1], after) if after else []
            k = max(self.norm.rfind(p, c.start, ts) for p in ("对", "向", "针对", "对于", "将", "把"))
            if k >= 0:
                inner = self.target_candidates(k, ts, classes, s.start)
                if inner:
                    return inner
            return self.target_candidates(te, c.end, classes, s.start)
        # after
        found = self.target_candidates(te, c.end, classes, s.start)
        if self.en and found:
            found = self._coordinated(found[:1], found)
        elif found and mode == "after":
            found = self._near_object(te, found)
        if not found and not self.en and t.type == "Withdrawal":
            k = self.norm.rfind("从", c.start, ts)
            if k >= 0:
                region = self.norm[k + 1:ts]
                if re.search(r"另一|其他|其它|某些|一些|多个", region):
                    return None  # 從另一個聯合國專門機構撤出: a description, not a name
                found = self.target_candidates(k + 1, ts, classes, s.start)
        if not found and mode == "event":
            before = [(m.start, m.entity_id) for m in self.mentions_in(s.start, ts)
                      if self.cls(m.entity_id) in {"Event"}]
            return before[-1:]
        if not found and ci + 1 < len(s.clauses):
            nc = s.clauses[ci + 1]
            cue = T.EN_ELABORATION if self.en else re.compile(r"^\s*(?:也|还)?(?:包含|包括|例如|如|including|such as)")
            if cue.match(self.norm[nc.start:nc.end]) or (not self.has_object(te, c.end) and
                                                           self.norm[te:c.end].strip().startswith(("的",))):
                found = self.target_candidates(nc.start, nc.end, classes, s.start)
        if not found and not self.has_object(te, c.end) and t.type == "AgencyClosure":
            # intransitive: 該單位關閉後 / "USAID停擺" / "the agency closed"
            found = self.target_candidates(c.start, ts, classes, s.start)[-1:]
        if not found and self.norm[te:c.end].strip().startswith(("的",)) and t.type == "Withdrawal":
            return []
        return found

    def _near_object(self, te: int, found):
        """Chinese: the object starts right after the verb (退出WHO, 退出了《巴黎協定》); a name further on belongs
        to another phrase (締約國退出須在聯合國秘書長收到…), unless the verb is coordinated with the next one
        (退出並停止向某些聯合國組織提供資金)."""
        if self.en or not found:
            return found
        gap = self.norm[te:found[0][0]]
        if re.fullmatch(r"[\s了《「『“]*(?:这个|这一|该|此|所有|全部|再次|再度|正式)?[\s《「『“]*", gap) or \
                re.match(r"\s*(?:并|和|及|与|、|以及)", gap) or len(gap) <= 1:
            return self._zh_list(found)
        return []

    def _zh_list(self, found):
        """The first object and the names listed with it (A、B及C, acronyms in parentheses, 《》 and 「」 allowed)."""
        ends = {m.start: m.end for m in self.mentions}
        out = [found[0]]
        prev_end = ends.get(found[0][0], found[0][0] + 1)
        for f in found[1:]:
            gap = self.norm[prev_end:f[0]]
            if f[1] == out[-1][1] and re.fullmatch(r"\s*[(（]?\s*", gap):
                prev_end = ends.get(f[0], prev_end)
                continue
            if not re.fullmatch(r"[\s》」』”)）]*(?:[(（][^()（）]*[)）])?[\s》」』”]*(?:、|和|及|与|以及|或|,|，)?\s*[《「『“]?", gap):
                break
            out.append(f)
            prev_end = ends.get(f[0], f[0] + 1)
        return out

    def _coordinated(self, first, found):
        """English: the first object plus the items coordinated with it ("A, B and C"); an acronym in parentheses
        belongs to its item; commas without a final "and"/"or" are an apposition, not a list."""
        if not first:
            return []
        ends = {m.start: m.end for m in self.mentions}
        out = [first[0]]
        prev_end = ends.get(first[0][0], first[0][0])
        joins = []
        for f in found:
            if f[0] <= out[0][0]:
                continue
            if f[1] == out[-1][1]:
                prev_end = ends.get(f[0], prev_end)
                continue
            if self.cls(f[1]) == "State" and re.fullmatch(r"\s+of\s+(?:the\s+)?", self.norm[prev_end:f[0]]) and \
                    self.cls(out[-1][1]) == "Person":
                prev_end = ends.get(f[0], prev_end)  # "Bossa of Uganda": a qualifier, not an item
                continue
            gap = self.norm[prev_end:f[0]]
            g = re.fullmatch(r"\s*\)?\s*(?:\([^)]*\))?\s*(,|and|or|, and|, or|as well as)\s*(?:the\s+)?", gap)
            if not g:
                break
            joins.append(g.group(1))
            out.append(f)
            prev_end = ends.get(f[0], f[0])
        if joins and not any(j != "," for j in joins):
            out = out[:1]
        elif joins and joins[-1] == ",":
            last_and = max(i for i, j in enumerate(joins) if j != ",")
            out = out[:last_and + 2]
        return out

    # ------------------------------------------------------------------------------------------ document level
    def _derive_members(self) -> None:
        """名單上的66個國際組織中…例如A、B: members named after a group become sub-actions of its first action."""
        by_group: dict[str, int] = {}
        for i, f in enumerate(self.facts):
            for tg in f.targets:
                if self.cls(tg) == "Group" and tg not in by_group and f.type != "Announcement":
                    by_group[tg] = i
        if not by_group:
            return
        cue = T.EN_ELABORATION if self.en else T.ZH_ELABORATION
        for gid, fi in by_group.items():
            gmentions = sorted([m for m in list(self.mentions) + self.new_mentions if m.entity_id == gid],
                               key=lambda m: m.start)
            num = re.match(r"\d+", self.norm[gmentions[0].start:gmentions[0].end]) if gmentions else None
            n = num.group() if num else None
            active = False
            members: list[tuple[int, str, int]] = []
            for s in self.sentences:
                seg = self.norm[s.start:s.end]
                refers = n is not None and re.search(rf"(?<!\d){n}\s*(?:个|家|项)?\s*(?:的)?(?:国际|联合国)?", seg) and \
                    re.search(rf"(?<!\d){n}\s*(?:个|家)?[^,，。]{{0,6}}(?:组织|机构|organi[sz]ations|bodies|entities)", seg)
                cont = active and re.match(r"^(?:也|还|另外)?(?:包括|包含)|^(?:其余|其他|剩下|余下)|^(?:The remaining|Others|"
                                           r"Other bodies|Also|They include|These include)", seg)
                active = bool(refers and cue.search(seg)) or bool(cont)
                if not active or s.index == self.facts[fi].sentence:
                    continue
                cm = list(cue.finditer(seg))
                if not cm:
                    continue
                start = s.start + cm[0].end()
                for m in self.mentions_in(start, s.end):
                    if self.in_parens(m.start, s.start):
                        continue
                    if self.cls(m.entity_id) in {"State", "Person", "Place", "Group", "GovernmentBody"}:
                        continue
                    if any(m.entity_id == x[1] for x in members):
                        continue
                    members.append((m.start, m.entity_id, s.index))
            base = self.facts[fi]
            gent = self.entities[gid]
            for pos, eid, si in members:
                if eid not in gent.members:
                    gent.members.append(eid)
                sent = self.sentences[si]
                self.facts.append(Fact(base.type, (pos, pos), si, actor=base.actor, targets=[eid], date=base.date,
                                       date_role=base.date_role, date_resolution=base.date_resolution,
                                       modality=base.modality, evidence=[(sent.start, sent.end)],
                                       confidence=round(base.confidence * 0.85, 2), subaction_of=fi, derived=True))

    def _enumerated_members(self) -> None:
        """"sanctions on four judges … the designations of A, B, C and D": a group of N followed, within two
        sentences, by a coordinated list of exactly N names of a fitting kind. The names become the group's
        members; each member's action is a sub-action of the group's, and an announcement of all the members'
        actions announces the group's."""
        persons = {"judges", "officials", "diplomats", "individuals", "prosecutors"}
        group_facts = {}
        for i, f in enumerate(self.facts):
            for tg in f.targets:
                if self.cls(tg) == "Group" and tg not in group_facts and f.type != "Announcement":
                    group_facts[tg] = i
        for gid, fi in group_facts.items():
            g = self.entities[gid]
            label = (g.labels.get("en") or "").lower()
            m = re.match(r"(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b", label)
            n = _NUMBER_WORDS.get(m.group(1)) or (int(m.group(1)) if m and m.group(1).isdigit() else 0) if m else 0
            want = {"Person"} if any(w in label for w in persons) else ORG_CLASSES - {"Group", "GovernmentBody"}
            base = self.facts[fi]
            for f in self.facts:
                if f is base or f.type != base.type or not (base.sentence < f.sentence <= base.sentence + 2):
                    continue
                if len(f.targets) == n and all(self.cls(t) in want for t in f.targets):
                    for t in f.targets:
                        if t not in g.members:
                            g.members.append(t)
                    f.subaction_of = fi
                    for a in self.facts:
                        if a.type == "Announcement" and set(a.targets) == set(f.targets):
                            a.targets = [gid]
                    break

    def _continuation_dates(self) -> None:
        """An undated action right after a dated action of the same type continues the same story: "The United
        States on Thursday imposed sanctions on four judges… Rubio announced the designations of …"."""
        for f in self.facts:
            if f.date or f.vague_time or f.modality in ("historical", "negated") or f.derived:
                continue
            prev = [g for g in self.facts if g.type == f.type and g.date and g.sentence == f.sentence - 1]
            if prev:
                f.date, f.date_role, f.date_resolution = prev[-1].date, prev[-1].date_role, "relative"
                for a in self.facts:
                    if a.type == "Announcement" and a.sentence == f.sentence and not a.date:
                        a.date, a.date_role, a.date_resolution = f.date, "announced", "relative"

    def _borrow_announcement_dates(self) -> None:
        """An undated action on the same targets as a dated announcement took place on that date (the headline
        "美國將退出66個國際組織" is the 1月7日 announcement)."""
        dated = [f for f in self.facts if f.type == "Announcement" and f.date]
        for f in self.facts:
            if f.date or f.vague_time or f.type == "Announcement" or f.modality == "historical":
                continue
            if not (f.derived or self.sentences[f.sentence].line_alone or f.sentence <= 1):
                continue  # only the headline and list members stand for the announced act
            for a in dated:
                if f.targets and set(f.targets) <= set(a.targets) or (
                        f.subaction_of is not None and set(self.facts[f.subaction_of].targets) <= set(a.targets)):
                    f.date, f.date_role, f.date_resolution = a.date, "announced", "relative"
                    f.date_evidence = a.date_evidence
                    break

    def _statements(self) -> None:
        """Quotes with their speaker: Statement facts (actor = speaker, evidence = the quoted words)."""
        if self.en:
            pats = [re.compile(r"[\"“]([^\"”]{15,600})[\"”],?\s+((?:[A-Z][\w.'’\-]*\s?){1,4}?)\s*(?:said|says|told|added|wrote)"),
                    re.compile(r"((?:[A-Z][\w.'’\-]*\s?){1,4}?)\s*(?:said|says|told \w+|added|wrote)[,:]?\s+[\"“]([^\"”]{15,600})[\"”]")]
        else:
            pats = [re.compile(r"([^,，。「」:：]{1,30}?)(?:在声明中)?(?:说|表示|指出|称|强调|写道|分析)\s*[:：]\s*「([^」]{6,600})」"),
                    re.compile(r"「([^」]{6,600})」\s*[,，]?\s*([^,，。「」:：]{1,30}?)(?:说|表示|指出|称|强调)")]
        for i, rx in enumerate(pats):
            for m in rx.finditer(self.norm):
                if (i == 0) == (not self.en):
                    spk, quote = (m.start(1), m.end(1)), (m.start(2), m.end(2))
                else:
                    quote, spk = (m.start(1), m.end(1)), (m.start(2), m.end(2))
                people = [x for x in self.mentions_in(*spk) if self.cls(x.entity_id) in AGENT_CLASSES]
                if not people:
                    continue
                speaker = self._subject_head(people, spk[0])
                s = next((x for x in self.sentences if x.start <= quote[0] < x.end), None)
                self.facts.append(Fact("Statement", quote, s.index if s else 0, actor=speaker, targets=[],
                                       modality="announced", evidence=[quote], confidence=DEFAULT_CONFIDENCE["Statement"],
                                       quote=quote))

    def _compatible_actor(self, a: str | None, b: str | None) -> bool:
        if a is None or b is None or a == b:
            return True
        ea, eb = self.entities[a], self.entities[b]
        for x, y in ((ea, eb), (eb, ea)):
            if y.cls == "State" and x.cls in ("Person", "GovernmentBody") and x.country == y.id:
                return True
            if x.cls == "GovernmentBody" and y.cls == "Person":
                label = (x.labels.get("en") or "").lower()
                surname = ((y.labels.get("en") or "").split() or [""])[-1].lower()
                if surname and label.startswith(surname) and "administration" in label:
                    return True
            if x.cls == "GovernmentBody" and y.cls == "State" and x.source != "lexicon" and x.country is None:
                return True
        return False

    def _merge(self) -> list[Fact]:
        out: list[Fact] = []
        index_map: dict[int, int] = {}
        by_key: dict[tuple, list[int]] = {}
        for i, f in enumerate(self.facts):
            target = None
            key = (f.type, frozenset(f.targets))
            for j in ([] if f.type == "Statement" else by_key.get(key, [])):
                g = out[j]
                if not self._compatible_actor(g.actor, f.actor):
                    continue
                headline = self.sentences[g.sentence].line_alone and g.sentence == 0 and not g.vague_time
                if (f.restatement and g.actor == f.actor) or (headline and f.modality != "historical"):
                    target = j
                    break
                if g.date != f.date:
                    if g.date and f.date and not _adjacent_days(g.date, f.date):
                        continue
                    undated = f if not f.date else g
                    if undated.vague_time or undated.modality == "historical":
                        continue
                if (g.modality == "negated") != (f.modality == "negated"):
                    continue
                target = j
                break
            if target is None:
                index_map[i] = len(out)
                by_key.setdefault(key, []).append(len(out))
                out.append(f)
                continue
            index_map[i] = target
            g = out[target]
            if f.restatement and f.date and f.date != g.date:
                g.effective_date = f.date
            elif self.sentences[g.sentence].line_alone and g.sentence == 0 and f.date and not f.restatement:
                g.date, g.date_role, g.date_resolution, g.date_evidence = f.date, f.date_role, f.date_resolution, \
                    f.date_evidence  # the headline summarises the body: the body's date is the act's date
                g.modality = f.modality
            g.derived = g.derived and f.derived
            if g.subaction_of is not None and not f.derived:
                g.subaction_of = None
            for ev in f.evidence:
                if ev not in g.evidence:
                    g.evidence.append(ev)
            if g.actor is None or (g.actor_inherited and not f.actor_inherited and f.actor):
                if f.actor:
                    g.actor, g.actor_inherited = f.actor, f.actor_inherited
            elif f.actor and self.cls(g.actor) == "State" and self.cls(f.actor) != "State" and g.actor_inherited:
                g.actor = f.actor
            if not g.date and f.date:
                g.date, g.date_role, g.date_resolution, g.date_evidence = f.date, f.date_role, f.date_resolution, \
                    f.date_evidence
            if g.modality == "effective" and f.modality not in ("effective", "negated"):
                g.modality = f.modality
            g.confidence = round(min(0.99, max(g.confidence, f.confidence) + 0.03), 2)
            g.legal_basis = g.legal_basis or f.legal_basis
        for f in out:
            if f.subaction_of is not None:
                f.subaction_of = index_map.get(f.subaction_of)
        for f in out:
            if f.actor_inherited:
                f.confidence = round(f.confidence - 0.05, 2)
            if f.target_resolved:
                f.confidence = round(f.confidence - 0.1, 2)
            if f.actor is None:
                f.confidence = round(f.confidence - 0.1, 2)
        # a heading without a subject ("退出USAID與其他組織") names a topic, it does not report an act
        keep = []
        for f in out:
            s = self.sentences[f.sentence]
            if f.actor is None and s.line_alone and (s.end - s.start) < 25 and len(f.evidence) == 1:
                continue
            keep.append(f)
        remap = {id(f): k for k, f in enumerate(keep)}
        for f in keep:
            if f.subaction_of is not None:
                parent = out[f.subaction_of]
                f.subaction_of = remap.get(id(parent))
        return keep


_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12}


def _count(word: str) -> int:
    return int(word) if word.isdigit() else {"两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "two": 2, "three": 3,
                                             "four": 4, "five": 5, "six": 6}.get(word.lower(), 0)


def _adjacent_days(a: str, b: str) -> bool:
    """Two day-precise dates at most one day apart: reports of one act ("on inauguration day" / "the day after",
    time zones) rather than two acts."""
    import datetime as dt

    if len(a) != 10 or len(b) != 10:
        return False
    return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days) <= 1


def extract_facts(text, norm, language, sentences, mentions, entities, times, finder=None):
    fx = FactExtractor(text, norm, language, sentences, mentions, entities, times, finder)
    facts = fx.run()
    return facts, fx.new_mentions
