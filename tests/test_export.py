"""Exports for Wikidata tools: QuickStatements V1 and CSV, Wikibase RDF, owl:sameAs.

QuickStatements output is checked by a small validator written from the syntax summary in the ontology
research note §2 (itself taken from the QuickStatements parser source), and the validator is checked
against that summary's own examples first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import quickstatements, sameas, wikibase
from kg.export.statements import Time, select_statements
from kg.sparql import LocalEngine

AS_OF = dt.date(2026, 6, 1)

# ---- a validator for the QuickStatements grammar (ontology note §2.1, §2.2) ---------------------------------
ITEM = r"(?:Q\d+|LAST)"
TIME = r"[+-]\d+-\d\d-\d\dT\d\d:\d\d:\d\dZ/(?:9|10|11)(?:/J)?"  # the suffix is required here: a missing one means "year"
VALUE = re.compile(rf'^(?:Q\d+|P\d+|"[^"\t\n]*(?:"[^"\t\n]*)*"|[a-z_-]+:"[^\t\n]*"|{TIME}|somevalue|novalue'
                   r"|@[+-]?[\d.]+/[+-]?[\d.]+|[+-]?\d+(?:\.\d+)?(?:~[+-]?\d+(?:\.\d+)?)?(?:U\d+)?)$")


def v1_errors(text: str) -> list[str]:
    errors, created = [], False
    for n, line in enumerate(text.splitlines(), 1):
        cols = line.split("\t")
        if cols == ["CREATE"]:
            created = True
            continue
        if not re.fullmatch(ITEM, cols[0]) or (cols[0] == "LAST" and not created):
            errors.append(f"{n}: bad item {cols[0]!r}")
            continue
        if len(cols) == 3 and re.fullmatch(r"[LADS][a-z_-]+", cols[1]):
            if not re.fullmatch(r'"[^\t]*"', cols[2]):
                errors.append(f"{n}: a term needs a quoted string")
            continue
        if len(cols) < 3 or not re.fullmatch(r"!?P\d+", cols[1]) or (len(cols) - 3) % 2:
            errors.append(f"{n}: not ITEM⇥Pnnn⇥VALUE with (Pnnn|Snnn)⇥VALUE pairs")
            continue
        for key, value in [(cols[1], cols[2])] + list(zip(cols[3::2], cols[4::2])):
            if not re.fullmatch(r"!?[PS]\d+", key):
                errors.append(f"{n}: bad key {key!r}")
            if not VALUE.match(value):
                errors.append(f"{n}: bad value {value!r} for {key}")
    return errors


def csv_errors(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    header, errors = rows[0], []
    if header[0] != "qid" or "qid" in header[1:]:
        return ["the first header cell must be exactly qid, and only it"]
    seen_p = seen_s = False
    kinds = []
    for h in header[1:]:
        h = h.removeprefix("-")
        if re.fullmatch(r"P\d+", h):
            seen_p, seen_s, kind = True, False, "value"
        elif re.fullmatch(r"qal\d+", h):
            kind = "value"
            if not seen_p:
                errors.append(f"{h} before any P column")
        elif re.fullmatch(r"S\d+", h):
            seen_s, kind = True, "value"
            if not seen_p:
                errors.append(f"{h} before any P column")
        elif re.fullmatch(r"s\d+", h):
            kind = "value"
            if not seen_s:
                errors.append(f"{h} does not follow an S column")
        elif re.fullmatch(r"[LDA][a-z_-]+|S[a-z_]+|#", h):
            kind = "raw"
        else:
            errors.append(f"unknown header {h!r}")
            kind = "raw"
        kinds.append(kind)
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            errors.append(f"row {n}: {len(row)} cells for {len(header)} columns")
            continue
        if row[0] and not re.fullmatch(r"Q\d+", row[0]):
            errors.append(f"row {n}: bad qid {row[0]!r}")
        for kind, h, cell in zip(kinds, header[1:], row[1:]):
            if kind == "value" and not VALUE.match(cell):
                errors.append(f"row {n}: bad value {cell!r} in {h}")
            if kind == "raw" and not cell:
                errors.append(f"row {n}: empty {h}")
    return errors


def test_the_validator_accepts_the_documented_examples_and_rejects_a_missing_precision():
    who = ('Q30\tP463\tQ7817\tP582\t+2026-01-22T00:00:00Z/11\tS854\t"https://example.org/article"\t'
           'S1683\tzh-hant:"美國退出WHO預計將於2026年1月22日正式生效"\tS813\t+2026-01-10T00:00:00Z/11\n')
    create = 'CREATE\nLAST\tLen\t"Example body"\nLAST\tLzh-hant\t"範例機構"\nLAST\tP31\tQ245065\tS854\t"https://example.org/"\n'
    assert v1_errors(who) == [] and v1_errors(create) == []
    assert v1_errors(who.replace("/11\tS854", "\tS854"))  # "+2026-01-22T00:00:00Z" alone would mean the year 2026
    assert v1_errors("LAST\tLen\t\"x\"\n")  # LAST before any CREATE
    doc_csv = ('qid,P463,qal582,S854,s1683,s813\n'
               'Q30,Q7817,+2026-01-22T00:00:00Z/11,"""https://example.org/article""","zh-hant:""美國退出WHO…""",'
               '+2026-01-10T00:00:00Z/11\n')
    assert csv_errors(doc_csv) == []
    assert csv_errors(doc_csv.replace("qid,", "QID,"))
    assert csv_errors("qid,qal582,P463\nQ30,+2026-01-22T00:00:00Z/11,Q7817\n")


