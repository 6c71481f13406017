"""The six competency questions of the graph, answered with SPARQL over the store built from the bundled corpus
(the seed article and the memorandum list). The default graph is the union of the named graphs."""

from __future__ import annotations

import pytest

from kg.namespaces import sparql_prefixes

ARTICLE = "initium-2026-01-08-us-exits-66-organisations.zh-Hant.txt"
MEMO = "memorandum-2026-01-07-66-bodies.csv"


@pytest.fixture(scope="module")
def ask(built_store):
    store = built_store.open_current()

    def run(query: str) -> list[dict]:
        rows = store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
        names = [v.value for v in rows.variables]
        return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in rows]

    return run


@pytest.fixture(scope="module")
def docs(ask):
    """source file name -> document IRI"""
    rows = ask("SELECT ?doc ?path WHERE { ?doc a ipa:Document ; ipa:sourcePath ?path }")
    return {r["path"].rsplit("/", 1)[-1]: r["doc"] for r in rows}


def test_q1_bodies_the_us_announced_on_2026_01_07_it_would_leave_how_many_are_un_and_from_which_source(ask, docs):
    rows = ask("""
        SELECT DISTINCT ?body ?label ?doc ?un WHERE {
          ?f a ipa:Withdrawal ; ipa:actor <https://w3id.org/ipakg/id/entity/usa> ; ipa:announcedDate "2026-01-07"^^xsd:date ;
             ipa:target ?body ; prov:wasDerivedFrom ?doc .
          FILTER NOT EXISTS { ?body a ipa:Group }
          OPTIONAL { ?body skos:prefLabel ?label FILTER(langMatches(lang(?label), "en")) }
          BIND(EXISTS { <https://w3id.org/ipakg/id/entity/memo-2026-un-entities> ipa:hasMember ?body } AS ?un)
        }""")
    from_memo = {r["body"] for r in rows if r["doc"] == docs[MEMO]}
    from_article = {r["body"] for r in rows if r["doc"] == docs[ARTICLE]}
    assert len(from_memo) == 66
    assert len({r["body"] for r in rows if r["doc"] == docs[MEMO] and r["un"] == "true"}) == 31
    # the article names a dozen of them itself, each also in the memorandum list
    assert 10 <= len(from_article) <= 15 and from_article <= from_memo
    assert "https://w3id.org/ipakg/id/entity/un-women" in from_article
    # the article's own claim about the whole group stays, with its source: a withdrawal and a "temporary
    # suspension" of support (fact-check #3), next to the memorandum's umbrella withdrawal
    group_claims = ask("""
        SELECT DISTINCT ?type ?doc WHERE {
          ?f a ?type ; ipa:actor <https://w3id.org/ipakg/id/entity/usa> ; ipa:target <https://w3id.org/ipakg/id/entity/memo-2026-66-bodies> ; prov:wasDerivedFrom ?doc .
          FILTER(?type IN (ipa:Withdrawal, ipa:FundingSuspension))
        }""")
    claims = {(r["type"].rsplit("#", 1)[-1], r["doc"]) for r in group_claims}
    assert ("Withdrawal", docs[MEMO]) in claims
    assert ("Withdrawal", docs[ARTICLE]) in claims
    assert ("FundingSuspension", docs[ARTICLE]) in claims


def test_q2_every_fact_about_the_who_with_its_exact_source_sentence_and_position(ask, docs):
    rows = ask("""
        SELECT DISTINCT ?f ?type ?exact ?start ?end ?text WHERE {
          ?f ipa:target|ipa:actor|ipa:organization <https://w3id.org/ipakg/id/entity/who> ; ipa:evidence ?ev ; prov:wasDerivedFrom ?src .
          GRAPH ?g { ?f a ?type } FILTER(?g != <https://w3id.org/ipakg/id/graph/inferred>)
          ?ev oa:hasTarget ?t . ?t oa:hasSource ?doc ; oa:hasSelector ?q , ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          ?doc ipa:text ?text .
        } ORDER BY ?start""")
    assert rows
    for r in rows:
        assert r["text"][int(r["start"]):int(r["end"])] == r["exact"]
    sentences = {r["exact"] for r in rows}
    assert "美國退出WHO預計將於2026年1月22日正式生效,也就是命令發布一年後。" in sentences
    assert any("早已暫停對世界衛生組織(WHO)" in s for s in sentences)
    types = {r["type"].rsplit("#", 1)[-1] for r in rows}
    assert {"Withdrawal", "FundingSuspension", "Membership"} <= types


