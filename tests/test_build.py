"""The builder: extraction JSON -> per-document named graphs with span-level provenance (no store involved)."""

from __future__ import annotations

import copy
import hashlib

import pytest
from rdflib import Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import PROV, RDF, SKOS

from kg.build import OntologyInfo, Source, assemble
from kg.namespaces import GRAPH_ENTITIES
from kg.errors import ValidationError
from kg.namespaces import GRAPH_LINKS, GRAPH_META, GRAPH_ONTOLOGY, IPA, OA, document_graph, entity_iri
from tests.fixtures.corpus import SMALL_TEXT, make_source, small_extraction


@pytest.fixture(scope="module")
def ontology():
    return OntologyInfo.load()


def doc_graph(ds, src: Source):
    return ds.graph(document_graph(src.doc_id))


def facts_of_type(g, cls: str):
    return sorted(g.subjects(RDF.type, IPA[cls]))


def test_every_fact_has_evidence_whose_quote_and_position_are_the_document_text_slice(small_article, ontology):
    g = doc_graph(assemble([small_article], ontology=ontology), small_article)
    text = str(g.value(URIRef(f"https://w3id.org/ipakg/id/doc/{small_article.doc_id}"), IPA.text))
    assert text == SMALL_TEXT
    facts = [f for f in g.subjects(PROV.wasDerivedFrom, None) if str(f).startswith("https://w3id.org/ipakg/id/fact/")]
    assert len(facts) == 4
    for f in facts:
        evidence = list(g.objects(f, IPA.evidence))
        assert evidence, f
        for ev in evidence:
            assert (ev, RDF.type, OA.Annotation) in g
            assert g.value(ev, OA.motivatedBy) == OA.describing
            target = g.value(ev, OA.hasTarget)
            assert g.value(target, OA.hasSource) == URIRef(f"https://w3id.org/ipakg/id/doc/{small_article.doc_id}")
            sels = list(g.objects(target, OA.hasSelector))
            quote = next(s for s in sels if (s, RDF.type, OA.TextQuoteSelector) in g)
            pos = next(s for s in sels if (s, RDF.type, OA.TextPositionSelector) in g)
            start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
            assert text[start:end] == str(g.value(quote, OA.exact))
            assert text[:start].endswith(str(g.value(quote, OA.prefix)))
            assert text[end:].startswith(str(g.value(quote, OA.suffix)))
            assert len(str(g.value(quote, OA.prefix))) <= 32


def test_the_document_node_carries_its_metadata_language_hash_and_whole_text(small_article, ontology):
    g = doc_graph(assemble([small_article], ontology=ontology), small_article)
    d = URIRef(f"https://w3id.org/ipakg/id/doc/{small_article.doc_id}")
    assert (d, RDF.type, IPA.Document) in g
    assert g.value(d, URIRef("http://purl.org/dc/terms/title")) == Literal("A small test article", lang="en")
    assert g.value(d, URIRef("https://schema.org/datePublished")) == Literal("2026-01-08", datatype=ns.XSD.date)
    assert g.value(d, IPA.textSha256) == Literal(small_article.extraction["document"]["text_sha256"])
    assert g.value(d, IPA.publishedDateInferred) == Literal(False)


def test_dates_are_typed_by_their_precision_and_role(small_article, ontology):
    g = doc_graph(assemble([small_article], ontology=ontology), small_article)
    announced = {str(o): o.datatype for o in g.objects(None, IPA.announcedDate)}
    effective = {str(o): o.datatype for o in g.objects(None, IPA.effectiveDate)}
    assert announced == {"2026-01-07": ns.XSD.date, "2025-10": ns.XSD.gYearMonth}
    assert effective == {"2026-01-22": ns.XSD.date}


