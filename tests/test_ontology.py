"""The ontology files, their check, their SHACL shapes, their JSON-LD context and their documentation."""

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import kg.ontology as ontology_module
from kg.cli import main
from kg.errors import ValidationError
from kg.namespaces import IPA, OA, ONTOLOGY_IRI, ONTOLOGY_VERSION_IRI, PROV
from kg.ontology import (
    ALIGN_FILE,
    example_graph,
    jsonld_context,
    ontology_graph,
    render_docs,
    validate_shapes,
)
from tests.fixtures.paths import REPO

REQUIRED_CLASSES = """Agent Person State Organization GovernmentBody InternationalOrganization
IntergovernmentalOrganization UNSystemEntity NonGovernmentalOrganization MediaOrganization Instrument Treaty
ExecutiveOrder PresidentialMemorandum Statement Document Event Membership PolicyAction Withdrawal
FundingSuspension Sanction Threat Veto Rejection Criticism AgencyClosure DirectiveIssuance Announcement Review
Reversal Place Group""".split()
REQUIRED_OBJECT_PROPERTIES = """actor target legalBasis subActionOf reverses evidence memberOf member organization
endedBy hasMember""".split()
REQUIRED_DATATYPE_PROPERTIES = """announcedDate effectiveDate modality startDate endDate confidence dateResolution
textSha256 text sourcePath publishedDateInferred lexiconId documentNumber""".split()
# Wikidata class items whose QIDs the design notes verified in primary sources (ontology.md §1.2, [V-src]).
VERIFIED_CLASS_QIDS = {"Q3624078", "Q6256", "Q43229", "Q484652", "Q245065", "Q15925165", "Q327333", "Q79913",
                       "Q4120211", "Q1335818", "Q131569", "Q5"}
EX = "https://w3id.org/ipakg/id/"


@pytest.fixture(scope="module")
def cli_check():
    """``kg ontology check`` run once through the CLI, with the report it printed kept for inspection."""
    reports = []
    real_check = ontology_module.check

    def spy():
        reports.append(real_check())
        return reports[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ontology_module, "check", spy)
        result = CliRunner().invoke(main, ["ontology", "check"])
    return result, reports[0]


@pytest.fixture(scope="module")
def report(cli_check):
    return cli_check[1]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def docs() -> str:
    return render_docs()


# ---------------------------------------------------------------- the ontology


def test_the_ontology_is_consistent_and_every_class_is_satisfiable(report):
    assert report.consistent
    assert report.unsatisfiable == []
    assert report.ok, report.summary()


def test_every_term_has_labels_in_english_and_both_chinese_scripts_and_an_english_definition(report):
    assert report.problems == []


