"""kg eval: the scorer's rules on hand-made cases, and the command's exit codes."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from kg.evaluate import Scorer, evaluate, load_gold
from kg.extract import extract_path
from tests.fixtures.paths import REPO, SEED, SEED_GOLD


@pytest.fixture(scope="module")
def gold():
    return load_gold(SEED_GOLD)


@pytest.fixture(scope="module")
def pred():
    return extract_path(SEED)


def run_kg(*args):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=REPO, capture_output=True, text=True)


def score(gold, pred, idmap=None):
    return Scorer(gold, pred, idmap if idmap is not None else {"GROUP_66_INTL_ORGS": ["MEMO_2026_66_BODIES"]}).report()


def test_an_empty_prediction_has_zero_recall_everywhere(gold):
    r = score(gold, {"entities": [], "facts": []})
    assert all(v["recall"] == 0 for v in r.values())


def test_dropping_a_core_fact_costs_exactly_one_false_negative(gold, pred):
    p = copy.deepcopy(pred)
    p["facts"] = [f for f in p["facts"] if f["type"] != "Veto"]
    r = score(gold, p)
    assert r["facts_core_L1"]["fn"] == score(gold, pred)["facts_core_L1"]["fn"] + 1


def test_a_wrong_date_is_wrong_at_L3_only(gold, pred):
    p = copy.deepcopy(pred)
    for f in p["facts"]:
        if f["type"] == "Rejection":
            f["date"] = "1999"
    r, base = score(gold, p), score(gold, pred)
    assert r["facts_core_L1"] == base["facts_core_L1"] and r["facts_core_L2"] == base["facts_core_L2"]
    assert r["facts_core_L3"]["tp"] == base["facts_core_L3"]["tp"] - 1


def test_a_wrong_actor_is_wrong_at_L2_and_L3(gold, pred):
    p = copy.deepcopy(pred)
    for f in p["facts"]:
        if f["type"] == "Veto":
            f["actor"] = "CHN"
    r, base = score(gold, p), score(gold, pred)
    assert r["facts_core_L1"]["tp"] == base["facts_core_L1"]["tp"]
    assert r["facts_core_L2"]["tp"] == base["facts_core_L2"]["tp"] - 1


def test_an_invented_fact_is_a_false_positive_but_one_matching_an_optional_fact_is_ignored(gold, pred):
    p = copy.deepcopy(pred)
    base = score(gold, pred)["facts_core_L1"]["fp"]
    p["facts"].append({"id": "X1", "type": "Sanction", "actor": "USA", "targets": ["CHN"], "date": None,
                       "modality": "effective", "evidence": [], "confidence": 0.5})
    assert score(gold, p)["facts_core_L1"]["fp"] == base + 1
    p["facts"][-1].update(type="Withdrawal", targets=["WHO"], actor="TRUMP")  # optional F17 accepts WHO
    assert score(gold, p)["facts_core_L1"]["fp"] == base


def test_statements_and_negated_facts_are_not_scored(gold, pred):
    p = copy.deepcopy(pred)
    p["facts"].append({"id": "X2", "type": "Withdrawal", "actor": "USA", "targets": ["ILO"], "date": None,
                       "modality": "negated", "evidence": [], "confidence": 0.5})
    assert score(gold, p)["facts_all_L1"] == score(gold, pred)["facts_all_L1"]


def test_group_targets_match_by_their_key_strings_without_an_id_map(gold, pred):
    r = score(gold, pred, idmap={})
    assert r["facts_core_L1"]["f1"] == score(gold, pred)["facts_core_L1"]["f1"]


def test_mentions_in_photo_credits_and_boilerplate_are_not_scored(gold, pred):
    p = copy.deepcopy(pred)
    p["entities"].append({"id": "LOCAL_X", "class": "Organization", "label": {}, "wikidata": None,
                          "mentions": [{"start": 3108, "end": 3111, "text": "端傳媒"}]})
    assert score(gold, p)["mentions_strict"] == score(gold, pred)["mentions_strict"]


def test_a_wrong_class_fails_strict_but_passes_lenient_within_the_coarse_type(gold, pred):
    p = copy.deepcopy(pred)
    for e in p["entities"]:
        if e["id"] == "WHO":
            e["class"] = "NonGovernmentalOrganization"  # still an organisation class: strict accepts
        if e["id"] == "USAID":
            e["class"] = "Organization"  # gold GovernmentAgency with accept_types Organisation: accepted
        if e["id"] == "WHITE_HOUSE":
            e["class"] = "Organization"  # no: the White House is a GovernmentAgency only
    r, base = score(gold, p), score(gold, pred)
    assert r["mentions_strict"]["tp"] == base["mentions_strict"]["tp"] - 1
    assert r["mentions_lenient"]["tp"] == base["mentions_lenient"]["tp"]


def test_eval_exits_0_above_and_1_below_min_f1(tmp_path, pred):
    saved = tmp_path / "pred.json"
    saved.write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    ok = run_kg("eval", SEED_GOLD, "--pred", saved, "--min-f1", "0.9")
    assert ok.returncode == 0, ok.stderr
    assert "facts_core_L3" in ok.stdout
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"entities": [], "facts": []}), encoding="utf-8")
    low = run_kg("eval", SEED_GOLD, "--pred", empty, "--min-f1", "0.5")
    assert low.returncode == 1 and "below --min-f1 0.5" in low.stderr


def test_eval_extracts_the_article_the_gold_names_and_prints_json(tmp_path):
    r = run_kg("eval", SEED_GOLD, "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["entities"]["f1"] >= 0.95 and set(report) >= {"mentions_strict", "facts_all_L3"}


def test_eval_refuses_bad_files_with_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert run_kg("eval", bad).returncode == 2
    r = run_kg("eval", SEED_GOLD, "--pred", bad)
    assert r.returncode == 2 and "bad.json" in r.stderr
    assert run_kg("eval", tmp_path / "missing.json").returncode == 2


def test_evaluate_reads_the_id_map_next_to_the_gold(pred):
    r = evaluate(SEED_GOLD, pred)
    assert r["facts_all_L3"]["f1"] >= 0.9
