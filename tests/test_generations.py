"""Store generations: a build becomes visible only whole and validated; failures leave the current one intact."""

from __future__ import annotations

import copy
import os

import pytest

from kg.build import build, build_sources
from kg.errors import InputError, StoreError, ValidationError
from kg.store import StoreRoot
from tests.fixtures.corpus import SMALL_TEXT, make_source, small_extraction
from tests.fixtures.paths import DATA

MEMO = DATA / "memorandum" / "memorandum-2026-01-07-66-bodies.csv"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def triples(root: StoreRoot) -> int:
    store = root.open_current()
    return int(next(iter(store.query(COUNT)))["n"].value)


@pytest.fixture
def built_once(fresh_store_root, tmp_path):
    """A store root with one good generation (the small article)."""
    build_sources([make_source(tmp_path)], fresh_store_root)
    return fresh_store_root


def test_a_bad_document_fails_before_the_store_is_touched_and_current_stays_queryable(built_once, tmp_path):
    before, n = built_once.current_id(), triples(built_once)
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\xff\xfe\x00not text")
    with pytest.raises(InputError, match="broken.txt") as err:
        build([MEMO, bad], built_once)
    assert "source 2 of 2" in err.value.message and err.value.exit_code == 2
    assert built_once.current_id() == before and triples(built_once) == n
    assert built_once.list_generations() == [before]


def test_a_shacl_violation_fails_the_build_and_nothing_is_switched(built_once, tmp_path):
    before, n = built_once.current_id(), triples(built_once)
    ex = small_extraction()
    ex["facts"][0]["legal_basis"] = "WHO"  # the legal basis of an action is an instrument, not an organisation
    with pytest.raises(ValidationError, match="SHACL validation failed") as err:
        build_sources([make_source(tmp_path, extraction=ex)], built_once)
    assert "ipa:legalBasis" in err.value.message and err.value.exit_code == 1
    assert built_once.current_id() == before and triples(built_once) == n
    assert built_once.list_generations() == [before]
    assert not any(p.name.endswith(".partial") for p in built_once.generations_dir.iterdir())


def test_with_keep_going_a_document_that_fails_validation_is_left_out_and_reported(built_once, tmp_path):
    ex = small_extraction("A second article. " + SMALL_TEXT)
    ex["facts"][0]["legal_basis"] = "WHO"  # violates the shapes (a legal basis is an instrument)
    bad = make_source(tmp_path, text="A second article. " + SMALL_TEXT, name="bad.txt", extraction=ex)
    with pytest.raises(ValidationError, match="--keep-going") as err:
        build_sources([make_source(tmp_path), bad], built_once)
    assert "bad.txt" in err.value.message
    report = build_sources([make_source(tmp_path), bad], built_once, keep_going=True)
    assert [d["path"].rsplit("/", 1)[-1] for d in report.documents] == ["small.txt"]
    (skipped,) = report.skipped
    assert "bad.txt: fails validation" in skipped and "ipa:legalBasis" in skipped


def test_an_inconsistent_graph_fails_the_build_with_the_reasoners_explanation(built_once, tmp_path):
    before = built_once.current_id()
    ex = small_extraction()
    # Only a group has members (ipa:hasMember's domain); the United States is a State, and states are not groups.
    ex["entities"][0]["members"] = ["WHO"]
    with pytest.raises(ValidationError, match="inconsistent") as err:
        build_sources([make_source(tmp_path, extraction=ex)], built_once)
    assert "entity/usa" in err.value.message
    assert built_once.current_id() == before


def test_leftovers_of_a_killed_build_are_removed_by_the_next_build(built_once, tmp_path):
    leftover = built_once.generations_dir / "20000101T000000-000000000.partial"
    leftover.mkdir()
    (leftover / "000001.sst").write_bytes(b"half written")
    build_sources([make_source(tmp_path)], built_once)
    assert not leftover.exists()


def test_rollback_makes_the_previous_generation_current_again(built_once, tmp_path):
    first, n = built_once.current_id(), triples(built_once)
    ex = copy.deepcopy(small_extraction())
    build_sources([make_source(tmp_path, extraction=ex), *_memo()], built_once)
    second = built_once.current_id()
    assert second != first and triples(built_once) > n + 1000  # the memorandum's graph
    assert built_once.rollback() == first
    assert built_once.current_id() == first and triples(built_once) == n
    with pytest.raises(StoreError, match="no earlier generation"):
        built_once.rollback()


def test_a_rebuild_gives_the_same_document_graph_and_a_source_left_out_loses_its_graph(built_once, tmp_path):
    import pyoxigraph as ox

    from kg.namespaces import document_graph

    small = make_source(tmp_path)
    graph = ox.NamedNode(str(document_graph(small.doc_id)))

    def quads(root):
        return set(root.open_current().quads_for_pattern(None, None, None, graph))

    first = quads(built_once)
    memo = _memo()
    build_sources([small, *memo], built_once)
    # another set of inputs is another build run; everything else in the article's graph stays as it was
    generated_by = ox.NamedNode("http://www.w3.org/ns/prov#wasGeneratedBy")
    assert {q for q in quads(built_once) if q.predicate != generated_by} == \
        {q for q in first if q.predicate != generated_by}
    memo_graph = ox.NamedNode(str(document_graph(memo[0].doc_id)))
    assert built_once.open_current().contains_named_graph(memo_graph)
    build_sources([small], built_once)  # every build is a full rebuild from its sources
    assert quads(built_once) == first  # the same inputs: the same IRIs and triples (no blank nodes to relabel)
    assert not built_once.open_current().contains_named_graph(memo_graph)


def test_a_second_concurrent_build_is_refused(built_once, tmp_path):
    before = built_once.current_id()
    with built_once.build_lock():
        with pytest.raises(StoreError, match="another build"):
            build_sources([make_source(tmp_path)], built_once)
    assert built_once.current_id() == before


def test_current_is_switched_by_an_atomic_rename_and_old_generations_are_pruned(built_once, tmp_path):
    for _ in range(3):  # with the first: one more than the three kept
        build_sources([make_source(tmp_path)], built_once)
    gens = built_once.list_generations()
    assert len(gens) == 3 and built_once.current_id() == gens[-1]
    assert not [p for p in os.listdir(built_once.path) if p.startswith("CURRENT.tmp")]


def _memo():
    from kg.build import read_source

    return [read_source(MEMO)]


def test_generation_names_sort_in_build_order_even_across_a_second_or_a_clock_step_back():
    from kg.store import _generation_id

    # one clock reading: 0.999999999 s past a second, then the next second
    a = _generation_id(1_767_830_399_999_999_999, [])
    b = _generation_id(1_767_830_400_000_000_001, [a])
    assert a < b and a.endswith("-999999999") and b.endswith("-000000001")
    # the clock stepped back: the new build still sorts after the current one
    c = _generation_id(1_767_830_000_000_000_000, [a, b])
    assert c > b and sorted([c, a, b]) == [a, b, c]
