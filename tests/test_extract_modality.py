"""Expected future effects are planned, and photo captions are weaker evidence than the article's body."""

from __future__ import annotations

import pytest

from kg.extract import extract_text
from kg.extract.segment import sentences

PUBLISHED = "2026-01-08"


def withdrawals(text, lang, target):
    doc = extract_text(text, lang=lang, published=PUBLISHED)
    return [f for f in doc["facts"] if f["type"] == "Withdrawal" and target in f["targets"]]


@pytest.mark.parametrize("text, lang", [
    ("美國退出世界衛生組織預計將於2026年1月22日正式生效。", "zh-Hant"),
    ("美国退出世界卫生组织将于2026年1月22日生效。", "zh-Hans"),
    ("The U.S. withdrawal from the World Health Organization is expected to take effect on January 22, 2026.", "en"),
    ("The U.S. withdrawal from the World Health Organization will take effect on January 22, 2026.", "en"),
])
def test_a_withdrawal_expected_to_take_effect_is_planned_with_its_effective_date(text, lang):
    [f] = withdrawals(text, lang, "WHO")
    assert (f["modality"], f["date"], f["date_role"]) == ("planned", "2026-01-22", "effective")


def test_a_withdrawal_that_takes_effect_after_publication_is_planned_even_without_a_hedge():
    [f] = withdrawals("美國退出世界衛生組織於2026年1月22日正式生效。", "zh-Hant", "WHO")
    assert (f["modality"], f["date"]) == ("planned", "2026-01-22")


def test_a_withdrawal_that_took_effect_before_publication_is_effective():
    [f] = withdrawals("美國退出世界衛生組織於2025年1月22日正式生效。", "zh-Hant", "WHO")
    assert (f["modality"], f["date"]) == ("effective", "2025-01-22")


CAPTIONED = ("2025年1月21日,德國柏林,示威者抗議美國退出《巴黎協定》。攝:Sean Gallup/Getty Images\n\n"
             "特朗普2025年1月20日上任當天宣布美國退出《巴黎協定》。\n")


def test_caption_and_credit_lines_are_told_apart_from_the_body():
    zones = [s.zone for s in sentences(CAPTIONED, "zh-Hant")]
    assert zones == ["caption", "credit", "body"]
    en = "Protesters march in Berlin on Jan. 21, 2025.\n(AP Photo/Markus Schreiber)\n\nThe United States left.\n"
    assert [s.zone for s in sentences(en, "en")] == ["caption", "credit", "body"]


def test_a_fact_told_by_the_body_and_a_caption_cites_the_body_first_and_takes_the_bodys_date():
    [f] = withdrawals(CAPTIONED, "zh-Hant", "PARIS_AGREEMENT")
    assert f["evidence"][0]["text"].startswith("特朗普2025年1月20日上任當天")
    assert len(f["evidence"]) == 2 and f["date"] == "2025-01-20"


def test_a_fact_only_a_caption_tells_is_kept_with_lower_confidence():
    caption_only = "2025年1月21日,德國柏林,示威者抗議美國退出《巴黎協定》。攝:Sean Gallup\n\n德國總理發表講話。\n"
    body_only = "2025年1月21日,德國柏林,示威者抗議美國退出《巴黎協定》。\n\n德國總理發表講話。\n"
    [weak] = withdrawals(caption_only, "zh-Hant", "PARIS_AGREEMENT")
    [strong] = withdrawals(body_only, "zh-Hant", "PARIS_AGREEMENT")
    assert weak["confidence"] < strong["confidence"]


def test_the_same_day_of_the_body_is_never_a_photo_captions_date():
    text = ("美國白宮1月7日宣布將退出66個國際組織。\n\n"
            "2026年1月6日,美國華盛頓,總統特朗普發表演說。\n攝:Evan Vucci/AP\n\n"
            "美國國務院當天公告這項決定。\n")
    doc = extract_text(text, lang="zh-Hant", published=PUBLISHED)
    same_day = next(t for t in doc["times"] if t["text"] == "當天")
    assert same_day["value"] == "2026-01-07"
