"""The build at scale: worker processes, per-document checks and reasoning by node signature change nothing.

* the same sources give the same quads on one process and on two (only the build run's timestamps differ);
* the inferred graph is exactly what HermiT infers from the whole ABox at once (the pre-scale method);
* a document that fails its own checks in a worker fails the build with the same message, or is left out
  with ``--keep-going``;
* an extractor crash under ``--keep-going`` skips that source and says it is a bug;
* ``kill -9`` of a parallel build takes its workers with it and frees the build lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode
from rdflib import Graph

from bench.synthetic import write as write_synthetic
from kg.build import build, build_sources, read_sources
from kg.errors import ValidationError
from kg.namespaces import GRAPH_INFERRED, GRAPH_LINKS, GRAPH_META, GRAPH_ONTOLOGY
from kg.ontology import ontology_graph
from kg.reasoning import reason
from kg.store import StoreRoot
from tests.fixtures.corpus import SMALL_TEXT, make_source, small_extraction
from tests.fixtures.paths import REPO

N_ARTICLES = 24  # more than one SHACL chunk (16) per process
KG = Path(sys.executable).with_name("kg")


def quads(root: StoreRoot) -> list[str]:
    """Every quad but the build run's (its timestamps differ), as N-Quads text, sorted."""
    meta = NamedNode(str(GRAPH_META))
    return sorted(str(q) for q in root.open_current() if q.graph_name != meta)


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    write_synthetic(out, N_ARTICLES, seed=7)
    return out / "articles"


@pytest.fixture(scope="module")
def two_builds(articles, tmp_path_factory):
    roots = []
    for jobs in (1, 2):
        root = StoreRoot(tmp_path_factory.mktemp(f"jobs{jobs}") / "store")
        build([articles], root, jobs=jobs, keep_going=True)
        roots.append(root)
    return roots


def test_the_same_sources_give_the_same_quads_on_one_process_and_on_two(two_builds):
    one, two = (quads(r) for r in two_builds)
    assert len(one) > 10_000
    # the ontology graph holds blank nodes (class expressions), labelled afresh by every parse
    assert [q for q in one if "_:" not in q] == [q for q in two if "_:" not in q]
    assert len(one) == len(two)


def _data_and_inferred(root: StoreRoot) -> tuple[Graph, set]:
    """The data graphs of a store (documents, entities, meta) as one rdflib graph, and its inferred triples."""
    store, nt = root.open_current(), pyoxigraph.RdfFormat.N_TRIPLES
    data, inferred = Graph(), Graph()
    for name in store.named_graphs():
        if name.value == str(GRAPH_INFERRED):
            inferred.parse(data=store.dump(format=nt, from_graph=name), format="nt")
        elif name.value not in (str(GRAPH_ONTOLOGY), str(GRAPH_LINKS)):
            data.parse(data=store.dump(format=nt, from_graph=name), format="nt")
    return data, set(inferred)


@pytest.mark.parametrize("which", ["corpus", "synthetic"])
def test_the_inferred_graph_is_what_hermit_infers_from_the_whole_abox(which, built_store, two_builds):
    root = built_store if which == "corpus" else two_builds[1]
    data, inferred = _data_and_inferred(root)
    whole = reason(ontology_graph(), data)
    assert whole.consistent
    assert inferred and inferred == set(whole.inferred)


def test_a_document_failing_its_shacl_check_in_a_worker_fails_the_build_or_is_left_out(tmp_path):
    good = [make_source(tmp_path, name=f"small-{i}.txt", text=f"({i}) " + SMALL_TEXT) for i in range(3)]
    ex = small_extraction(SMALL_TEXT, str(tmp_path / "bad.txt"))
    ex["facts"][0]["confidence"] = 7  # outside 0..1: ipash:Confidence
    bad = make_source(tmp_path, name="bad.txt", extraction=ex)
    root = StoreRoot(tmp_path / "store")
    with pytest.raises(ValidationError, match="SHACL validation failed") as err:
        build_sources([*good, bad], root, jobs=2)
    assert "bad.txt" in err.value.message and "--keep-going" in err.value.message
    assert root.current_id() is None and not list((root.path / "generations").glob("*.partial"))
    report = build_sources([*good, bad], root, jobs=2, keep_going=True)
    assert len(report.documents) == 3 and len(report.skipped) == 1 and "bad.txt" in report.skipped[0]


def test_an_extractor_crash_is_skipped_with_keep_going_and_called_a_bug(tmp_path, monkeypatch):
    import kg.extract

    paths = []
    for i in range(2):
        p = tmp_path / f"a{i}.txt"
        p.write_text(f"({i}) On 7 January 2026 the United States announced it would leave the World Health "
                     f"Organization.\n", encoding="utf-8")
        paths.append(p)
    real = kg.extract.extract_document

    def crash_on_a1(document, lexicon=None):
        if "(1)" in document.text:
            raise KeyError(None)
        return real(document, lexicon)

    monkeypatch.setattr(kg.extract, "extract_document", crash_on_a1)
    sources, failures = read_sources(paths, keep_going=True, jobs=2)
    assert [s.path.name for s in sources] == ["a0.txt"]
    assert len(failures) == 1 and "a1.txt" in failures[0].message and "bug" in failures[0].message
    with pytest.raises(KeyError):
        read_sources(paths, jobs=2)


def test_a_parallel_build_killed_mid_way_leaves_no_worker_and_no_lock_behind(articles, tmp_path):
    root = StoreRoot(tmp_path / "store")
    proc = subprocess.Popen([str(KG), "--store", str(root.path), "build", "--jobs", "2", str(articles)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
    try:
        for line in proc.stderr:
            if "building graphs" in line:
                break
        workers = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        proc.stderr.close()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() and _state(w) != "Z" for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if Path(f"/proc/{w}").exists() and _state(w) != "Z"], "orphan build workers"
    assert root.current_id() is None
    with root.build_lock():  # free again: the lock died with the build and its workers
        pass


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "Z"
