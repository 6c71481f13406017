"""Entity pages (/id/...), the document view (/doc/...) and the web UI pages, on the small sample graph."""

from __future__ import annotations

import html as htmllib
import re

import pytest
import rdflib

from server import create_app

ID = "https://w3id.org/ipakg/id/"
ARTICLE = "d7e82843de41b705"  # tests/data/sample-graph.trig: the sample article's document id
WHO_EXIT = "美國退出WHO預計將於2026年1月22日正式生效"


@pytest.fixture(scope="module")
def client(sample_store):
    return create_app({"TESTING": True, "KG_STORE": str(sample_store.path)}).test_client()


def page(client, url):
    resp = client.get(url, headers={"Accept": "text/html"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


# ---- content negotiation -------------------------------------------------------------------------

@pytest.mark.parametrize("accept, mimetype, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_an_entity_iri_dereferences_to_its_description_in_each_rdf_format(client, accept, mimetype, rdflib_format):
    resp = client.get("/id/entity/who", headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert "Accept" in resp.headers["Vary"]
    g = rdflib.Graph().parse(data=resp.data, format=rdflib_format)
    who = rdflib.URIRef(ID + "entity/who")
    labels = {(str(o), o.language) for o in g.objects(who, rdflib.SKOS.prefLabel)}
    assert labels == {("World Health Organization", "en"), ("世界衛生組織", "zh-hant"), ("世界卫生组织", "zh-hans")}
    assert (who, rdflib.SKOS.exactMatch, rdflib.URIRef("http://www.wikidata.org/entity/Q7817")) in g
    pointing = {str(s).split("/id/")[1].split("/")[0] for s in g.subjects(None, who)}
    assert pointing == {"fact", "mention"} and len(set(g.subjects(None, who))) == 4  # 2 withdrawals, a membership, a mention


def test_json_ld_is_compacted_with_the_published_context(client):
    body = client.get("/id/entity/who", headers={"Accept": "application/ld+json"}).get_json()
    assert "@context" in body and "@graph" in body
    who = next(n for n in body["@graph"] if n["@id"] == ID + "entity/who")
    assert who["prefLabel"]["zh-hant"] == "世界衛生組織"


def test_format_parameter_overrides_accept_and_browsers_get_html(client):
    assert client.get("/id/entity/who?format=ttl", headers={"Accept": "text/html"}).mimetype == "text/turtle"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/id/entity/who", headers={"Accept": browser}).mimetype == "text/html"


def test_an_unsatisfiable_accept_is_a_406_and_an_unknown_iri_a_404(client):
    assert client.get("/id/entity/who", headers={"Accept": "image/png"}).status_code == 406
    resp = client.get("/id/entity/atlantis")
    assert resp.status_code == 404 and resp.get_json()["error"]["kind"] == "not_found"


@pytest.mark.parametrize("url", [
    "/id/../etc/passwd", "/id/entity/..%2F..%2Fetc%2Fpasswd", "/id/entity/who/../usa", "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id/entity/who%3E%20%7D", "/doc/../../etc/passwd", "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/ZZZZ", "/doc/" + "0" * 16,
])
def test_paths_that_are_not_minted_iris_are_404_never_files(client, url):
    resp = client.get(url)
    assert resp.status_code == 404
    assert "root:" not in resp.get_data(as_text=True)


def test_named_graph_iris_answer_with_the_graph(client):
    resp = client.get("/id/graph/links", headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200
    assert resp.get_data(as_text=True).count("skos/core#exactMatch") == 4
    assert "4 triples" in page(client, "/id/graph/links")


def test_a_document_iri_in_a_browser_goes_to_the_document_view(client):
    resp = client.get(f"/id/doc/{ARTICLE}", headers={"Accept": "text/html"})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/doc/{ARTICLE}")
    assert client.get(f"/id/doc/{ARTICLE}", headers={"Accept": "text/turtle"}).status_code == 200


def test_head_is_answered_like_get(client):
    resp = client.head("/id/entity/who", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"


# ---- the entity page ------------------------------------------------------------------------------

def test_the_entity_page_shows_labels_in_every_language_types_and_wikidata(client):
    html = page(client, "/id/entity/who")
    for label in ("World Health Organization", "世界衛生組織", "世界卫生组织", "WHO"):
        assert f">{label}</td>" in html
    assert re.search(r'class="chip" href="/ontology#UNSystemEntity"[^>]*>UN system entity', html)  # asserted
    assert re.search(r'class="chip inferred" href="/ontology#IntergovernmentalOrganization"', html)  # inferred
    assert 'href="https://www.wikidata.org/wiki/Q7817"' in html


def test_the_entity_page_shows_each_fact_with_its_evidence_span_highlighted_and_linked(client):
    html = page(client, "/id/entity/who")
    assert html.count('<article class="fact">') == 3
    assert f'<mark class="span">{WHO_EXIT}</mark>' in html
    assert "美國總統特朗普1月7日宣布退出66個國際組織。\n<mark" not in html  # the sentence, not the paragraph
    links = re.findall(rf'href="(/doc/{ARTICLE}#ev-[0-9a-f]{{16}})"', html)
    assert links
    doc = page(client, links[0].split("#")[0])
    assert f'id="{links[0].split("#")[1]}"' in doc


def test_a_fact_page_shows_the_fact_its_parties_and_its_evidence(client):
    html = page(client, "/id/entity/marco-rubio")
    fact = re.search(r'class="permalink iri" href="(/id/fact/[0-9a-f]+)"', html).group(1)
    html = page(client, fact)
    assert ">Statement" in html and "Marco Rubio · 盧比奧" in html
    assert '<mark class="span">「這些機構浪費資金。」</mark>' in html


def test_an_evidence_page_shows_its_quote_and_the_facts_citing_it(client):
    html = page(client, "/id/entity/who")
    ev = re.search(r'href="(/id/evidence/[0-9a-f]+)">id:evidence/', html).group(1)
    html = page(client, ev)
    assert '<section class="the-evidence">' in html and "<mark class=\"span\">" in html
    assert '<article class="fact">' in html


def test_a_mention_page_names_the_entity_mentioned(client):
    html = page(client, "/id/entity/marco-rubio")
    mention = re.search(r'href="(/id/mention/[0-9a-f]+)"', html).group(1)
    assert "<h1>Mention of Marco Rubio · 盧比奧</h1>" in page(client, mention)


def test_markup_in_a_label_is_shown_as_text_everywhere(client):
    for url in ("/id/entity/local-x", "/id/entity/usa", f"/doc/{ARTICLE}", "/timeline"):
        html = page(client, url)
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page(client, "/id/entity/local-x")


# ---- the document view ----------------------------------------------------------------------------

def test_the_document_view_shows_the_whole_text_with_every_evidence_span_highlighted(client, sample_store):
    html = page(client, f"/doc/{ARTICLE}")
    body = re.search(r'<article class="doc-text" id="text">(.*?)</article>', html, re.S).group(1)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", body))
    assert text.startswith("美國總統特朗普1月7日宣布退出66個國際組織。") and text.endswith("美國對X實施制裁。\n")
    assert len(re.findall(r'<span class="anchor" id="ev-[0-9a-f]{16}">', body)) == 4  # one anchor per evidence span
    assert re.search(rf'<mark class="ev d1" data-ev="[0-9a-f]{{16}}">{WHO_EXIT[:2]}', body) or WHO_EXIT[2:] in body
    assert '<a class="mention" href="/id/entity/marco-rubio"' in body
    marked = "".join(re.findall(r'<mark class="ev[^"]*"[^>]*>(.*?)</mark>', body, re.S))
    assert WHO_EXIT in htmllib.unescape(re.sub(r"<[^>]+>", "", marked))


def test_the_document_view_lists_the_facts_read_from_each_span(client):
    html = page(client, f"/doc/{ARTICLE}")
    notes = re.search(r'<aside class="doc-notes">(.*?)</aside>', html, re.S).group(1)
    assert notes.count('<li id="note-') == 4
    assert "Sanction · 制裁</a>: United States · 美國 → &lt;script&gt;" in notes


def test_overlapping_spans_are_cut_into_segments_that_cover_the_text_once():
    from server.pages import segment

    text = "abcdefghij"
    segs = segment(text, [(1, 5, "a"), (3, 8, "b"), (20, 30, "bad")], [(4, 6, "urn:e")])
    assert "".join(s.text for s in segs) == text
    covering = {s.text: s.evidence for s in segs}
    assert covering["bc"] == ["a"] and covering["d"] == ["a", "b"] and covering["gh"] == ["b"]
    assert [s.anchors for s in segs if s.anchors] == [["a"], ["b"]]
    assert [s.entity for s in segs if s.entity] == ["urn:e", "urn:e"]


def test_the_sentence_around_a_span_stops_at_sentence_ends():
    from server.pages import sentence_around

    text = "第一句。第二句有重點在此處。第三句。"
    start = text.index("重點")
    assert sentence_around(text, start, start + 2) == ("第二句有", "在此處。")


# ---- the UI pages ---------------------------------------------------------------------------------

def test_the_editor_lists_every_saved_query_and_loads_only_local_assets(client):
    html = page(client, "/")
    assert html.count('class="example"') >= 15
    assert "Timeline of policy actions" in html and "政策行動時間線" in html
    external = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)
    assert external == []
    for asset in ("/static/app.js", "/static/style.css"):
        assert asset in html
        resp = client.get(asset)
        assert resp.status_code == 200 and len(resp.data) > 1000


def test_the_editor_restores_a_query_given_in_the_url(client):
    html = page(client, "/?query=SELECT+%2A+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+1%3C%2Ftextarea%3E")
    assert "SELECT * WHERE { ?s ?p ?o } LIMIT 1&lt;/textarea&gt;</textarea>" in html


def test_the_timeline_page_shows_dated_actions_in_order_with_evidence_links(client):
    html = page(client, "/timeline")
    days = re.findall(r'<time datetime="([0-9-]+)">', html)
    assert days == sorted(days) and "2026-01-22" in days
    assert f"/doc/{ARTICLE}#ev-" in html and "United States" in html and "World Health Organization" in html
    assert page(client, "/timeline?from=2026-01-20").count('<li class="event">') == 1


def test_the_ontology_documentation_is_served(client):
    html = page(client, "/ontology")
    assert "<html" in html.lower() and "Withdrawal" in html
