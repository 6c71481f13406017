"""Each action type in English and simplified Chinese: short articles written for these tests."""

from __future__ import annotations

import pytest

from kg.extract import extract_text

PUBLISHED = "2026-01-08"  # a Thursday


def facts_of(text, lang):
    doc = extract_text(text, lang=lang, published=PUBLISHED)
    return doc, [(f["type"], f["actor"], tuple(f["targets"]), f["date"], f["modality"]) for f in doc["facts"]
                 if f["type"] != "Statement"]


def has(facts, type_, actor=None, target=None, date=None, modality=None):
    for t, a, tg, d, m in facts:
        if t != type_ or (actor and a != actor) or (target and target not in tg) or (date and d != date) or \
                (modality and m != modality):
            continue
        return True
    return False


EN_CASES = [
    ("The United States will withdraw from the World Health Organization, the White House said on Tuesday.",
     ("Withdrawal", "USA", "WHO", "2026-01-06", "planned")),
    ("On January 20, 2025, President Donald Trump signed Executive Order 14155, pulling the United States out of "
     "the World Health Organization.", ("DirectiveIssuance", "TRUMP", None, "2025-01-20", None)),
    ("The administration of Donald Trump suspended funding to UNRWA and the World Health Organization in 2025.",
     ("FundingSuspension", None, "UNRWA", "2025", None)),
    ("The Treasury Department imposed sanctions on Francesca Albanese last July.",
     ("Sanction", "US_TREASURY", "ALBANESE", None, None)),
    ("Donald Trump threatened to withdraw from NATO, according to officials.",
     ("Threat", "TRUMP", "NATO", None, "threatened")),
    ("The United States vetoed a UN Security Council resolution on Gaza on Wednesday.",
     ("Veto", "USA", "UNSC", "2026-01-07", None)),
    ("The United States boycotted the G20 summit in Johannesburg in November 2025.",
     ("Rejection", "USA", "G20", "2025-11", None)),
    ("Marco Rubio condemned UNESCO for its anti-Israel bias.", ("Criticism", "RUBIO", "UNESCO", None, None)),
    ("The Trump administration shut down USAID in February 2025.",
     ("AgencyClosure", "TRUMP_ADMIN", "USAID", "2025-02", None)),
    ("Joe Biden rejoined the Paris Agreement on January 20, 2021.",
     ("Reversal", "BIDEN", "PARIS_AGREEMENT", "2021-01-20", None)),
    ("The State Department announced on Monday that the United States would leave UNESCO.",
     ("Announcement", "US_DOS", "UNESCO", "2026-01-05", None)),
    ("The State Department ordered a review of UNESCO in February 2025.",
     ("Review", "US_DOS", "UNESCO", "2025-02", None)),
]

ZH_HANS_CASES = [
    ("美国白宫1月7日宣布，美国将退出世界卫生组织。", ("Withdrawal", "USA", "WHO", "2026-01-07", "planned")),
    ("美国白宫1月7日宣布，美国将退出世界卫生组织。", ("Announcement", "WHITE_HOUSE", "WHO", "2026-01-07", None)),
    ("特朗普于2025年1月20日签署第14155号行政命令。", ("DirectiveIssuance", "TRUMP", None, "2025-01-20", None)),
    ("特朗普政府去年暂停了对联合国近东巴勒斯坦难民救济和工程处的资金支持。",
     ("FundingSuspension", "TRUMP_ADMIN", "UNRWA", "2025", None)),
    ("美国财政部上周三宣布对联合国特别报告员阿尔巴内斯实施制裁。", ("Sanction", "US_TREASURY", "ALBANESE", None, None)),
    ("特朗普2025年10月曾威胁，将退出北约。", ("Threat", "TRUMP", "NATO", "2025-10", "threatened")),
    ("美国在安理会否决了一项要求加沙停火的决议草案。", ("Veto", "USA", "UNSC", None, None)),
    ("2025年11月，美国抵制了在南非举行的二十国集团峰会。", ("Rejection", "USA", "G20", "2025-11", None)),
    ("美国国务卿鲁比奥谴责联合国教科文组织。", ("Criticism", "RUBIO", "UNESCO", None, None)),
    ("特朗普政府于2025年2月关闭了美国国际开发署。", ("AgencyClosure", "TRUMP_ADMIN", "USAID", "2025-02", None)),
    ("拜登政府于2021年1月20日重新加入《巴黎协定》。", ("Reversal", "BIDEN_ADMIN", "PARIS_AGREEMENT", "2021-01-20", None)),
    ("美国国务院宣布，美国将对联合国教科文组织进行审查。", ("Announcement", "US_DOS", "UNESCO", None, None)),
    ("美国国务院宣布，美国将对联合国教科文组织进行审查。", ("Review", "USA", "UNESCO", None, None)),
]


@pytest.mark.parametrize("text, expected", EN_CASES, ids=[c[1][0] for c in EN_CASES])
def test_english_action_types(text, expected):
    doc, facts = facts_of(text, "en")
    assert has(facts, *expected), facts


