"""A synthetic news-like graph shaped like the build's RDF, as N-Quads (deterministic).

    python -m bench.graphgen --triples 1000000 --out /tmp/kg_1M.nq [--seed 7]

Shape (docs/architecture.md, "RDF shape produced by the build"): one named graph per document
(``id:doc/<id>/graph``) holding the document node with its text, entity mentions as Web Annotations
with TextQuote/TextPosition selectors, policy-action facts with actor/targets/dates/modality/provenance
and span-level evidence; one ``id:graph/entities`` with class and en/zh-hant/zh-hans labels per entity;
``id:graph/links`` with ``skos:exactMatch`` to Wikidata-style IRIs for some entities. About 180 triples
per document, so 1M triples is ~5,600 documents over ~2,800 entities. Entities are picked with a Zipf-like
skew, as in news (a few states and agencies in most articles), so point queries range from cheap to busy.

Names and QIDs are synthetic (``Q9000000+k``): this graph is for timing only, never published.
The same ``(triples, seed)`` always gives byte-identical output.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

ID = "https://w3id.org/ipakg/id/"
IPA = "https://w3id.org/ipakg/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
WD = "http://www.wikidata.org/entity/"

ENTITY_CLASSES = ("State", "GovernmentBody", "IntergovernmentalOrganization", "UNSystemEntity",
                  "NonGovernmentalOrganization", "Person", "Treaty", "Group")
FACT_TYPES = ("Withdrawal", "FundingSuspension", "Sanction", "Threat", "Veto", "Rejection", "Criticism",
              "AgencyClosure", "DirectiveIssuance", "Announcement", "Review", "Reversal", "Statement")
MODALITIES = ("announced", "planned", "ordered", "effective", "threatened", "historical", "reversed", "negated",
              "ongoing")
LANGS = ("en", "zh-Hant", "zh-Hans")

# Syllables for readable, unique synthetic names.
_EN = ("al", "bar", "cor", "dan", "el", "fen", "gor", "hal", "is", "jor", "kan", "lor", "mar", "nor", "or",
       "pen", "quin", "ros", "sal", "tor", "ul", "ver", "wen", "xan", "yor", "zen")
_ZH = "安北昌東恩福高華吉康利明南平青瑞山泰文西新元中洲海林"
_NOUN = ("Council", "Agency", "Fund", "Union", "Ministry", "Commission", "Alliance", "Office", "Court", "Bank")
_WORDS = ("funding", "withdraw", "sanction", "agreement", "health", "climate", "security", "veto", "reform",
          "budget", "refugees", "trade", "treaty", "council", "minister", "review", "closure", "talks")

#: Words that appear in evidence quotes (the regex scan varies over them).
QUOTE_WORDS = _WORDS


@dataclass
class Entity:
    key: str
    cls: str
    en: str
    zh_hant: str
    zh_hans: str
    acronym: str


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    v = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{v}"@{lang}'
    if datatype:
        return f'"{v}"^^<{datatype}>'
    return f'"{v}"'


def _h16(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def entity_label(k: int) -> str:
    """The English label of entity ``k`` (also used to make point-query parameters)."""
    a, b, c = _EN[k % 26], _EN[(k // 26) % 26], _EN[(k // 676) % 26]
    return f"{(a + b + c).capitalize()} {_NOUN[k % len(_NOUN)]} {k}"


def make_entities(n: int) -> list[Entity]:
    out = []
    for k in range(n):
        en = entity_label(k)
        zh = _ZH[k % len(_ZH)] + _ZH[(k // len(_ZH)) % len(_ZH)] + _ZH[(k * 7) % len(_ZH)] + f"委員會{k}"
        out.append(Entity(key=f"SYN_{k}", cls=ENTITY_CLASSES[k % len(ENTITY_CLASSES)], en=en, zh_hant=zh,
                          zh_hans=zh.replace("員", "员").replace("會", "会").replace("華", "华").replace("東", "东"),
                          acronym="".join(w[0] for w in en.split()[:2]).upper() + str(k)))
    return out


def entity_iri(e: Entity) -> str:
    return f"<{ID}entity/{e.key.lower().replace('_', '-')}>"


TRIPLES_PER_DOC = 180  # about; used only to size the entity population


def generate(n_triples: int, out: Path, *, seed: int = 7) -> dict:
    """Write about ``n_triples`` quads (stops at the first document boundary past it). Returns counts."""
    rng = random.Random(seed)
    n_docs_est = max(1, n_triples // TRIPLES_PER_DOC)
    entities = make_entities(max(50, n_docs_est // 2))
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(entities))]
    cum = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    count = docs = facts = mentions = 0
    used: set[int] = set()
    g_entities = f"<{ID}graph/entities>"
    g_links = f"<{ID}graph/links>"
    run = f"<{ID}run/{_h16('bench', seed, n_triples)}>"
    with open(out, "w", encoding="utf-8") as fh:
        w = fh.write
        while count < n_triples:
            doc_id = _h16("doc", seed, docs)
            doc = f"<{ID}doc/{doc_id}>"
            g = f"<{ID}doc/{doc_id}/graph>"
            lang = LANGS[docs % 3]
            day = f"2026-{1 + docs % 12:02d}-{1 + docs % 28:02d}"
            picks = sorted({rng.choices(range(len(entities)), cum_weights=cum)[0] for _ in range(6)})
            used.update(picks)
            sentences = []
            for i, k in enumerate(picks):
                e = entities[k]
                sentences.append(f"{e.en} said it would {rng.choice(_WORDS)} the {rng.choice(_WORDS)} "
                                 f"{rng.choice(_WORDS)} programme on {day} ({i}).")
            text = " ".join(sentences)
            lines = [
                f"{doc} {RDF_TYPE} <{IPA}Document> {g} .",
                f"{doc} {RDF_TYPE} <{SCHEMA}NewsArticle> {g} .",
                f"{doc} <{DCT}title> {_lit(f'{entities[picks[0]].en} acts on {day}', lang.lower())} {g} .",
                f"{doc} <{SCHEMA}publisher> {_lit(f'Wire {docs % 17}')} {g} .",
                f"{doc} <{DCT}language> {_lit(lang)} {g} .",
                f"{doc} <{SCHEMA}datePublished> {_lit(day, datatype=XSD + 'date')} {g} .",
                f"{doc} <{SCHEMA}url> <https://news.example/{doc_id}> {g} .",
                f"{doc} <{IPA}textSha256> {_lit(hashlib.sha256(text.encode()).hexdigest())} {g} .",
                f"{doc} <{IPA}text> {_lit(text)} {g} .",
                f"{doc} <{IPA}sourcePath> {_lit(f'synthetic/{doc_id}.txt')} {g} .",
            ]
            offsets = []
            pos = 0
            for s in sentences:
                offsets.append((pos, pos + len(s)))
                pos += len(s) + 1
            for i, k in enumerate(picks):
                e = entities[k]
                start, _ = offsets[i]
                end = start + len(e.en)
                m = f"<{ID}mention/{_h16(doc_id, start, end, e.key)}"
                lines += [
                    f"{m}> {RDF_TYPE} <{OA}Annotation> {g} .",
                    f"{m}> <{OA}motivatedBy> <{OA}identifying> {g} .",
                    f"{m}> <{OA}hasBody> {entity_iri(e)} {g} .",
                    f"{m}> <{OA}hasTarget> {m}/target> {g} .",
                    *_selector_lines(m, doc, text, start, end, g),
                ]
                mentions += 1
            for j in range(3):
                a, t = picks[j % len(picks)], picks[(j + 1) % len(picks)]
                ftype = FACT_TYPES[rng.randrange(len(FACT_TYPES))]
                start, end = offsets[j % len(offsets)]
                f = f"<{ID}fact/{_h16(doc_id, ftype, a, t, start)}>"
                ev = f"<{ID}evidence/{_h16(doc_id, start, end)}"
                lines += [
                    f"{f} {RDF_TYPE} <{IPA}{ftype}> {g} .",
                    f"{f} <{IPA}actor> {entity_iri(entities[a])} {g} .",
                    f"{f} <{IPA}target> {entity_iri(entities[t])} {g} .",
                    f"{f} <{IPA}{'effectiveDate' if j % 2 else 'announcedDate'}> {_lit(day, datatype=XSD + 'date')} {g} .",
                    f"{f} <{IPA}modality> {_lit(MODALITIES[rng.randrange(len(MODALITIES))])} {g} .",
                    f"{f} <{IPA}confidence> {_lit(f'0.{5 + rng.randrange(5)}', datatype=XSD + 'decimal')} {g} .",
                    f"{f} <{IPA}dateResolution> {_lit('explicit')} {g} .",
                    f"{f} <{PROV}wasDerivedFrom> {doc} {g} .",
                    f"{f} <{PROV}wasGeneratedBy> {run} {g} .",
                    f"{f} <{IPA}evidence> {ev}> {g} .",
                    f"{ev}> {RDF_TYPE} <{OA}Annotation> {g} .",
                    f"{ev}> <{OA}motivatedBy> <{OA}describing> {g} .",
                    f"{ev}> <{OA}hasTarget> {ev}/target> {g} .",
                    *_selector_lines(ev, doc, text, start, end, g),
                ]
                facts += 1
            w("\n".join(lines))
            w("\n")
            count += len(lines)
            docs += 1
        for k in sorted(used):
            e = entities[k]
            s = entity_iri(e)
            lines = [
                f"{s} {RDF_TYPE} <{IPA}{e.cls}> {g_entities} .",
                f"{s} <{SKOS}prefLabel> {_lit(e.en, 'en')} {g_entities} .",
                f"{s} <{SKOS}prefLabel> {_lit(e.zh_hant, 'zh-hant')} {g_entities} .",
                f"{s} <{SKOS}prefLabel> {_lit(e.zh_hans, 'zh-hans')} {g_entities} .",
                f"{s} <{SKOS}altLabel> {_lit(e.acronym, 'en')} {g_entities} .",
                f"{s} <{IPA}lexiconId> {_lit(e.key)} {g_entities} .",
            ]
            if k % 3 == 0:
                lines.append(f"{s} <{SKOS}exactMatch> <{WD}Q{9_000_000 + k}> {g_links} .")
            w("\n".join(lines))
            w("\n")
            count += len(lines)
    return {"triples": count, "documents": docs, "entities": len(used), "facts": facts, "mentions": mentions}


def _selector_lines(base: str, doc: str, text: str, start: int, end: int, g: str) -> list[str]:
    """Target, TextQuoteSelector and TextPositionSelector of an annotation (``base`` lacks its closing ``>``)."""
    return [
        f"{base}/target> {RDF_TYPE} <{OA}SpecificResource> {g} .",
        f"{base}/target> <{OA}hasSource> {doc} {g} .",
        f"{base}/target> <{OA}hasSelector> {base}/quote> {g} .",
        f"{base}/target> <{OA}hasSelector> {base}/position> {g} .",
        f"{base}/quote> {RDF_TYPE} <{OA}TextQuoteSelector> {g} .",
        f"{base}/quote> <{OA}exact> {_lit(text[start:end])} {g} .",
        f"{base}/quote> <{OA}prefix> {_lit(text[max(0, start - 32):start])} {g} .",
        f"{base}/quote> <{OA}suffix> {_lit(text[end:end + 32])} {g} .",
        f"{base}/position> {RDF_TYPE} <{OA}TextPositionSelector> {g} .",
        f"{base}/position> <{OA}start> {_lit(str(start), datatype=XSD + 'integer')} {g} .",
        f"{base}/position> <{OA}end> {_lit(str(end), datatype=XSD + 'integer')} {g} .",
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.graphgen", description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    print(generate(args.triples, args.out, seed=args.seed))


if __name__ == "__main__":
    main()