@pytest.fixture(scope="module")
def selection(wikidata_engine):
    return select_statements(wikidata_engine, as_of=AS_OF)


def test_only_effective_facts_with_qids_on_both_sides_become_statements(selection):
    got = {(s.subject, s.property, s.value): [(p, t.qs()) for p, t in s.qualifiers] for s in selection.statements}
    assert got == {
        ("Q30", "P463", "Q7817"): [("P582", "+2026-01-22T00:00:00Z/11")],   # xsd:date -> day
        ("Q30", "P463", "Q205650"): [("P580", "+2022-01-01T00:00:00Z/10"),   # a membership's start, gYearMonth
                                     ("P582", "+2025-03-01T00:00:00Z/10")],  # xsd:gYearMonth -> month
        ("Q30", "P463", "Q846656"): [("P582", "+2025-01-01T00:00:00Z/9")],   # xsd:gYear -> year
    }
    reasons = {s.fact.rsplit("/", 1)[-1]: s.reason for s in selection.skipped}
    assert "not exported as P582 until it is effective" in reasons["f3"]     # UNESCO, effective 2026-12-31
    assert "no verified Wikidata QID" in reasons["f4"]                       # UN Democracy Fund
    assert "Person" in reasons["f5"]                                         # Trump is not the member
    assert "only threatened" in reasons["f6"]
    assert "disagree" in reasons["f9"] and "disagree" in reasons["f10"]      # two end dates for the ILO
    assert "reversed" in reasons["f11"]


def test_a_planned_exit_is_exported_once_its_date_has_passed(wikidata_engine):
    early = select_statements(wikidata_engine, as_of=dt.date(2026, 1, 21))
    assert "Q7817" not in {s.value for s in early.statements}
    late = select_statements(wikidata_engine, as_of=dt.date(2027, 1, 1))
    assert "Q7809" in {s.value for s in late.statements}  # UNESCO after 2026-12-31


def test_v1_has_one_line_per_reference_with_quote_url_or_title_and_retrieved(selection):
    text = quickstatements.to_v1(selection)
    assert v1_errors(text) == []
    lines = text.splitlines()
    who = [line for line in lines if line.startswith("Q30\tP463\tQ7817\t")]
    assert len(who) == 2  # two documents: one reference each, merged by QuickStatements into one statement
    by_url = next(line for line in who if "S854" in line)
    assert by_url.startswith('Q30\tP463\tQ7817\tP582\t+2026-01-22T00:00:00Z/11\tS854\t"https://example.org/releases/2026-01-07"\t'
                             'S1683\ten:"The withdrawal of the United States from the "WHO" takes effect on 22 January 2026."')
    by_title = next(line for line in who if "S854" not in line)
    assert '\tS1476\tzh-hant:"美國將退出66個國際組織,進一步撤出國際合作|Whatsnew"' in by_title
    assert '\tS1683\tzh-hant:"美國退出WHO預計將於2026年1月22日正式生效"\tS813\t+2026-01-10T00:00:00Z/11' in by_title
    assert "S577" not in by_title  # the seed's publication date is inferred, so it is not stated
    unhrc = [line for line in lines if line.startswith("Q30\tP463\tQ205650\t")]
    assert len(unhrc) == 2 and all("\tP580\t+2022-01-01T00:00:00Z/10\tP582\t+2025-03-01T00:00:00Z/10\t" in x for x in unhrc)
    assert len(lines) == 5