def test_a_statement_has_its_speaker_and_quote_but_no_action_properties(small_article, ontology):
    g = doc_graph(assemble([small_article], ontology=ontology), small_article)
    (st,) = facts_of_type(g, "Statement")
    assert g.value(st, IPA.actor) == entity_iri("RUBIO")
    assert g.value(st, IPA.evidence) is not None
    for p in (IPA.modality, IPA.target, IPA.announcedDate, IPA.effectiveDate):
        assert g.value(st, p) is None, p


def test_a_states_withdrawal_from_an_organisation_ends_its_membership_with_the_same_provenance(
        small_article, ontology):
    g = doc_graph(assemble([small_article], ontology=ontology), small_article)
    memberships = facts_of_type(g, "Membership")
    assert len(memberships) == 2  # the announced and the planned withdrawal; the threat ends nothing
    by_end = {str(g.value(m, IPA.endDate)): m for m in memberships}
    assert set(by_end) == {"None", "2026-01-22"}  # only the effective date ends the membership on a date
    for m in memberships:
        assert g.value(m, IPA.member) == entity_iri("USA")
        assert g.value(m, IPA.organization) == entity_iri("WHO")
        withdrawal = g.value(m, IPA.endedBy)
        assert (withdrawal, RDF.type, IPA.Withdrawal) in g
        assert set(g.objects(m, IPA.evidence)) == set(g.objects(withdrawal, IPA.evidence))
        assert g.value(m, PROV.wasDerivedFrom) == g.value(withdrawal, PROV.wasDerivedFrom)


def test_the_same_inputs_give_the_same_iris_and_the_same_triples_in_any_order(tmp_path, ontology):
    memo = _memo_source()
    a = make_source(tmp_path)
    first = assemble([a, memo], ontology=ontology)
    second = assemble([memo, make_source(tmp_path)], ontology=ontology)
    for src in (a, memo):
        g1, g2 = set(doc_graph(first, src)), set(doc_graph(second, src))
        assert g1 == g2 and len(g1) > 100


def test_no_blank_nodes_are_minted(small_article, ontology):
    from rdflib import BNode

    ds = assemble([small_article, _memo_source()], ontology=ontology)
    for g in ds.graphs():
        if g.identifier in (GRAPH_ONTOLOGY,):
            continue  # the ontology's own axioms (owl:unionOf lists) are blank nodes
        assert not any(isinstance(x, BNode) for t in g for x in t), g.identifier


def test_entities_are_merged_across_documents_by_qid_when_not_in_the_lexicon(tmp_path, ontology):
    text_b = "The Example Body met. " * 2
    ex_a = small_extraction()
    ex_a["entities"].append({"id": "LOCAL_EXAMPLE_BODY", "class": "Organization",
                             "label": {"en": "Example Body", "zh-Hant": None, "zh-Hans": None},
                             "wikidata": "Q4115189", "mentions": []})
    a = make_source(tmp_path, extraction=ex_a)
    sha = hashlib.sha256(text_b.encode("utf-8")).hexdigest()
    ex_b = {"document": {"id": sha[:16], "path": "b.txt", "title": "B", "language": "en", "published": None,
                         "publisher": None, "url": None, "text_sha256": sha},
            "entities": [{"id": "LOCAL_THE_EXAMPLE_BODY", "class": "Organization",
                          "label": {"en": "The Example Body", "zh-Hant": None, "zh-Hans": None},
                          "wikidata": "Q4115189", "mentions": [{"start": 4, "end": 16, "text": "Example Body"}]}],
            "facts": []}
    b = make_source(tmp_path, text=text_b, name="b.txt", extraction=ex_b)
    ds = assemble([a, b], ontology=ontology)
    body = entity_iri("LOCAL_EXAMPLE_BODY")
    assert (None, OA.hasBody, body) in doc_graph(ds, b)
    # one description over the union of graphs: one class, one prefLabel per language
    labels = {o for g in ds.graphs() for o in g.objects(body, SKOS.prefLabel)}
    assert labels == {Literal("Example Body", lang="en")}
    assert list(ds.graph(GRAPH_ENTITIES).objects(body, RDF.type)) == [IPA.Organization]


