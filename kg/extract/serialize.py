"""The extraction JSON (docs/architecture.md, "Extraction JSON"): contract fields plus documented extras."""

from __future__ import annotations

import hashlib

from .reader import Document

FORMAT_VERSION = 1


def _span(text: str, a: int, b: int) -> dict:
    return {"start": a, "end": b, "text": text[a:b]}


def fact_id(doc_id: str, f, evidence) -> str:
    key = "|".join([doc_id, f.type, f.actor or "", ",".join(sorted(f.targets)), f.date or "",
                    ";".join(f"{a}-{b}" for a, b in evidence)])
    return "F" + hashlib.sha256(key.encode()).hexdigest()[:12]


def to_json(doc: Document, mentions, entities, facts, times, numbers, lexicon_fingerprint: str = "",
            weak_sentences=()) -> dict:
    """``weak_sentences``: (start, end) of caption and credit sentences; a fact's evidence lists them last."""
    text = doc.text
    weak = sorted(weak_sentences)

    def evidence_order(span):
        return any(a <= span[0] and span[1] <= b for a, b in weak), span
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc_id = sha[:16]
    by_entity: dict[str, list] = {}
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        by_entity.setdefault(m.entity_id, []).append(m)
    # an entity a fact refers to without naming it (his administration → TRUMP_ADMIN, a group of members) is still
    # listed, with no mentions, so that every actor and target id resolves inside the document
    referenced = {x for f in facts for x in [f.actor, *f.targets, f.legal_basis] if x and x not in by_entity
                  and x in entities}
    for e in list(entities.values()):
        referenced |= {m for m in e.members if m in entities and m not in by_entity} if e.id in by_entity else set()
    ent_out = []
    order = sorted(by_entity, key=lambda e: (by_entity[e][0].start, e)) + sorted(referenced)
    for eid in order:
        e = entities[eid]
        item = {"id": e.id, "class": e.cls,
                "label": {k: e.labels.get(k) for k in ("en", "zh-Hant", "zh-Hans")},
                "wikidata": e.wikidata,
                "mentions": [dict(_span(text, m.start, m.end), rule=m.rule) for m in by_entity.get(eid, [])],
                "source": e.source}
        if e.members:
            item["members"] = list(e.members)
        if e.acronym_conflict:
            item["acronym_conflict"] = e.acronym_conflict
        if e.gender:
            item["gender"] = e.gender
        if e.country:
            item["country"] = e.country
        ent_out.append(item)
    fact_out = []
    ids = []
    for f in facts:
        evidence = sorted(set(f.evidence))
        ids.append(fact_id(doc_id, f, evidence))
    for f, fid in zip(facts, ids):
        evidence = sorted(set(f.evidence), key=evidence_order)
        item = {"id": fid, "type": f.type, "actor": f.actor, "targets": list(f.targets), "date": f.date,
                "date_role": f.date_role, "modality": f.modality,
                "evidence": [_span(text, a, b) for a, b in evidence],
                "confidence": round(f.confidence, 2),
                "trigger": _span(text, *f.trigger)}
        if f.date_resolution:
            item["date_resolution"] = f.date_resolution
        if f.date_evidence:
            item["date_evidence"] = _span(text, *f.date_evidence)
        if f.subaction_of is not None:
            item["subaction_of"] = ids[f.subaction_of]
        if f.legal_basis:
            item["legal_basis"] = f.legal_basis
        if f.derived:
            item["derived"] = True
        if f.effective_date:
            item["effective_date"] = f.effective_date
        fact_out.append(item)
    order = sorted(range(len(fact_out)), key=lambda i: (fact_out[i]["evidence"][0]["start"], fact_out[i]["trigger"]["start"],
                                                         fact_out[i]["id"]))
    return {
        "format_version": FORMAT_VERSION,
        "document": {"id": doc_id, "path": doc.path, "title": doc.title, "language": doc.language,
                     "published": doc.published, "publisher": doc.publisher, "url": doc.url, "text_sha256": sha,
                     "published_inferred": doc.published_inferred, "language_detected": doc.language_detected,
                     "source_format": doc.source_format, "offsets": "code points into the document text "
                     "(the decoded .txt file; for .html the extracted visible text)", "length": len(text)},
        "entities": ent_out,
        "facts": [fact_out[i] for i in order],
        "times": [t.as_json() for t in times],
        "numbers": [q.as_json() for q in numbers],
        "lexicon": lexicon_fingerprint[:16] or None,
    }