def test_csv_tables_follow_the_csv_grammar_and_never_leave_a_cell_empty(selection):
    tables = quickstatements.to_csv_tables(selection)
    for table in tables:
        assert csv_errors(table) == []
    # rows with a start time, URL-referenced rows and title-referenced rows have different columns
    assert {t.splitlines()[0] for t in tables} == {"qid,P463,qal582,S854,s1683,s813", "qid,P463,qal582,S1476,s1683,s813",
                                                  "qid,P463,qal580,qal582,S854,s1683,s813"}
    assert '"""https://example.org/releases/2026-01-07"""' in "".join(tables)


def test_create_blocks_only_with_create(wikidata_engine):
    plain = select_statements(wikidata_engine, as_of=AS_OF)
    assert plain.new_items == [] and "CREATE" not in quickstatements.to_v1(plain)
    created = select_statements(wikidata_engine, as_of=AS_OF, create=True)
    assert [i.iri.rsplit("/", 1)[-1] for i in created.new_items] == ["undef"]
    text = quickstatements.to_v1(created)
    assert v1_errors(text) == []
    block = text.split("CREATE\n", 1)[1].splitlines()
    assert 'LAST\tLen\t"UN Democracy Fund"' in block and 'LAST\tLzh-hant\t"聯合國民主基金"' in block
    assert 'LAST\tAen\t"UNDEF"' in block
    p31 = next(line for line in block if "\tP31\t" in line)
    assert p31.startswith("LAST\tP31\tQ484652\tS1476\t")  # UN system entity -> nearest mapped class: international org.
    assert "S1683" not in p31  # the withdrawal quote says nothing about what the body is
    for table in quickstatements.to_csv_tables(created):
        assert csv_errors(table) == []
    assert any(t.startswith("qid,Len,Lzh-hans,Lzh-hant,Aen,P31,S1476,s813\n,UN Democracy Fund,")
               for t in quickstatements.to_csv_tables(created))


def test_time_precision_comes_from_the_datatype():
    assert Time("2026-01-22", 11).qs() == "+2026-01-22T00:00:00Z/11"
    assert Time("2026-01", 10).qs() == "+2026-01-01T00:00:00Z/10"
    assert Time("2026", 9).qs() == "+2026-01-01T00:00:00Z/9"
    assert Time("2026-02", 10).last_day() == dt.date(2026, 2, 28)


WDQS_QUERY = """
PREFIX wd: <http://www.wikidata.org/entity/> PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/> PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/> PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX wikibase: <http://wikiba.se/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?member ?org ?end ?precision ?calendar (COUNT(DISTINCT ?ref) AS ?refs) WHERE {
  ?member p:P463 ?st . ?st a wikibase:Statement ; ps:P463 ?org ; pq:P582 ?end ; wikibase:rank wikibase:NormalRank .
  ?st pqv:P582 ?v . ?v a wikibase:TimeValue ; wikibase:timePrecision ?precision ; wikibase:timeCalendarModel ?calendar .
  ?st prov:wasDerivedFrom ?ref . ?ref a wikibase:Reference ; pr:P1683 ?quote ; pr:P813 ?retrieved .
} GROUP BY ?member ?org ?end ?precision ?calendar ORDER BY ?org
"""


def test_wikibase_rdf_loads_into_oxigraph_and_answers_a_wdqs_style_query(selection):
    turtle = wikibase.to_graph(selection).serialize(format="turtle")
    assert '"2026-01-22T00:00:00Z"^^xsd:dateTime' in turtle  # Wikibase's lexical form, not +00:00
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    rows = [{k: s[k].value for k in ("member", "org", "end", "precision", "calendar", "refs")} for s in store.query(WDQS_QUERY)]
    wd = "http://www.wikidata.org/entity/"
    assert rows == [
        {"member": wd + "Q30", "org": wd + "Q205650", "end": "2025-03-01T00:00:00Z", "precision": "10",
         "calendar": wd + "Q1985727", "refs": "2"},
        {"member": wd + "Q30", "org": wd + "Q7817", "end": "2026-01-22T00:00:00Z", "precision": "11",
         "calendar": wd + "Q1985727", "refs": "2"},
        {"member": wd + "Q30", "org": wd + "Q846656", "end": "2025-01-01T00:00:00Z", "precision": "9",
         "calendar": wd + "Q1985727", "refs": "1"},
    ]


def test_wikibase_nodes_are_minted_in_our_namespace_and_references_are_content_hashes(selection, wikidata_engine):
    g = wikibase.to_graph(selection)
    minted = {str(s) for s in g.subjects() if "wikidata.org" not in str(s)}
    assert minted and all(s.startswith("https://w3id.org/ipakg/id/wb") for s in minted)
    assert not any(str(s).startswith("http://www.wikidata.org/entity/statement/") for s in g.all_nodes())
    refs = {s for s in minted if "/wbreference/" in s}
    assert refs and all(re.fullmatch(r".*/wbreference/[0-9a-f]{40}", r) for r in refs)
    again = wikibase.to_graph(select_statements(wikidata_engine, as_of=AS_OF))
    assert {str(s) for s in again.subjects()} == {str(s) for s in g.subjects()}  # same content, same IRIs


