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

Coreference lives in :mod:`kg.extract.coref`, the document-level passes (groups, dates along a story,
Statements, merging) in :mod:`kg.extract.consolidate`; both are mixins of :class:`FactExtractor`.
"""

from __future__ import annotations

import bisect
import re
from types import SimpleNamespace


from . import triggers as T
from .consolidate import Consolidation
from .coref import Coreference
from .factbase import DEFAULT_CONFIDENCE, NUMBER_WORDS, Fact, count_word
from .mentions import AGENT_CLASSES, ORG_CLASSES, Entity, Mention, local_id
from .names import EN_TITLES, ZH_TITLES
from .segment import Sentence

class FactExtractor(Coreference, Consolidation):
    def __init__(self, text, norm, language, sentences: list[Sentence], mentions: list[Mention],
                 entities: dict[str, Entity], times, finder=None, published: str | None = None):
        self.text, self.norm, self.lang = text, norm, language
        self.published = published
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
            n = NUMBER_WORDS.get(m.group(1).lower()) or (int(m.group(1)) if m.group(1).isdigit() else 0)
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
    # ------------------------------------------------------------------------------------------ arguments
    def target_candidates(self, a: int, b: int, classes, lo: int, exclude: set = frozenset()) -> list[tuple[int, str]]:
        """Entities (with position) in [a, b) usable as targets: mentions, groups, pronouns, demonstratives."""
        found: list[tuple[int, str]] = []
        for m in self.mentions_in(a, b):
            if self.cls(m.entity_id) in classes and not self._modifies_person(m) and not self._adjectival_state(m):
                found.append((m.start, m.entity_id))
        for start, end, gid in self.groups_in(a, b):
            found = [f for f in found if not (start <= f[0] < end)]
            found.append((start, gid))
        exclude = exclude or self._exclude
        found += [p for p in self.pronoun_targets(a, b, exclude, classes) if self.cls(p[1]) in classes]
        found += [p for p in self.plural_targets(a, b) if self.cls(p[1]) in classes]
        found.sort()
        return found

    def _adjectival_state(self, m: Mention) -> bool:
        """等美國企業, "U.S. companies": a state naming whose entities they are, not a target itself."""
        if self.cls(m.entity_id) != "State":
            return False
        rx = (r"\s*(?:companies|firms|entities|officials|citizens|nationals|individuals|defen[cs]e firms)\b" if self.en
              else r"(?:企业|公司|实体|官员|公民|人员|个人|军工企业|军火商)")
        if re.match(rx, self.norm[m.end:m.end + 20]):
            return True
        k = bisect.bisect_left(self._starts, m.end)
        nxt = self.mentions[k] if k < len(self.mentions) else None
        # 美國洛克希德·馬丁公司: the nationality of the company named right after it
        return not self.en and nxt is not None and nxt.start == m.end and self.cls(nxt.entity_id) in ORG_CLASSES


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
                    r" effect|\s*(?:would|will|is to)?\s*(?:become|becomes|became) effective", rest):
            return False  # "退出將於…生效", "the withdrawal takes effect …": the act named again, no new object
        if re.match(r"\s*(?:law|bill|decree|legislation|notice|notification|procedure|process)\b|"
                    r"(?:程序|通知|手续|法案|法令|进程)", rest):
            return False  # "the withdrawal law", 退出程序: the act's own paperwork, no new object

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
        cands = [m for m in cands if not self._prepositional(m, a) and not self._dateline(m) and
                 not self._adjectival_state(m)]
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

    def _metonymic_subject(self, c, before: int) -> str | None:
        """"Moscow announced …", 華府宣布: a city heading its clause before a verb speaks for its state's government."""
        ms = self.mentions_in(c.start, before)
        if not ms or self.cls(ms[0].entity_id) != "Place":
            return None
        m = ms[0]
        country = self.entities[m.entity_id].country
        if not country or len(self._strip_lead(self.norm[c.start:m.start], c.start)) > (12 if self.en else 4):
            return None
        verb = (r"\s+(?:\w+ly\s+)?(?:has|had|have|is|was|will|would|said|says|\w+ed)\b" if self.en
                else r"(?:已|曾|将|也|则|随即|正式)?(?:宣布|表示|决定|通知|称|说|要求|拒绝|退出|暂停|签署)")
        if not re.match(verb, self.norm[m.end:m.end + 40]):

            return None
        if country not in self.entities:
            return None  # only a state the text names itself ("Brussels" speaks for the EU, not for Belgium)
        return country if self.cls(country) == "State" else None



    def find_actor(self, s: Sentence, ci: int, trig_start: int, exclude: set) -> tuple[str | None, bool]:
        c = s.clauses[ci]
        city = self._metonymic_subject(c, trig_start)
        if city and city not in exclude:
            return city, False
        head = self.mentions_in(c.start, trig_start)[:1]
        if head and self.cls(head[0].entity_id) in T.DOCUMENTS and \
                len(self._strip_lead(self.norm[c.start:head[0].start], c.start)) <= 4:
            # "Executive Order 14238 … orders that …": the order acts through whoever signed it, on that day
            issued = [f for f in self.facts if f.type == "DirectiveIssuance" and f.actor and head[0].entity_id in f.targets]
            if issued:
                self._doc_subject = issued[-1]
                return issued[-1].actor, True

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
        # "Russia's withdrawal", 俄羅斯的退出: the possessor of the act's noun is its actor
        owner = [m for m in self.mentions_in(c.start, trig_start) if self.cls(m.entity_id) in AGENT_CLASSES and
                 m.entity_id not in exclude and
                 re.fullmatch(r"['’]s\s+(?:[a-z-]+\s+)?" if self.en else r"的", self.norm[m.end:trig_start])]

        if owner:
            return owner[-1].entity_id, False
        return None, False

    def _restated_actor(self, s, ci, ts, prior) -> str | None:
        """"the exit takes effect on …", 三國的退出於…生效: the act named again keeps its actor unless a subject is
        written."""
        own, _ = self.find_actor(s, ci, ts, set(prior.targets))
        return own or prior.actor

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
            eff = T.EN_EFFECTIVE.search(self.norm[c.start:c.end])
            if eff:
                # "is expected to take effect", "will take effect on …": the exit is still to come
                hedge = T.EN_PLANNED.search(self.norm[max(c.start, ts - 40):ts]) or \
                    T.EN_PLANNED.search(self.norm[max(te, c.start + eff.start() - 25):c.start + eff.start()])
                return ("planned" if hedge else "effective"), True
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
        eff = T.ZH_EFFECTIVE.search(after)
        if eff or T.ZH_EFFECTIVE.search(before):
            # 預計將於…生效, 將於…起生效: the exit is still to come
            hedge = T.ZH_FUTURE.search(after[:eff.start()]) if eff else T.ZH_FUTURE.search(before[-8:])
            return ("planned" if hedge else "effective"), True
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
            if any(t.kind != "vague" for t in own):
                own = [t for t in own if t.kind != "vague"]  # "had earlier left …, in August 2019": the date says when
            best = min(own, key=lambda t: (0 if t.end <= ts else 1, abs(ts - t.end) if t.end <= ts else t.start - ts))

            after = [t for t in own if t.start >= ts]
            if best.end <= ts and after and re.search(r",\s*(?:and|but|while)\b|[，,;；]\s*(?:并且?|而|但是?|同时|随后)",
                                                      self.norm[best.end:ts]):
                return after[0]  # "…out of the INF Treaty, in August 2019, …, and had left the JCPOA in 2018"
            return best

        for j in range(ci - 1, -1, -1):
            pc = s.clauses[j]
            found = in_range(pc.start, pc.end)
            if found:
                return found[-1]
        if ci + 1 < len(s.clauses):
            # "…out of the INF Treaty, in August 2019, …": a clause that is only a time belongs to the verb before it
            nc = s.clauses[ci + 1]
            found = in_range(nc.start, nc.end)
            if found and len(re.sub(r"\W|\b(?:in|on|at|since|of)\b|[在于]", "",
                                    self.norm[nc.start:found[0].start] + self.norm[found[0].end:nc.end])) <= 2:
                return found[0]

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
        return self._future_effects(self._merge())

    def _future_effects(self, facts: list[Fact]) -> list[Fact]:
        """An act that takes effect after the article was published has not happened yet: planned."""
        if not self.published:
            return facts
        for f in facts:
            when = f.effective_date or (f.date if f.date_role == "effective" else None)
            if f.modality == "effective" and when and first_day(when) > self.published:
                f.modality = "planned"
        return facts

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
            if t.type == "Withdrawal" and self._reversed_decision(c, ts, te):
                continue  # 撤回美國退出世衛的決定: the exit is the object of the reversal, not an act of that day
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
            rel = self._relative_subject(c, ts, te)
            if rel is not None:
                fact.actor, fact.actor_inherited = rel.entity_id, False
                fact.modality, effective = self.modality(t, s, SimpleNamespace(start=rel.start, end=c.end), ts, te)
            welcomed = self._attitude_object(c, ts, te)
            if welcomed is not None:
                if not welcomed:
                    continue  # 對…表示歡迎 without the act's agent: a reaction, reported as a statement
                fact.actor, fact.actor_inherited = welcomed[0], False
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
                    if (f.actor is not None and f.actor == ann.actor and self.cls(f.actor) == "Person"
                            and self.entities[f.actor].country):
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
            n = count_word(plural.group(1) or plural.group(2))
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
        if tentative and not self.en:
            # 該組織部長委員會…將其除名: the organisation an organ's demonstrative names is the organ's own, not 其
            heads = [m for m in self.mentions_in(c.start, ts) if m.entity_id == tentative]
            if heads:
                lead = self.norm[c.start:heads[-1].start]
                d = re.search(r"(?:该|此|这个|这一)[^,，。;；、]{0,4}?(?:组织|机构|国际组织)的?$", lead)
                if d:
                    self._exclude |= {eid for _, eid in self.pronoun_targets(c.start + d.start(), heads[-1].start)}
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
                # "The U.S. withdrawal became effective on …": an act named again reaches back further for its object
                restated = re.match(r"\s*(?:将|预计将?|会)?于?[^,，。;；]{0,14}?(?:正式)?生效|\s*(?:would|will|is to|shall)?\s*"
                                    r"(?:take|takes|took|become|becomes|became) (?:effect|effective)", self.norm[te:c.end])
                topic = self.salient_before(ts, classes - {"State", "Person", "Group"}, set(),
                                            self._exclude | {tentative}, window=1500 if restated else 300)

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
        if mode == "possessor":
            return [(m.start, m.entity_id) for m in self.mentions_in(c.start, ts) if self.cls(m.entity_id) in classes
                    and re.fullmatch(r"['’]s\s+(?:[a-z]+\s+)?", self.norm[m.end:ts])][-1:]
        if mode == "reversal":
            inner = self.target_candidates(ts, te, classes, s.start)
            after = self.target_candidates(te, c.end, classes, s.start)
            nested = re.match(r"[^,，。;；]{0,12}?(?:退出|撤出|脱离)|\s+(?:the\s+|its\s+|\w+['’]s\s+)?decision\s+to\s+"
                              r"(?:withdraw|leave|exit|quit|pull\s+out)(?:\s+from)?\b", self.norm[te:c.end])
            if not inner and nested:
                # 撤回美國退出世衛的決定, "reversed the decision to leave the WHO": what is reversed is the exit
                # from the body named after the nested verb
                later = [x for x in after if x[0] >= te + nested.end()]
                if later:
                    return self._zh_list(later) if not self.en else self._coordinated(later[:1], later)
            if not self.en and len(after) >= 2 and re.fullmatch(r"[^,，。;；]{0,10}的[\s《「『“\"]*",
                                                                 self.norm[self._end_of(after[0]):after[1][0]]):
                after = after[1:]  # 撤銷特朗普政府實施的…, 重返特朗普政府2018年退出的協議: the first name qualifies the object
            elif not self.en and len(after) == 1 and re.match(r"[^,，。;；]{0,10}的[\s《「『“\"]*[^\s《「『“\"]",
                                                               self.norm[self._end_of(after[0]):c.end]):
                after = []  # 撤銷特朗普政府實施的「旅行禁令」: the reversed thing is no name of ours

            found = inner or self._near_object(te, after)

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
            if before or s.index + 1 >= len(self.sentences):
                return before[-1:]
            # "signed an executive order that …. Executive Order 14238, titled …": named in the next sentence
            if re.match(r"\s*(?:an?\s+|the\s+)?(?:new\s+)?(?:executive\s+order|presidential\s+memorandum|memorandum)\b|"
                        r"(?:了|一[项份道])?(?:新的)?(?:行政命令|行政令|总统备忘录)", self.norm[te:c.end], re.I):
                nxt = self.sentences[s.index + 1]
                return [(m.start, m.entity_id) for m in self.mentions_in(nxt.start, min(nxt.end, nxt.start + 60))
                        if self.cls(m.entity_id) in classes][:1]
            return []

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
        if self.en and found and t.type == "AgencyClosure" and not re.fullmatch(
                r"\s*(?:down\s+)?(?:(?:the|its|a|an|their|his|her)\s+)?(?:[A-Z][\w.'’-]*\s+)*", self.norm[te:found[0][0]]):
            found = []  # "eliminates delays in payments to the WHO": the agency must be the verb's own object
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
        if re.fullmatch(r"[^,，。;；:：、的]{1,12}的[\s《「『“]*", gap) and not re.search(r"[须需要才能在于将把被]", gap):
            return self._zh_list(found)  # 重新加入应对气候变化的《巴黎协定》: a modifier ending in 的 before the name
        return []


    def _reversed_decision(self, c, ts: int, te: int) -> bool:
        if self.en:
            return re.search(r"\b(?:revers|rescind|revok|overturn|retract)\w*\s+(?:the\s+|its\s+|\w+['’]s\s+)?decision"
                             r"\s+to\s+$", self.norm[c.start:ts]) is not None
        return re.search(r"(?:撤回|撤销|推翻|废止)[^,，。;；]{0,12}$", self.norm[c.start:ts]) is not None and \
            re.match(r"[^,，。;；]{0,30}?的(?:决定|决策|命令|计划|政策)", self.norm[te:c.end]) is not None

    def _relative_subject(self, c, ts: int, te: int):
        """特朗普政府2018年退出的伊朗核協議: the subject of a relative clause inside another verb's object is the
        actor of its verb, and the main clause's negation or modality does not reach it."""
        if self.en or not self.norm.startswith("的", te):
            return None
        agents = [m for m in self.mentions_in(c.start, ts) if self.cls(m.entity_id) in AGENT_CLASSES]
        if not agents:
            return None
        m = agents[-1]
        gap = self.norm[m.end:ts]
        for t in self.times:
            if m.end <= t.start and t.end <= ts:
                gap = gap.replace(self.norm[t.start:t.end], "")
        if re.sub(r"已经|已|曾经|曾|所|\s", "", gap):
            return None
        lead = T.ZH_CONNECTIVES.sub("", self.norm[c.start:m.start].strip())
        return m if lead and not lead.endswith(("的",)) and not self._prepositional(m, c.start) else None

    def _attitude_object(self, c, ts: int, te: int):
        """古特雷斯對美國重返《巴黎協定》表示歡迎, "X welcomed Washington's return to …": the welcomed act is its own
        agent's, not the welcomer's. None when the trigger is not the object of such a reaction, else the agents
        found inside it (possibly none)."""
        if self.en:
            k = re.search(r"\bwelcom(?:e|es|ed|ing)\s+(?:the\s+)?(?=[^,;]{0,40}$)", self.norm[c.start:ts])
            if not k:
                return None
            lo = c.start + k.end()
        else:
            k = re.search(r"对(?=[^,，。;；]{0,30}$)", self.norm[c.start:ts])
            if not k or not re.match(r"[^,，。;；]{0,30}?(?:表示|予以)(?:欢迎|赞赏|支持|祝贺|遗憾|失望|关切|担忧|不满)",
                                     self.norm[te:c.end]):
                return None
            lo = c.start + k.end()
        return [m.entity_id for m in self.mentions_in(lo, ts) if self.cls(m.entity_id) in AGENT_CLASSES]

    def _end_of(self, cand) -> int:

        """The end of the mention a target candidate (start, entity) stands for."""
        i = bisect.bisect_left(self._starts, cand[0])
        ends = [m.end for m in self.mentions[i:i + 3] if m.start == cand[0]]
        return max(ends) if ends else cand[0] + 1


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
def first_day(date: str) -> str:
    """The first day of an ISO date, month or year ("2026" → "2026-01-01"), for comparing periods with a day."""
    return date + "-01-01"[len(date) - 4:] if len(date) < 10 else date


def extract_facts(text, norm, language, sentences, mentions, entities, times, finder=None, published=None):
    fx = FactExtractor(text, norm, language, sentences, mentions, entities, times, finder, published)
    facts = fx.run()
    return facts, fx.new_mentions