def test_q3_actions_whose_effective_date_is_later_than_their_announcement(ask, docs):
    # The announcement is the fact's own announcedDate, else the same claim (type, actor, target) announced in
    # any source, else the publication date of its source (a planned date the source reports in advance).
    rows = ask("""
        SELECT DISTINCT ?f ?target ?effective ?announced ?basis WHERE {
          ?f a ?type ; ipa:actor ?actor ; ipa:target ?target ; ipa:effectiveDate ?effective ; prov:wasDerivedFrom ?doc .
          ?type rdfs:subClassOf ipa:PolicyAction .
          OPTIONAL { ?f ipa:announcedDate ?own }
          OPTIONAL { ?g a ?type ; ipa:actor ?actor ; ipa:target ?target ; ipa:announcedDate ?other FILTER(?g != ?f) }
          OPTIONAL { ?doc schema:datePublished ?published }
          BIND(COALESCE(?own, ?other, ?published) AS ?announced)
          BIND(IF(BOUND(?own), "fact", IF(BOUND(?other), "same claim", "publication date")) AS ?basis)
          FILTER(datatype(?effective) = xsd:date && datatype(?announced) = xsd:date && ?effective > ?announced)
        }""")
    who = [r for r in rows if r["target"].endswith("/entity/who")]
    assert who and who[0]["effective"] == "2026-01-22" and who[0]["announced"] == "2026-01-08"
    assert who[0]["basis"] == "publication date"
    # a past effective date (EO 14199, 2025-02-04) is not later than anything announced about it
    assert all(r["effective"] > r["announced"] for r in rows)


def test_q4_who_sanctioned_whom_when_and_on_what_evidence(ask, docs):
    rows = ask("""
        SELECT DISTINCT ?actor ?target ?date ?exact ?doc WHERE {
          ?f a ipa:Sanction ; ipa:actor ?a ; ipa:target ?t ; prov:wasDerivedFrom ?doc ;
             ipa:evidence/oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          ?a skos:prefLabel ?actor FILTER(langMatches(lang(?actor), "en"))
          ?t skos:prefLabel ?target FILTER(langMatches(lang(?target), "en"))
          OPTIONAL { ?f ipa:announcedDate|ipa:effectiveDate ?date }
        }""")
    albanese = [r for r in rows if "Albanese" in r["target"]]
    assert albanese, rows
    (r,) = albanese
    assert "Trump" in r["actor"] and "宣布對她實施制裁" in r["exact"] and r["doc"] == docs[ARTICLE]
    assert r["date"] is None  # the article only says 日前 ("recently"); no date is invented (fact-check #5)


def test_q5_treaties_the_united_states_left_with_every_claimed_date_and_its_source(ask, docs):
    rows = ask("""
        SELECT DISTINCT ?treaty ?actor ?date ?role ?modality ?doc WHERE {
          ?f a ipa:Withdrawal ; ipa:target ?t ; ipa:actor ?a ; ipa:modality ?modality ; prov:wasDerivedFrom ?doc .
          ?t a ipa:Treaty ; skos:prefLabel ?treaty FILTER(langMatches(lang(?treaty), "en"))
          ?a skos:prefLabel ?actor FILTER(langMatches(lang(?actor), "en"))
          OPTIONAL { { ?f ipa:announcedDate ?date BIND("announced" AS ?role) }
                     UNION { ?f ipa:effectiveDate ?date BIND("effective" AS ?role) } }
        } ORDER BY ?treaty ?date""")
    paris = [r for r in rows if r["treaty"] == "Paris Agreement"]
    # The article's "2025年1月21日上任後隔天" reads as the 21st or the day after; either is its claim (the primary
    # source says 2025-01-20: fact-check #2), and it must come with the article as its source.
    claimed = {(r["date"], r["role"], r["doc"]) for r in paris}
    assert claimed & {(d, "announced", docs[ARTICLE]) for d in ("2025-01-21", "2025-01-22")}
    assert any(r["modality"] == "historical" and r["date"] is None for r in paris)  # the first-term exit
    unfccc = {r["doc"] for r in rows if r["treaty"].startswith("United Nations Framework Convention")}
    assert unfccc == {docs[ARTICLE], docs[MEMO]}  # two sources, each with its own fact and date


def test_q6_facts_only_in_the_article_only_in_the_memorandum_and_in_both(ask, docs):
    rows = ask("""
        SELECT ?type ?actor ?target (GROUP_CONCAT(DISTINCT STR(?doc); separator=" ") AS ?sources) WHERE {
          ?f a ?type ; ipa:actor ?actor ; ipa:target ?target ; prov:wasDerivedFrom ?doc .
          ?type rdfs:subClassOf ipa:PolicyAction .
        } GROUP BY ?type ?actor ?target""")
    split = {"article": set(), "memorandum": set(), "both": set()}
    for r in rows:
        sources = set(r["sources"].split())
        key = ("both" if sources == {docs[ARTICLE], docs[MEMO]} else
               "article" if sources == {docs[ARTICLE]} else "memorandum")
        split[key].add((r["type"].rsplit("#", 1)[-1], r["actor"].rsplit("/", 1)[-1], r["target"].rsplit("/", 1)[-1]))
    assert ("Withdrawal", "usa", "un-women") in split["both"]
    assert ("Withdrawal", "usa", "memo-2026-66-bodies") in split["both"]
    assert ("Withdrawal", "usa", "unu") in split["memorandum"]  # the article does not name the UN University
    assert ("FundingSuspension", "usa", "memo-2026-66-bodies") in split["article"]  # "temporary suspension"
    assert ("Sanction", "trump-admin", "albanese") in split["article"]
    assert len(split["memorandum"]) + len(split["both"]) == 67  # 66 bodies and the group
