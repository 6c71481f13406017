"""Synthetic news-like articles about international policy actions, with gold, in zh-Hant, zh-Hans and en.

    python -m bench.synthetic --n 1000 --out DIR [--seed 1]

writes DIR/articles/synth-<seed>-<i>.<lang>.txt with a .txt.meta.yaml sidecar, and
DIR/gold/synth-<seed>-<i>.<lang>.gold.json in the format of the seed gold (tests/data/seed-article.gold.json):
entities, sentences, mentions (code-point offsets), times and facts with evidence.  The articles are for
benchmarks at scale (extraction speed, and quality on known facts); the events are *fictional* combinations
of real names, which the sidecar says.

Each article is built from templates: actors x action types x targets x dates x modality, plus the things an
extractor gets wrong: threats (a Threat, not the threatened action), negations (kept in the gold with
"negated": true, never core), historical and reversed actions, passive voice, pronoun actors and targets,
coordinated target lists, figurative 撤退/"retreat", 構成威脅/"poses a threat", generic rules, datelines and
relative dates resolved against the sidecar's publication date.  Generation is deterministic: article i of
seed s depends only on (s, i), so any slice can be regenerated alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import yaml

LANGS = ("zh-Hant", "zh-Hans", "en")
_T2S = opencc.OpenCC("t2s")

# --------------------------------------------------------------------------------------------------------------
# Names.  zh-Hant follows Taiwan usage; zh-Hans mainland usage.  Sources: the names as commonly printed by
# Taiwanese (CNA) and mainland (Xinhua) media; English as in wire copy.  Kept here, not in the lexicon, so the
# generator stays independent of what the extractor knows.
# --------------------------------------------------------------------------------------------------------------

# id | en | article ("the" or "") | zh-Hant | zh-Hans | role flags (p5 = permanent member of the UNSC, donor)
STATES = """
USA|United States|the|美國|美国|p5 donor
CHN|China||中國|中国|p5
RUS|Russia||俄羅斯|俄罗斯|p5
GBR|United Kingdom|the|英國|英国|p5 donor
FRA|France||法國|法国|p5 donor
DEU|Germany||德國|德国|donor
JPN|Japan||日本|日本|donor
CAN|Canada||加拿大|加拿大|donor
AUS|Australia||澳洲|澳大利亚|donor
NLD|Netherlands|the|荷蘭|荷兰|donor
SWE|Sweden||瑞典|瑞典|donor
NOR|Norway||挪威|挪威|donor
ITA|Italy||義大利|意大利|donor
CHE|Switzerland||瑞士|瑞士|donor
ARG|Argentina||阿根廷|阿根廷|donor
BRA|Brazil||巴西|巴西|
IND|India||印度|印度|
ISR|Israel||以色列|以色列|
IRN|Iran||伊朗|伊朗|
TUR|Türkiye||土耳其|土耳其|
HUN|Hungary||匈牙利|匈牙利|
NIC|Nicaragua||尼加拉瓜|尼加拉瓜|
VEN|Venezuela||委內瑞拉|委内瑞拉|
MLI|Mali||馬利|马里|
NER|Niger||尼日|尼日尔|
BFA|Burkina Faso||布吉納法索|布基纳法索|
ZAF|South Africa||南非|南非|
KOR|South Korea||南韓|韩国|
MEX|Mexico||墨西哥|墨西哥|
POL|Poland||波蘭|波兰|
UKR|Ukraine||烏克蘭|乌克兰|
EGY|Egypt||埃及|埃及|
IDN|Indonesia||印尼|印尼|
NGA|Nigeria||奈及利亞|尼日利亚|
PHL|Philippines|the|菲律賓|菲律宾|
NZL|New Zealand||紐西蘭|新西兰|
SYR|Syria||敘利亞|叙利亚|
HTI|Haiti||海地|海地|
MMR|Myanmar||緬甸|缅甸|
SDN|Sudan||蘇丹|苏丹|
"""

# id | kind | en | acronym | zh-Hant | zh-Hans | zh-Hant short | zh-Hans short
# kind: un = UN body that takes contributions; igo; court; treaty; agency (US federal); media; council (UNSC)
ORGS = """
UN|igo|United Nations|UN|聯合國|联合国||
UNSC|council|UN Security Council||聯合國安理會|联合国安理会|安理會|安理会
WHO|un|World Health Organization|WHO|世界衛生組織|世界卫生组织|世衛|世卫
UNESCO|un|UNESCO||聯合國教科文組織|联合国教科文组织|教科文組織|教科文组织
UNHRC|un|UN Human Rights Council|UNHRC|聯合國人權理事會|联合国人权理事会|人權理事會|人权理事会
UNRWA|un|UNRWA||聯合國近東巴勒斯坦難民救濟和工程處|联合国近东巴勒斯坦难民救济和工程处|近東救濟工程處|近东救济工程处
UNFPA|un|UN Population Fund|UNFPA|聯合國人口基金|联合国人口基金||
UNICEF|un|UNICEF||聯合國兒童基金會|联合国儿童基金会||
WFP|un|World Food Programme|WFP|世界糧食計劃署|世界粮食计划署||
ILO|un|International Labour Organization|ILO|國際勞工組織|国际劳工组织||
UN_WOMEN|un|UN Women||聯合國婦女署|联合国妇女署||
IPCC|un|Intergovernmental Panel on Climate Change|IPCC|政府間氣候變遷專門委員會|政府间气候变化专门委员会||
WTO|igo|World Trade Organization|WTO|世界貿易組織|世界贸易组织|世貿|世贸
IAEA|igo|International Atomic Energy Agency|IAEA|國際原子能總署|国际原子能机构||
OAS|igo|Organization of American States|OAS|美洲國家組織|美洲国家组织||
ECOWAS|igo|Economic Community of West African States|ECOWAS|西非國家經濟共同體|西非国家经济共同体|西共體|西共体
COE|igo|Council of Europe||歐洲委員會|欧洲委员会||
EU|igo|European Union|EU|歐洲聯盟|欧洲联盟|歐盟|欧盟
ICC|court|International Criminal Court|ICC|國際刑事法院|国际刑事法院||
PARIS_AGREEMENT|treaty|Paris Agreement||巴黎協定|巴黎协定||
UNFCCC|treaty|UN Framework Convention on Climate Change|UNFCCC|聯合國氣候變化綱要公約|联合国气候变化框架公约||
CTBT|treaty|Comprehensive Nuclear-Test-Ban Treaty|CTBT|全面禁止核試驗條約|全面禁止核试验条约||
ROME_STATUTE|treaty|Rome Statute||羅馬規約|罗马规约||
OPEN_SKIES|treaty|Treaty on Open Skies||開放天空條約|开放天空条约||
USAID|agency|USAID||美國國際開發署|美国国际开发署||
VOA|media|Voice of America|VOA|美國之音|美国之音||
RFA|media|Radio Free Asia|RFA|自由亞洲電台|自由亚洲电台||
"""

# id | en | en surname | gender | zh-Hant | zh-Hans | affiliation (state or org id) | title en | title zh-Hant
PERSONS = """
TRUMP|Donald Trump|Trump|m|川普|特朗普|USA|President|總統
RUBIO|Marco Rubio|Rubio|m|盧比歐|卢比奥|USA|Secretary of State|國務卿
BIDEN|Joe Biden|Biden|m|拜登|拜登|USA|President|總統
PUTIN|Vladimir Putin|Putin|m|普丁|普京|RUS|President|總統
LAVROV|Sergey Lavrov|Lavrov|m|拉夫羅夫|拉夫罗夫|RUS|Foreign Minister|外長
XI|Xi Jinping|Xi|m|習近平|习近平|CHN|President|國家主席
WANG_YI|Wang Yi|Wang|m|王毅|王毅|CHN|Foreign Minister|外長
MILEI|Javier Milei|Milei|m|米雷|米莱|ARG|President|總統
ORBAN|Viktor Orbán|Orbán|m|奧班|欧尔班|HUN|Prime Minister|總理
MACRON|Emmanuel Macron|Macron|m|馬克宏|马克龙|FRA|President|總統
STARMER|Keir Starmer|Starmer|m|施凱爾|斯塔默|GBR|Prime Minister|首相
MELONI|Giorgia Meloni|Meloni|f|梅洛尼|梅洛尼|ITA|Prime Minister|總理
SHEINBAUM|Claudia Sheinbaum|Sheinbaum|f|辛鮑姆|辛鲍姆|MEX|President|總統
LULA|Luiz Inácio Lula da Silva|Lula|m|魯拉|卢拉|BRA|President|總統
ORTEGA|Daniel Ortega|Ortega|m|奧蒂嘉|奥尔特加|NIC|President|總統
GUTERRES|António Guterres|Guterres|m|古特瑞斯|古特雷斯|UN|Secretary-General|秘書長
TEDROS|Tedros Adhanom Ghebreyesus|Tedros|m|譚德塞|谭德塞|WHO|Director-General|總幹事
AZOULAY|Audrey Azoulay|Azoulay|f|阿祖萊|阿祖莱|UNESCO|Director-General|總幹事
VON_DER_LEYEN|Ursula von der Leyen|von der Leyen|f|范德賴恩|冯德莱恩|EU|Commission President|執委會主席
KALLAS|Kaja Kallas|Kallas|f|卡拉斯|卡拉斯|EU|foreign policy chief|外交與安全政策高級代表
ALBANESE|Francesca Albanese|Albanese|f|阿爾巴內斯|阿尔巴内塞|UN|Special Rapporteur|特別報告員
KHAN|Karim Khan|Khan|m|卡里姆汗|卡里姆·汗|ICC|Prosecutor|檢察官
"""

# places for datelines and resolution topics: id | type | en | zh-Hant | zh-Hans
PLACES = """
WASHINGTON_DC|Location|WASHINGTON|華盛頓|华盛顿
GENEVA|Location|GENEVA|日內瓦|日内瓦
NEW_YORK|Location|NEW YORK|紐約|纽约
BRUSSELS|Location|BRUSSELS|布魯塞爾|布鲁塞尔
MOSCOW|Location|MOSCOW|莫斯科|莫斯科
BEIJING|Location|BEIJING|北京|北京
GAZA|Location|Gaza|加薩|加沙
"""

ENTITY_TYPE = {"igo": "Organisation", "un": "Organisation", "council": "Organisation", "court": "Organisation",
               "media": "Organisation", "treaty": "Treaty", "agency": "GovernmentAgency"}


@dataclass(frozen=True)
class Name:
    id: str
    type: str
    kind: str
    en: str
    zh_hant: str
    zh_hans: str
    the: str = ""
    acr: str = ""
    short_hant: str = ""
    short_hans: str = ""
    surname: str = ""
    gender: str = ""
    affil: str = ""
    title_en: str = ""
    title_hant: str = ""
    flags: tuple = ()

    def zh(self, lang: str, short: bool = False) -> str:
        if lang == "zh-Hant":
            return (self.short_hant if short and self.short_hant else self.zh_hant)
        return (self.short_hans if short and self.short_hans else self.zh_hans)


def _rows(block: str) -> list[list[str]]:
    return [line.split("|") for line in block.strip().splitlines()]


NAMES: dict[str, Name] = {}
for i, en, the, hant, hans, flags in _rows(STATES):
    NAMES[i] = Name(i, "State", "state", en, hant, hans, the=the, flags=tuple(flags.split()))
for i, kind, en, acr, hant, hans, sh, ss in _rows(ORGS):
    NAMES[i] = Name(i, ENTITY_TYPE[kind], kind, en, hant, hans, acr=acr, short_hant=sh, short_hans=ss)
for i, en, sur, g, hant, hans, affil, t_en, t_hant in _rows(PERSONS):
    NAMES[i] = Name(i, "Person", "person", en, hant, hans, surname=sur, gender=g, affil=affil,
                    title_en=t_en, title_hant=t_hant)
for i, typ, en, hant, hans in _rows(PLACES):
    NAMES[i] = Name(i, typ, "place", en, hant, hans)

STATE_IDS = [n.id for n in NAMES.values() if n.kind == "state"]
P5 = [s for s in STATE_IDS if "p5" in NAMES[s].flags]
DONORS = [s for s in STATE_IDS if "donor" in NAMES[s].flags]
UN_BODIES = [n.id for n in NAMES.values() if n.kind == "un"]
EXIT_TARGETS = UN_BODIES + [n.id for n in NAMES.values() if n.kind in ("treaty", "court")] + [
    "WTO", "IAEA", "OAS", "ECOWAS", "COE"]
LEADERS = [p for p, n in NAMES.items() if n.kind == "person" and NAMES[n.affil].kind == "state"
           and n.title_en in ("President", "Prime Minister")]
SANCTION_ACTORS = ["USA", "CHN", "RUS", "GBR", "CAN", "AUS", "JPN"]
SANCTION_PERSONS = ["ALBANESE", "KHAN", "LAVROV", "WANG_YI", "RUBIO", "KALLAS", "ORTEGA"]
VETO_TOPICS = ["GAZA", "SYR", "UKR", "HTI", "MMR", "SDN"]
CLOSURE_TARGETS = ["USAID", "VOA", "RFA"]
DATELINES = {"USA": "WASHINGTON_DC", "RUS": "MOSCOW", "CHN": "BEIJING", "UN": "NEW_YORK", "WHO": "GENEVA",
             "EU": "BRUSSELS"}

# Nested names (聯合國 in 聯合國教科文組織, 美國 in 美國之音, Paris in Paris Agreement): optional mentions.
_NESTABLE = {"UN": {"zh-Hant": "聯合國", "zh-Hans": "联合国", "en": "UN"},
             "USA": {"zh-Hant": "美國", "zh-Hans": "美国", "en": "United States"}}


def _find_name(text: str, name: str) -> list[int]:
    """Start offsets of name in text; Latin names only at word boundaries (UN is not in UNESCO)."""
    if re.match(r"[A-Za-z]", name):
        return [m.start() for m in re.finditer(r"(?<![A-Za-z0-9])" + re.escape(name) + r"(?![A-Za-z0-9])", text)]
    return [m.start() for m in re.finditer(re.escape(name), text)]

# --------------------------------------------------------------------------------------------------------------
# Templates.  {A} actor, {T} target(s), {D} date, {Y} a past year, {P} pronoun for the actor, {Q} pronoun for
# the target, {U} the Security Council, {X} a resolution's topic; ⟦…⟧ marks the trigger.  zh-Hans templates are
# the zh-Hant ones through OpenCC t2s (names are not converted: they come from the tables).
# --------------------------------------------------------------------------------------------------------------

TEMPLATES: dict[tuple[str, str], dict[str, list[str]]] = {
    ("Withdrawal", "announced"): {
        "zh-Hant": ["{A}{D}⟦宣布退出{T}⟧。", "{A}{D}⟦正式宣布將退出{T}⟧，相關程序隨即啟動。"],
        "en": ["{A} ⟦announced {D} that it would withdraw from {T}⟧.", "{A} said {D} that it ⟦would leave {T}⟧."]},
    ("Withdrawal", "effective"): {
        "zh-Hant": ["{A}⟦退出{T}⟧的決定已於{D}正式生效。"],
        "en": ["{A}'s ⟦withdrawal from {T} took effect {D}⟧."]},
    ("Withdrawal", "historical"): {
        "zh-Hant": ["{A}曾於{Y}⟦退出{T}⟧。"],
        "en": ["{A} had ⟦withdrawn from {T}⟧ {Y}."]},
    ("Withdrawal", "negated"): {
        "zh-Hant": ["{A}{D}澄清，⟦不會退出{T}⟧。"],
        "en": ["{A} said {D} that it ⟦would not withdraw from {T}⟧."]},
    ("Withdrawal", "threatened"): {
        "zh-Hant": ["{A}{D}⟦威脅退出{T}⟧。"],
        "en": ["{A} ⟦threatened {D} to pull out of {T}⟧."]},
    ("Withdrawal", "reversed"): {
        "zh-Hant": ["{A}{D}⟦宣布重新加入{T}⟧。"],
        "en": ["{A} ⟦rejoined {T} {D}⟧."]},
    ("Withdrawal", "person"): {
        "zh-Hant": ["{A}{D}⟦簽署命令，宣布退出{T}⟧。"],
        "en": ["{A} ⟦signed an order {D} to withdraw from {T}⟧."]},
    ("Withdrawal", "pronoun"): {
        "zh-Hant": ["{P}⟦宣布退出{T}⟧。"],
        "en": ["{P} ⟦announced the withdrawal from {T}⟧."]},
    ("FundingSuspension", "announced"): {
        "zh-Hant": ["{A}{D}⟦宣布暫停對{T}的資金支持⟧。", "{A}{D}⟦停止向{T}提供資金⟧。"],
        "en": ["{A} ⟦suspended funding for {T} {D}⟧.", "{A} ⟦halted its contributions to {T}⟧ {D}."]},
    ("FundingSuspension", "passive"): {
        "zh-Hant": ["{T}的資金{D}⟦遭{A}凍結⟧。"],
        "en": ["Funding for {T} ⟦was frozen by {A} {D}⟧."]},
    ("FundingSuspension", "negated"): {
        "zh-Hant": ["{A}{D}表示，⟦並未削減對{T}的撥款⟧。"],
        "en": ["{A} said {D} that it ⟦had not cut funding to {T}⟧."]},
    ("FundingSuspension", "threatened"): {
        "zh-Hant": ["{A}{D}⟦威脅停止資助{T}⟧。"],
        "en": ["{A} ⟦threatened {D} to cut off funding to {T}⟧."]},
    ("FundingSuspension", "reversed"): {
        "zh-Hant": ["{A}{D}⟦宣布恢復對{T}的撥款⟧。"],
        "en": ["{A} ⟦restored funding to {T} {D}⟧."]},
    ("FundingSuspension", "historical"): {
        "zh-Hant": ["{A}曾於{Y}⟦暫停資助{T}⟧。"],
        "en": ["{A} had ⟦suspended its funding for {T}⟧ {Y}."]},
    ("FundingSuspension", "pronoun"): {
        "zh-Hant": ["{P}⟦宣布暫停對{T}的資金支持⟧。"],
        "en": ["{P} ⟦announced a freeze on funding for {T}⟧."]},
    ("Sanction", "announced"): {
        "zh-Hant": ["{A}{D}⟦宣布對{T}實施制裁⟧。"],
        "en": ["{A} ⟦imposed sanctions on {T} {D}⟧."]},
    ("Sanction", "passive"): {
        "zh-Hant": ["{T}{D}⟦遭{A}制裁⟧。"],
        "en": ["{T} ⟦was sanctioned by {A} {D}⟧."]},
    ("Sanction", "negated"): {
        "zh-Hant": ["{A}{D}表示，⟦目前沒有制裁{T}的計畫⟧。"],
        "en": ["{A} said {D} that it ⟦had no plans to sanction {T}⟧."]},
    ("Sanction", "threatened"): {
        "zh-Hant": ["{A}{D}⟦威脅對{T}實施制裁⟧。"],
        "en": ["{A} ⟦threatened {D} to impose sanctions on {T}⟧."]},
    ("Sanction", "reversed"): {
        "zh-Hant": ["{A}{D}⟦宣布解除對{T}的制裁⟧。"],
        "en": ["{A} ⟦lifted sanctions on {T} {D}⟧."]},
    ("Sanction", "pronoun_target"): {
        "zh-Hant": ["{A}{D}⟦宣布對{Q}實施制裁⟧。"],
        "en": ["{A} ⟦imposed sanctions on {Q} {D}⟧."]},
    ("Veto", "announced"): {
        "zh-Hant": ["{A}{D}在{U}⟦否決了一份關於{X}的決議草案⟧。"],
        "en": ["{A} ⟦vetoed a draft resolution on {X}⟧ in {U} {D}."]},
    ("Veto", "negated"): {
        "zh-Hant": ["{A}{D}在{U}表決關於{X}的決議草案時⟦沒有動用否決權⟧，而是投了棄權票。"],
        "en": ["{A} ⟦did not veto a draft resolution on {X}⟧ in {U} {D}, abstaining instead."]},
    ("Closure", "announced"): {
        "zh-Hant": ["{A}{D}⟦下令關閉{T}⟧。"],
        "en": ["{A} ⟦ordered the closure of {T} {D}⟧."]},
    ("Closure", "passive"): {
        "zh-Hant": ["{T}{D}⟦遭{A}關閉⟧。"],
        "en": ["{T} ⟦was shut down by {A} {D}⟧."]},
}

TITLES = {
    "Withdrawal": {"zh-Hant": "{A}宣布退出{T}", "en": "{A} to withdraw from {T}"},
    "FundingSuspension": {"zh-Hant": "{A}暫停資助{T}", "en": "{A} suspends funding for {T}"},
    "Sanction": {"zh-Hant": "{A}宣布制裁{T}", "en": "{A} sanctions {T}"},
    "Veto": {"zh-Hant": "{A}否決{X}決議草案", "en": "{A} vetoes draft resolution on {X}"},
    "Closure": {"zh-Hant": "{A}下令關閉{T}", "en": "{A} orders closure of {T}"},
}

INTRO = {  # a sentence that introduces a person, for a pronoun in the next one
    "zh-Hant": "{A}{D}發表講話。", "en": "{A} spoke to reporters {D}."}
TARGET_INTRO = {
    "zh-Hant": "{T}日前發表報告，批評多國政府。", "en": "{T} recently published a report criticising several governments."}
DISTRACTORS = {
    "figurative": {"zh-Hant": "分析人士認為，{A}正從多邊舞台上全面「撤退」。",
                   "en": "Analysts say {A} is retreating from multilateralism."},
    "poses_threat": {"zh-Hant": "{A}警告，此舉對全球合作構成威脅。",
                     "en": "{A} warned that the move poses a threat to global cooperation."},
    "rule": {"zh-Hant": "根據規定，成員國退出須在通知一年後才生效。",
             "en": "Under the rules, a member state's withdrawal takes effect one year after notice is given."},
    "quote": {"zh-Hant": "「我們會繼續履行承諾。」{A}的發言人說。",
              "en": "\"We will keep our commitments,\" a spokesperson for {A} said."},
}

MODALITY = {"announced": "announced", "effective": "effective", "historical": "historical", "negated": "negated",
            "threatened": "threatened", "reversed": "reversed", "person": "ordered", "pronoun": "announced",
            "passive": "announced", "pronoun_target": "announced"}

WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_ZH = "一二三四五六日"
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def _zh(text: str, lang: str) -> str:
    return _T2S.convert(text) if lang == "zh-Hans" else text


# --------------------------------------------------------------------------------------------------------------
# Text assembly with offsets
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Doc:
    lang: str
    published: dt.date
    text: str = ""
    sentences: list = field(default_factory=list)
    mentions: list = field(default_factory=list)
    times: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    seen: set = field(default_factory=set)  # entities already named in full
    headline: bool = False

    def add(self, s: str) -> None:
        self.text += s

    def mention(self, eid: str, surface: str, alt_prefix: str = "", note: str | None = None) -> None:
        start = len(self.text)
        self.add(surface)
        m = {"start": start, "end": start + len(surface), "text": surface, "type": NAMES[eid].type, "entity": eid,
             "accept_types": [], "alt_spans": [[start - len(alt_prefix), start + len(surface)]] if alt_prefix else [],
             "optional": False, "zone": None, "sent": None}
        if note:
            m["note"] = note
        self.mentions.append(m)
        for nid, forms in _NESTABLE.items():
            found = _find_name(surface, forms[self.lang])
            if nid != eid and found and surface != forms[self.lang]:
                k = found[0]
                inner = forms[self.lang]
                self.mentions.append({"start": start + k, "end": start + k + len(inner), "text": inner,
                                      "type": NAMES[nid].type, "entity": nid, "accept_types": [], "alt_spans": [],
                                      "optional": True, "zone": None, "sent": None, "nested_in": surface})


NO_ARTICLE = {"UN_WOMEN", "UNESCO", "UNICEF", "UNRWA", "USAID", "VOA", "RFA"}


def _article(n: Name) -> str:
    if n.kind == "state":
        return n.the
    return "the" if n.kind not in ("person", "place", "agency", "media") and " " in n.en and n.id not in NO_ARTICLE \
        else ""


def _name(doc: Doc, eid: str, *, cap: bool = False, possessive: bool = False) -> None:
    """Write the name of eid (the full name the first time, then a short form), recording the mention(s).

    Headlines use short forms and no articles; a person is introduced with affiliation and title
    (美國總統川普 -> 美國 + 川普; U.S. President Donald Trump -> U.S. + Donald Trump)."""
    n, lang = NAMES[eid], doc.lang
    first = eid not in doc.seen and not doc.headline
    doc.seen.add(eid)
    if lang != "en":
        if n.kind == "person":
            if first:
                doc.mention(n.affil, NAMES[n.affil].zh(lang))
                doc.add(_zh(n.title_hant, lang))
            doc.mention(eid, n.zh(lang))
        elif first and n.acr:
            doc.mention(eid, n.zh(lang))
            doc.add("（")
            doc.mention(eid, n.acr)
            doc.add("）")
        else:
            doc.mention(eid, n.zh(lang, short=not first))
        return
    if n.kind == "person":
        if first:
            affil = NAMES[n.affil]
            if affil.id == "USA":
                doc.mention("USA", "U.S.")
            elif affil.kind == "state":
                _name(doc, affil.id, cap=cap, possessive=True)
            else:
                doc.mention(affil.id, affil.acr or affil.en)
            doc.add(" " + n.title_en + " ")
            doc.mention(eid, n.en)
        else:
            doc.mention(eid, n.surname)
        if possessive:
            doc.add("'s")
        return
    article = "" if doc.headline else _article(n)
    prefix = (article.capitalize() if cap else article) + " " if article else ""
    doc.add(prefix)
    if first and n.acr and n.kind != "state":
        doc.mention(eid, n.en, alt_prefix=prefix)
        doc.add(" (")
        doc.mention(eid, n.acr)
        doc.add(")")
    elif n.acr and (doc.headline or eid in doc.seen and not first):
        doc.mention(eid, n.acr)
    else:
        doc.mention(eid, n.en, alt_prefix=prefix)
    if possessive:
        doc.add("'" if doc.text.endswith("s") else "'s")


# --------------------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------------------

def _recent_date(rng: random.Random, doc: Doc) -> tuple[dt.date, str, str]:
    """A date up to 40 days before publication, with a rendering (relative where natural) and its kind."""
    pub, lang = doc.published, doc.lang
    k = rng.choice([0, 1, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40])
    d = pub - dt.timedelta(days=k)
    options: list[tuple[str, str]] = []
    prev_week = (pub - dt.timedelta(days=pub.weekday() + 7)) <= d < (pub - dt.timedelta(days=pub.weekday()))
    if lang == "en":
        if k == 0:
            options.append(("today", "deictic"))
        if k == 1:
            options.append(("yesterday", "deictic"))
        if 1 <= k <= 6:
            options.append((f"on {WEEKDAYS_EN[d.weekday()]}", "weekday-relative"))
        if prev_week:
            options.append((f"last {WEEKDAYS_EN[d.weekday()]}", "weekday-relative"))
        if d.year == pub.year:
            options.append((f"on {MONTHS_EN[d.month - 1]} {d.day}", "date-relative-year"))
        options.append((f"on {MONTHS_EN[d.month - 1]} {d.day}, {d.year}", "date"))
    else:
        if k == 0:
            options.append(("今日" if lang == "zh-Hant" else "今天", "deictic"))
        if k == 1:
            options.append(("昨日" if lang == "zh-Hant" else "昨天", "deictic"))
        if 1 <= k and d.month == pub.month and d.year == pub.year:
            options.append((f"{d.day}日", "date-relative-month"))
        if prev_week:
            options.append(((("上週" if lang == "zh-Hant" else "上周") + WEEKDAYS_ZH[d.weekday()]), "weekday-relative"))
        if d.year == pub.year:
            options.append((f"{d.month}月{d.day}日", "date-relative-year"))
        options.append((f"{d.year}年{d.month}月{d.day}日", "date"))
    text, kind = rng.choice(options)
    return d, text, kind


def _past_year(rng: random.Random, doc: Doc) -> tuple[int, str, str]:
    y = doc.published.year - rng.randint(1, 8)
    if doc.lang == "en":
        return y, ("last year" if y == doc.published.year - 1 and rng.random() < 0.5 else f"in {y}"), "year"
    return y, f"{y}年", "year"


def _time(doc: Doc, text: str, value: str, kind: str) -> None:
    start = len(doc.text)
    doc.add(text)
    doc.times.append({"start": start, "end": start + len(text), "text": text, "value": value, "kind": kind,
                      "zone": None})


# --------------------------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Plan:
    type: str
    variant: str
    actor: str
    targets: list
    topic: str | None = None


def _pick_plan(rng: random.Random, variant: str | None = None, main: bool = False) -> Plan:
    ftype = rng.choice(["Withdrawal"] * 3 + ["FundingSuspension"] * 2 + ["Sanction"] * 2 + ["Veto", "Closure"])
    variants = [v for (t, v) in TEMPLATES if t == ftype]
    if main:
        variants = [v for v in variants if v in ("announced", "effective", "passive", "person")]
    v = variant if variant in variants else rng.choice(variants)
    if ftype == "Withdrawal":
        actor = rng.choice(LEADERS) if v in ("person", "pronoun") else rng.choice(STATE_IDS)
        k = rng.choice([1, 1, 1, 2, 3]) if v in ("announced", "person") else 1
        targets = rng.sample(EXIT_TARGETS, k)
    elif ftype == "FundingSuspension":
        actor = (rng.choice([p for p in LEADERS if NAMES[p].affil in DONORS]) if v == "pronoun"
                 else rng.choice(DONORS))
        k = rng.choice([1, 1, 2, 3]) if v == "announced" else 1
        targets = rng.sample(UN_BODIES, k)
    elif ftype == "Sanction":
        actor = rng.choice(SANCTION_ACTORS)
        pool = [p for p in SANCTION_PERSONS if NAMES[p].affil != actor]
        if v != "pronoun_target":
            pool += ["ICC"]
        k = rng.choice([1, 1, 2]) if v == "announced" else 1
        targets = rng.sample(pool, k)
    elif ftype == "Veto":
        actor, targets = rng.choice(P5), []
    else:
        actor, targets = rng.choice(["USA", "TRUMP"]), [rng.choice(CLOSURE_TARGETS)]
    topic = rng.choice(VETO_TOPICS) if ftype == "Veto" else None
    return Plan(ftype, v, actor, targets, topic)


def _render(doc: Doc, rng: random.Random, template: str, plan: Plan | None, date=None) -> dict:
    """Write one sentence from a template; return what was filled in (trigger span, date)."""
    lang = doc.lang
    template = _zh(template, lang)
    filled = {"trigger": None, "date": None}
    trig_start = None
    sent_start = len(doc.text)
    for tok in re.split(r"(\{[A-Z]\}|⟦|⟧)", template):
        if not tok:
            continue
        at_start = len(doc.text) == sent_start
        if tok == "⟦":
            trig_start = len(doc.text)
        elif tok == "⟧":
            filled["trigger"] = doc.text[trig_start:]
        elif tok == "{A}":
            _name(doc, plan.actor, cap=at_start)
        elif tok == "{T}":
            _targets(doc, plan.targets, cap=at_start)
        elif tok == "{X}":
            _name(doc, plan.topic)
        elif tok == "{U}":
            _name(doc, "UNSC")
        elif tok in ("{P}", "{Q}"):
            person = NAMES[plan.actor if tok == "{P}" else plan.targets[0]]
            if lang == "en":
                p = {"m": ("he", "him"), "f": ("she", "her")}[person.gender][0 if tok == "{P}" else 1]
                doc.add(p.capitalize() if at_start else p)
            else:
                doc.add(_zh("她" if person.gender == "f" else "他", lang))
        elif tok == "{D}":
            d, text, kind = date or _recent_date(rng, doc)
            _time(doc, text, d.isoformat(), kind)
            filled["date"] = d.isoformat()
        elif tok == "{Y}":
            y, text, kind = _past_year(rng, doc)
            _time(doc, text, str(y), kind)
            filled["date"] = str(y)
        else:
            if tok.startswith("'s") and doc.text.endswith("s"):
                tok = "'" + tok[2:]  # the Netherlands' withdrawal
            doc.add(tok[0].upper() + tok[1:] if at_start and lang == "en" else tok)
    return filled


def _targets(doc: Doc, targets: list, cap: bool = False) -> None:
    """A, B and C / A、B及C: one mention each (and one fact each)."""
    for i, t in enumerate(targets):
        if i:
            last = i == len(targets) - 1
            if doc.lang == "en":
                doc.add(" and " if last else ", ")
            else:
                doc.add(_zh("及" if last else "、", doc.lang))
        _name(doc, t, cap=cap and i == 0)


def _sentence(doc: Doc, start: int) -> int:
    sid = len(doc.sentences)
    doc.sentences.append({"id": sid, "start": start, "end": len(doc.text), "text": doc.text[start:]})
    return sid


def _fact(doc: Doc, plan: Plan, filled: dict, sid: int, main: bool) -> list[dict]:
    v = plan.variant
    ftype = {"threatened": "Threat", "reversed": "Revocation"}.get(v, plan.type)
    negated = v == "negated"
    actor = plan.actor
    accept = [actor] + ([NAMES[actor].affil] if NAMES[actor].kind == "person" else [])
    out = []
    targets = plan.targets or [None]
    for t in targets:
        target = ({"entity": t} if t else
                  {"group": f"DRAFT_RESOLUTION_{plan.topic}", "keys": ["決議草案", "决议草案", "draft resolution"],
                   "entity_accept": ["UNSC", plan.topic]})
        fact = {"id": f"F{len(doc.facts) + len(out) + 1:02d}", "type": ftype, "actor": actor,
                "actor_accept": accept, "target": target, "date": filled["date"],
                "date_accept": [filled["date"]], "modality": MODALITY[v],
                "evidence": [{"sent": sid, "text": doc.sentences[sid]["text"], "trigger": filled["trigger"]}],
                "core": not negated}
        if negated:
            fact["negated"] = True
        if v == "threatened":
            fact["note"] = f"threatened {plan.type}: the threatened action is content, not a realised fact"
        if main:
            fact["main"] = True
        out.append(fact)
    doc.facts.extend(out)
    return out


def _write_fact_sentence(doc: Doc, rng: random.Random, plan: Plan, main: bool, date=None) -> list[dict]:
    lang = doc.lang
    tl = "en" if lang == "en" else "zh-Hant"
    if plan.variant == "pronoun":
        start = len(doc.text)
        intro = _render(doc, rng, INTRO[tl], Plan("", "", plan.actor, []), date=date)
        _sentence(doc, start)
        doc.add(" " if lang == "en" else "")
        start = len(doc.text)
        filled = _render(doc, rng, rng.choice(TEMPLATES[(plan.type, "pronoun")][tl]), plan)
        filled["date"] = intro["date"]
        return _fact(doc, plan, filled, _sentence(doc, start), main)
    if plan.variant == "pronoun_target":
        start = len(doc.text)
        _render(doc, rng, TARGET_INTRO[tl], plan)
        _sentence(doc, start)
        doc.add(" " if lang == "en" else "")
    start = len(doc.text)
    filled = _render(doc, rng, rng.choice(TEMPLATES[(plan.type, plan.variant)][tl]), plan, date=date)
    return _fact(doc, plan, filled, _sentence(doc, start), main)


def generate_one(seed: int, i: int) -> tuple[str, dict, dict]:
    """Article i of seed: (text, sidecar metadata, gold)."""
    rng = random.Random(f"ipakg-synthetic:{seed}:{i}")
    lang = LANGS[i % 3]
    published = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(9 * 365))
    doc = Doc(lang, published)
    tl = "en" if lang == "en" else "zh-Hant"
    sep = " " if lang == "en" else ""

    main = _pick_plan(rng, main=True)
    # title (the main fact's headline), then the body
    date = _recent_date(rng, doc)
    doc.headline = True
    _render(doc, rng, TITLES[main.type][tl], main)
    doc.headline = False
    doc.seen = set()  # the body names everything in full again
    title_text = doc.text
    _sentence(doc, 0)
    doc.add("\n\n")
    body_start = len(doc.text)
    dateline = DATELINES.get(main.actor) or DATELINES.get(NAMES[main.actor].affil)
    if dateline and rng.random() < 0.5:
        if lang == "en":
            doc.mention(dateline, NAMES[dateline].en, note="dateline")
            doc.add(" — ")
        else:
            doc.add("（")
            doc.mention(dateline, NAMES[dateline].zh(lang), note="dateline")
            doc.add(_zh("電）", lang))
    main_facts = _write_fact_sentence(doc, rng, main, True, date=date)
    doc.sentences[-1]["start"] = body_start
    doc.sentences[-1]["text"] = doc.text[body_start:doc.sentences[-1]["end"]]
    for f in main_facts:
        f["evidence"][0]["text"] = doc.sentences[-1]["text"]
        f["evidence"].insert(0, {"sent": 0, "text": title_text, "trigger": title_text})

    used = {(main.type, main.actor)}
    for _ in range(rng.randint(1, 4)):
        doc.add(sep if rng.random() < 0.6 else "\n\n")
        if rng.random() < 0.3:
            kind = rng.choice(sorted(DISTRACTORS))
            who = rng.choice([main.actor, "UN", "WHO", "EU"]) if kind != "rule" else None
            start = len(doc.text)
            _render(doc, rng, DISTRACTORS[kind][tl], Plan("", "", who, []) if who else None)
            _sentence(doc, start)
            continue
        plan = _pick_plan(rng)
        while (plan.type, plan.actor) in used:  # one action per type and actor: keeps the gold unambiguous
            plan = _pick_plan(rng)
        used.add((plan.type, plan.actor))
        _write_fact_sentence(doc, rng, plan, False)
    doc.add("\n")

    for m in doc.mentions:
        m["sent"] = next(s["id"] for s in doc.sentences if s["start"] <= m["start"] and m["end"] <= s["end"])
        m["zone"] = "title" if m["start"] < len(title_text) else "body"
    for t in doc.times:
        t["zone"] = "title" if t["start"] < len(title_text) else "body"
    doc.mentions.sort(key=lambda m: (m["start"], -m["end"]))
    entities = {}
    for m in doc.mentions:
        n = NAMES[m["entity"]]
        entities.setdefault(n.id, {"type": n.type, "name_en": n.en.title() if n.kind == "place" and n.en.isupper()
                                   else n.en, "accept_types": []})
    stem = f"synth-{seed}-{i:06d}.{lang}"
    gold = {
        "doc": f"articles/{stem}.txt", "doc_lang": lang, "doc_date": published.isoformat(),
        "doc_date_note": "synthetic; relative dates are resolved against this publication date",
        "guidelines": "Generated by bench/synthetic.py with the conventions of data/eval/CORPUS.md. Facts are "
                      "fictional combinations of real names. Negated facts carry negated: true and core: false; "
                      "threats are Threat facts; reversals are Revocation facts.",
        "entity_types": sorted({e["type"] for e in entities.values()}),
        "entities": entities, "sentences": doc.sentences, "mentions": doc.mentions, "times": doc.times,
        "numbers": [], "facts": doc.facts, "scoring_zones_excluded": ["nav", "credit", "boilerplate"],
    }
    meta = {"title": title_text, "publisher": "ipakg synthetic corpus (bench/synthetic.py)", "language": lang,
            "published": published, "url": None,
            "note": f"synthetic article (seed {seed}, index {i}); the events are fictional"}
    return doc.text, meta, gold


def write(out: Path, n: int, seed: int = 1) -> list[Path]:
    """Write n articles, sidecars and gold files under out/articles and out/gold; return the article paths."""
    (out / "articles").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        text, meta, gold = generate_one(seed, i)
        stem = Path(gold["doc"]).name.removesuffix(".txt")
        path = out / "articles" / f"{stem}.txt"
        path.write_text(text, encoding="utf-8")
        Path(str(path) + ".meta.yaml").write_text(
            yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
        (out / "gold" / f"{stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n",
                                                         encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.synthetic", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="number of articles (default 100)")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("--n must be >= 0")
    paths = write(args.out, args.n, args.seed)
    print(f"wrote {len(paths)} articles to {args.out / 'articles'} and their gold to {args.out / 'gold'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
