"""Dumps: every format re-parses, in rdflib and in pyoxigraph, to a dataset isomorphic to the store."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kg.cli import main
from kg.dump import FORMATS, dump, jsonld_context, verbatim_literals
from kg.namespaces import GRAPH_ONTOLOGY

DATASET_FORMATS = [f for f, r in FORMATS.items() if r.supports_datasets]
GRAPH_FORMATS = [f for f, r in FORMATS.items() if not r.supports_datasets]
RDFLIB_NAMES = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld"}
ONTOLOGY = ox.NamedNode(str(GRAPH_ONTOLOGY))


def canonical(quads) -> set:
    """Isomorphism test by canonical labelling (RDFC-1.0): the ontology's axioms carry blank nodes."""
    ds = ox.Dataset(ox.Quad(*q) if isinstance(q, ox.Triple) else q for q in quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


def via_rdflib(data: bytes, fmt: str) -> list:
    """Parse with rdflib (keeping lexical forms: by default it rewrites "…Z" dateTimes, a different term);
    hand the quads (or the triples, in the default graph) back as pyoxigraph terms."""
    if FORMATS[fmt].supports_datasets:
        ds = Dataset()
        with verbatim_literals():
            ds.parse(data=data, format=RDFLIB_NAMES[fmt])
        return list(ox.parse(ds.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS))
    g = Graph()
    with verbatim_literals():
        g.parse(data=data, format=RDFLIB_NAMES[fmt])
    return list(ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))


def dumped(store, fmt, graph=None) -> bytes:
    buf = io.BytesIO()
    dump(store, fmt, buf, graph=graph)
    return buf.getvalue()


@pytest.fixture(scope="module")
def store(built_store):
    return built_store.open_current()


@pytest.fixture(scope="module")
def store_dataset(store):
    return canonical(store.quads_for_pattern(None, None, None, None))


@pytest.fixture(scope="module")
def store_union(store):
    return canonical({q.triple for q in store.quads_for_pattern(None, None, None, None)})


@pytest.mark.parametrize("fmt", DATASET_FORMATS)
def test_a_dataset_dump_reparses_to_a_dataset_isomorphic_to_the_store_in_pyoxigraph_and_rdflib(
        store, store_dataset, fmt):
    data = dumped(store, fmt)
    assert canonical(ox.parse(data, format=FORMATS[fmt])) == store_dataset
    assert canonical(via_rdflib(data, fmt)) == store_dataset


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_a_graph_dump_without_graph_is_the_union_of_all_graphs_each_triple_once(store, store_union, fmt):
    data = dumped(store, fmt)
    parsed = list(ox.parse(data, format=FORMATS[fmt]))
    assert len(parsed) == len(set(parsed))
    assert canonical(parsed) == store_union
    assert canonical(via_rdflib(data, fmt)) == store_union


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_one_named_graph_can_be_dumped_alone_in_every_format(store, fmt):
    data = dumped(store, fmt, graph=str(GRAPH_ONTOLOGY))
    want = canonical(q.triple for q in store.quads_for_pattern(None, None, None, ONTOLOGY))
    parsed = list(ox.parse(data, format=FORMATS[fmt]))
    if FORMATS[fmt].supports_datasets:
        assert {q.graph_name for q in parsed} == {ONTOLOGY}
        parsed = [q.triple for q in parsed]
    assert canonical(parsed) == want


def test_turtle_and_trig_use_the_ontology_prefixes(store):
    for fmt in ("turtle", "trig"):
        text = dumped(store, fmt).decode("utf-8")
        assert "@prefix ipa: <https://w3id.org/ipakg/ontology#>" in text
        assert "ipa:Withdrawal" in text and "oa:TextQuoteSelector" in text


def test_jsonld_is_compacted_with_the_published_context_embedded(store):
    doc = json.loads(dumped(store, "jsonld"))
    assert isinstance(doc["@context"], dict) and doc["@graph"]
    keys = {k for g in doc["@graph"] for node in g.get("@graph", []) for k in node}
    assert not [k for k in keys if k.startswith("http")], "every property is compacted to a term or prefixed name"
    assert all(doc["@context"].get(k) == v for k, v in jsonld_context().items())


def test_kg_dump_writes_a_file_and_refuses_an_unknown_graph(built_store, tmp_path):
    out = tmp_path / "all.nq"
    result = CliRunner().invoke(main, ["--store", str(built_store.path), "dump", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS))) > 1000
    result = CliRunner().invoke(main, ["--store", str(built_store.path), "dump", "--graph", "https://example.org/none"])
    assert result.exit_code == 2
    assert "kg: error: no graph <https://example.org/none>" in result.stderr