def test_entity_descriptions_live_once_in_the_entities_graph_not_in_each_document(small_article, ontology):
    memo = _memo_source()
    ds = assemble([small_article, memo], ontology=ontology)
    usa = entity_iri("USA")
    assert (usa, RDF.type, IPA.State) in ds.graph(GRAPH_ENTITIES)
    assert (usa, SKOS.prefLabel, Literal("美國", lang="zh-hant")) in ds.graph(GRAPH_ENTITIES)
    assert (usa, IPA.lexiconId, Literal("USA")) in ds.graph(GRAPH_ENTITIES)
    for src in (small_article, memo):
        assert (usa, RDF.type, None) not in doc_graph(ds, src)
        assert (None, OA.hasBody, usa) in doc_graph(ds, src) or (None, IPA.actor, usa) in doc_graph(ds, src)


def test_a_span_that_is_not_the_text_fails_naming_the_file(tmp_path, ontology):
    ex = small_extraction()
    ex["facts"][0]["evidence"][0]["start"] += 1
    src = make_source(tmp_path, extraction=ex)
    with pytest.raises(ValidationError, match="small.txt: span"):
        assemble([src], ontology=ontology)


def test_a_fact_without_actor_or_target_is_left_out_and_reported_not_guessed(tmp_path, ontology):
    ex = small_extraction()
    ex["facts"][0]["actor"] = None  # the contract allows it ("the withdrawal takes effect…"); the shapes do not
    ex["facts"][2]["targets"] = []
    src = make_source(tmp_path, extraction=ex)
    left_out: list[str] = []
    g = doc_graph(assemble([src], ontology=ontology, left_out=left_out), src)
    assert len(left_out) == 2
    assert "fact f1 (Withdrawal) left out: no actor" in left_out[0]
    assert "fact f3 (Threat) left out: no target" in left_out[1]
    assert len(facts_of_type(g, "Withdrawal")) == 1 and not facts_of_type(g, "Threat")


def test_an_unknown_modality_or_class_is_refused(tmp_path, ontology):
    ex = small_extraction()
    ex["facts"][0]["modality"] = "rumoured"
    with pytest.raises(ValidationError, match="modality 'rumoured'"):
        assemble([make_source(tmp_path, extraction=ex)], ontology=ontology)
    ex = small_extraction()
    ex["entities"][2]["class"] = "Mob"
    with pytest.raises(ValidationError, match="class 'Mob'"):
        assemble([make_source(tmp_path, extraction=ex)], ontology=ontology)


def test_the_build_run_is_a_prov_activity_in_the_meta_graph_and_stable_for_the_same_inputs(small_article, ontology):
    ds1 = assemble([small_article], ontology=ontology)
    ds2 = assemble([copy.deepcopy(small_article)], ontology=ontology)
    meta = ds1.graph(GRAPH_META)
    (run,) = meta.subjects(RDF.type, PROV.Activity)
    assert (run,) == tuple(ds2.graph(GRAPH_META).subjects(RDF.type, PROV.Activity))
    assert meta.value(run, PROV.startedAtTime).datatype == ns.XSD.dateTime
    assert meta.value(run, PROV.endedAtTime) is not None
    fact = next(iter(doc_graph(ds1, small_article).subjects(RDF.type, IPA.Withdrawal)))
    assert doc_graph(ds1, small_article).value(fact, PROV.wasGeneratedBy) == run


def test_the_links_graph_holds_wikidata_links_for_verified_entities(small_article, ontology):
    links = assemble([small_article], ontology=ontology).graph(GRAPH_LINKS)
    assert (entity_iri("USA"), SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q30")) in links


def _memo_source() -> Source:
    from kg.build import read_source
    from tests.fixtures.paths import DATA

    return read_source(DATA / "memorandum" / "memorandum-2026-01-07-66-bodies.csv")
