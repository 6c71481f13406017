"""Scoring an extraction against a hand-made gold standard (the format of tests/data/seed-article.gold.json).

Levels:
* mentions, **strict**: exact span (or one of the gold ``alt_spans``) and a class the gold type allows;
  **lenient**: overlapping span and the same coarse type (organisation / place / person / document / event);
* **entities**: distinct entities of the document (a predicted entity is matched to a gold entity by id through
  the id map, else by its mentions);
* **facts** L1 = type + target, L2 = + actor (``actor_accept``), L3 = + date (``date_accept``), for the core
  facts and for all scored facts (core + derived). A predicted fact with several targets counts once per target.

Rules taken from the gold file: only mentions in scored zones count (``scoring_zones_excluded``: nav, photo
credits, boilerplate); optional mentions and optional facts are neither rewarded nor punished (any number of
predictions may match them); when scoring core facts, predictions that match derived facts are ignored too;
group targets match by id map, by ``entity_accept`` or when a mention of the predicted target contains one of the
gold ``keys``. Statements (quotes) and negated facts are not scored: the gold does not annotate them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError, ValidationError

# --- data tables: gold vocabulary → ours ---------------------------------------------------------------------
ORGANISATION_CLASSES = frozenset({"IntergovernmentalOrganization", "UNSystemEntity", "NonGovernmentalOrganization",
                                  "MediaOrganization", "Organization"})
GOLD_ENTITY_TYPES = {
    "State": frozenset({"State"}),
    "Location": frozenset({"Place"}),
    "Place": frozenset({"Place"}),
    "Organisation": ORGANISATION_CLASSES,
    "Organization": ORGANISATION_CLASSES,
    "GovernmentAgency": frozenset({"GovernmentBody"}),
    "GovernmentBody": frozenset({"GovernmentBody"}),
    "Person": frozenset({"Person"}),
    "Treaty": frozenset({"Treaty"}),
    "Event": frozenset({"Event"}),
    "Document": frozenset({"ExecutiveOrder", "PresidentialMemorandum"}),
    "Group": frozenset({"Group"}),
}
COARSE = {"State": "LOC", "Place": "LOC", "GovernmentBody": "ORG", "Person": "PER", "Treaty": "DOC",
          "ExecutiveOrder": "DOC", "PresidentialMemorandum": "DOC", "Event": "EVT", "Group": "GRP",
          **{c: "ORG" for c in ORGANISATION_CLASSES}}
GOLD_FACT_TYPES = {"Closure": "AgencyClosure", "IssueDocument": "DirectiveIssuance", "Boycott": "Rejection",
                   "Revocation": "Reversal"}
UNSCORED_FACT_TYPES = {"Statement"}
UNSCORED_MODALITIES = {"negated"}


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def as_json(self) -> dict:
        return {"precision": round(self.p, 4), "recall": round(self.r, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


# --- loading ---------------------------------------------------------------------------------------------------
def load_gold(path) -> dict:
    p = Path(path)
    try:
        gold = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{p}: no such gold file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: not a JSON gold file ({exc})") from None
    if not isinstance(gold, dict) or "mentions" not in gold or "facts" not in gold:
        raise InputError(f"{p}: not a gold standard (needs 'mentions' and 'facts')")
    return gold


def load_idmap(gold_path) -> dict[str, list[str]]:
    """Gold id → predicted ids. Read from an ``*idmap.yaml`` next to the gold whose ``gold:`` names it."""
    import yaml

    gp = Path(gold_path)
    for cand in sorted(gp.parent.glob("*idmap.yaml")):
        try:
            data = yaml.safe_load(cand.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{cand}: not valid YAML ({exc})".replace("\n", " ")) from None
        if data.get("gold") == gp.name:
            return {k: ([v] if isinstance(v, str) else list(v or [])) for k, v in (data.get("map") or {}).items()}
    return {}


def find_article(gold: dict, gold_path) -> Path:
    """The article a gold file describes: its ``doc`` path, looked for next to the gold, in data/corpus and in
    data/eval/articles."""
    doc = gold.get("doc")
    if not doc:
        raise InputError(f"{gold_path}: the gold names no article ('doc'); pass --pred or ARTICLE")
    gp = Path(gold_path).resolve()
    repo = Path(__file__).resolve().parent.parent
    name = Path(doc).name
    for cand in (gp.parent / doc, gp.parent / name, gp.parent.parent / "articles" / name, repo / "data" / "corpus" / name,
                 repo / "data" / "eval" / "articles" / name):
        if cand.exists():
            return cand
    raise InputError(f"{gold_path}: cannot find its article {doc!r}; pass --pred or ARTICLE")


# --- scoring ---------------------------------------------------------------------------------------------------
class Scorer:
    def __init__(self, gold: dict, pred: dict, idmap: dict | None = None):
        self.gold, self.pred = gold, pred
        self.idmap = idmap or {}
        self.excluded = set(gold.get("scoring_zones_excluded") or [])
        self.gold_entities = gold.get("entities") or {}
        self.pred_entities = {e["id"]: e for e in pred.get("entities", [])}
        self._excluded_regions = self._regions()
        self.aligned = self._align()

    def _align(self) -> dict[str, set]:
        """Gold id → predicted ids whose mentions have exactly the span (or an alt span) of a gold mention of that
        entity: ids need not agree (a local id for an unknown judge, COUNCIL_OF_EUROPE for COE)."""
        spans: dict[tuple, str] = {}
        for m in self.gold["mentions"]:
            for sp in [(m["start"], m["end"])] + [tuple(a) for a in m.get("alt_spans") or []]:
                spans.setdefault(sp, m["entity"])
        votes: dict[str, dict[str, int]] = {}
        for e in self.pred.get("entities", []):
            for m in e["mentions"]:
                gid = spans.get((m["start"], m["end"]))
                if gid:
                    votes.setdefault(e["id"], {}).setdefault(gid, 0)
                    votes[e["id"]][gid] += 1
        out: dict[str, set] = {}
        for pid, v in votes.items():
            best = max(sorted(v), key=lambda g: v[g])
            out.setdefault(best, set()).add(pid)
        return out

    def ids(self, gold_id) -> set:
        if gold_id is None:
            return {None}
        return {gold_id, *self.idmap.get(gold_id, []), *self.aligned.get(gold_id, ())}

    def _regions(self) -> list[tuple[int, int]]:
        regions = [(z["start"], z["end"]) for z in self.gold.get("zones", []) if z.get("zone") in self.excluded]
        sentences = self.gold.get("sentences") or []
        for m in self.gold["mentions"]:
            if m.get("zone") not in self.excluded:
                continue
            sent = next((s for s in sentences if s["start"] <= m["start"] < s["end"]), None)
            # a credit or boilerplate runs from its first name to the end of its sentence (攝:…, ©…)
            start = m["start"]
            if sent is not None:
                seg = self.gold_text_between(sent, m["start"])
                k = max(seg.rfind("攝"), seg.rfind("Photo"), seg.rfind("©"), seg.rfind("Credit"))
                if k >= 0:
                    start = sent["start"] + k
            regions.append((start, sent["end"] if sent else m["end"]))
        return regions

    def gold_text_between(self, sent, pos) -> str:
        return sent.get("text", "")[: pos - sent["start"]]

    def scored(self, start: int, end: int) -> bool:
        return not any(a <= start < b for a, b in self._excluded_regions)

    # -- mentions -----------------------------------------------------------------------------------------------
    def _gold_classes(self, m: dict) -> set:
        types = {m["type"], *(m.get("accept_types") or [])}
        ent = self.gold_entities.get(m.get("entity")) or {}
        types |= set(ent.get("accept_types") or [])
        out = set()
        for t in types:
            out |= GOLD_ENTITY_TYPES.get(t, {t})
        return out

    def _pred_mentions(self) -> list[dict]:
        out = []
        for e in self.pred.get("entities", []):
            if e["class"] == "Group":
                continue  # groups ("66個國際組織") are fact targets, not names; the gold does not mark them
            for m in e["mentions"]:
                if self.scored(m["start"], m["end"]):
                    out.append({"start": m["start"], "end": m["end"], "class": e["class"], "entity": e["id"]})
        return out

    def mentions(self, lenient: bool) -> PRF:
        gold = [m for m in self.gold["mentions"] if m.get("zone") not in self.excluded]
        used = [False] * len(gold)
        prf = PRF()
        for p in sorted(self._pred_mentions(), key=lambda m: (m["start"], m["end"])):
            hit, ignore = None, False
            for i, g in enumerate(gold):
                if not self._mention_match(p, g, lenient):
                    continue
                if g.get("optional"):
                    ignore = True
                    continue
                if not used[i]:
                    hit = i
                    break
            if hit is not None:
                used[hit] = True
                prf.tp += 1
            elif not ignore:
                prf.fp += 1
        prf.fn = sum(1 for i, g in enumerate(gold) if not used[i] and not g.get("optional"))
        return prf

    def _mention_match(self, p: dict, g: dict, lenient: bool) -> bool:
        classes = self._gold_classes(g)
        if lenient:
            spans = [(g["start"], g["end"])] + [tuple(s) for s in g.get("alt_spans") or []]
            if not any(p["start"] < b and a < p["end"] for a, b in spans):
                return False
            return COARSE.get(p["class"]) in {COARSE.get(c) for c in classes}
        spans = [(g["start"], g["end"])] + [tuple(s) for s in g.get("alt_spans") or []]
        return (p["start"], p["end"]) in spans and p["class"] in classes

    # -- entities -----------------------------------------------------------------------------------------------
    def entities(self) -> PRF:
        gold_m = [m for m in self.gold["mentions"] if m.get("zone") not in self.excluded]
        required = {m["entity"] for m in gold_m if not m.get("optional")}
        optional_only = {m["entity"] for m in gold_m} - required
        matched: set = set()
        prf = PRF()
        for e in self.pred.get("entities", []):
            if e["class"] == "Group":
                continue
            mentions = [m for m in e["mentions"] if self.scored(m["start"], m["end"])]
            if not mentions:
                continue
            gid = self._gold_entity_of(e, gold_m)
            if gid in required and gid not in matched:
                matched.add(gid)
                prf.tp += 1
            elif gid in optional_only or gid in matched:
                continue  # an optional entity, or a second predicted entity for one gold entity (split), ignored
            elif gid is None:
                prf.fp += 1
        prf.fn = len(required - matched)
        return prf

    def _gold_entity_of(self, e: dict, gold_m: list) -> str | None:
        for gid in self.gold_entities:
            if e["id"] in self.ids(gid):
                return gid
        votes: dict[str, int] = {}
        for m in e["mentions"]:
            for g in gold_m:
                if m["start"] < g["end"] and g["start"] < m["end"]:
                    if (m["start"], m["end"]) == (g["start"], g["end"]) or not g.get("optional"):
                        votes[g["entity"]] = votes.get(g["entity"], 0) + 2 if (m["start"], m["end"]) == (
                            g["start"], g["end"]) else votes.get(g["entity"], 0) + 1
        return max(sorted(votes), key=lambda k: votes[k]) if votes else None

    # -- facts --------------------------------------------------------------------------------------------------
    def _mention_texts(self, eid: str) -> list[str]:
        e = self.pred_entities.get(eid)
        if not e:
            return []
        return [m["text"] for m in e["mentions"]] + [v for v in (e.get("label") or {}).values() if v]

    def _target_ok(self, target: dict, pid: str) -> bool:
        accept = set()
        for k in ("entity", "group"):
            if target.get(k):
                accept |= self.ids(target[k])
        for a in target.get("entity_accept") or []:
            accept |= self.ids(a)
        if pid in accept:
            return True
        keys = target.get("keys") or []
        if keys:
            for text in self._mention_texts(pid):
                if any(k in text or (len(text) >= 2 and text in k) for k in keys):
                    return True
        return False

    def _fact_ok(self, g: dict, p: dict, level: int) -> bool:
        types = {GOLD_FACT_TYPES.get(t, t) for t in [g["type"], *(g.get("type_accept") or [])]}
        if p["type"] not in types:
            return False
        if not self._target_ok(g.get("target") or {}, p["target"]):
            if (g.get("target") or {}).get("keys") or (g.get("target") or {}).get("entity") or \
                    (g.get("target") or {}).get("entity_accept") or not g.get("_optional"):
                return False
        if level >= 2:
            accept = set()
            for a in [g.get("actor")] + list(g.get("actor_accept") or []):
                accept |= self.ids(a)
            if p["actor"] not in accept:
                return False
        if level >= 3:
            accept = {g.get("date")} | set(g.get("date_accept") or [])
            if p["date"] not in accept:
                return False
        return True

    def _pred_tuples(self) -> list[dict]:
        out = []
        for f in self.pred.get("facts", []):
            if f["type"] in UNSCORED_FACT_TYPES or f.get("modality") in UNSCORED_MODALITIES:
                continue
            for t in f.get("targets") or []:
                out.append({"id": f["id"], "type": f["type"], "actor": f.get("actor"), "target": t,
                            "date": f.get("date")})
        return out

    def facts(self, level: int, core_only: bool) -> PRF:
        gold_all = []
        for g in self.gold["facts"]:
            g = dict(g)
            kind = "core" if g.get("core") else ("derived" if g.get("derived") else "optional")
            g["_optional"] = kind == "optional"
            g["_counted"] = kind == "core" or (kind == "derived" and not core_only)
            gold_all.append(g)
        counted = [g for g in gold_all if g["_counted"]]
        ignored = [g for g in gold_all if not g["_counted"]]
        preds = self._pred_tuples()
        match_to: dict[int, int] = {}  # gold index -> pred index

        def augment(pi: int, seen: set) -> bool:
            for gi, g in enumerate(counted):
                if gi in seen or not self._fact_ok(g, preds[pi], level):
                    continue
                seen.add(gi)
                if gi not in match_to or augment(match_to[gi], seen):
                    match_to[gi] = pi
                    return True
            return False

        for pi in range(len(preds)):
            augment(pi, set())
        matched_preds = set(match_to.values())
        prf = PRF(tp=len(match_to), fn=len(counted) - len(match_to))
        for pi, p in enumerate(preds):
            if pi in matched_preds:
                continue
            if any(self._fact_ok(g, p, 1) for g in ignored):
                continue
            prf.fp += 1
        return prf

    def report(self) -> dict:
        return {
            "mentions_strict": self.mentions(lenient=False).as_json(),
            "mentions_lenient": self.mentions(lenient=True).as_json(),
            "entities": self.entities().as_json(),
            **{f"facts_{scope}_L{lvl}": self.facts(lvl, scope == "core").as_json()
               for scope in ("core", "all") for lvl in (1, 2, 3)},
        }


HEADLINE = ("entities", "facts_core_L1", "facts_core_L3")


def evaluate(gold_path, pred: dict, idmap: dict | None = None) -> dict:
    gold = load_gold(gold_path)
    if idmap is None:
        idmap = load_idmap(gold_path)
    return Scorer(gold, pred, idmap).report()


def check_thresholds(report: dict, min_f1: float, metrics=HEADLINE) -> None:
    low = [f"{m} F1 {report[m]['f1']:.3f}" for m in metrics if report[m]["f1"] < min_f1]
    if low:
        raise ValidationError(f"below --min-f1 {min_f1}: " + ", ".join(low), detail={"report": report})


def format_table(report: dict) -> str:
    lines = [f"{'level':<20}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}"]
    for k, v in report.items():
        lines.append(f"{k:<20}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['tp']:>6}{v['fp']:>6}{v['fn']:>6}")
    return "\n".join(lines)
