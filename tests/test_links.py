"""Links to Wikidata: only verified QIDs, each with a mapping record; coverage per class; the property map as data.

The ``wikidata_store`` fixture (tests/fixtures/wikidata.py) is a real on-disk store generation made from
``tests/data/wikidata/small-graph.trig`` plus the links graph that ``kg.links.links_graph`` makes for its entities.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib.namespace import SKOS

from kg import links
from kg.namespaces import WD, entity_iri
from kg.sparql import LocalEngine
from tests.fixtures.wikidata import REFERENCE_ROWS

def test_every_verified_entity_gets_exact_match_and_unverified_ones_none(reference_lexicon):
    g = links.links_graph(list(REFERENCE_ROWS) + ["LOCAL_x"], lexicon=reference_lexicon, mapping_date="2026-01-10", reviewed={})
    matches = {(str(s), str(o)) for s, o in g.subject_objects(SKOS.exactMatch)}
    assert (str(entity_iri("WHO")), str(WD["Q7817"])) in matches
    assert (str(entity_iri("USA")), str(WD["Q30"])) in matches
    assert not any(s == str(entity_iri("UNDEF")) for s, _ in matches)  # "not found" in the reference table
    assert len(matches) == 9


def test_a_qid_the_extraction_merely_claims_is_not_linked(reference_lexicon):
    g = links.links_graph([{"id": "LOCAL_foo", "wikidata": "Q123"}, {"id": "UNDEF", "wikidata": "Q999"}],
                          lexicon=reference_lexicon, reviewed={})
    assert len(g) == 0


def test_the_mapping_record_is_queryable_in_sparql(wikidata_engine):
    rows = wikidata_engine.query("""
        PREFIX sssom: <https://w3id.org/sssom/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?subject ?object ?justification ?method ?source ?date ?confidence ?tool ?author WHERE {
          GRAPH <https://w3id.org/ipakg/id/graph/links> {
            ?subject skos:exactMatch ?object .
            ?m sssom:subject_id ?subject ; sssom:predicate_id skos:exactMatch ; sssom:object_id ?object ;
               sssom:mapping_justification ?justification ; sssom:curation_rule_text ?method ; dct:source ?source ;
               sssom:mapping_date ?date ; sssom:confidence ?confidence ; sssom:mapping_tool ?tool ; sssom:author_label ?author } }
        """, row_cap=None).bindings()
    by_subject = {r["subject"].value: r for r in rows}
    who = by_subject[str(entity_iri("WHO"))]
    assert who["object"].value == str(WD["Q7817"])
    assert who["method"].value == "lexicon"
    assert who["justification"].value == "https://w3id.org/semapv/vocab/ManualMappingCuration"
    assert "supraverden" in who["source"].value
    assert who["date"].value == "2026-01-10"
    assert 0 < float(who["confidence"].value) <= 1
    assert len(rows) == 9


def test_reviewed_mappings_override_the_lexicon_and_must_name_their_source(tmp_path, reference_lexicon):
    tsv = tmp_path / "m.sssom.tsv"
    tsv.write_text("# curie_map: {wikidata: 'http://www.wikidata.org/entity/'}\n"
                   "subject_id\tpredicate_id\tobject_id\tmapping_justification\tcuration_rule_text\tconfidence\t"
                   "author_label\tmapping_date\tcomment\n"
                   "UNDEF\tskos:exactMatch\twikidata:Q4\tsemapv:ManualMappingCuration\treconciled\t0.7\tA. Editor\t"
                   "2026-02-01\tQuickStatements batch 123 (test row, not a real item)\n", encoding="utf-8")
    reviewed = links.reviewed_links(tsv)
    g = links.links_graph(["UNDEF"], lexicon=reference_lexicon, reviewed=reviewed)
    assert (entity_iri("UNDEF"), SKOS.exactMatch, WD["Q4"]) in g
    assert "LexicalMatching" in " ".join(str(o) for o in g.objects())
    tsv.write_text(tsv.read_text(encoding="utf-8").replace("QuickStatements batch 123 (test row, not a real item)", ""),
                   encoding="utf-8")
    with pytest.raises(links.InputError, match="where the QID was verified"):
        links.reviewed_links(tsv)


def test_link_coverage_counts_entities_and_links_per_class(wikidata_engine, wikidata_store):
    rows = {r["class"]: r for r in links.link_coverage(wikidata_engine)}
    assert rows["State"] == {"class": "State", "entities": 1, "linked": 1, "coverage": 1.0}
    assert rows["UNSystemEntity"]["entities"] == 6 and rows["UNSystemEntity"]["linked"] == 5  # UNDEF has no QID
    assert rows["Organization"] == {"class": "Organization", "entities": 1, "linked": 0, "coverage": 0.0}
    assert rows["*"]["entities"] == 11 and rows["*"]["linked"] == 9
    store = wikidata_store.open_current()  # a bare pyoxigraph store works too
    assert links.link_coverage(store) == links.link_coverage(wikidata_engine)


def test_the_property_map_is_data_with_a_source_for_every_row():
    mapping = {p.ours: p for p in links.property_map()}
    assert mapping["ipa:memberOf"].pid == "P463"
    assert links.pid("ipa:endDate") == "P582" and links.pid("ipa:startDate") == "P580"
    assert links.pid("ipa:endedBy") == "P1534" and links.pid("ipa:announcedDate") == "P585"
    assert links.pid("schema:url") == "P854" and links.pid("oa:exact") == "P1683"
    assert links.pid("schema:publisher") == "P248" and links.pid("prov:startedAtTime") == "P813"
    assert links.pid("schema:datePublished") == "P577" and links.pid("dct:title") == "P1476"
    assert all(p.source and p.status in ("V-src", "mem") for p in mapping.values())


def test_class_qids_are_only_the_verified_ones_of_the_research_note():
    qids = {c.ours: c.qid for c in links.class_map()}
    assert qids["ipa:IntergovernmentalOrganization"] == "Q245065"
    assert qids["ipa:Treaty"] == "Q131569" and qids["ipa:Person"] == "Q5"
    assert all("[V-src]" in c.source for c in links.class_map())


def test_the_mapping_date_defaults_to_today_or_the_reproducible_build_date(reference_lexicon, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    g = links.links_graph(["WHO"], lexicon=reference_lexicon, reviewed={})
    assert {str(o) for o in g.objects(None, links.SSSOM.mapping_date)} == {dt.datetime.now(dt.timezone.utc).date().isoformat()}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    g = links.links_graph(["WHO"], lexicon=reference_lexicon, reviewed={})
    assert {str(o) for o in g.objects(None, links.SSSOM.mapping_date)} == {"2026-01-01"}


def test_the_maps_agree_with_the_ontologys_alignment_module(repo):
    from rdflib import Graph

    align = Graph().parse(repo / "ontology" / "ipakg-align.ttl")
    wd = str(WD)
    onto_classes = {(str(s), str(p).rsplit("#", 1)[1], str(o)[len(wd):]) for p in (SKOS.exactMatch, SKOS.closeMatch)
                    for s, o in align.subject_objects(p) if str(o).startswith(wd + "Q")}
    assert {(links.expand(c.ours), c.match, c.qid) for c in links.class_map()} == onto_classes
    onto_props = {(str(s), str(o)[len(wd):]) for s, o in align.subject_objects(SKOS.closeMatch) if str(o).startswith(wd + "P")}
    ours = {(links.expand(p.ours), p.pid) for p in links.property_map()}
    assert onto_props <= ours


def test_every_link_in_the_built_graph_is_a_lexicon_verified_qid_with_its_source(built_store):
    from kg.lexicon import load_lexicon

    lexicon = load_lexicon()
    engine = LocalEngine(built_store, timeout=None)
    try:
        rows = engine.query("""
            PREFIX sssom: <https://w3id.org/sssom/> PREFIX dct: <http://purl.org/dc/terms/> PREFIX ipa: <https://w3id.org/ipakg/ontology#>
            SELECT ?e ?q ?source ?method ?id WHERE { GRAPH <https://w3id.org/ipakg/id/graph/links> {
              ?m sssom:subject_id ?e ; sssom:object_id ?q ; dct:source ?source ; sssom:curation_rule_text ?method }
              OPTIONAL { ?e ipa:lexiconId ?id } }""", row_cap=None).bindings()
        linked = engine.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/ipakg/id/graph/links> "
                              "{ ?e <http://www.w3.org/2004/02/skos/core#exactMatch> ?q } }").bindings()[0]["n"].value
    finally:
        engine.close()
    assert rows and len(rows) == int(linked)  # one mapping record per link
    reviewed = links.reviewed_links()
    for r in rows:
        qid = r["q"].value.removeprefix(str(WD))
        if r["method"].value == "lexicon":
            entry = lexicon.get(r["id"].value)
            assert entry is not None and entry.qid == qid and entry.qid_source == r["source"].value
        else:
            assert (r["e"].value, qid) in {(str(entity_iri(k)), link.qid) for k, link in reviewed.items()}
