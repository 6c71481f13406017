"""The /reconcile service speaks the W3C Entity Reconciliation API 0.2 as OpenRefine uses it.

Every JSON response is validated against the official 0.2 schemas (tests/data/reconciliation-0.2, offline).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from server import create_app

SCHEMAS = Path(__file__).parent / "data" / "reconciliation-0.2"
SWAGGER_STAND_IN = {"definitions": {"securityDefinitions": {"additionalProperties": {"type": "object"}}}}


def _registry() -> Registry:
    resources = [("http://swagger.io/v2/schema.json", Resource(SWAGGER_STAND_IN, specification=DRAFT7))]
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in schema:
            resources.append((schema["$id"], Resource(schema, specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(instance, schema_name: str) -> None:
    schema = json.loads((SCHEMAS / f"{schema_name}.json").read_text(encoding="utf-8"))
    Draft7Validator(schema, registry=REGISTRY).validate(instance)


def test_the_offline_schemas_judge_the_spec_examples_as_the_spec_intends():
    checked = 0
    for folder in (SCHEMAS / "examples").iterdir():
        if not (SCHEMAS / f"{folder.name}.json").exists():
            continue  # examples of parts with no schema in 0.2 (preview, flyout, ...)
        for example in folder.glob("*/*.json"):
            instance = json.loads(example.read_text(encoding="utf-8"))
            errors = list(Draft7Validator(json.loads((SCHEMAS / f"{folder.name}.json").read_text(encoding="utf-8")),
                                          registry=REGISTRY).iter_errors(instance))
            assert (not errors) == (example.parent.name == "valid"), example
            checked += 1
    assert checked >= 30


@pytest.fixture(scope="module")
def client(wikidata_store):
    app = create_app({"KG_STORE": str(wikidata_store.path), "TESTING": True})
    return app.test_client()


def reconcile(client, queries: dict) -> dict:
    r = client.post("/reconcile", data={"queries": json.dumps(queries, ensure_ascii=False)})
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    validate(body, "reconciliation-result-batch")
    assert set(body) == set(queries)
    return body


def test_the_manifest_validates_and_describes_every_feature(client):
    r = client.get("/reconcile")
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    m = r.get_json()
    validate(m, "manifest")
    assert m["versions"] == ["0.2"]
    assert m["identifierSpace"] == "https://w3id.org/ipakg/id/entity/"
    assert m["schemaSpace"] == "https://w3id.org/ipakg/ontology#"
    assert {t["id"] for t in m["defaultTypes"]} >= {"Organization", "State"}
    assert m["view"]["url"] == "http://localhost/id/entity/{{id}}"
    assert m["preview"]["url"] == "http://localhost/reconcile/preview?id={{id}}"
    assert set(m["suggest"]) == {"entity", "type", "property"}
    assert m["extend"]["propose_properties"]["service_path"] == "/propose_properties"


def test_the_manifest_answers_jsonp_as_openrefine_asks_and_refuses_a_bad_callback(client):
    r = client.get("/reconcile?callback=jQuery123_456")
    assert r.status_code == 200 and r.mimetype == "application/javascript"
    text = r.get_data(as_text=True)
    assert text.startswith("/**/jQuery123_456(") and text.endswith(");")
    validate(json.loads(text[len("/**/jQuery123_456("):-2]), "manifest")
    r = client.get("/reconcile?callback=alert(1)//")
    assert r.status_code == 400 and r.get_json()["error"]["kind"] == "bad_input"


@pytest.mark.parametrize("name", ["World Health Organization", "世界衛生組織", "世卫组织", "WHO"])
def test_who_in_english_chinese_scripts_and_acronym_is_the_first_certain_match(client, name):
    result = reconcile(client, {"q0": {"query": name}})["q0"]["result"]
    assert result[0]["id"] == "who" and result[0]["match"] is True and result[0]["score"] == 100
    assert result[0]["name"] == "World Health Organization"
    assert {"id": "UNSystemEntity", "name": "UN system entity"} in result[0]["type"]
    assert "Q7817" in result[0]["description"]
    assert all(c["match"] is False for c in result[1:])


def test_a_lower_case_acronym_or_a_fuzzy_name_is_never_certain(client):
    body = reconcile(client, {"a": {"query": "who"}, "b": {"query": "World Health Org"}})
    assert not any(c["match"] for c in body["a"]["result"])
    assert body["b"]["result"][0]["id"] == "who" and body["b"]["result"][0]["match"] is False
    assert body["b"]["result"][0]["score"] < 90


def test_a_type_filter_excludes_states(client):
    unfiltered = reconcile(client, {"q": {"query": "United States"}})["q"]["result"]
    assert unfiltered[0]["id"] == "usa" and unfiltered[0]["match"] is True
    filtered = reconcile(client, {"q": {"query": "United States", "type": "Organization"}})["q"]["result"]
    assert "usa" not in {c["id"] for c in filtered}
    assert all(c["id"] != "usa" for c in
               reconcile(client, {"q": {"query": "United Nations", "type": ["Organization", "Treaty"], "type_strict": "any"}})["q"]["result"])
    # the type may also be given as the full class IRI; subclasses count (WHO is a UN system entity, an organisation)
    iri = reconcile(client, {"q": {"query": "WHO", "type": "https://w3id.org/ipakg/ontology#Organization"}})["q"]["result"]
    assert iri[0]["id"] == "who" and iri[0]["match"] is True


def test_a_batch_of_twenty_queries_is_answered_in_one_request(client):
    names = ["WHO", "UNESCO", "United States", "聯合國", "UNRWA", "ILO", "UNHRC", "Donald Trump", "巴黎協定", "UN Democracy Fund",
             "世界卫生组织", "联合国教科文组织", "美國", "International Labour Organization", "UN Human Rights Council",
             "特朗普", "Paris Agreement", "United Nations", "UNDEF", "Nothing like any name"]
    body = reconcile(client, {f"q{i}": {"query": n, "limit": 3} for i, n in enumerate(names)})
    assert len(body) == 20
    assert all(len(body[f"q{i}"]["result"]) <= 3 for i in range(20))
    assert body["q9"]["result"][0]["id"] == "undef" and body["q18"]["result"][0]["match"] is True
    assert body["q19"]["result"] == [] or not body["q19"]["result"][0]["match"]


def test_property_constraints_confirm_or_weaken_a_candidate(client):
    body = reconcile(client, {
        "ok": {"query": "World Health Organization", "properties": [{"pid": "wikidata", "v": "Q7817"}]},
        "wrong": {"query": "World Health Organization", "properties": [{"pid": "wikidata", "v": "Q1"}]},
        "only": {"properties": [{"pid": "withdrawnBy", "v": {"id": "usa", "name": "United States"}},
                                {"pid": "acronym", "v": "WHO"}]},
        "p463": {"query": "United States", "properties": [{"pid": "withdrewFrom", "v": "World Health Organization"}]},
    })
    assert body["ok"]["result"][0]["match"] is True and body["ok"]["result"][0]["score"] == 100
    assert body["wrong"]["result"][0]["id"] == "who" and body["wrong"]["result"][0]["match"] is False
    assert body["wrong"]["result"][0]["score"] < 100
    assert body["only"]["result"][0]["id"] == "who" and body["only"]["result"][0]["match"] is True
    assert body["p463"]["result"][0]["id"] == "usa" and body["p463"]["result"][0]["match"] is True


def test_queries_also_come_by_get_and_as_a_json_body(client):
    r = client.get("/reconcile", query_string={"queries": json.dumps({"q0": {"query": "WHO"}})})
    validate(r.get_json(), "reconciliation-result-batch")
    assert r.get_json()["q0"]["result"][0]["id"] == "who"
    r = client.post("/reconcile", json={"q0": {"query": "UNESCO"}})
    validate(r.get_json(), "reconciliation-result-batch")
    assert r.get_json()["q0"]["result"][0]["id"] == "unesco"


def test_bad_queries_are_400_in_the_one_error_shape(client):
    too_many = {f"q{i}": {"query": "WHO"} for i in range(101)}
    for data in ({"queries": "{not json"}, {"queries": json.dumps({"q0": {"limit": 3}})},
                 {"queries": json.dumps({"q0": {"query": "WHO", "properties": [{"pid": "nope", "v": "x"}]}})},
                 {"queries": json.dumps({"q0": {"query": "WHO", "limit": -1}})},
                 {"queries": json.dumps({"q0": {"query": "WHO", "type_strict": "maybe"}})},
                 {"queries": json.dumps(too_many)}, {"queries": "[]"},
                 {"extend": json.dumps({"ids": ["who"], "properties": [{"id": "nope"}]})}, {"unrelated": "x"}):
        r = client.post("/reconcile", data=data)
        assert r.status_code == 400
        assert set(r.get_json()["error"]) == {"status", "kind", "message", "detail"}


def test_preview_is_an_escaped_html_card(client):
    r = client.get("/reconcile/preview?id=who")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]  # OpenRefine shows it in an iframe
    page = r.get_data(as_text=True)
    assert "World Health Organization" in page and "世界衛生組織" in page and "Q7817" in page
    hostile = client.get("/reconcile/preview?id=local-x").get_data(as_text=True)
    assert "<script>" not in hostile and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Partners" in hostile
    missing = client.get("/reconcile/preview?id=nope")
    assert missing.status_code == 404 and missing.get_json()["error"]["kind"] == "not_found"


def test_suggest_entities_types_and_properties(client):
    r = client.get("/reconcile/suggest/entity?prefix=World")
    validate(r.get_json(), "suggest-entities-response")
    assert r.get_json()["result"][0]["id"] == "who"
    r = client.get("/reconcile/suggest/entity", query_string={"prefix": "世卫"})
    assert r.get_json()["result"][0]["id"] == "who"
    r = client.get("/reconcile/suggest/entity?prefix=UN&cursor=1&limit=2")
    validate(r.get_json(), "suggest-entities-response")
    assert len(r.get_json()["result"]) == 2
    r = client.get("/reconcile/suggest/type?prefix=inter")
    validate(r.get_json(), "suggest-types-response")
    assert {"IntergovernmentalOrganization", "InternationalOrganization"} <= {t["id"] for t in r.get_json()["result"]}
    r = client.get("/reconcile/suggest/property?prefix=with")
    validate(r.get_json(), "suggest-properties-response")
    assert {"withdrewFrom", "withdrawnBy", "withdrawalDate"} <= {p["id"] for p in r.get_json()["result"]}
    assert client.get("/reconcile/suggest/other?prefix=x").status_code == 404


def test_data_extension_fetches_memberships_withdrawals_dates_and_qids(client):
    query = {"ids": ["usa", "who", "unknown"], "properties": [
        {"id": "withdrewFrom"}, {"id": "withdrawnBy"}, {"id": "withdrawalDate", "settings": {"limit": "5"}},
        {"id": "wikidata"}, {"id": "P463"}, {"id": "label_zh-hant"}, {"id": "documents"}]}
    validate(query, "data-extension-query")
    r = client.post("/reconcile", data={"extend": json.dumps(query)})
    body = r.get_json()
    validate(body, "data-extension-response")
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in query["properties"]]
    usa, who = body["rows"]["usa"], body["rows"]["who"]
    withdrew = {v["id"] for v in usa["withdrewFrom"]}
    assert {"who", "unesco", "undef", "unrwa", "unhrc", "ilo"} <= withdrew and "un" not in withdrew  # threatened only
    assert who["withdrawnBy"] == [{"id": "usa", "name": "United States"}]
    assert who["withdrawalDate"] == [{"date": "2026-01-22T00:00:00Z"}]
    assert len(usa["withdrawalDate"]) <= 5
    assert who["wikidata"] == [{"str": "Q7817"}] and who["label_zh-hant"] == [{"str": "世界衛生組織"}]
    assert who["documents"] == [{"int": 2}]
    assert body["rows"]["unknown"]["wikidata"] == []


def test_propose_properties_for_a_type(client):
    r = client.get("/reconcile/propose_properties?type=State&limit=4")
    body = r.get_json()
    validate(body, "data-extension-property-proposal")
    assert body["type"] == "State" and len(body["properties"]) == 4
    assert body["properties"][0]["id"] == "memberOf"
    org = client.get("/reconcile/propose_properties?type=UNSystemEntity").get_json()
    assert "withdrawnBy" in {p["id"] for p in org["properties"]}


def test_cors_preflight_is_answered(client):
    r = client.options("/reconcile", headers={"Origin": "https://openrefine.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code in (200, 204) and r.headers["Access-Control-Allow-Origin"] == "*"


WHO_NAMES = ["World Health Organization", "世界衛生組織", "世卫组织", "WHO"]


def test_the_built_graph_reconciles_who_in_every_script(built_store):
    client = create_app({"KG_STORE": str(built_store.path), "TESTING": True}).test_client()
    body = reconcile(client, {f"q{i}": {"query": n} for i, n in enumerate(WHO_NAMES)})
    for i, name in enumerate(WHO_NAMES):
        first = body[f"q{i}"]["result"][0]
        assert (first["id"], first["match"]) == ("who", True), name
    states = reconcile(client, {"q": {"query": "United States", "type": "Organization"}})["q"]["result"]
    assert "usa" not in {c["id"] for c in states}
    validate(client.get("/reconcile").get_json(), "manifest")


@pytest.mark.served
def test_openrefine_can_use_the_real_server(served_url):
    import requests

    manifest = requests.get(served_url + "/reconcile", timeout=10)
    assert manifest.status_code == 200 and manifest.headers["Access-Control-Allow-Origin"] == "*"
    validate(manifest.json(), "manifest")
    assert manifest.json()["preview"]["url"].startswith(served_url)
    queries = {f"q{i}": {"query": n} for i, n in enumerate(WHO_NAMES)}
    r = requests.post(served_url + "/reconcile", data={"queries": json.dumps(queries, ensure_ascii=False)}, timeout=10)
    validate(r.json(), "reconciliation-result-batch")
    assert all(r.json()[k]["result"][0]["id"] == "who" and r.json()[k]["result"][0]["match"] for k in queries)
    preview = requests.get(served_url + "/reconcile/preview", params={"id": "who"}, timeout=10)
    assert preview.status_code == 200 and "World Health Organization" in preview.text


def test_the_index_follows_new_store_generations(tmp_path):
    import pyoxigraph as ox

    from kg.reconcile import IndexCache
    from kg.sparql import LocalEngine
    from kg.store import StoreRoot

    root = StoreRoot(tmp_path / "store")

    def generation(label: str) -> None:
        with root.build_lock():
            gen = root.begin()
            gen.store.add(ox.Quad(ox.NamedNode("https://w3id.org/ipakg/id/entity/x"),
                                  ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                  ox.NamedNode("https://w3id.org/ipakg/ontology#Organization"),
                                  ox.NamedNode("https://w3id.org/ipakg/id/doc/d/graph")))
            gen.store.add(ox.Quad(ox.NamedNode("https://w3id.org/ipakg/id/entity/x"),
                                  ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                                  ox.Literal(label, language="en"), ox.NamedNode("https://w3id.org/ipakg/id/doc/d/graph")))
            root.commit(gen)

    generation("First Name")
    engine, cache = LocalEngine(root), IndexCache()
    assert cache.get(engine).get("x").name == "First Name"
    assert cache.get(engine) is cache.get(engine)  # no rebuild while the generation stays
    generation("Second Name")
    assert cache.get(engine).get("x").name == "Second Name"
    engine.close()
