"""Document-level passes over the extracted facts: members of listed groups, dates carried along a story,
Statements (quotes), and the merging of duplicate facts. A mixin of :class:`kg.extract.facts.FactExtractor`.
"""

from __future__ import annotations

import re

from . import triggers as T
from .factbase import DEFAULT_CONFIDENCE, Fact, NUMBER_WORDS, adjacent_days
from .mentions import AGENT_CLASSES, ORG_CLASSES


class Consolidation:
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
            members: list[tuple[int, str, int, int]] = []
            for s in self.sentences:
                seg = self.norm[s.start:s.end]
                refers = n is not None and re.search(rf"(?<!\d){n}\s*(?:个|家|项)?\s*(?:的)?(?:国际|联合国)?", seg) and \
                    re.search(rf"(?<!\d){n}\s*(?:个|家)?[^,，。]{{0,6}}(?:组织|机构|organi[sz]ations|bodies|entities)", seg)
                cont = active and re.match(r"^(?:也|还|另外)?(?:包括|包含)|^(?:其余|其他|剩下|余下)|^(?:The remaining|Others|"
                                           r"Other bodies|Also|They include|These include)", seg)
                # "… seven federal entities be eliminated. Besides X, they include A, B and C."
                follows = s.index == self.facts[fi].sentence + 1 and \
                    re.search(r"(?i)\b(?:they|these|those) (?:include|includes)\b|^(?:其中)?(?:包括|分别是)", seg)

                active = bool(refers and cue.search(seg)) or bool(cont) or bool(follows)

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
                    members.append((m.start, m.entity_id, s.index, m.end))
            base = self.facts[fi]
            gent = self.entities[gid]
            for pos, eid, si, end in members:
                if eid not in gent.members:
                    gent.members.append(eid)
                sent = self.sentences[si]
                self.facts.append(Fact(base.type, (pos, end), si, actor=base.actor, targets=[eid], date=base.date,
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
            n = NUMBER_WORDS.get(m.group(1)) or (int(m.group(1)) if m and m.group(1).isdigit() else 0) if m else 0
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
        # a headline summarises one act: once it has taken a body report's date, later reports of the same type and
        # target (an earlier exit from the same body, the announcement months before the effect) are other facts
        summarised: set[int] = set()
        # body sentences first: a fact also read from a photo caption merges into the body's account of it (the
        # caption's date is the picture's, the body's the act's)
        weak = [self.sentences[f.sentence].zone != "body" for f in self.facts]
        for i in sorted(range(len(self.facts)), key=lambda k: weak[k]):
            f = self.facts[i]
            target = None
            key = (f.type, frozenset(f.targets))
            for j in ([] if f.type == "Statement" else by_key.get(key, [])):
                g = out[j]
                if not self._compatible_actor(g.actor, f.actor):
                    continue
                headline = self.sentences[g.sentence].line_alone and g.sentence == 0 and not g.vague_time
                if (f.restatement and g.actor == f.actor) or (headline and j not in summarised
                                                               and f.modality != "historical"):
                    target = j
                    break
                if g.sentence == f.sentence and f.actor is not None and g.actor == f.actor and \
                        g.modality == f.modality and not (g.vague_time or f.vague_time):
                    target = j  # one sentence tells one act of an actor on a target: notice, then effect
                    break


                if g.date != f.date:
                    if g.date and f.date and not adjacent_days(g.date, f.date):
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
                summarised.add(target)
            g.derived = g.derived and f.derived
            g.target_resolved = g.target_resolved and f.target_resolved  # another report names the target
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
        weak_spans = {(x.start, x.end) for x in self.sentences if x.zone != "body"}
        for f in out:
            if all(ev in weak_spans for ev in f.evidence):
                f.confidence = round(f.confidence - 0.1, 2)  # only a caption says so
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