@pytest.mark.parametrize("text, expected", ZH_HANS_CASES, ids=[c[1][0] for c in ZH_HANS_CASES])
def test_simplified_chinese_action_types(text, expected):
    doc, facts = facts_of(text, "zh-Hans")
    assert has(facts, *expected), facts


def test_english_negation_is_kept_as_negated_and_the_speaker_is_not_the_actor():
    doc, facts = facts_of("Rubio said the United States would not withdraw from NATO.", "en")
    assert has(facts, "Withdrawal", "USA", "NATO", modality="negated")
    assert not has(facts, "Withdrawal", "RUBIO")


def test_english_coordinated_targets_and_acronyms_in_parentheses():
    doc, facts = facts_of("The administration cut funding to the UN Relief and Works Agency (UNRWA), UNESCO and "
                          "the World Health Organization.", "en")
    targets = [tg for t, a, tg, d, m in facts if t == "FundingSuspension"][0]
    assert set(targets) == {"UNRWA", "UNESCO", "WHO"}


def test_english_she_resolves_by_gender():
    doc, facts = facts_of("Francesca Albanese published a report on Gaza. Donald Trump attacked the report, and "
                          "the State Department then sanctioned her.", "en")
    assert has(facts, "Sanction", target="ALBANESE")


def test_english_figurative_threat_and_posing_a_threat_are_not_threats():
    doc, facts = facts_of("Officials said the group's actions threaten peace. The WHO poses a threat, Rubio said.",
                          "en")
    assert not any(t == "Threat" for t, *_ in facts)


def test_a_simplified_chinese_article_is_detected_as_zh_hans_and_a_traditional_one_as_zh_hant():
    assert extract_text("美国将退出联合国教科文组织。")["document"]["language"] == "zh-Hans"
    assert extract_text("美國將退出聯合國教科文組織。")["document"]["language"] == "zh-Hant"
    assert extract_text("The US will quit UNESCO.")["document"]["language"] == "en"


def test_an_unknown_body_with_its_acronym_becomes_a_local_entity_found_again_by_acronym():
    doc = extract_text("美国宣布退出全球海洋治理论坛(GOGF)。GOGF成立于2010年。", lang="zh-Hans", published=PUBLISHED)
    ent = next(e for e in doc["entities"] if e["label"]["zh-Hans"] == "全球海洋治理论坛")
    assert ent["id"].startswith("LOCAL_") and [m["text"] for m in ent["mentions"]] == ["全球海洋治理论坛", "GOGF", "GOGF"]
    assert any(f["type"] == "Withdrawal" and f["targets"] == [ent["id"]] for f in doc["facts"])
    again = extract_text("全球海洋治理论坛发布报告。", lang="zh-Hans")
    assert ent["id"] in {e["id"] for e in again["entities"]}


def test_an_act_named_again_keeps_its_actor_and_gets_its_effective_date():
    doc, facts = facts_of("On 7 January 2026 the United States announced that it would withdraw from the World "
                          "Health Organization.\nThe withdrawal from the WHO takes effect on 22 January 2026.\n", "en")
    assert has(facts, "Withdrawal", "USA", "WHO", "2026-01-07")
    assert has(facts, "Withdrawal", "USA", "WHO", "2026-01-22")
    assert not any(t == "Announcement" for t, *_ in facts)  # "X announced that it would…" is one act


def test_coordinated_subjects_give_one_fact_each_and_the_three_countries_resolve():
    text = ("布基纳法索、马里及尼日尔22日宣布退出国际刑事法院。去年1月，三国已宣布退出西非国家经济共同体。")
    doc, facts = facts_of(text, "zh-Hans")
    for state in ("BFA", "MLI", "NER"):
        assert has(facts, "Withdrawal", state, "ICC", "2025-12-22"), facts  # 22日 before the 8th: last month
        assert has(facts, "Withdrawal", state, "ECOWAS", "2025-01"), facts


def test_a_demonstrative_object_resolves_among_the_kinds_the_action_allows():
    text = ("美国国务院周二宣布，美国将退出联合国教科文组织。国务院发言人表示，继续参与该组织不符合美国利益。"
            "特朗普在第一任期内曾让美国退出该组织。")
    doc, facts = facts_of(text, "zh-Hans")
    assert has(facts, "Withdrawal", "TRUMP", "UNESCO", modality="historical")


def test_english_pulled_out_of_and_a_threat_whose_object_is_a_named_group():
    text = ("President Donald Trump had previously pulled the United States out of UNESCO during his first term. "
            "Former President Joe Biden rejoined the organization in 2023. Trump also threatened to impose tariffs on "
            "countries that join the BRICS group.")
    doc, facts = facts_of(text, "en")
    assert has(facts, "Withdrawal", "TRUMP", "UNESCO", modality="historical")
    assert has(facts, "Reversal", "BIDEN", "UNESCO", "2023")
    assert has(facts, "Threat", "TRUMP", "BRICS")