@pytest.mark.parametrize(
    "name,kind",
    [(n, OWL.Class) for n in REQUIRED_CLASSES]
    + [(n, OWL.ObjectProperty) for n in REQUIRED_OBJECT_PROPERTIES]
    + [(n, OWL.DatatypeProperty) for n in REQUIRED_DATATYPE_PROPERTIES],
)
def test_every_required_term_exists_with_labels_and_a_definition(onto, name, kind):
    term = IPA[name]
    assert (term, RDF.type, kind) in onto
    langs = {label.language for label in onto.objects(term, RDFS.label)}
    assert {"en", "zh-hant", "zh-hans"} <= langs
    assert any(d.language == "en" for d in onto.objects(term, SKOS.definition))
    assert (term, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in onto


def test_the_header_has_a_version_iri_a_license_and_creators(onto):
    header = URIRef(ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in onto
    assert (header, OWL.versionIRI, URIRef(ONTOLOGY_VERSION_IRI)) in onto
    dct = "http://purl.org/dc/terms/"
    for prop in ("license", "creator", "description", "title"):
        assert onto.value(header, URIRef(dct + prop)) is not None, prop


def test_actor_is_functional_and_dates_have_no_owl_range(onto):
    assert (IPA.actor, RDF.type, OWL.FunctionalProperty) in onto
    for prop in ("announcedDate", "effectiveDate", "startDate", "endDate"):
        assert onto.value(IPA[prop], RDFS.range) is None


def test_persons_states_and_organisations_are_pairwise_disjoint_and_treaties_are_not_organisations(onto):
    def disjoint_sets():
        for axiom in onto.subjects(RDF.type, OWL.AllDisjointClasses):
            yield set(onto.items(onto.value(axiom, OWL.members)))

    sets = list(disjoint_sets())
    assert any({IPA.Person, IPA.State, IPA.Organization} <= s for s in sets)
    assert any({IPA.Agent, IPA.Instrument, IPA.Document, IPA.Fact} <= s for s in sets)
    assert any({IPA.PolicyAction, IPA.Membership} <= s for s in sets)
    # Treaty ⊑ Instrument and Organization ⊑ Agent, and Instrument and Agent are disjoint.
    assert (IPA.Treaty, RDFS.subClassOf, IPA.Instrument) in onto
    assert (IPA.Organization, RDFS.subClassOf, IPA.Agent) in onto


def test_the_ontology_imports_nothing_so_the_reasoner_stays_offline():
    core = Graph().parse(REPO / "ontology" / "ipakg.ttl")
    assert not list(core.triples((None, OWL.imports, None)))


def test_alignments_use_w3c_vocabularies_and_only_verified_wikidata_class_items():
    align = Graph().parse(ALIGN_FILE)
    assert (IPA.Organization, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")) in align
    assert (IPA.Agent, RDFS.subClassOf, PROV.Agent) in align
    assert (IPA.PolicyAction, RDFS.subClassOf, URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/Event")) in align
    assert (IPA.Document, RDFS.subClassOf, PROV.Entity) in align
    wikidata = [o for p in (SKOS.exactMatch, SKOS.closeMatch) for o in align.objects(None, p)
                if str(o).startswith("http://www.wikidata.org/entity/")]
    class_items = {str(o).rsplit("/", 1)[1] for o in wikidata if str(o).rsplit("/", 1)[1].startswith("Q")}
    assert class_items and class_items <= VERIFIED_CLASS_QIDS
    assert not list(align.triples((None, OWL.equivalentClass, None)))
    assert (IPA.memberOf, SKOS.closeMatch, URIRef("http://www.wikidata.org/entity/P463")) in align


def test_an_ontology_file_that_does_not_parse_fails_the_check(tmp_path, monkeypatch):
    broken = tmp_path / "ipakg.ttl"
    broken.write_text("@prefix ipa: <https://w3id.org/ipakg/ontology#> .\nipa:Agent a ", encoding="utf-8")
    monkeypatch.setattr(ontology_module, "ONTOLOGY_FILES", (broken,))
    with pytest.raises(ValidationError, match="ipakg.ttl does not parse"):
        ontology_module.check()


# ---------------------------------------------------------------- SHACL


def _example_without(*patterns) -> Graph:
    g = example_graph()
    for pattern in patterns:
        for t in list(g.triples(pattern)):
            g.remove(t)
    return g


def _withdrawal(g):
    return next(g.subjects(RDF.type, IPA.Withdrawal))


def test_the_bundled_example_conforms_to_the_shapes():
    result = validate_shapes(example_graph())
    assert result.conforms, result.text


def test_a_policy_action_without_evidence_is_a_violation():
    g = example_graph()
    g.remove((_withdrawal(g), IPA.evidence, None))
    result = validate_shapes(g)
    assert not result.conforms
    assert any("ipa:evidence" in v and "at least one evidence" in v for v in result.violations), result.violations


def test_a_position_selector_whose_start_is_not_before_its_end_is_a_violation():
    g = example_graph()
    selector = next(g.subjects(RDF.type, OA.TextPositionSelector))
    g.set((selector, OA.start, g.value(selector, OA.end)))
    result = validate_shapes(g)
    assert not result.conforms
    assert any("oa:start" in v for v in result.violations), result.violations


def test_a_quote_that_is_not_the_text_at_its_offsets_is_a_violation():
    g = example_graph()
    selector = next(g.subjects(RDF.type, OA.TextPositionSelector))
    g.set((selector, OA.start, Literal(int(g.value(selector, OA.start)) - 1)))  # shifted by one code point
    result = validate_shapes(g)
    assert not result.conforms
    assert any("is not the text of the source document" in v for v in result.violations), result.violations


def test_a_negative_offset_is_a_violation():
    g = example_graph()
    selector = next(g.subjects(RDF.type, OA.TextPositionSelector))
    g.set((selector, OA.start, Literal(-1)))
    assert not validate_shapes(g).conforms


def test_a_policy_action_needs_exactly_one_actor_and_a_target():
    g = _example_without((None, IPA.actor, None), (None, IPA.target, None))
    violations = validate_shapes(g).violations
    assert any("ipa:actor" in v for v in violations)
    assert any("ipa:target" in v for v in violations)


def test_dates_must_be_a_day_a_month_or_a_year():
    from rdflib.namespace import XSD

    for good in (Literal("2026-01", datatype=XSD.gYearMonth), Literal("2026", datatype=XSD.gYear)):
        g = example_graph()
        g.set((_withdrawal(g), IPA.effectiveDate, good))
        assert validate_shapes(g).conforms, good
    g = example_graph()
    g.set((_withdrawal(g), IPA.effectiveDate, Literal("2026-01-22T00:00:00", datatype=XSD.dateTime)))
    assert not validate_shapes(g).conforms
    g.set((_withdrawal(g), IPA.effectiveDate, Literal("22 January 2026")))
    assert not validate_shapes(g).conforms


def test_modality_must_come_from_the_controlled_list():
    g = example_graph()
    g.set((_withdrawal(g), IPA.modality, Literal("rumoured")))
    assert any("ipa:modality" in v for v in validate_shapes(g).violations)


def test_evidence_needs_a_quote_with_exact_text_and_a_source_document():
    g = _example_without((None, OA.exact, None), (None, OA.hasSource, None))
    violations = validate_shapes(g).violations
    assert any("oa:exact" in v for v in violations)
    assert any("oa:hasSource" in v for v in violations)


def test_labels_carry_language_tags():
    g = example_graph()
    g.add((URIRef(EX + "entity/who"), SKOS.altLabel, Literal("WHO")))
    assert any("skos:altLabel" in v for v in validate_shapes(g).violations)


def test_a_document_needs_its_text_and_its_hash():
    g = _example_without((None, IPA.textSha256, None), (None, IPA.text, None))
    violations = validate_shapes(g).violations
    assert any("ipa:textSha256" in v for v in violations) and any("ipa:text " in v for v in violations)


def test_a_statement_needs_a_speaker():
    g = example_graph()
    statement = URIRef(EX + "fact/statement")
    evidence = next(g.objects(_withdrawal(g), IPA.evidence))
    doc = next(g.subjects(RDF.type, IPA.Document))
    g.add((statement, RDF.type, IPA.Statement))
    g.add((statement, IPA.evidence, evidence))
    g.add((statement, PROV.wasDerivedFrom, doc))
    violations = validate_shapes(g).violations
    assert any(v.startswith("id:fact/statement ipa:actor") for v in violations), violations


# ---------------------------------------------------------------- JSON-LD context


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # inside rdflib's JSON-LD parser
def test_the_context_compacts_and_round_trips_a_graph():
    context = jsonld_context()
    g = example_graph()
    text = g.serialize(format="json-ld", context=context, auto_compact=True)
    doc = json.loads(text)
    nodes = {n["@id"]: n for n in doc["@graph"]}
    who = nodes[EX + "entity/who"]
    assert who["@type"] == "UNSystemEntity"
    assert who["prefLabel"] == {"en": "World Health Organization", "zh-hant": "世界衛生組織", "zh-hans": "世界卫生组织"}
    back = Graph().parse(data=text, format="json-ld")
    assert isomorphic(back, g)


def test_the_context_declares_object_properties_as_iris_and_labels_as_language_maps():
    context = jsonld_context()
    assert context["actor"] == {"@id": "ipa:actor", "@type": "@id"}
    assert context["prefLabel"]["@container"] == "@language"
    assert context["altLabel"]["@container"] == "@language"
    assert context["datePublished"]["@type"] == "xsd:date"


# ---------------------------------------------------------------- CLI and documentation


def test_kg_ontology_check_exits_0(cli_check):
    result, _ = cli_check
    assert result.exit_code == 0, result.output
    assert "consistent" in result.output and result.output.strip().endswith("ok")


def test_kg_ontology_check_without_java_exits_2_with_one_line():
    env = {"PATH": "/nonexistent", "HOME": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "kg", "ontology", "check"], capture_output=True, text=True,
                         cwd=REPO, env=env)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and "Java" in lines[0]


def test_kg_ontology_docs_writes_the_page(tmp_path):
    target = tmp_path / "index.html"
    result = CliRunner().invoke(main, ["ontology", "docs", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_documentation_describes_every_class_and_property(onto, docs):
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in onto.subjects(RDF.type, kind):
            if str(term).startswith(str(IPA)):
                name = str(term)[len(str(IPA)):]
                assert f'id="{name}"' in docs, name
    assert "世界衛生組織" in docs  # the example
    assert "退出" in docs and "Withdrawal" in docs


def test_the_documentation_is_self_contained(docs):
    assert "<script" not in docs
    assert not re.search(r'<(link|img|iframe)\b[^>]*(href|src)="https?:', docs)
    assert 'lang="zh-Hant"' in docs
    assert ontology_module.docs_html() == ontology_module.docs_html()


def test_the_documentation_page_comes_with_a_policy_that_allows_exactly_its_stylesheet(docs):
    import base64
    import hashlib

    style = re.search(r"<style>(.*?)</style>", docs, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    policy = ontology_module.docs_content_security_policy()
    assert f"style-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
