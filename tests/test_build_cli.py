"""`kg build`, `kg rollback` and `kg stats` on the command line."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from kg.cli import main
from kg.store import StoreRoot
from tests.fixtures.paths import DATA

MEMO = DATA / "memorandum" / "memorandum-2026-01-07-66-bodies.csv"


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def memo_copy(tmp_path):
    shutil.copy(MEMO, tmp_path)
    shutil.copy(MEMO.with_name(MEMO.name + ".meta.yaml"), tmp_path)
    return tmp_path / MEMO.name


def test_a_broken_source_is_refused_in_one_line_naming_it_and_the_store_is_not_created(tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\xff\xfe\xfa not utf-8")
    store = tmp_path / "store"
    result = kg("--store", store, "build", memo_copy(tmp_path), bad)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("kg: error: ") and "broken.txt" in line and "--keep-going" in line
    assert not store.exists()


def test_keep_going_builds_the_readable_sources_and_reports_the_skipped_one(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    store = tmp_path / "store"
    result = kg("--store", store, "build", "--keep-going", "--json", memo_copy(tmp_path), bad)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["documents"]) == 1 and report["facts"]["Withdrawal"] == 67
    assert any("empty.txt" in s for s in report["skipped"])
    assert report["violations"] == 0 and report["triples"]["https://w3id.org/ipakg/id/graph/ontology"] > 0
    assert StoreRoot(store).current_id() == report["generation"]


def test_rollback_and_stats_on_the_command_line(tmp_path):
    store = tmp_path / "store"
    memo = memo_copy(tmp_path)
    assert kg("--store", store, "build", "-q", memo).exit_code == 0
    first = StoreRoot(store).current_id()
    assert kg("--store", store, "build", "-q", memo).exit_code == 0
    result = kg("--store", store, "rollback")
    assert result.exit_code == 0 and first in result.stdout
    assert StoreRoot(store).current_id() == first
    stats = json.loads(kg("--store", store, "stats", "--json").stdout)
    facts = {r["type"]: r["facts"] for r in stats["facts"]}
    assert facts["Withdrawal"] == 67
    assert stats["graphs"]["https://w3id.org/ipakg/id/graph/entities"] > 0
    text = kg("--store", store, "stats").stdout
    assert "triples per graph" in text and "Wikidata links" in text


def test_kg_build_without_a_store_to_roll_back_to_is_a_one_line_error(tmp_path):
    result = kg("--store", tmp_path / "none", "rollback")
    assert result.exit_code == 2 and result.stderr.startswith("kg: error: ")
