"""bench/synthetic.py: deterministic synthetic articles in three languages whose gold offsets point at the text."""

import collections
import json

import pytest
import yaml

from bench import synthetic

N = 45  # small, yet every language, every action type and the hard cases appear


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    paths = synthetic.write(out, N, seed=7)
    golds = [json.loads((out / "gold" / (p.name.removesuffix(".txt") + ".gold.json")).read_text(encoding="utf-8"))
             for p in paths]
    return out, paths, golds


def test_generation_is_deterministic_for_a_seed_and_differs_between_seeds():
    assert synthetic.generate_one(3, 17) == synthetic.generate_one(3, 17)
    assert synthetic.generate_one(3, 17)[0] != synthetic.generate_one(4, 17)[0]


def test_the_same_seed_writes_byte_identical_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    synthetic.write(a, 6, seed=5)
    synthetic.write(b, 6, seed=5)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)


def test_all_three_languages_are_produced_with_sidecars(corpus):
    out, paths, golds = corpus
    assert len(paths) == N
    assert collections.Counter(g["doc_lang"] for g in golds) == {"zh-Hant": N // 3, "zh-Hans": N // 3, "en": N // 3}
    for p, g in zip(paths, golds):
        meta = yaml.safe_load((p.parent / (p.name + ".meta.yaml")).read_text(encoding="utf-8"))
        assert meta["language"] == g["doc_lang"] and meta["published"].isoformat() == g["doc_date"]
        assert meta["title"] == p.read_text(encoding="utf-8").split("\n", 1)[0]


def test_every_offset_in_the_gold_matches_the_text(corpus):
    _, paths, golds = corpus
    for p, g in zip(paths, golds):
        text = p.read_text(encoding="utf-8")
        for kind in ("sentences", "mentions", "times"):
            for x in g[kind]:
                assert text[x["start"]:x["end"]] == x["text"], (p.name, kind, x)
        for m in g["mentions"]:
            assert m["entity"] in g["entities"]
            s = g["sentences"][m["sent"]]
            assert s["start"] <= m["start"] and m["end"] <= s["end"]
            for a, b in m["alt_spans"]:
                assert text[a:b].endswith(m["text"])
        for f in g["facts"]:
            assert {f["actor"], *f["actor_accept"], f["target"].get("entity")} - {None} <= set(g["entities"])
            for e in f["evidence"]:
                assert g["sentences"][e["sent"]]["text"] == e["text"] and e["trigger"] in e["text"], f


def test_every_name_from_the_table_in_the_text_is_a_gold_mention(corpus):
    """No template literal leaks an unannotated name (and 'UN' is not found inside 'UNESCO')."""
    _, paths, golds = corpus
    forms = {}
    for n in synthetic.NAMES.values():
        for s in (n.en, n.acr, n.surname, n.zh_hant, n.zh_hans, n.short_hant, n.short_hans):
            if s:
                forms.setdefault(s, n.id)
    for p, g in zip(paths, golds):
        text = p.read_text(encoding="utf-8")
        covered = {(m["start"], m["end"]) for m in g["mentions"]}
        spans = [(m["start"], m["end"]) for m in g["mentions"]]
        for surface in forms:
            for start in synthetic._find_name(text, surface):
                end = start + len(surface)
                assert (start, end) in covered or any(a <= start and end <= b for a, b in spans), (p.name, surface)


def test_the_corpus_holds_the_hard_cases(corpus):
    _, _, golds = corpus
    facts = [f for g in golds for f in g["facts"]]
    types = {f["type"] for f in facts}
    assert {"Withdrawal", "FundingSuspension", "Sanction", "Veto", "Closure", "Threat", "Revocation"} <= types
    assert any(f.get("negated") and not f["core"] for f in facts)
    shared = collections.Counter((g["doc"], f["evidence"][-1]["sent"]) for g in golds for f in g["facts"])
    assert max(shared.values()) >= 2, "a coordinated list gives several facts from one sentence"
    pronouns = ("她", "他", " he ", " she ", " her ", " him ", "He ", "She ")
    assert any(any(p in f["evidence"][-1]["text"] for p in pronouns) for f in facts)
    assert any(m.get("note") == "dateline" for g in golds for m in g["mentions"])
    assert any(m["optional"] and m.get("nested_in") for g in golds for m in g["mentions"])


def test_the_command_line_writes_n_articles(tmp_path, capsys):
    assert synthetic.main(["--n", "9", "--out", str(tmp_path), "--seed", "2"]) == 0
    assert len(list((tmp_path / "articles").glob("*.txt"))) == 9
    assert len(list((tmp_path / "gold").glob("*.gold.json"))) == 9
    assert "wrote 9 articles" in capsys.readouterr().out
