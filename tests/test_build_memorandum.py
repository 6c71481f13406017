"""The memorandum list as a second source: one umbrella withdrawal, 66 sub-actions, each evidenced by its row."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Literal
from rdflib import namespace as ns
from rdflib.namespace import RDF

from kg.build import OntologyInfo, assemble, read_source
from kg.errors import InputError
from kg.memorandum import extract_memorandum, local_entity_id
from kg.namespaces import IPA, OA, document_graph, entity_iri
from tests.fixtures.paths import DATA

MEMO = DATA / "memorandum" / "memorandum-2026-01-07-66-bodies.csv"


@pytest.fixture(scope="module")
def memo():
    return read_source(MEMO)


@pytest.fixture(scope="module")
def memo_graph(memo):
    return assemble([memo], ontology=OntologyInfo.load()).graph(document_graph(memo.doc_id))


def test_one_umbrella_withdrawal_by_the_united_states_with_its_legal_basis(memo_graph):
    umbrellas = [f for f in memo_graph.subjects(RDF.type, IPA.Withdrawal) if memo_graph.value(f, IPA.subActionOf) is None]
    assert len(umbrellas) == 1
    (u,) = umbrellas
    assert memo_graph.value(u, IPA.actor) == entity_iri("USA")
    assert memo_graph.value(u, IPA.target) == entity_iri("MEMO_2026_66_BODIES")
    assert memo_graph.value(u, IPA.announcedDate) == Literal("2026-01-07", datatype=ns.XSD.date)
    assert set(memo_graph.objects(u, IPA.legalBasis)) == {entity_iri("MEMO_2026_01_07"), entity_iri("EO14199")}


def test_sixty_six_sub_actions_each_targeting_one_body_with_its_row_as_evidence(memo, memo_graph):
    rows = memo.text.splitlines()[1:]
    subs = list(memo_graph.subjects(IPA.subActionOf, None))
    assert len(subs) == 66 == len(rows)
    quotes = set()
    for f in subs:
        assert (f, RDF.type, IPA.Withdrawal) in memo_graph
        assert memo_graph.value(f, IPA.modality) == Literal("announced")
        (ev,) = memo_graph.objects(f, IPA.evidence)
        target = memo_graph.value(ev, OA.hasTarget)
        for sel in memo_graph.objects(target, OA.hasSelector):
            if (sel, RDF.type, OA.TextQuoteSelector) in memo_graph:
                quote = str(memo_graph.value(sel, OA.exact))
            else:
                start, end = int(memo_graph.value(sel, OA.start)), int(memo_graph.value(sel, OA.end))
        assert memo.text[start:end] == quote
        assert quote in rows
        quotes.add(quote)
    assert len(quotes) == 66


def test_the_group_has_every_body_as_member_and_the_sections_split_31_un_and_35_non_un(memo_graph):
    assert len(set(memo_graph.objects(entity_iri("MEMO_2026_66_BODIES"), IPA.hasMember))) == 66
    assert len(set(memo_graph.objects(entity_iri("MEMO_2026_UN_ENTITIES"), IPA.hasMember))) == 31
    assert len(set(memo_graph.objects(entity_iri("MEMO_2026_NON_UN_ORGANIZATIONS"), IPA.hasMember))) == 35


def test_bodies_are_joined_to_lexicon_entries_by_their_memorandum_name(memo):
    from kg.lexicon import load_lexicon

    lex = load_lexicon()
    joined = {e.memo_name_en: e.id for e in lex.entries.values() if e.memo_name_en}
    targets = {f["targets"][0] for f in memo.extraction["facts"][1:]}
    for name, eid in joined.items():
        assert eid in targets, name


def test_a_body_missing_from_the_lexicon_gets_a_stable_local_entity_typed_by_its_group(tmp_path):
    csv = tmp_path / MEMO.name
    text = MEMO.read_bytes().decode("utf-8")
    extra = "UN,Imaginary Office for Testing,IOT,,,not found in stored material,https://example.org/list\r\n"
    csv.write_bytes((text + ("" if text.endswith("\n") else "\r\n") + extra).encode("utf-8"))
    shutil.copy(MEMO.with_name(MEMO.name + ".meta.yaml"), tmp_path)
    ex = extract_memorandum(csv)
    ent = next(e for e in ex["entities"] if e["id"] == local_entity_id("Imaginary Office for Testing"))
    assert ent["id"] == "LOCAL_IMAGINARY_OFFICE_FOR_TESTING" and ent["class"] == "UNSystemEntity"
    assert ent["mentions"][0]["text"] == "Imaginary Office for Testing"


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\xff\xfe broken", "not UTF-8"),
    (b"group,name_en\nUN,Something\n", "a CSV source must be a memorandum list"),
])
def test_a_broken_memorandum_file_is_an_input_error_naming_the_file(tmp_path, content, message):
    csv = tmp_path / "memo.csv"
    csv.write_bytes(content)
    shutil.copy(MEMO.with_name(MEMO.name + ".meta.yaml"), tmp_path / "memo.csv.meta.yaml")
    with pytest.raises(InputError, match=message) as err:
        read_source(csv)
    assert "memo.csv" in err.value.message
