"""HermiT reasoning over the ontology and data (kg.reasoning)."""

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import ReasonerUnavailable
from kg.namespaces import ID, IPA, OA, ORG, PROV, SEM
from kg.ontology import example_graph, ontology_graph
from kg.reasoning import Vocabulary, abox_for_reasoner, reason, reason_by_signature, tbox_for_reasoner

WHO = ID["entity/who"]
USA = ID["entity/usa"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def example_result(ontology):
    return reason(ontology, example_graph())


def _graph(*triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def test_a_un_system_entity_is_inferred_to_be_an_organization_and_an_agent(example_result):
    assert example_result.consistent
    for cls in (IPA.IntergovernmentalOrganization, IPA.InternationalOrganization, IPA.Organization, IPA.Agent,
                ORG.Organization, ORG.FormalOrganization, PROV.Agent):
        assert (WHO, RDF.type, cls) in example_result.inferred, cls


def test_fact_nodes_are_inferred_events_and_facts(example_result):
    withdrawal = next(example_graph().subjects(RDF.type, IPA.Withdrawal))
    for cls in (IPA.PolicyAction, IPA.Fact, SEM.Event):
        assert (withdrawal, RDF.type, cls) in example_result.inferred


def test_the_inferred_graph_holds_only_new_type_triples_in_the_queried_vocabularies(example_result):
    data = example_graph()
    assert len(example_result.inferred) > 0
    for s, p, o in example_result.inferred:
        assert p == RDF.type
        assert (s, p, o) not in data
        assert str(o).startswith((str(IPA), str(ORG), str(PROV), str(SEM))), o
        assert o != OWL.Thing


def test_domains_and_ranges_type_individuals_the_data_leaves_untyped(ontology):
    fact, speaker = ID["fact/s1"], ID["entity/someone"]
    data = _graph((fact, RDF.type, IPA.Statement), (fact, IPA.actor, speaker), (fact, IPA.target, WHO))
    result = reason(ontology, data)
    assert result.consistent, result.explanation  # a statement may have targets without becoming a policy action
    assert (speaker, RDF.type, IPA.Agent) in result.inferred
    assert (fact, RDF.type, IPA.Fact) in result.inferred


def test_an_individual_typed_both_person_and_state_is_reported_inconsistent(ontology):
    result = reason(ontology, _graph((USA, RDF.type, IPA.Person), (USA, RDF.type, IPA.State)))
    assert not result.consistent
    assert len(result.inferred) == 0
    assert "id:entity/usa" in result.explanation
    assert "ipa:Person" in result.explanation and "ipa:State" in result.explanation


def test_a_treaty_cannot_be_the_organisation_of_a_membership(ontology):
    # A treaty is not its secretariat: Treaty (an Instrument) and Organization (an Agent) are disjoint.
    membership, unfccc = ID["membership/m1"], ID["entity/unfccc"]
    data = _graph(
        (unfccc, RDF.type, IPA.Treaty),
        (membership, RDF.type, IPA.Membership),
        (membership, IPA.member, USA),
        (membership, IPA.organization, unfccc),
    )
    result = reason(ontology, data)
    assert not result.consistent
    assert "id:entity/unfccc" in result.explanation and "object of ipa:organization" in result.explanation


def test_an_unsatisfiable_class_is_listed_without_making_the_ontology_inconsistent(ontology):
    broken = Graph()
    for t in ontology:
        broken.add(t)
    chimera = URIRef("https://w3id.org/ipakg/ontology#PersonState")
    broken.add((chimera, RDF.type, OWL.Class))
    broken.add((chimera, RDFS.subClassOf, IPA.Person))
    broken.add((chimera, RDFS.subClassOf, IPA.State))
    result = reason(broken, Graph())
    assert result.consistent
    assert result.unsatisfiable == [str(chimera)]


def test_dates_and_long_texts_hermit_cannot_read_are_left_out_of_reasoning(ontology):
    from rdflib.namespace import XSD  # imported here: a module-level XSD makes pytest's collection warn

    fact, doc = ID["fact/f1"], ID["doc/d1"]
    data = _graph(
        (fact, RDF.type, IPA.Withdrawal),
        (fact, IPA.actor, USA),
        (fact, IPA.announcedDate, Literal("2026-01-07", datatype=XSD.date)),
        (fact, IPA.effectiveDate, Literal("2026-01", datatype=XSD.gYearMonth)),
        (fact, IPA.modality, Literal("planned")),
        (fact, PROV.wasDerivedFrom, doc),
        (doc, RDF.type, IPA.Document),
        (doc, IPA.text, Literal("美國退出世界衛生組織。" * 5000)),
        (doc, URIRef("https://schema.org/datePublished"), Literal("2026", datatype=XSD.gYear)),
    )
    sent = abox_for_reasoner(tbox_for_reasoner(ontology), data)
    assert sent and all(not isinstance(o, Literal) for _, _, o in sent)
    result = reason(ontology, data)
    assert result.consistent
    assert (USA, RDF.type, IPA.Agent) in result.inferred


def test_only_logical_axioms_of_the_ontology_reach_the_reasoner(ontology):
    tbox = tbox_for_reasoner(ontology)
    assert (IPA.UNSystemEntity, RDFS.subClassOf, IPA.IntergovernmentalOrganization) in tbox
    assert not list(tbox.triples((None, RDFS.label, None)))
    assert not list(tbox.triples((None, OWL.imports, None)))


def test_reasoning_is_deterministic(ontology, example_result):
    again = reason(ontology, example_graph())
    assert sorted(again.inferred) == sorted(example_result.inferred)


def test_a_few_hundred_facts_classify_consistently(ontology):
    data = Graph()
    kinds = [IPA.State, IPA.UNSystemEntity, IPA.GovernmentBody, IPA.Person]
    for i in range(100):
        data.add((ID[f"entity/e{i}"], RDF.type, kinds[i % 4]))
    for i in range(200):
        fact, evidence = ID[f"fact/f{i}"], ID[f"evidence/v{i}"]
        data.add((fact, RDF.type, [IPA.Withdrawal, IPA.FundingSuspension, IPA.Criticism][i % 3]))
        data.add((fact, IPA.actor, ID[f"entity/e{(i * 4) % 100}"]))
        data.add((fact, IPA.target, ID[f"entity/e{(i * 4 + 1) % 100}"]))
        data.add((fact, IPA.evidence, evidence))
        data.add((evidence, RDF.type, OA.Annotation))
    result = reason(ontology, data)
    assert result.consistent, result.explanation
    assert result.stats["individuals"] == 500
    assert (ID["fact/f0"], RDF.type, IPA.PolicyAction) in result.inferred


def test_without_java_the_reasoner_is_unavailable(ontology, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(ReasonerUnavailable) as caught:
        reason(ontology, Graph())
    assert "Java" in caught.value.message and "\n" not in caught.value.message


def test_two_actors_of_different_kinds_are_inconsistent_because_actor_is_functional(ontology):
    fact, rubio = ID["fact/f2"], ID["entity/rubio"]
    data = _graph(
        (fact, RDF.type, IPA.Criticism),
        (fact, IPA.actor, USA),
        (fact, IPA.actor, rubio),
        (USA, RDF.type, IPA.State),
        (rubio, RDF.type, IPA.Person),
    )
    result = reason(ontology, data)
    assert not result.consistent
    assert "functional ipa:actor" in result.explanation


# ---------------------------------------------------------------------------------------------- by signature
def _by_signature(ontology, data: Graph) -> tuple:
    """What the build does: features -> one probe per signature -> each node gets its signature's types."""
    vocabulary = Vocabulary.of(ontology)
    features, exact = vocabulary.features(data)
    signatures = {}
    for node, feats in sorted(features.items()):
        signatures.setdefault(tuple(sorted(feats)), node)
    result = reason_by_signature(ontology, signatures, exact)
    if not result.consistent:
        return result, set(), signatures, exact
    types = {(URIRef(n), RDF.type, URIRef(c)) for n, f in features.items() for c in result.types[tuple(sorted(f))]}
    types |= {(URIRef(n), RDF.type, URIRef(c)) for n, cs in result.exact.items() for c in cs}
    return result, {t for t in types if t not in data}, signatures, exact


def test_reasoning_by_signature_gives_every_node_the_types_hermit_gives_it_in_the_whole_abox(ontology):
    data = example_graph()
    for i in range(60):  # many nodes, few signatures
        fact = ID[f"fact/s{i}"]
        data.add((fact, RDF.type, [IPA.Withdrawal, IPA.FundingSuspension, IPA.Criticism][i % 3]))
        data.add((fact, IPA.actor, USA))
        data.add((fact, IPA.target, WHO))
    result, inferred, signatures, exact = _by_signature(ontology, data)
    assert result.consistent and not exact
    assert len(signatures) < 20
    assert inferred == set(reason(ontology, data).inferred)


def test_nodes_merged_by_a_functional_property_or_same_as_go_to_hermit_as_they_are(ontology):
    fact, other = ID["fact/f2"], ID["entity/usa-again"]
    data = _graph((fact, RDF.type, IPA.Withdrawal), (fact, IPA.actor, USA), (fact, IPA.actor, other),
                  (USA, RDF.type, IPA.State), (fact, IPA.target, WHO))
    result, inferred, _signatures, exact = _by_signature(ontology, data)
    assert exact and result.consistent
    assert (other, RDF.type, IPA.State) in inferred  # merged with the USA by the functional ipa:actor
    assert inferred == set(reason(ontology, data).inferred)


def test_a_disjointness_clash_in_one_signature_makes_the_whole_inconsistent(ontology):
    data = _graph((USA, RDF.type, IPA.Person), (USA, RDF.type, IPA.State), (ID["fact/x"], IPA.actor, WHO))
    result, _inferred, _signatures, _exact = _by_signature(ontology, data)
    assert not result.consistent and "disjoint" in result.explanation
