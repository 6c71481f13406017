"""Entity mentions: the lexicon first, then rules for what no lexicon can list.

Rules (all on the normalised text, offsets into the original):
* ``名稱(ACRONYM)`` defines an acronym for this document. The definition wins over the lexicon: the seed writes
  聯合國人權理事會(UNHCR); UNHCR is then the Human Rights Council here, and the entity records
  ``acronym_conflict`` (the lexicon's reading of the acronym).
* Chinese organisation names ending in a suffix (…組織, …署, …委員會, …論壇, …中心, …公約, …協定, …大學 …),
  bounded on the left by punctuation, function words and action verbs.
* 《…》 titles of treaties and media; ``第N號行政命令`` / "Executive Order N"; COP meetings
  (COP30, 第30屆…締約方大會); embassies (美國駐德國大使館, "U.S. Embassy in Germany").
* ``譯名(Latin Name)`` persons (阿爾巴內斯(Francesca Albanese)); English names after a title or before "said".
* English capitalised names whose head word marks an organisation, treaty or event.
* Person + 政府 / "administration" → that person's administration.
A name found by a rule is then searched for everywhere else in the text (and an English person by surname).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from kg.lexicon import Lexicon, normalize

from .names import EN_TITLES, ZH_TITLES, gender_of

ORG_CLASSES = {"IntergovernmentalOrganization", "UNSystemEntity", "NonGovernmentalOrganization",
               "MediaOrganization", "Organization", "GovernmentBody"}
AGENT_CLASSES = ORG_CLASSES | {"State", "Person"}


@dataclass
class Entity:
    id: str
    cls: str
    labels: dict
    wikidata: str | None = None
    gender: str | None = None
    country: str | None = None
    members: list = field(default_factory=list)
    acronym_conflict: str | None = None
    source: str = "lexicon"
    acronyms: tuple = ()


@dataclass
class Mention:
    start: int
    end: int
    text: str
    entity_id: str
    rule: str = "lexicon"


@functools.lru_cache(maxsize=1)
def _s2twp():
    import opencc  # labels only; matching never depends on this conversion

    return opencc.OpenCC("s2twp")


def _to_traditional(text: str) -> str:
    return _s2twp().convert(text)


def local_id(name: str) -> str:
    """``LOCAL_<slug>`` from the normalised name: Latin names give a readable slug, Chinese names a hash of
    their simplified form (so the same name in two articles gives the same id)."""
    import unicodedata

    n = normalize(name).strip()
    if not re.search(f"[{_CJK}]", n):
        n = unicodedata.normalize("NFKD", n).encode("ascii", "ignore").decode() or n
    if re.fullmatch(r"[\x20-\x7e]+", n):
        slug = re.sub(r"[^A-Za-z0-9]+", "_", n).strip("_").upper()
        return f"LOCAL_{slug}"
    return "LOCAL_ZH_" + hashlib.sha256(n.encode()).hexdigest()[:10].upper()


def entity_from_entry(e) -> Entity:
    return Entity(id=e.id, cls=e.cls, labels=dict(e.labels), wikidata=e.qid, gender=e.gender, country=e.country,
                  members=list(e.members), source="lexicon", acronyms=tuple(e.acronyms))


# ------------------------------------------------------------------------------------------------ patterns

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_ZH_SUFFIX = ("组织", "署", "委员会", "理事会", "论坛", "中心", "公约", "协定", "条约", "议定书", "大学", "计划", "计画",
              "基金", "联盟", "办公室", "银行", "法院", "研究所", "研究院", "电台", "通讯社", "协会", "学会", "基金会",
              "联合会", "同盟", "合作组织", "倡议", "伙伴关系", "公司", "俱乐部", "共同体")
_ZH_SUFFIX_RE = re.compile("|".join(sorted(_ZH_SUFFIX, key=len, reverse=True)))
_TREATY_SUFFIX = ("公约", "协定", "条约", "议定书", "协议", "宪章")
_MEDIA_SUFFIX = ("电台", "通讯社", "报", "时报", "日报", "周刊", "邮报", "杂志", "电视台", "新闻社")
# Left boundaries of a Chinese name: words that end the preceding phrase (function words, verbs of our domain).
_ZH_BOUNDARY_WORDS = ("包含", "包括", "例如", "比如", "诸如", "除了", "退出", "加入", "撤出", "宣布", "关闭", "暂停", "中止",
                      "停止", "支持", "资助", "制裁", "成立", "主管", "以及", "还有", "其中", "来自", "隶属于", "隶属",
                      "针对", "对于", "通过", "根据", "认为", "表示", "指出", "批评", "谴责", "抵制", "缺席", "否决",
                      "威胁", "领导", "负责", "参与", "重返", "恢复", "削减", "冻结", "撤销", "废除", "解散", "签署",
                      "发布")
_ZH_BOUNDARY_CHARS = set("的对向从在由是为将也把被了并而但于以如即给让使及与和或等若")
_LIST_JOINERS = set("与和及")
_LIST_CUES = ("包含", "包括", "例如", "比如", "诸如", "以及", "还有")
_WORD_CONTINUES = set("者点区长内员化性式型费法章网站楼城市化生里间架构")
_STRONG_LEFT = set("\n,，。;；:：!?！？")
# the state whose ministries a text in this script names without the state's name (mainland press: 商务部)
_HOME_STATE = {"zh-Hans": "CHN"}

_BAD_INSIDE = re.compile(r"\d|个|相关|有关|有利|只会|推动|大量|上百|多项|许多|一些|这些|那些|所有|各种|各类|最大|最|其他|其余|"
                         r"我们|他们|主要|重要|等等|进行|成为|作为|属于|面对|旨在|需要|希望|可能|已经|曾经")
_GENERIC = re.compile(r"^(?:国际性?|区域性?|地区性?|合作|相关|全球性?|其他|其余|多边|主要|重要|许多|一些|这些|那些|该|此|各|"
                      r"某些?|所有|上述|这个|那个|新|旧|非政府|政府间?|民间|公民|社会|多个|数个|几个|\d+个|专门|附属|下属|"
                      r"旗下|类似|同类|大型|小型|全部|部分|国家|地方|本|其|与|和|及|工作|行动|特别|机构|组织|委员会|单位|实体|基础|"
                      r"援外|外援|媒体|官方|私人|私营|慈善|人道|援助|环境|自然|资源)*$")
_DETERMINER = re.compile(r"^(?:这|那|该|此|各|某|所有|上述|其|许多|一些|多个|数个|几个|\d+个|每个)")

_EO_ZH = re.compile(r"第\s*(\d{3,6})\s*号(?:总统)?行政命令")
_EO_EN = re.compile(r"\b(?:[Ee]xecutive [Oo]rder|EO|E\.O\.)\s*(?:No\.?\s*|#\s*)?(\d{5})\b")
_COP_RE = re.compile(r"\bCOP\s?-?(\d{1,2})\b")
_COP_ZH = re.compile(r"第\s*(\d{1,2})\s*[届次]《?[^,，。;；、]{0,20}?》?缔约方(?:大会|会议)")
_COP_EN = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th) (?:UN |U\.N\. |United Nations )?(?:Climate Change )?Conference of "
                     r"the Parties\b")
_TITLE_ZH = re.compile(r"《([^》]{2,40})》")
_PAREN = re.compile(r"\s?[(（]\s*([^()（）]{1,60}?)\s*[)）]")
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&.\-]*[A-Z0-9][A-Za-z0-9]*")
_LATIN_NAME = re.compile(r"[A-Z][a-zA-Z'’\-]+(?:\s+[A-Z]\.)?(?:\s+(?:de|van|von|da|di|del|al|bin|el|la|le)?\s?"
                         r"[A-Z][a-zA-Z'’\-]+){1,3}")
_TRANSLIT = set("阿埃艾爱安昂奥巴拜班邦保鲍贝本比彼毕波伯博布查达戴丹道德登迪蒂丁杜多厄恩尔法范菲费芬丰弗福盖甘冈高戈格"
                "根古哈海汉豪赫亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎拉莱赖兰朗劳勒雷蕾里利莉连林琳卢鲁路伦罗洛马玛迈"
                "麦曼梅门蒙米敏明莫墨姆穆纳娜奈南内尼妮宁纽努诺欧帕派潘佩彭皮普奇齐恰乔切钦琼丘萨塞桑森沙莎尚舍什施斯松苏"
                "索塔泰坦汤唐特提图托瓦万旺威韦维温沃乌伍西希谢辛休修雅亚扬耶伊因尹英尤于约泽扎詹哲朱祖佐芙丝黛薇娅琪蒙塔"
                "迦迦拿赛铁廷宾滕斐霍傅富罗斯顿森逊汀翰惠斯"
                # more of the Xinhua transliteration table (蓬佩奥, 戈尔巴乔夫, 列根, 涅边贾 …)
                "蓬夫列涅捷茨瑟娃契廖耶霍沙舒奥澳茹若热雷瑞卓佳嘉舍谢绍肖西锡席喀凯蓝岚朗勃柏珀璞")

_SPEECH_EN = r"(?:said|says|told|wrote|added|argued|warned|noted|stated|explained|announced|declared)"
_EN_ORG_HEADS = {"Organization", "Organisation", "Agency", "Office", "Council", "Commission", "Fund", "Programme",
                 "Program", "Bank", "Union", "Court", "Forum", "Center", "Centre", "Institute", "University",
                 "Association", "Committee", "Panel", "Network", "Alliance", "Foundation", "Partnership",
                 "Initiative", "Secretariat", "Service", "Department", "Ministry", "Bureau", "Authority", "Group",
                 "Federation", "Society", "Board", "Corporation", "Facility", "Consortium", "Coalition", "Tribunal",
                 "Assembly", "Parliament", "Congress", "Senate", "Mission", "Force", "Compact", "Platform"}
_EN_TREATY_HEADS = {"Agreement", "Convention", "Treaty", "Accord", "Accords", "Protocol", "Charter", "Pact"}
_EN_EVENT_HEADS = {"Conference", "Summit", "War", "Talks"}
_EN_CAPSEQ = re.compile(r"\b(?:[A-Z][\w'’&\-]*|U\.S\.|U\.N\.)(?:\s+(?:(?:of|for|on|and|in|to|the|against|de)\s+)*"
                        r"(?:[A-Z][\w'’&\-]*|U\.S\.|U\.N\.))*")
_EN_STOP_START = {"The", "A", "An", "In", "On", "At", "But", "And", "For", "This", "That", "These", "Those", "It",
                  "He", "She", "They", "We", "Its", "His", "Her", "Their", "Our", "As", "After", "Before", "While",
                  "When", "If", "Since", "Under", "With", "By", "From", "According", "Meanwhile", "However", "Last",
                  "Earlier", "Later", "On", "Mr", "Ms"}


_EN_ROLES = ("prosecutor", "judge", "judges", "minister", "defence minister", "defense minister", "foreign minister",
             "spokesman", "spokeswoman", "spokesperson", "presidential spokesman", "lawyer", "activist", "journalist",
             "adviser", "advisor", "negotiator", "commander", "deputy", "representative", "delegate", "chair",
             "president", "secretary", "director-general", "director general", "then-prosecutor", "ex-president",
             "former president", "senator", "governor", "mayor", "ambassador", "envoy", "economist", "researcher",
             "professor", "expert")
_EN_NOT_NAME = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                "U.S", "U.N", "UN", "US", "EU", "The", "President", "Secretary", "Minister", "Prime", "General",
                "Director", "Director-General", "Ambassador", "Foreign", "State", "House", "Senate", "Court", "Council",
                "Executive", "Order", "North", "South", "East", "West", "New", "Republic", "Kingdom", "Islamic",
                "Democratic", "People's", "Federal", "National", "International", "Global", "World", "Prosecutor"}


class _Spans:
    """Non-overlapping accepted spans; a longer rule span may replace the shorter spans it contains."""

    def __init__(self, n: int):
        self.items: dict[int, Mention] = {}
        self.owner = [None] * n

    def overlaps(self, a: int, b: int) -> list[Mention]:
        seen, out = set(), []
        for i in range(a, b):
            s = self.owner[i]
            if s is not None and s not in seen:
                seen.add(s)
                out.append(self.items[s])
        return out

    def add(self, m: Mention, *, replace_contained: bool = True, replace_any: bool = False) -> bool:
        clash = self.overlaps(m.start, m.end)
        if clash:
            if replace_any or (replace_contained and all(m.start <= c.start and c.end <= m.end and
                                                         (c.end - c.start) < (m.end - m.start) for c in clash)):
                for c in clash:
                    self.remove(c)
            else:
                return False
        self.items[m.start] = m
        for i in range(m.start, m.end):
            self.owner[i] = m.start
        return True

    def remove(self, m: Mention) -> None:
        self.items.pop(m.start, None)
        for i in range(m.start, m.end):
            self.owner[i] = None

    def at(self, start: int) -> Mention | None:
        return self.items.get(start)

    def ending_at(self, end: int) -> Mention | None:
        if end <= 0 or end > len(self.owner):
            return None
        s = self.owner[end - 1]
        m = self.items.get(s) if s is not None else None
        return m if m is not None and m.end == end else None

    def sorted(self) -> list[Mention]:
        return [self.items[k] for k in sorted(self.items)]


class MentionFinder:
    def __init__(self, text: str, norm: str, language: str, lexicon: Lexicon):
        self.text, self.norm, self.language, self.lex = text, norm, language, lexicon
        self.entities: dict[str, Entity] = {}
        self.spans = _Spans(len(text))
        self.acronym_defs: dict[str, str] = {}

    # -- entities ------------------------------------------------------------------------------------------
    def entity(self, entity_id: str) -> Entity:
        ent = self.entities.get(entity_id)
        if ent is None:
            entry = self.lex.get(entity_id)
            ent = entity_from_entry(entry)
            self.entities[entity_id] = ent
        return ent

    def local(self, name: str, cls: str, *, en: str | None = None, zh: str | None = None, rule: str,
              key: str | None = None, gender: str | None = None, country: str | None = None) -> Entity:
        """A lexicon entry when ``en``/``zh`` names one exactly; otherwise a document-local entity."""
        for probe in (en, zh):
            if probe:
                hits = self.lex.find(probe)
                if len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(probe):
                    return self.entity(hits[0].entry_id)
        eid = local_id(key or zh or en or name)
        ent = self.entities.get(eid)
        if ent is None:
            zh_hans = normalize(zh) if zh else None
            ent = Entity(id=eid, cls=cls, labels={"en": en, "zh-Hant": None, "zh-Hans": None}, source=f"rule:{rule}",
                         gender=gender, country=country)
            if zh:
                ent.labels["zh-Hans"] = zh_hans
                ent.labels["zh-Hant"] = zh if zh != zh_hans else _to_traditional(zh)
            self.entities[eid] = ent
        else:
            if en and not ent.labels.get("en"):
                ent.labels["en"] = en
            if gender and not ent.gender:
                ent.gender = gender
        return ent

    def add(self, start: int, end: int, entity_id: str, rule: str, **kw) -> bool:
        return self.spans.add(Mention(start, end, self.text[start:end], entity_id, rule), **kw)

    # -- pipeline ------------------------------------------------------------------------------------------
    def run(self) -> tuple[list[Mention], dict[str, Entity]]:
        self._lexicon()
        self._executive_orders()
        self._cop()
        self._embassies()
        self._latin_persons()
        if self.language != "en":
            self._titled_transliterations()
            self._titles()
            self._suffix_orgs()
        else:
            self._english_names()
        if self.language != "en":
            self._state_ministries()
        self._acronym_definitions()
        self._administrations()
        self._repeat_rule_names()
        mentions = self.spans.sorted()
        used = {m.entity_id for m in mentions}
        entities = {k: v for k, v in self.entities.items() if k in used}
        for ent in entities.values():
            if ent.cls == "Person" and ent.gender is None and ent.labels.get("en"):
                ent.gender = gender_of(ent.labels["en"].split()[0])
        return mentions, entities

    def _lexicon(self) -> None:
        matches = self.lex.find(self.text)
        # Ambiguous names (国务院: US State Department or PRC State Council) follow the document's main country.
        countries = Counter()
        for m in matches:
            if m.alternatives:
                continue
            e = self.lex.get(m.entry_id)
            if e is not None:
                countries[e.id if e.cls == "State" else e.country] += 1
        countries.pop(None, None)
        for m in matches:
            eid = m.entry_id
            if m.alternatives:
                options = (m.entry_id,) + tuple(m.alternatives)
                eid = max(options, key=lambda i: (countries.get(self._country(i), 0), -options.index(i)))
            self.entity(eid)
            self.add(m.start, m.end, eid, "lexicon", replace_contained=False)

    def _country(self, entry_id: str):
        e = self.lex.get(entry_id)
        return None if e is None else (e.id if e.cls == "State" else e.country)

    def _executive_orders(self) -> None:
        for rx in (_EO_ZH, _EO_EN):
            for m in rx.finditer(self.norm):
                n = m.group(1)
                ent = self.local(m.group(), "ExecutiveOrder", en=f"Executive Order {n}", rule="executive-order",
                                 key=f"Executive Order {n}")
                if not ent.labels.get("zh-Hant"):
                    ent.labels["zh-Hant"], ent.labels["zh-Hans"] = f"第{n}號行政命令", f"第{n}号行政命令"
                self.add(m.start(), m.end(), ent.id, "executive-order")

    def _cop(self) -> None:
        for rx in (_COP_RE, _COP_ZH, _COP_EN):
            for m in rx.finditer(self.norm):
                n = int(m.group(1))
                ent = self.local(m.group(), "Event", en=f"COP{n}", rule="cop", key=f"COP{n}")
                self.add(m.start(), m.end(), ent.id, "cop")

    def _embassies(self) -> None:
        pats = [re.compile(r"驻([^,，。、]{1,8}?)(?:大使馆|领事馆|总领事馆|使馆|代表处)"),
                re.compile(r"\b[Ee]mbassy (?:in|to) ((?:[A-Z][a-z]+\s?){1,3})")]
        for rx in pats:
            for m in rx.finditer(self.norm):
                host = self._mention_covering(m.start(1), m.end(1))
                if host is None or self.entities[host.entity_id].cls != "State":
                    continue
                if rx is pats[0]:
                    sender = self.spans.ending_at(m.start())
                else:  # "the U.S. Embassy in Germany": the sending state right before "Embassy"
                    sender = self.spans.ending_at(m.start() - 1) or self.spans.ending_at(m.start())
                if sender is None or self.entities[sender.entity_id].cls != "State":
                    continue
                start = sender.start
                s_en = self.entities[sender.entity_id].labels.get("en") or sender.text
                h_en = self.entities[host.entity_id].labels.get("en") or host.text
                name = self.text[start:m.end()]
                ent = self.local(name, "GovernmentBody", en=f"Embassy of {s_en} in {h_en}",
                                 zh=name if self.language != "en" else None, rule="embassy",
                                 key=f"Embassy of {s_en} in {h_en}", country=self.entities[sender.entity_id].id)
                self.add(start, m.end(), ent.id, "embassy", replace_any=True)

    def _mention_covering(self, a: int, b: int) -> Mention | None:
        for m in self.spans.overlaps(a, b):
            if m.start <= a and b <= m.end or (a <= m.start and m.end <= b):
                return m
        return None

    def _latin_persons(self) -> None:
        """译名(Latin Name): the transliteration before the parenthesis and the Latin name inside."""
        for m in _PAREN.finditer(self.norm):
            inner = m.group(1)
            if not _LATIN_NAME.fullmatch(inner) or self.language == "en":
                continue
            a, b = m.start(1), m.end(1)
            paren_start = m.start()
            prev = self.spans.ending_at(paren_start)
            if prev is not None:
                ent = self.entities.get(prev.entity_id)
                if ent and ent.cls == "Person":
                    if not self.spans.overlaps(a, b):
                        self.add(a, b, ent.id, "latin-name")
                    if not ent.labels.get("en"):
                        ent.labels["en"] = self.text[a:b]
                continue
            if prev is not None:
                continue
            i = paren_start
            while i > 0 and self.norm[i - 1] in _TRANSLIT and paren_start - (i - 1) <= 6:
                i -= 1
            if paren_start - i < 2:
                continue
            # titles sometimes end in a transliteration character (特使 → 使 is not one, but 主席 ends 席): trim
            # leading characters that belong to a title
            zh = self.text[i:paren_start]
            latin = self.text[a:b]
            hit = [h for h in self.lex.find(latin) if h.start == 0 and h.end == len(latin)]
            if hit:
                ent = self.entity(hit[0].entry_id)
            else:
                ent = self.local(zh, "Person", en=latin, zh=zh, rule="latin-name", key=latin,
                                 gender=gender_of(latin.split()[0]))
            self.add(i, paren_start, ent.id, "latin-name")
            if not self.spans.overlaps(a, b):
                self.add(a, b, ent.id, "latin-name")

    def _titled_transliterations(self) -> None:
        """特別報告員阿爾巴內塞, 發言人布魯斯: a run of transliteration characters right after a title is a
        foreign person's name (3–6 characters; shorter runs are too often ordinary words)."""
        titles = "|".join(sorted((t for t in ZH_TITLES if len(t) >= 2), key=len, reverse=True))
        for m in re.finditer(f"(?:{titles})", self.norm):
            i = m.end()
            j = i
            while j < len(self.norm) and self.norm[j] in _TRANSLIT and j - i < 6:
                j += 1
            if j - i < 3 or (j < len(self.norm) and self.norm[j] in _TRANSLIT):
                continue
            if self.spans.overlaps(i, j) or self.norm[j:j + 1] in ("(", "（"):
                continue  # known, or the Latin-name rule will take it with its Latin name
            zh = self.text[i:j]
            ent = self.local(zh, "Person", zh=zh, rule="titled-name")
            self.add(i, j, ent.id, "titled-name")

    def _state_ministries(self) -> None:
        """俄羅斯外交部 → 俄羅斯 + 外交部 (a GovernmentBody of that state), as the gold conventions split 美國國務院."""
        rx = re.compile(r"(外交部|国防部|财政部|商务部|司法部|内政部|外交与联邦事务部|国务院|议会|国会|参议院|众议院|"
                        r"国家杜马|联邦委员会|最高法院|宪法法院|总统府|总理府|国家安全委员会)")
        for m in list(self.spans.sorted()):
            ent = self.entities.get(m.entity_id)
            if ent is None or ent.cls != "State":
                continue
            g = rx.match(self.norm, m.end)
            if not g or self.spans.overlaps(g.start(), g.end()):
                continue
            body_en = {"外交部": "Ministry of Foreign Affairs", "国防部": "Ministry of Defence", "财政部": "Ministry of Finance",
                       "议会": "Parliament", "国会": "Congress", "最高法院": "Supreme Court"}.get(g.group(), None)
            en = f"{body_en} of {ent.labels.get('en') or ent.id}" if body_en else None
            zh = self.text[m.start:g.end()]
            body = self.local(zh, "GovernmentBody", en=en, zh=zh, rule="state-body", key=zh, country=ent.id)
            self.add(g.start(), g.end(), body.id, "state-body")
        # mainland press: an unqualified 外交部 / 商務部 is the home state's, when the text speaks of that state
        home = _HOME_STATE.get(self.language)
        if home is None or not any(m.entity_id == home or getattr(self.entities.get(m.entity_id), "country", None) == home
                                   for m in self.spans.sorted()):
            return

        home_zh = self.entity(home).labels.get("zh-Hans") or ""
        for g in re.finditer(r"外交部|国防部|财政部|商务部|司法部|公安部|国务院", self.norm):
            prev = self.norm[g.start() - 1] if g.start() else "\n"
            if self.spans.overlaps(g.start(), g.end()) or (re.match(f"[{_CJK}]", prev) and
                                                            prev not in _ZH_BOUNDARY_CHARS and prev != "据"):
                continue
            named = [c for c in self.spans.sorted() if c.end <= g.start() and self.norm[c.start:c.end].endswith(g.group())
                     and self.entities.get(c.entity_id) is not None and self.entities[c.entity_id].cls == "GovernmentBody"]
            if named:
                self.add(g.start(), g.end(), named[-1].entity_id, "home-state-body")  # 俄外交部…外交部發言人: that one
                continue
            known = [x for x in self.lex.find(home_zh + g.group()) if x.start == 0 and x.end == len(home_zh) + len(g.group())]
            if known:

                self.entity(known[0].entry_id)
                self.add(g.start(), g.end(), known[0].entry_id, "home-state-body")
            else:
                body = self.local(home_zh + g.group(), "GovernmentBody", zh=home_zh + g.group(), rule="state-body",
                                  key=home_zh + g.group(), country=home)
                self.add(g.start(), g.end(), body.id, "home-state-body")


    def _titles(self) -> None:
        for m in _TITLE_ZH.finditer(self.norm):
            a, b = m.start(1), m.end(1)
            inner = m.group(1)
            covered = self.spans.overlaps(a, b)
            if any(c.start == a and c.end == b for c in covered):
                continue
            if inner.endswith(_TREATY_SUFFIX):
                cls = "Treaty"
            elif inner.endswith(_MEDIA_SUFFIX):
                cls = "MediaOrganization"
            else:
                continue
            ent = self.local(self.text[a:b], cls, zh=self.text[a:b], rule="title")
            self.add(a, b, ent.id, "title")

    def _suffix_orgs(self) -> None:
        """Unknown Chinese organisation names: a suffix (…組織, …署, …論壇 …) and the words before it.

        Accepted only where the context shows a name: an item of a list (、 / 如 / 包括 …), a name followed by its
        acronym or English name in parentheses, a quoted or titled name, a name built on a known name
        (烏克蘭科學技術中心), or a clause-initial name; never a phrase with classifiers, quantities or relation
        words (全球上百個國家推動多項重要計畫, 相關組織)."""
        norm = self.norm
        for m in _ZH_SUFFIX_RE.finditer(norm):
            s_start, s_end = m.start(), m.end()
            suffix = m.group()
            if any(c.start < s_end and c.end >= s_end for c in self.spans.overlaps(s_start, s_end)):
                continue  # the suffix belongs to a known name
            if suffix == "署" and s_start > 0 and norm[s_start - 1] in "签部官布公":
                continue  # 簽署, 部署: verbs, not an agency
            if s_end < len(norm) and norm[s_end] in _WORD_CONTINUES:
                continue  # the suffix is not the end of a word (组织者, 中心点, 组织法 …)
            left = s_start
            # a middle dot joins the parts of a transliterated name (洛克希德·马丁公司)
            while left > 0 and s_start - left < 30 and (re.match(f"[{_CJK}]", norm[left - 1]) or (
                    norm[left - 1] in "·・•" and left > 1 and re.match(f"[{_CJK}]", norm[left - 2]))):
                left -= 1
            prev_char = norm[left - 1] if left > 0 else "\n"
            listed = prev_char == "、" or norm[s_end:s_end + 1] == "、" or norm[s_end:s_end + 1] == "等"
            cut, cut_kind = left, "strong"
            for w in _ZH_BOUNDARY_WORDS:
                k = norm.rfind(w, left, s_start)
                if k >= 0 and k + len(w) > cut:
                    cut, cut_kind = k + len(w), ("list" if w in _LIST_CUES else "weak")
            for k in range(s_start - 1, cut - 1, -1):
                ch = norm[k]
                if ch in _ZH_BOUNDARY_CHARS and not (listed and ch in _LIST_JOINERS):
                    if k + 1 > cut:
                        cut, cut_kind = k + 1, ("list" if ch == "如" else "weak")
                    break
            if cut > 1 and norm[cut - 1] in "与及" and cut_kind == "weak":
                # 雷神导弹与防务公司: 与 joins two bare words of one name when the word before it is no name itself
                p = cut - 1
                while p > 0 and re.match(f"[{_CJK}]", norm[p - 1]) and norm[p - 1] not in _ZH_BOUNDARY_CHARS and \
                        cut - 1 - p < 8:
                    p -= 1
                if cut - 1 - p >= 2 and not self.spans.overlaps(p, cut - 1) and \
                        not any(norm.endswith(w, p, cut - 1) for w in _ZH_BOUNDARY_WORDS):
                    cut = p
            # a known mention that straddles the cut keeps its whole span inside the name
            for c in self.spans.overlaps(cut, s_start):
                if c.start < cut < c.end:
                    cut = c.start
            # 美國洛克希德·馬丁公司: the state before a company's name says where it is from
            national = suffix == "公司" and [c for c in self.spans.overlaps(cut, s_start) if c.start == cut and
                                              c.end < s_start - 1 and self.entities[c.entity_id].cls == "State"]
            if national:
                cut = national[0].end

            # coordinated with a name just found: A公司和B公司
            after_name = cut > 1 and norm[cut - 1] in "和及与、" and \
                any(c.end == cut - 1 for c in self.spans.overlaps(max(0, cut - 2), cut - 1))
            name_part = norm[cut:s_start]
            if len(name_part) < 2 or _GENERIC.match(name_part) or _DETERMINER.match(name_part) or \
                    _BAD_INSIDE.search(name_part):
                continue
            inside = self.spans.overlaps(cut, s_start)
            if any(c.start < cut or c.end > s_end for c in inside):
                continue
            if len(inside) == 1 and inside[0].start == cut and inside[0].end == s_start:
                continue  # 美國公司, 聯合國組織: a known name plus a generic noun
            followed = norm[s_end:s_end + 1] in ("(", "（")
            quoted = (cut > 0 and norm[cut - 1] in "「《『\"“") or norm[s_end:s_end + 1] in ("」", "》", "』")
            built_on_name = bool(inside) and inside[0].start == cut
            if not (listed or cut_kind == "list" or followed or quoted or built_on_name or after_name or national or

                    (cut_kind == "strong" and cut == left and prev_char in _STRONG_LEFT)):
                continue

            if suffix in _TREATY_SUFFIX:
                cls = "Treaty"
            elif suffix in ("电台", "通讯社"):
                cls = "MediaOrganization"
            elif norm[cut:].startswith("联合国"):
                cls = "UNSystemEntity"
            else:
                cls = "Organization"
            k = norm.rfind("和", cut, s_start)
            if listed and cls == "Organization" and k - cut >= 2 and s_start - k > 2 and \
                    not self.spans.overlaps(cut, k):
                # 波音防务和雷神公司 in a list: two companies sharing one suffix word, not one name
                first = self.text[cut:k]
                self.add(cut, k, self.local(first, cls, zh=first, rule="org-suffix").id, "org-suffix")
                cut = k + 1
            zh = self.text[cut:s_end]
            ent = self.local(zh, cls, zh=zh, rule="org-suffix")
            self.add(cut, s_end, ent.id, "org-suffix")


    def _english_names(self) -> None:
        text = self.text
        seqs = [(m.start(), m.end()) for m in _EN_CAPSEQ.finditer(text)]
        merged = []
        for a, b in seqs:
            # "United Nations Educational, Scientific and Cultural Organization": a comma inside a long name
            if merged and text[merged[-1][1]:a] == ", " and " and " in text[a:b] and \
                    text[a:b].split()[-1] in _EN_ORG_HEADS:
                merged[-1] = (merged[-1][0], b)
                for c in self.spans.overlaps(merged[-1][0], b):
                    if c.rule == "lexicon" and c.end <= b and c.start >= merged[-1][0] - 4:
                        self.spans.remove(c)
            else:
                merged.append((a, b))
        split = []
        for a, b in merged:
            # "the Community Development Financial Institutions Fund and the Minority Business Development Agency":
            # two names, each with its own head
            k = a
            for m in re.finditer(r" and the ", text[a:b]):
                split.append((k, a + m.start()))
                k = a + m.end()
            split.append((k, b))
        for a, b in split:
            words = text[a:b].split()
            while words and words[0] in _EN_STOP_START:
                a += len(words[0]) + 1
                words = words[1:]
            while words and words[-1] in ("of", "for", "on", "and", "in", "to", "the", "against", "de"):
                b -= len(words[-1]) + 1
                words = words[:-1]
            if not words:
                continue
            head = words[-1].rstrip("'’s")
            inner_head = [w for w, nxt in zip(words, words[1:]) if w in _EN_ORG_HEADS and nxt in ("for", "on", "of")]
            if head not in _EN_ORG_HEADS | _EN_TREATY_HEADS | _EN_EVENT_HEADS and inner_head:
                head = inner_head[-1]  # "Wilson Center for Scholars", "Council on Homelessness", "Bureau of Prisons"

            covered = self.spans.overlaps(a, b)

            if any(c.start <= a and b <= c.end for c in covered):
                continue
            if head in _EN_ORG_HEADS or head in _EN_TREATY_HEADS or head in _EN_EVENT_HEADS:
                if len(words) < 2 or " and the " in text[a:b]:
                    continue  # "UNRWA and the World Health Organization" is two names
                if any(c.start < a or c.end > b for c in covered):
                    continue
                if any(self.entities[c.entity_id].cls not in ("State", "Place") for c in covered):
                    continue  # built around a known body: that body, not a new one
                cls = ("Treaty" if head in _EN_TREATY_HEADS else "Event" if head in _EN_EVENT_HEADS else
                       "GovernmentBody" if head in ("Department", "Ministry", "Senate", "Congress", "Parliament")
                       else "Organization")
                if text[a:b].startswith(("UN ", "U.N. ", "United Nations ")):
                    cls = "UNSystemEntity" if cls == "Organization" else cls
                name = text[a:b]
                ent = self.local(name, cls, en=name, rule="en-name")
                self.add(a, b, ent.id, "en-name")
        self._english_persons()

    def _english_persons(self) -> None:
        """Latin-script person names (accents and particles allowed: Luz del Carmen Ibáñez Carranza) where the
        context shows a person: after a role word (President, spokesman, then-prosecutor, defence minister,),
        before a verb of speaking or an apposition, or followed by "of <country>"."""
        text = self.text
        tok = r"[A-ZÀ-Ý][^\W\d_]*(?:[-'’][A-ZÀ-Ýa-z][^\W\d_]*)?\.?"
        name_rx = re.compile(rf"{tok}(?:\s+(?:(?:del|de|la|van|von|der|da|di|al|bin|el|le|du|dos|das|ben)\s+)?{tok}){{1,4}}")
        role_rx = re.compile(r"(?:" + "|".join(re.escape(t) for t in sorted(EN_TITLES + _EN_ROLES, key=len, reverse=True))
                             + r"),?\s+$", re.I)
        for m in name_rx.finditer(text):
            a, b = m.start(), m.end()
            words = text[a:b].split()
            while words and (words[0] in _EN_STOP_START or words[0].rstrip(".") in _EN_NOT_NAME or
                             words[0] in EN_TITLES):
                a += len(words[0]) + 1
                words = words[1:]
            while words and words[-1].rstrip(".") in _EN_NOT_NAME:
                b -= len(words[-1]) + 1
                words = words[:-1]
            if text[b - 1] == "." and len(words[-1]) > 3:
                b -= 1  # the sentence's full stop, not an initial
            if len(words) < 2:
                continue
            if any(w.rstrip("'’s") in _EN_ORG_HEADS | _EN_TREATY_HEADS | _EN_EVENT_HEADS or w.rstrip(".") in _EN_NOT_NAME
                   for w in words):
                continue
            if self.spans.overlaps(a, b):
                continue
            before = text[max(0, a - 40):a]
            after = text[b:b + 40]
            state_after = re.match(r"\s+of\s+", after) and any(
                self.entities[c.entity_id].cls == "State" for c in self.spans.overlaps(b, min(len(text), b + 30)))
            if not (role_rx.search(before) or re.match(rf",?\s+(?:who\s+|whose\s+)?{_SPEECH_EN}\b", after) or
                    re.match(r",\s+(?:a|an|the)\s+[a-z]", after) or state_after or
                    re.search(rf"{_SPEECH_EN}\s+$", before)):
                continue
            name = text[a:b]
            hit = [h for h in self.lex.find(name) if h.start == 0 and h.end == len(name)]
            ent = self.entity(hit[0].entry_id) if hit else self.local(
                name, "Person", en=name, rule="en-person", gender=gender_of(words[0]))
            self.add(a, b, ent.id, "en-person")

    def _acronym_definitions(self) -> None:
        text, norm = self.text, self.norm
        for m in _PAREN.finditer(norm):
            inner = m.group(1)
            first = re.split(r"[,，;；、]", inner)[0].strip()
            if not _ACRONYM.fullmatch(first) or sum(c.isupper() for c in first) < 2:
                continue
            a = m.start(1) + inner.index(first)
            b = a + len(first)
            name = self.spans.ending_at(m.start())
            if name is None and m.start() > 0 and norm[m.start() - 1] in "》」』\"”":
                name = self.spans.ending_at(m.start() - 1)
            if name is None:
                continue
            owner = self.entities[name.entity_id]
            if owner.cls in ("State", "Person"):
                continue
            inner_m = self.spans.overlaps(a, b)
            lex_reading = inner_m[0].entity_id if inner_m and inner_m[0].start == a and inner_m[0].end == b else None
            if lex_reading == owner.id:
                self.acronym_defs.setdefault(first, owner.id)
                continue
            if lex_reading is not None and name.rule == "lexicon":
                other = self.entities[lex_reading]
                owner.acronym_conflict = (f"{first} is defined in this document as "
                                          f"{owner.labels.get('en') or name.text}; the lexicon reads {first} as "
                                          f"{other.labels.get('en') or other.id} ({other.id})")
            elif lex_reading is not None and name.rule != "lexicon":
                # an unknown name defined by a known acronym: the name is that entity
                self.spans.remove(name)
                self.add(name.start, name.end, lex_reading, "acronym")
                self.acronym_defs.setdefault(first, lex_reading)
                continue
            self.acronym_defs[first] = owner.id
            if owner.source != "lexicon" and not owner.labels.get("en"):
                owner.acronyms = owner.acronyms + (first,)
        for acr, eid in self.acronym_defs.items():
            for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(acr)}(?![A-Za-z0-9])", text):
                cur = self.spans.overlaps(m.start(), m.end())
                if cur and any(c.entity_id == eid for c in cur):
                    continue
                if cur and not all(c.start >= m.start() and c.end <= m.end() for c in cur):
                    continue
                for c in cur:
                    self.spans.remove(c)
                self.add(m.start(), m.end(), eid, "acronym")

    def _administrations(self) -> None:
        rx = (re.compile(r"政府") if self.language != "en"
              else re.compile(r"[’']?s?\s+[Aa]dministration\b"))
        for m in list(self.spans.sorted()):
            ent = self.entities.get(m.entity_id)
            if ent is None or ent.cls != "Person":
                continue
            g = rx.match(self.norm, m.end)
            if not g:
                continue
            end = g.end()
            person_en = ent.labels.get("en") or m.text
            surname = person_en.split()[-1]
            cands = [e for e in self.lex.entries.values() if e.cls == "GovernmentBody" and
                     (e.id == f"{ent.id}_ADMIN" or e.id == f"{ent.id}_ADMINISTRATION" or
                      (e.labels.get("en") or "").lower() in (f"{surname} administration".lower(),
                                                             f"{person_en} administration".lower()))]
            if cands:
                admin = self.entity(cands[0].id)
            else:
                admin = self.local(self.text[m.start:end], "GovernmentBody", en=f"{surname} administration",
                                   rule="administration", key=f"{ent.id} administration", country=ent.country)
                if self.language != "en" and not admin.labels.get("zh-Hant"):
                    zh_name = (ent.labels.get("zh-Hant") or m.text) + "政府"
                    admin.labels["zh-Hant"], admin.labels["zh-Hans"] = zh_name, normalize(zh_name)
            inner = self.spans.overlaps(m.end, end)
            for c in inner:
                self.spans.remove(c)
            self.spans.remove(m)
            self.add(m.start, end, admin.id, "administration")

    def _repeat_rule_names(self) -> None:
        """A name a rule found once is a name everywhere in the document (and a person's surname alone too)."""
        forms: dict[str, str] = {}
        for m in self.spans.sorted():
            ent = self.entities[m.entity_id]
            if ent.source == "lexicon" or m.rule == "administration":
                continue
            forms.setdefault(m.text, ent.id)
            if ent.cls == "Person" and " " in m.text and m.text.isascii() is False or (
                    ent.cls == "Person" and re.fullmatch(_LATIN_NAME.pattern, m.text)):
                words = m.text.split()
                for k in range(1, len(words)):
                    tail = " ".join(words[k:])
                    if words[k][:1].isupper():
                        forms.setdefault(tail, ent.id)  # "Ibáñez Carranza", "Carranza", "Bossa"
        for m in self.spans.sorted():
            ent = self.entities[m.entity_id]
            if ent.source == "lexicon" and ent.cls == "Person" and re.fullmatch(_LATIN_NAME.pattern, m.text):
                forms.setdefault(m.text.split()[-1], ent.id)  # "Tammy Bruce … Bruce said"
        for form in sorted(forms, key=len, reverse=True):
            if len(form) < 2:
                continue
            latin = form.isascii()
            pat = rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])" if latin else re.escape(form)
            for m in re.finditer(pat, self.text):
                if not self.spans.overlaps(m.start(), m.end()):
                    self.add(m.start(), m.end(), forms[form], "repeat")


def find_mentions(text: str, norm: str, language: str, lexicon: Lexicon):
    return MentionFinder(text, norm, language, lexicon).run()
