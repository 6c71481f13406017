"""Turn the hand-made annotation decisions in spec/*.yaml into gold files (*.gold.json).

The decisions (which strings name which entity, which facts the article states, their dates and
evidence) are made by a person in the YAML; this script only computes code-point offsets, finds
*every* occurrence of each decided string, splits sentences, and refuses anything ambiguous
(a trigger found in two sentences, a partial overlap between two names, a time string that
occurs twice without saying which occurrence is meant).  The output has the shape of the seed
gold (tests/data/seed-article.gold.json).

    python data/eval/gold/annotate.py            # rebuild every gold file
    python data/eval/gold/annotate.py --check    # fail if a gold file differs from its spec
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
EVAL = HERE.parent
REPO = EVAL.parent.parent

GUIDELINES = """Hand-made gold for a held-out evaluation article (ipakg test corpus).

The article and every decision below were written by a person before any extractor was run on
the text.  Offsets are computed by data/eval/gold/annotate.py from the decided strings (never by
hand); every occurrence of each decided string was found and checked.

Conventions (the same as the seed gold, tests/data/seed-article.gold.json):
* Mentions are proper-name mentions (no pronouns such as 她/他/該組織/its/he, no generic nouns such
  as 國際組織/the court/the agency).  A name nested in a longer proper name of another entity
  (聯合國 in 聯合國教科文組織, 美國 in 美國國際開發署, Trump in Trump administration, Paris in Paris
  Agreement) is an *optional* mention (nested_in says where): finding it is neither rewarded nor
  punished.
* Adjectival uses of a state name (美國政策, 反以色列, U.S. personnel) are State mentions.  English
  demonyms that are not the name (Israeli) are optional.  Short forms such as 美方/俄方 and the
  one-character abbreviations in 俄美 are optional.
* Titles are not part of the name: 國務院發言人布魯斯 -> 國務院 + 布魯斯; Secretary of State Marco
  Rubio -> Marco Rubio; 美國國務院 -> 美國 + 國務院 (alt span 美國國務院 accepted); the State
  Department -> State Department (alt span with "the" accepted).
* A transliterated name and the Latin name in parentheses after it are two mentions of the same
  person (布魯斯 + Tammy Bruce); so are a name and its acronym (聯合國教科文組織 + UNESCO).
* A dateline place (WASHINGTON —, 本报联合国9月18日电) is a mention in the body zone (note: dateline);
  the dateline is never the actor of a fact.
