"""/queries and /queries/<name> over HTTP, and `kg query` on the command line: the same library calls."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kg.cli import main as kg
from server import create_app
from tests.fixtures.paths import REPO


@pytest.fixture(scope="module")
def client(sample_store):
    app = create_app({"TESTING": True, "KG_STORE": str(sample_store.path)})
    return app.test_client()


def error_of(resp):
    body = resp.get_json()
    assert set(body) == {"error"} and {"status", "kind", "message"} <= set(body["error"])
    return body["error"]


# ---- the list ------------------------------------------------------------------------------------

def test_the_list_is_html_for_browsers_and_json_for_programs(client):
    html = client.get("/queries", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "Timeline of policy actions" in html.get_data(as_text=True) and "政策行動時間線" in html.get_data(as_text=True)
    assert "Accept" in html.headers["Vary"]
    for resp in (client.get("/queries", headers={"Accept": "application/json"}), client.get("/queries.json")):
        items = resp.get_json()["queries"]
        by_name = {q["name"]: q for q in items}
        assert len(items) >= 15 and by_name["timeline"]["url"] == "/queries/timeline"
        assert by_name["cq2-facts-about-entity"]["params"] == [
            {"name": "entity", "type": "iri", "required": False, "default": "id:entity/who",
             "label": {"en": "Entity", "zh": "實體"}}]
        assert by_name["timeline"]["title"]["zh"] == "政策行動時間線"


def test_the_list_is_also_rdf_one_sparql_executable_per_query(client):
    import pyoxigraph as ox
    import rdflib

    resp = client.get("/queries.ttl")
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    assert client.get("/queries", headers={"Accept": "text/turtle"}).data == resp.data
    g = rdflib.Graph().parse(data=resp.data, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    executables = set(g.subjects(rdflib.RDF.type, sh.SPARQLExecutable))
    assert len(executables) >= 15
    timeline = rdflib.URIRef("http://localhost/queries/timeline")
    assert (timeline, rdflib.RDFS.label, rdflib.Literal("政策行動時間線", lang="zh-Hant")) in g
    assert (timeline, rdflib.URIRef("https://schema.org/target"), rdflib.URIRef("http://localhost/sparql")) in g
    for node in executables:
        ox.Store().query(str(g.value(node, sh.select) or g.value(node, sh.ask) or g.value(node, sh.construct)))


# ---- running one ---------------------------------------------------------------------------------

def test_a_saved_query_answers_sparql_json_by_default(client):
    resp = client.get("/queries/statements")
    assert resp.status_code == 200 and resp.mimetype == "application/sparql-results+json"
    body = resp.get_json()
    assert body["results"]["bindings"][0]["speaker_en"] == {"type": "literal", "value": "Marco Rubio", "xml:lang": "en"}


@pytest.mark.parametrize("fmt, mimetype", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
])
def test_a_saved_query_runs_in_every_result_format(client, fmt, mimetype):
    by_param = client.get(f"/queries/cq2-facts-about-entity?entity=id:entity/usa&format={fmt}")
    by_accept = client.get("/queries/cq2-facts-about-entity?entity=id:entity/usa", headers={"Accept": mimetype})
    assert by_param.status_code == by_accept.status_code == 200
    assert by_param.mimetype == by_accept.mimetype == mimetype
    assert by_param.data == by_accept.data
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(by_param.get_data(as_text=True))))
        assert {r["entity"] for r in rows} == {"https://w3id.org/ipakg/id/entity/usa"} and len(rows) == 7


def test_the_sparql_text_of_a_saved_query_is_served_as_is(client):
    resp = client.get("/queries/timeline?format=rq")
    assert resp.mimetype == "application/sparql-query"
    assert resp.get_data(as_text=True) == (REPO / "queries" / "timeline.rq").read_text(encoding="utf-8")


def test_a_saved_query_page_has_the_parameter_form_and_the_results(client):
    resp = client.get("/queries/cq2-facts-about-entity?entity=id:entity/marco-rubio", headers={"Accept": "text/html"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="entity" value="id:entity/marco-rubio"' in html
    assert "「這些機構浪費資金。」" in html and '<a class="iri" href="/id/entity/marco-rubio"' in html
    assert "/queries/cq2-facts-about-entity?entity=id%3Aentity%2Fmarco-rubio&amp;format=csv" in html


def test_a_select_cannot_be_asked_for_as_turtle(client):
    resp = client.get("/queries/statements", headers={"Accept": "text/turtle"})
    assert resp.status_code == 406 and error_of(resp)["kind"] == "not_acceptable"


def test_a_bad_parameter_is_a_400_in_the_one_error_shape(client):
    err = error_of(client.get("/queries/timeline?from=last-week"))
    assert err["status"] == 400 and "parameter 'from' must be a date" in err["message"]
    err = error_of(client.get("/queries/timeline?colour=red"))
    assert "has no parameter 'colour'" in err["message"]


def test_an_unknown_saved_query_is_a_404(client):
    resp = client.get("/queries/no-such-query")
    assert resp.status_code == 404 and error_of(resp)["kind"] == "not_found"


def test_a_label_with_markup_is_escaped_in_query_pages(client):
    html = client.get("/queries/cq4-sanctions", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


# ---- kg query ------------------------------------------------------------------------------------

def run_kg(store, *args):
    return CliRunner().invoke(kg, ["--store", str(store.path), "query", *args], catch_exceptions=False)


def test_kg_query_lists_the_saved_queries(sample_store):
    out = run_kg(sample_store, "--list")
    assert out.exit_code == 0
    assert "timeline\n  Timeline of policy actions\n  政策行動時間線\n  --param from=<date> (default 1900-01-01)" in out.output


def test_kg_query_gives_the_same_bytes_as_the_http_endpoint(sample_store, client):
    out = run_kg(sample_store, "cq2-facts-about-entity", "--param", "entity=id:entity/usa", "--format", "csv")
    assert out.exit_code == 0
    assert out.stdout_bytes == client.get("/queries/cq2-facts-about-entity?entity=id:entity/usa&format=csv").data


def test_kg_query_prints_a_table_by_default_and_runs_plain_sparql(sample_store):
    table = run_kg(sample_store, "statements").output
    assert "speaker_en" in table and "Marco Rubio" in table and "(1 row)" in table
    out = run_kg(sample_store, "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/ipakg/ontology#Statement> }",
                 "-f", "json")
    assert json.loads(out.output)["results"]["bindings"][0]["n"]["value"] == "1"


def test_kg_query_errors_are_one_line_and_exit_2(sample_store):
    out = CliRunner().invoke(kg, ["--store", str(sample_store.path), "query", "timeline", "-p", "from=soon"])
    assert out.exit_code == 2 and out.output.startswith("kg: error: parameter 'from' must be a date")
    out = CliRunner().invoke(kg, ["--store", str(sample_store.path), "query", "nope"])
    assert out.exit_code == 2 and "no saved query named 'nope'" in out.output


def test_kg_query_update_golden_writes_one_srj_per_query(sample_store, tmp_path):
    for name in ("statements", "timeline"):
        (tmp_path / f"{name}.rq").write_bytes((REPO / "queries" / f"{name}.rq").read_bytes())
    out = CliRunner().invoke(kg, ["--store", str(sample_store.path), "query", "--queries-dir", str(tmp_path), "--update-golden"])
    assert out.exit_code == 0, out.output
    golden = json.loads((tmp_path / "expected" / "statements.srj").read_text(encoding="utf-8"))
    assert golden["results"]["bindings"][0]["quote"]["value"] == "「這些機構浪費資金。」"
    assert (tmp_path / "expected" / "timeline.srj").exists()
