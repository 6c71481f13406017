"""The lexicon: its data is valid and sourced, and it finds the right names at the right offsets."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import ValidationError
from kg.lexicon import CLASSES, Lexicon, load_lexicon, normalize
from tests.fixtures.paths import DATA, REPO, SEED_GOLD

REFERENCE_TABLES = [DATA / "lexicon" / "reference-article-entities.csv",
                    DATA / "memorandum" / "memorandum-2026-01-07-66-bodies.csv"]


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def ids_found(lex: Lexicon, text: str) -> list[str]:
    return [m.entry_id for m in lex.find(text)]


def test_every_entry_has_an_upper_snake_id_a_known_class_and_labels(lex):
    assert len(lex) > 500
    for e in lex.entries.values():
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", e.id), e.id
        assert e.cls in CLASSES, (e.id, e.cls)
        assert any(e.labels.values()), e.id
        assert e.source, e.id


def test_every_qid_has_its_source_and_is_verified_in_a_committed_reference_table(lex):
    rows = []
    for table in REFERENCE_TABLES:
        with table.open(encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    with_qid = [e for e in lex.entries.values() if e.qid]
    assert len(with_qid) >= 40
    for e in with_qid:
        assert re.fullmatch(r"Q[1-9]\d*", e.qid), e.id
        assert e.qid_source, e.id
        # The QID is that row's QID, or the row's qid_status names it (e.g. a parent organisation's QID).
        assert any(r["qid_status"] == e.qid_source and (r["qid"] == e.qid or e.qid in r["qid_status"]) for r in rows), \
            f"{e.id}: {e.qid} / {e.qid_source!r} is not a row of the reference tables"


def test_no_two_entries_share_a_surface_form_unless_declared_ambiguous(lex):
    assert lex.collisions == {}


def test_the_generated_files_are_what_the_generator_makes():
    done = subprocess.run([sys.executable, "scripts/generate_lexicon.py", "--check"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_all_66_memorandum_bodies_are_present_with_group_and_exact_name(lex):
    with (DATA / "memorandum" / "memorandum-2026-01-07-66-bodies.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 66
    by_name = {e.memo_name_en: e for e in lex.entries.values() if e.memo_name_en}
    for row in rows:
        entry = by_name[row["name_en"]]
        assert entry.memo_group == row["group"]
        if row["name_zh"]:
            assert entry.labels["zh-Hant"] and entry.labels["zh-Hant"] in row["name_zh"]
    group = lex.get("MEMO_2026_66_BODIES")
    assert group.cls == "Group"
    assert sorted(group.members) == sorted(e.id for e in by_name.values())
    assert [m.entry_id for m in lex.find("美國將退出66個國際組織")] == ["USA", "MEMO_2026_66_BODIES"]
    assert ids_found(lex, "美国将退出66个国际组织") == ["USA", "MEMO_2026_66_BODIES"]


def test_the_memorandum_counts_31_un_and_35_non_un_bodies(lex):
    groups = [lex.get(i).memo_group for i in lex.get("MEMO_2026_66_BODIES").members]
    assert groups.count("UN") == 31 and groups.count("non-UN") == 35


def test_there_are_193_un_member_states_and_two_observer_states(lex):
    states = [e for e in lex.entries.values() if e.cls == "State"]
    assert sum(e.un_status == "member" for e in states) == 193
    assert sorted(e.id for e in states if e.un_status == "observer") == ["PSE", "VAT"]
    for e in states:
        assert e.labels["en"] and e.labels["zh-Hant"] and e.labels["zh-Hans"], e.id


@pytest.mark.parametrize("name, state", [
    ("美國", "USA"), ("美国", "USA"), ("US", "USA"), ("U.S.", "USA"), ("United States", "USA"), ("America", "USA"),
    ("英國", "GBR"), ("UK", "GBR"), ("俄羅斯", "RUS"), ("俄罗斯", "RUS"), ("Russia", "RUS"), ("南蘇丹", "SSD"),
    ("南苏丹", "SSD"), ("中國", "CHN"), ("以色列", "ISR"), ("巴勒斯坦", "PSE"), ("紐西蘭", "NZL"), ("新西兰", "NZL"),
    ("沙地阿拉伯", "SAU"), ("奈及利亞", "NGA"), ("尼日利亚", "NGA"), ("North Korea", "PRK"), ("北韓", "PRK"),
    ("Türkiye", "TUR"), ("蘇聯", "USSR"),
])
def test_common_short_names_of_states_are_matched(lex, name, state):
    assert ids_found(lex, f"據報導,{name} 表示") == [state]


def test_an_english_news_lead_is_read_name_by_name(lex):
    text = ("WASHINGTON (AP) — The U.S. will leave the United Nations Educational, Scientific and Cultural "
            "Organization, the State Department said; it paid US$ 75 million.")
    assert ids_found(lex, text) == ["WASHINGTON_DC", "AP", "USA", "UNESCO", "US_DOS"]


def test_a_name_shared_by_a_country_and_a_us_state_carries_both_readings(lex):
    (m,) = lex.find("Georgia lawmakers")
    assert (m.entry_id, m.alternatives) == ("GEO", ("GEORGIA_US",))
    assert ids_found(lex, "喬治亞州") == ["GEORGIA_US"]


@pytest.mark.parametrize("text", ["American officials", "Chinese diplomats", "British troops", "Russian gas"])
def test_adjectives_are_not_state_names(lex, text):
    assert ids_found(lex, text) == []


def test_normalize_keeps_the_length_of_the_seed_and_maps_traditional_to_simplified(seed_text):
    norm = normalize(seed_text)
    assert len(norm) == len(seed_text)
    assert "美国将退出66个国际组织" in norm
    assert normalize("ＵＮＥＳＣＯ（聯合國）") == "UNESCO(联合国)"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_never_changes_the_length_and_match_text_is_the_original_slice(text):
    assert len(normalize(text)) == len(text)
    for m in load_lexicon().find(text):
        assert text[m.start:m.end] == m.text


def test_the_seed_article_names_are_found(lex, seed_text):
    found = {(m.text, m.entry_id) for m in lex.find(seed_text)}
    for pair in [("美國", "USA"), ("特朗普", "TRUMP"), ("盧比奧", "RUBIO"), ("世界衛生組織", "WHO"), ("WHO", "WHO"),
                 ("UNESCO", "UNESCO"), ("巴黎協定", "PARIS_AGREEMENT"), ("巴黎氣候協定", "PARIS_AGREEMENT"),
                 ("聯合國氣候變化綱要公約", "UNFCCC"), ("聯合國氣候變遷框架公約", "UNFCCC"), ("USAID", "USAID"),
                 ("國際開發署", "USAID"), ("美國之音", "VOA"), ("自由亞洲電台", "RFA"), ("聯合國人權理事會", "UNHRC"),
                 ("聯合國安全理事會", "UNSC"), ("國際再生能源署", "IRENA"), ("亞洲區域打擊海盜與武裝劫船合作協定", "RECAAP"),
                 ("特朗普政府", "TRUMP_ADMIN"), ("第14199號行政命令", "EO14199"), ("COP30", "COP30"),
                 ("阿爾巴內斯", "ALBANESE"), ("拜登", "BIDEN"), ("白宮", "WHITE_HOUSE"), ("國務院", "US_DOS")]:
        assert pair in found, pair


def test_every_entity_of_the_seed_gold_has_an_entry(lex):
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    assert [i for i in gold["entities"] if i not in lex.entries] == []


def test_developing_countries_contain_no_china(lex):
    assert ids_found(lex, "為開發中國家的氣候行動提供資金") == []
    assert ids_found(lex, "为发展中国家提供资金") == []
    assert ids_found(lex, "與中國競爭") == ["CHN"]


def test_voice_of_america_is_one_match_not_a_state(lex):
    assert ids_found(lex, "美國之音(VOA)被迫關閉") == ["VOA", "VOA"]


def test_acronyms_are_case_sensitive_and_need_word_boundaries(lex):
    text = "Who knows who is in charge? The WHO said it would tell us. UNESCO, not UNESCOs; WHOever."
    assert ids_found(lex, text) == ["WHO", "UNESCO"]
    assert ids_found(lex, "lowercase turkey and china are not states; Turkey is") == ["TUR"]


def test_simplified_text_matches_the_same_ids_as_traditional(lex):
    assert ids_found(lex, "世界卫生组织、联合国和特朗普") == ["WHO", "UN", "TRUMP"]
    assert ids_found(lex, "世界衛生組織、聯合國和特朗普") == ["WHO", "UN", "TRUMP"]
    assert ids_found(lex, "川普政府與盧比歐") == ["TRUMP_ADMIN", "RUBIO"]
    assert ids_found(lex, "鲁比奥说") == ["RUBIO"]


def test_full_width_text_matches_and_offsets_point_into_the_original(lex):
    text = "美國退出ＷＨＯ。"
    (usa, who) = lex.find(text)
    assert (who.entry_id, who.start, who.end, who.text) == ("WHO", 4, 7, "ＷＨＯ")


def test_the_state_department_alias_is_ambiguous_with_the_prc_state_council(lex):
    (m,) = lex.find("國務院當天公告")
    assert m.entry_id == "US_DOS" and m.alternatives == ("PRC_STATE_COUNCIL",)
    assert "PRC_STATE_COUNCIL" in lex.get("US_DOS").ambiguous_with


def test_unhcr_is_the_refugee_agency_and_unhrc_the_human_rights_council(lex):
    assert ids_found(lex, "UNHCR") == ["UNHCR"] and ids_found(lex, "UNHRC") == ["UNHRC"]
    assert lex.get("UNHCR").qid == "Q28606331" and lex.get("UNHRC").qid == "Q205650"


def test_persons_have_a_gender_for_pronoun_resolution(lex):
    persons = [e for e in lex.entries.values() if e.cls == "Person"]
    assert all(e.gender in ("female", "male") for e in persons)
    assert lex.get("ALBANESE").gender == "female"


@pytest.mark.parametrize("name", ["世卫组织", "World Health Organization", "世界衛生組織", "WHO"])
def test_candidates_rank_who_first(lex, name):
    (best, score), *_ = lex.candidates(name)
    assert best.id == "WHO" and score == 100


def test_candidates_score_partial_names_below_exact_ones(lex):
    ranked = lex.candidates("Paris")
    assert ranked[0][0].id == "PARIS" and ranked[0][1] == 100
    assert any(e.id == "PARIS_AGREEMENT" and 0 < s < 100 for e, s in ranked)
    assert lex.candidates("") == []


def test_by_qid_finds_the_entry(lex):
    assert lex.by_qid("Q7817").id == "WHO"
    assert lex.by_qid("Q1") is None


def test_a_broken_lexicon_is_a_validation_error_naming_the_problem(tmp_path):
    (tmp_path / "entities").mkdir()
    (tmp_path / "entities" / "bad.yaml").write_text(
        "entries:\n- {id: who, class: Agency, en: x}\n- {id: OK, class: Person, en: y, qid: Q12}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_lexicon(tmp_path)
    problems = " ".join(err.value.detail["problems"])
    assert "upper snake case" in problems and "qid_source" in problems


def test_a_second_process_loads_the_lexicon_from_the_disk_cache(tmp_path):
    env = {**os.environ, "IPAKG_CACHE_DIR": str(tmp_path)}
    code = "from kg.lexicon import load_lexicon; print(len(load_lexicon()))"
    first = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    cached = list(tmp_path.glob("lexicon-*.pickle"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    second = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert second.stdout == first.stdout
    assert cached[0].stat().st_mtime_ns == stamp  # read, not rebuilt


@pytest.mark.parametrize("text, ids", [
    ("萨赫勒三国宣布退出", ["SAHEL"]),
    ("该法律已获得国家杜马和联邦委员会通过", ["RU_STATE_DUMA", "RU_FEDERATION_COUNCIL"]),
    ("普京在瓦尔代国际辩论俱乐部年会上表示", ["PUTIN", "VALDAI_CLUB"]),
    ("該組織部長委員會決定將其除名", ["COE_COMMITTEE_OF_MINISTERS"]),
    ("BUENOS AIRES (AP) — Argentina will leave", ["BUENOS_AIRES", "AP", "ARG"]),
    ("the court in The Hague and Budapest", ["THE_HAGUE", "BUDAPEST"]),
    ("arrest warrants for Yoav Gallant", ["GALLANT"]),
    ("联合国特别报告员阿尔巴内塞", ["UN", "ALBANESE"]),
])
def test_names_of_the_first_held_out_batch_are_in_the_lexicon(lex, text, ids):
    assert ids_found(lex, text) == ids