* Zones: title (first line) and body.  No nav/credit/boilerplate zones in these texts.
* Facts: one fact per (type, actor, target) stated in the text; coordinated actors or targets give
  one fact each.  actor_accept / date_accept list the other answers that are also right.
  Targets reached only through a pronoun or a demonstrative (她/該組織/该机构/its/the agency) are
  still the named entity.  A group target has keys (strings of the group's mention) and
  entity_accept.  Threats are Threat facts (the threatened action is content, not a realised
  fact); negated actions (不會退出, did not veto) are recorded with "negated": true and core false;
  figurative and generic uses (締約國退出須…) are not facts.  Reversals (rejoining, lifting
  sanctions, revoking a ratification) are Revocation facts with "reverses" naming the undone fact.
* core: the policy actions a user of the graph would expect; non-core: criticism/regret, signing,
  ratification, adoption, proposals, negated actions.
* Relative dates (22日, 昨日, 去年1月, 本月1日, last Wednesday, on Thursday, last November) are
  resolved against doc_date, the publication date given in the sidecar.
"""


def sentences(text: str, lang: str) -> list[dict]:
    """Split on 。！？； (plus closing quotes) for Chinese, on . ! ? before a capital for English,
    and always at newlines."""
    out = []
    if lang == "en":
        end = re.compile(r"(?<!\bU\.S)(?<!\bMr)(?<!\bDr)[.!?][\"”’]?(?=\s+[\"“A-Z])")
    else:
        end = re.compile(r"[。！？；!?;][」』”\"]?")
    for line_m in re.finditer(r"[^\n]+", text):
        line, base = line_m.group(0), line_m.start()
        pos = 0
        cuts = [m.end() for m in end.finditer(line)] + [len(line)]
        for cut in cuts:
            seg = line[pos:cut]
            lead = len(seg) - len(seg.lstrip())
            seg_s, seg_e = pos + lead, len(seg.rstrip()) + pos
            if seg_e > seg_s:
                out.append({"start": base + seg_s, "end": base + seg_e, "text": text[base + seg_s:base + seg_e]})
            pos = cut
    for i, s in enumerate(out):
        s["id"] = i
    return [{"id": s["id"], "start": s["start"], "end": s["end"], "text": s["text"]} for s in out]


def is_latin(s: str) -> bool:
    return bool(re.match(r"[A-Za-z]", s))


def occurrences(text: str, s: str) -> list[int]:
    if is_latin(s):
        pat = re.compile(r"(?<![A-Za-z0-9])" + re.escape(s) + r"(?![A-Za-z0-9])")
        return [m.start() for m in pat.finditer(text)]
    return [m.start() for m in re.finditer(re.escape(s), text)]


def find_unique(text: str, s: str, what: str, occ: int | None = None) -> int:
    found = [m.start() for m in re.finditer(re.escape(s), text)]
    if occ is not None:
        return found[occ]
    if len(found) != 1:
        raise SystemExit(f"{what}: {s!r} occurs {len(found)} times; say which (occ)")
    return found[0]


def sent_of(sents: list[dict], start: int, end: int) -> int:
    for s in sents:
        if s["start"] <= start and end <= s["end"]:
            return s["id"]
    raise SystemExit(f"span {start}-{end} crosses a sentence boundary")


def build(spec_path: Path) -> dict:
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    doc_rel = spec["doc"]
    text = (REPO / doc_rel).read_text(encoding="utf-8")
    lang = spec["doc_lang"]
    sents = sentences(text, lang)
    title_end = text.index("\n")

    entities = {}
    for eid, e in spec["entities"].items():
        etype, name_en, *rest = e
        entities[eid] = {"type": etype, "name_en": name_en, "accept_types": rest[0] if rest else []}

    # candidate spans: (start, end, entity or None for a blocker, options)
    cands = []
    for eid, forms in spec["surfaces"].items():
        for f in forms:
            opt = f if isinstance(f, dict) else {"s": f}
            s = opt["s"]
            if "context" in opt:
                starts = [c + opt["context"].index(s) for c in occurrences(text, opt["context"])]
            else:
                starts = occurrences(text, s)
            if "occ" in opt:
                starts = [starts[i] for i in opt["occ"]]
            if not starts:
                raise SystemExit(f"{spec_path.name}: surface {s!r} ({eid}) not found")
            for st in starts:
                cands.append((st, st + len(s), None if eid == "_BLOCK" else eid, opt))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    primary, mentions = [], []
    for st, en, eid, opt in cands:
        container = next((p for p in primary if p[0] <= st and en <= p[1]), None)
        clash = next((p for p in primary if st < p[1] and p[0] < en and p is not container), None)
        if container is None and clash is not None:
            raise SystemExit(f"{spec_path.name}: {text[st:en]!r}@{st} partly overlaps {text[clash[0]:clash[1]]!r}")
        if container is not None:
            if container[2] is None or container[2] == eid or container[3].get("optional") or eid is None:
                continue  # inside a blocker, or the same name again: not a second mention
            m = mention(text, st, en, eid, entities, opt, sents, title_end, optional=True)
            m["nested_in"] = text[container[0]:container[1]]
            mentions.append(m)
            continue
        primary.append((st, en, eid, opt))
        if eid is not None:
            mentions.append(mention(text, st, en, eid, entities, opt, sents, title_end,
                                    optional=bool(opt.get("optional"))))
    for rule in spec.get("alt", []):
        for m in mentions:
            if m["entity"] == rule["entity"] and not m["optional"]:
                if "strip" in rule:  # a shorter name inside the mention is also right
                    if m["text"].startswith(rule["strip"]) and m["text"] != rule["strip"]:
                        m["alt_spans"].append([m["start"] + len(rule["strip"]), m["end"]])
                    continue
                if "strip_suffix" in rule:
                    if m["text"].endswith(rule["strip_suffix"]) and m["text"] != rule["strip_suffix"]:
                        m["alt_spans"].append([m["start"], m["end"] - len(rule["strip_suffix"])])
                    continue
                pre, suf = rule.get("prefix", ""), rule.get("suffix", "")
                if text[m["start"] - len(pre):m["start"]] == pre and text[m["end"]:m["end"] + len(suf)] == suf:
                    m["alt_spans"].append([m["start"] - len(pre), m["end"] + len(suf)])
    mentions.sort(key=lambda m: (m["start"], -m["end"]))
    used = {m["entity"] for m in mentions}
    unused = set(entities) - used
    if unused:
        raise SystemExit(f"{spec_path.name}: entities never mentioned: {sorted(unused)}")

    times = []
    for t in spec.get("times", []):
        for st in _spans(text, t, spec_path):
            times.append({"start": st, "end": st + len(t["text"]), "text": t["text"], "value": t["value"],
                          "kind": t["kind"], "zone": "title" if st < title_end else "body"})
    numbers = []
    for n in spec.get("numbers", []):
        for st in _spans(text, n, spec_path):
            numbers.append({"start": st, "end": st + len(n["text"]), "text": n["text"], "value": n["value"]})

    facts = []
    for f in spec["facts"]:
        ev = []
        for e in f["evidence"]:
            trig = e["trigger"]
            hits = [s for s in sents if trig in s["text"]]
            if "nth" in e:
                hits = [hits[e["nth"]]]
            if len(hits) != 1:
                raise SystemExit(f"{spec_path.name} {f['id']}: trigger {trig!r} in {len(hits)} sentences")
            ev.append({"sent": hits[0]["id"], "text": hits[0]["text"], "trigger": trig})
        out = {"id": f["id"], "type": f["type"], "actor": f["actor"],
               "actor_accept": f.get("actor_accept", [f["actor"]]), "target": f["target"],
               "date": f["date"], "date_accept": f.get("date_accept", [f["date"]])}
        if "modality" in f:
            out["modality"] = f["modality"]
        out["evidence"] = ev
        out["core"] = f["core"]
        for k in ("negated", "reverses", "type_accept", "note"):
            if k in f:
                out[k] = f[k]
        for ent in [out["actor"], *out["actor_accept"], out["target"].get("entity"),
                    *out["target"].get("entity_accept", [])]:
            if ent is not None and ent not in entities:
                raise SystemExit(f"{spec_path.name} {f['id']}: unknown entity {ent}")
        facts.append(out)

    gold = {
        "doc": doc_rel, "doc_lang": lang, "doc_date": str(spec["doc_date"]),
        "doc_date_note": spec.get("doc_date_note", "publication date from the sidecar; used to resolve relative dates"),
        "guidelines": GUIDELINES,
        "entity_types": sorted({e["type"] for e in entities.values()}),
        "entities": entities, "sentences": sents, "mentions": mentions,
        "times": times, "numbers": numbers, "facts": facts,
        "scoring_zones_excluded": ["nav", "credit", "boilerplate"],
    }
    verify(gold, text)
    return gold


def _spans(text: str, item: dict, spec_path: Path) -> list[int]:
    found = [m.start() for m in re.finditer(re.escape(item["text"]), text)]
    if "occ" in item:
        return [found[i] for i in item["occ"]]
    if len(found) != 1 and not item.get("all"):
        raise SystemExit(f"{spec_path.name}: {item['text']!r} occurs {len(found)} times; give occ or all")
    return found


def mention(text, st, en, eid, entities, opt, sents, title_end, optional):
    e = entities[eid]
    m = {"start": st, "end": en, "text": text[st:en], "type": opt.get("type", e["type"]), "entity": eid,
         "accept_types": opt.get("accept_types", e["accept_types"]), "alt_spans": [],
         "optional": optional, "zone": "title" if st < title_end else "body", "sent": sent_of(sents, st, en)}
    if "note" in opt:
        m["note"] = opt["note"]
    return m


def verify(gold: dict, text: str) -> None:
    for kind in ("sentences", "mentions", "times", "numbers"):
        for x in gold[kind]:
            assert text[x["start"]:x["end"]] == x["text"], (kind, x)
    for f in gold["facts"]:
        for e in f["evidence"]:
            s = gold["sentences"][e["sent"]]
            assert s["text"] == e["text"] and e["trigger"] in e["text"], f["id"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    status = 0
    for spec_path in sorted((HERE / "spec").glob("*.yaml")):
        gold = build(spec_path)
        out = HERE / (Path(gold["doc"]).name.removesuffix(".txt") + ".gold.json")
        new = json.dumps(gold, ensure_ascii=False, indent=1) + "\n"
        if args.check:
            if not out.exists() or out.read_text(encoding="utf-8") != new:
                print(f"{out.name}: out of date with {spec_path.name}", file=sys.stderr)
                status = 1
            continue
        out.write_text(new, encoding="utf-8")
        n_core = sum(f["core"] for f in gold["facts"])
        print(f"{out.name}: {len(gold['mentions'])} mentions ({sum(not m['optional'] for m in gold['mentions'])} regular), "
              f"{len(gold['entities'])} entities, {len(gold['facts'])} facts ({n_core} core), "
              f"{len(gold['sentences'])} sentences")
    return status


if __name__ == "__main__":
    sys.exit(main())
