"""Saved example queries: the files in queries/, their checks, their parameters, their golden results."""

from __future__ import annotations

import json
import re
import shutil

import pyoxigraph as ox
import pytest

from kg import queries as saved
from kg.errors import InputError, NotFound
from kg.sparql import open_engine
from tests.fixtures.paths import REPO

QUERIES = REPO / "queries"
REGISTRY = saved.load_dir(QUERIES)
OFFLINE = [q for q in REGISTRY.values() if not q.needs_internet]

REQUIRED = {
    "cq1-bodies-announced-2026-01-07": "competency question 1",
    "cq2-facts-about-entity": "competency question 2",
    "cq3-effective-after-announced": "competency question 3",
    "cq4-sanctions": "competency question 4",
    "cq5-treaties-left": "competency question 5",
    "cq6-facts-by-source": "competency question 6",
    "timeline": "a timeline of policy actions",
    "memorandum-66-bodies": "the 66 bodies by UN/non-UN",
    "entities-wikidata": "entities with their Wikidata QIDs",
    "facts-with-evidence": "facts with their evidence quote",
    "conflicting-claims": "claims where sources disagree",
    "actions-by-type-and-actor": "actions by type and actor",
    "memberships-ended": "memberships ended",
    "statements": "statements and who made them",
}

GOOD_HEADER = """#+ title: {en: A test, zh: 測試}
#+ description: {en: Only a test., zh: 只是測試。}
#+ tags: [test]
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


# ---- the collection -------------------------------------------------------------------------------

def test_there_are_at_least_fifteen_saved_queries_and_every_required_one_is_there():
    assert len(REGISTRY) >= 15
    missing = {name: why for name, why in REQUIRED.items() if name not in REGISTRY}
    assert not missing, f"missing saved queries: {missing}"


@pytest.mark.parametrize("query", REGISTRY.values(), ids=lambda q: q.name)
def test_every_saved_query_has_an_english_and_a_chinese_title_and_description(query):
    for field in (query.title, query.description):
        assert field["en"].strip() and field["zh"].strip()
        assert re.search(r"[\u4e00-\u9fff]", field["zh"]), "the Chinese text should be Chinese"
    assert query.tags


@pytest.mark.parametrize("query", [q for q in OFFLINE if q.form == "SELECT"], ids=lambda q: q.name)
def test_every_select_orders_its_rows_so_golden_results_are_deterministic(query):
    assert re.search(r"\bORDER\s+BY\b", query.body, re.IGNORECASE), f"{query.name} has no ORDER BY"


def test_every_golden_file_belongs_to_a_saved_query():
    orphans = sorted(p.stem for p in (QUERIES / "expected").glob("*.srj") if p.stem not in REGISTRY)
    assert not orphans, f"golden files without a query: {orphans}"


# ---- golden results against the store built from the bundled corpus ------------------------------

@pytest.fixture(scope="module")
def corpus_engine(built_store):
    return open_engine(built_store, timeout=60)


@pytest.mark.parametrize("query", OFFLINE, ids=lambda q: q.name)
def test_saved_query_matches_its_golden_result(query, corpus_engine):
    golden = saved.expected_path(query)
    assert golden.exists(), f"{golden.relative_to(REPO)} is missing: run `kg query --update-golden {query.name}` and check it"
    result = saved.run(corpus_engine, query)
    actual = json.loads(saved.golden_text(result))
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert actual == expected, (
        f"{query.name}: the result differs from {golden.relative_to(REPO)}; if the change is right, "
        f"run `kg query --update-golden {query.name}` and review the diff"
    )


# ---- loading checks: a broken file fails loudly, naming the file ----------------------------------

@pytest.mark.parametrize(
    "text, message",
    [
        ("#+ title: {en: [unclosed\nSELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n", "bad YAML"),
        ("SELECT * WHERE { ?s ?p ?o }\n", "needs a '#+' YAML header"),
        ("#+ title: {en: Only English}\n#+ description: {en: x, zh: 中}\n#+ tags: [t]\nSELECT * {?s ?p ?o}\n", "'title' lacks zh"),
        (GOOD_HEADER + "SELECT * WHERE { ?s ?p \n", "SPARQL does not parse"),
        (GOOD_HEADER + "#+ params: [{name: x, type: iri}]\nSELECT ?s WHERE { ?s ?p ?x }\n", "must be projected"),
        (GOOD_HEADER + "#+ params: [{name: x, type: float}]\nSELECT ?x WHERE { ?s ?p ?x }\n", "type must be one of"),
        (GOOD_HEADER + "#+ params: [{name: x, type: date, default: soon}]\nSELECT ?x WHERE { ?s ?p ?x }\n", "default of parameter 'x'"),
        (GOOD_HEADER + "#+ params: [{name: x, type: iri}]\nSELECT ?x WHERE { ?s ?p ?o FILTER(!BOUND(?x)) }\n", "BOUND(?x)"),
        (GOOD_HEADER + "#+ colour: red\nSELECT * WHERE { ?s ?p ?o }\n", "unknown header keys"),
    ],
    ids=["bad-yaml", "no-header", "no-chinese-title", "bad-sparql", "param-not-projected", "bad-param-type",
         "bad-default", "bound-on-param", "unknown-key"],
)
def test_a_broken_saved_query_fails_to_load_with_a_message_naming_the_file(tmp_path, text, message):
    write(tmp_path, "broken-one", text)
    with pytest.raises(saved.SavedQueryError) as e:
        saved.load_dir(tmp_path)
    assert e.value.message.startswith("broken-one.rq: ")
    assert message in e.value.message


def test_the_app_does_not_start_with_a_broken_saved_query(tmp_path):
    from server import create_app

    write(tmp_path, "ok", GOOD_HEADER + "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n")
    write(tmp_path, "bad", "#+ title: [\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(saved.SavedQueryError, match=r"^bad\.rq: bad YAML"):
        create_app({"TESTING": True, "KG_QUERIES_DIR": str(tmp_path), "KG_STORE": str(tmp_path / "store")})


def test_a_query_marked_as_needing_internet_is_loaded_but_flagged(tmp_path):
    write(tmp_path, "federated-x", GOOD_HEADER + "#+ needs_internet: true\n"
          "SELECT ?item WHERE { SERVICE <https://query.wikidata.org/sparql> { ?item ?p ?o } } ORDER BY ?item\n")
    q = saved.load_dir(tmp_path)["federated-x"]
    assert q.needs_internet and q.form == "SELECT"


def test_the_header_is_part_of_a_valid_sparql_file_and_the_body_drops_it():
    q = REGISTRY["timeline"]
    assert q.text.startswith("#+ ") and not q.body.startswith("#+")
    ox.Store().query(q.text, substitutions=q.substitutions())  # the whole file parses as SPARQL


# ---- parameters -----------------------------------------------------------------------------------

def test_iri_parameters_take_prefixed_names_absolute_iris_and_angle_brackets():
    p = saved.Param(name="e", type="iri")
    who = "https://w3id.org/ipakg/id/entity/who"
    assert p.bind("id:entity/who") == p.bind(who) == p.bind(f"<{who}>") == ox.NamedNode(who)
    assert p.bind("wd:Q7817") == ox.NamedNode("http://www.wikidata.org/entity/Q7817")


@pytest.mark.parametrize("value", ["who", "id:entity/who> } ; DROP ALL #", "http://x/a b", "<http://x/>>", ""])
def test_an_iri_parameter_that_is_not_an_iri_is_refused(value):
    with pytest.raises(InputError, match="parameter 'e'"):
        saved.Param(name="e", type="iri").bind(value)


@pytest.mark.parametrize("ptype, good, bad", [
    ("integer", ["2", "+3", "-1", " 7 "], ["two", "1e3", "1.5", "9" * 30]),
    ("date", ["2026-01-07", "2024-02-29"], ["2026-02-30", "2026-1-7", "2026", "yesterday"]),
])
def test_integer_and_date_parameters_are_type_checked(ptype, good, bad):
    p = saved.Param(name="v", type=ptype)
    for value in good:
        term = p.bind(value)
        assert term.datatype.value.endswith("#" + ptype)
    for value in bad:
        with pytest.raises(InputError, match="parameter 'v' must be"):
            p.bind(value)


def test_unknown_and_missing_parameters_are_input_errors():
    q = REGISTRY["search-evidence"]
    with pytest.raises(InputError, match="has no parameter 'nope'; it takes text"):
        q.substitutions({"nope": "1"})
    assert q.substitutions({})[ox.Variable("text")] == ox.Literal("世界衛生組織")  # the default


def test_an_unknown_saved_query_is_not_found():
    with pytest.raises(NotFound):
        saved.get(REGISTRY, "no-such-query")


# ---- running, on the small sample graph (independent of the extractor) -----------------------------

@pytest.fixture(scope="module")
def sample_engine(sample_store):
    return open_engine(sample_store, timeout=30)


def test_a_bound_parameter_selects_what_it_names(sample_engine):
    q = REGISTRY["cq2-facts-about-entity"]
    result = saved.run(sample_engine, q, {"entity": "id:entity/marco-rubio"})
    rows = result.bindings()
    assert rows and {r["entity"].value for r in rows} == {"https://w3id.org/ipakg/id/entity/marco-rubio"}
    assert {r["role"].value for r in rows} == {"actor"}
    assert rows[0]["exact"].value == "「這些機構浪費資金。」"


def test_text_that_looks_like_sparql_is_bound_as_a_literal_and_never_runs(sample_engine):
    q = REGISTRY["search-evidence"]
    result = saved.run(sample_engine, q, {"text": '") } UNION { ?fact ?p ?o } #'})
    assert result.rows == []
    assert len(saved.run(sample_engine, q, {"text": "制裁"}).rows) == 1


def test_an_integer_parameter_filters_numerically(sample_engine):
    q = REGISTRY["most-targeted"]
    assert [r["target"].value for r in saved.run(sample_engine, q, {"min_actions": "2"}).bindings()] == [
        "https://w3id.org/ipakg/id/entity/who"]
    assert len(saved.run(sample_engine, q, {"min_actions": "1"}).rows) == 4


def test_date_parameters_bound_the_timeline(sample_engine):
    q = REGISTRY["timeline"]
    every = saved.run(sample_engine, q).bindings()
    assert [r["date"].value for r in every] == sorted(r["date"].value for r in every)
    late = saved.run(sample_engine, q, {"from": "2026-01-08"}).bindings()
    assert {r["date"].value for r in late} == {"2026-01-22"}


def test_cq3_finds_a_later_effective_date_and_says_what_it_compared_with(sample_engine):
    rows = saved.run(sample_engine, REGISTRY["cq3-effective-after-announced"]).bindings()
    assert {(r["target"].value.rsplit("/", 1)[-1], r["effective"].value, r["announced"].value, r["announced_basis"].value)
            for r in rows} == {
        ("who", "2026-01-22", "2026-01-07", "announcement date of another claim of the same type about the same target"),
        ("who", "2026-01-22", "2026-01-08", "publication date of the source (announced by then)"),
    }


def test_golden_text_is_stable_sparql_json(sample_engine):
    result = saved.run(sample_engine, REGISTRY["statements"])
    text = saved.golden_text(result)
    assert text == saved.golden_text(saved.run(sample_engine, REGISTRY["statements"]))
    assert json.loads(text)["head"]["vars"][0] == "statement"


def test_load_dir_copes_with_a_copy_of_the_real_folder(tmp_path):
    for p in QUERIES.glob("*.rq"):
        shutil.copy(p, tmp_path)
    assert set(saved.load_dir(tmp_path)) == set(REGISTRY)