def test_sameas_is_an_export_of_the_verified_links_only(wikidata_engine):
    nt = sameas.to_ntriples(wikidata_engine)
    lines = nt.splitlines()
    assert len(lines) == 9
    assert "<https://w3id.org/ipakg/id/entity/who> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q7817> ." in lines
    assert not wikidata_engine.query("ASK { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }").boolean  # never stored


def test_the_cli_writes_v1_csv_wikibase_and_sameas(wikidata_store, tmp_path):
    runner = CliRunner()
    store = str(wikidata_store.path)
    r = runner.invoke(main, ["--store", store, "export", "quickstatements", "--as-of", "2026-06-01"])
    assert r.exit_code == 0, r.output
    assert v1_errors(r.stdout) == [] and r.stdout.count("\n") == 5
    assert "3 statement(s) with 5 reference(s)" in r.stderr and "left out" in r.stderr
    r = runner.invoke(main, ["--store", store, "export", "quickstatements", "--format", "csv", "--as-of", "2026-06-01"])
    assert r.exit_code == 2 and "give -o FILE" in r.stderr
    out = tmp_path / "qs.csv"
    r = runner.invoke(main, ["--store", store, "export", "quickstatements", "--format", "csv", "--as-of", "2026-06-01",
                             "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert [csv_errors(p.read_text(encoding="utf-8")) for p in (out, tmp_path / "qs-2.csv", tmp_path / "qs-3.csv")] == [[]] * 3
    r = runner.invoke(main, ["--store", store, "export", "wikibase", "--as-of", "2026-06-01", "-q"])
    assert r.exit_code == 0 and "p:P463" in r.stdout
    r = runner.invoke(main, ["--store", store, "export", "sameas"])
    assert r.exit_code == 0 and r.stdout.count("owl#sameAs") == 9
    r = runner.invoke(main, ["--store", store, "export", "quickstatements", "--as-of", "June"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.stderr


def test_the_federated_example_is_a_saved_query_marked_as_needing_internet(repo):
    from kg.queries import load_file

    q = load_file(repo / "queries" / "federated-withdrawals-headquarters.rq")
    assert q.needs_internet is True
    assert "SERVICE <https://query.wikidata.org/sparql>" in q.text


def test_the_built_graph_exports_valid_quickstatements_and_wikibase_rdf(built_store):
    engine = LocalEngine(built_store, timeout=None)
    try:
        sel = select_statements(engine, as_of=AS_OF)
    finally:
        engine.close()
    assert ("Q30", "P463", "Q7817") in {(s.subject, s.property, s.value) for s in sel.statements}  # the WHO exit
    assert all(p != "P582" or re.search(r"/(9|10|11)$", t.qs()) for s in sel.statements for p, t in s.qualifiers)
    assert v1_errors(quickstatements.to_v1(sel)) == []
    assert all(csv_errors(t) == [] for t in quickstatements.to_csv_tables(sel))
    store = ox.Store()
    store.load(wikibase.to_graph(sel).serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    assert len(list(store.query(WDQS_QUERY))) == len(sel.statements)


@settings(max_examples=100, deadline=None)
@given(quote=st.text(min_size=1, max_size=300), title=st.text(min_size=1, max_size=80))
def test_any_quote_or_title_text_stays_one_valid_quickstatements_value(quote, title):
    from kg.export.statements import Reference, Selection, Statement, clean_text

    ref = Reference(document="d", quote=clean_text(quote), quote_lang="zh-hant", retrieved=Time("2026-01-10", 11),
                    title=clean_text(title), title_lang="en")
    sel = Selection([Statement("Q30", "P463", "Q7817", [("P582", Time("2026-01-22", 11))], [ref])], [], [], AS_OF)
    text = quickstatements.to_v1(sel)
    assert text.count("\n") == 1 and v1_errors(text) == []
    cols = text.rstrip("\n").split("\t")
    parsed = re.match(r'^([a-z_-]+):"(.*)"$', cols[cols.index("S1683") + 1].strip())  # the parser's monolingual rule
    assert parsed and parsed.group(2).strip() == ref.quote.strip()
    for table in quickstatements.to_csv_tables(sel):
        assert csv_errors(table) == []
