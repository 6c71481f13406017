"""`kg lexicon`: check, find, search and show, as a user runs them."""

import json

from click.testing import CliRunner

from kg.lexicon_cli import lexicon


def run(*args):
    return CliRunner().invoke(lexicon, list(args))


def test_check_prints_counts_per_class_and_succeeds():
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "State" in result.output and "with a verified QID" in result.output


def test_find_prints_each_match_with_offsets_and_ambiguity():
    result = run("find", "美國國務院暫停對世卫组织的資金")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "美國  →  USA" in lines[0] and "(or PRC_STATE_COUNCIL)" in lines[1] and "WHO" in lines[2]


def test_find_reads_a_file_and_can_emit_json(tmp_path, seed_path):
    result = run("find", str(seed_path), "--json")
    rows = [json.loads(line) for line in result.output.splitlines()]
    text = seed_path.read_text(encoding="utf-8")
    assert rows and all(text[r["start"]:r["end"]] == r["text"] for r in rows)
    bad = tmp_path / "big5.txt"
    bad.write_bytes("美國".encode("big5"))
    assert "not UTF-8" in str(run("find", str(bad)).exception)


def test_search_ranks_the_exact_name_first():
    first = run("search", "World Health Organisation").output.splitlines()[0]
    assert first.split()[:2] == ["100.0", "WHO"]


def test_show_prints_the_entry_and_an_unknown_id_is_not_found():
    entry = json.loads(run("show", "UNFCCC").output)
    assert entry["class"] == "Treaty" and entry["qid"] == "Q208645"
    assert run("show", "NOPE").exception.kind == "not_found"
