"""Trigger lexicons: the words that announce each kind of policy action, in Chinese and English.

Chinese patterns run on the normalised (simplified, half-width) text. Each trigger says where its target
usually is: ``after`` the verb (退出WHO, "withdraw from WHO"), ``between`` a preposition and the verb (對她實施制裁,
暫停對WHO的資金支持, "cut funding to WHO" is ``after``), or ``before`` it for intransitive uses (USAID停擺).
Sources: hand-written from the action types of the ontology and the seed/held-out article vocabulary; the
negative lists (構成威脅, 撤出國際合作 …) come from the traps recorded in shared/design/extraction-notes.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Trigger:
    type: str
    rx: re.Pattern
    target: str = "after"          # after | between | before | event
    target_classes: frozenset = frozenset()
    needs_target: bool = True


ORGS = frozenset({"IntergovernmentalOrganization", "UNSystemEntity", "NonGovernmentalOrganization",
                  "MediaOrganization", "Organization", "GovernmentBody", "Group"})
WITHDRAWABLE = frozenset({"IntergovernmentalOrganization", "UNSystemEntity", "NonGovernmentalOrganization",
                          "Organization", "Treaty", "Event", "Group"})
ANY_TARGET = ORGS | {"State", "Person", "Treaty", "Event", "Place", "ExecutiveOrder", "PresidentialMemorandum"}
DOCUMENTS = frozenset({"ExecutiveOrder", "PresidentialMemorandum"})

_FUNDS_ZH = r"(?:资金|资助|拨款|经费|援助|捐款|会费|供资|出资|财政支持|支持)"
_FUNDS_EN = r"(?:funding|funds|financing|aid|assistance|contributions?|grants?|financial support|support|payments?|money)"

ZH_TRIGGERS = [
    Trigger("AgencyClosure", re.compile(r"停止(?:执行|运作|运营|营运|一切业务|业务)|停止运转|关门大吉"), "subject", ORGS - {"Group"}),
    Trigger("Reversal", re.compile(r"解除(?:[^,，。;；]{0,20}?)制裁|取消(?:[^,，。;；]{0,20}?)制裁|撤销(?:[^,，。;；]{0,30}?)批准|"
                                   r"撤回(?:[^,，。;；]{0,30}?)批准|撤销|撤回"), "reversal", ANY_TARGET),
    Trigger("FundingSuspension", re.compile(r"(?:暂停|中止|停止|冻结|削减|切断|终止|取消|撤回|暂缓|停发|减少|砍掉|大砍|不再|禁止)"
                                            r"(?!执行|运作|运营|营运)(?:[^,，。;；:：!?！？]{0,90}?)" + _FUNDS_ZH), "between",
            ORGS | {"State"}),
    Trigger("FundingSuspension", re.compile(r"断供|停资|撤资|停止资助|不再资助|削减对"), "after", ORGS | {"State"}),
    Trigger("Withdrawal", re.compile(r"退出|撤出|脱离|退群|离开|不再(?:参与|参加)"), "after",
            WITHDRAWABLE),
    # listing as a sanction: 将X列入不可靠实体清单 / 把X列入制裁名单 (X between 将/把/对 and the verb)
    Trigger("Sanction", re.compile(r"列入(?=[^,，。;；]{0,30}?(?:实体|制裁|黑|管制|管控|恐怖|不可靠|观察|指定|禁运|SDN))"

                                   r"(?:[^,，。;；]{0,30}?)(?:清单|名单)"), "between",
            ANY_TARGET - {"Treaty", "Event", "Place"}),
    Trigger("Follow", re.compile(r"跟进|效仿|仿效|步其后尘|相继跟进"), "follow", ANY_TARGET, needs_target=False),
    Trigger("Sanction", re.compile(r"(?<!反)制裁(?!名单)|除名|开除|驱逐出"), "between", ANY_TARGET - {"Treaty", "Event", "Place"}),
    Trigger("Threat", re.compile(r"(?<!构成)(?<!造成)(?<!带来)(?<!形成)(?<!成为)(?<!受到)(?<!面临)(?<!的)(?<!是)威胁(?![到性])|扬言"),
            "threat", ANY_TARGET - {"Person"}, needs_target=True),
    Trigger("Veto", re.compile(r"否决|投(?:下|了)?反对票(?=[^。]{0,30}(?:未能|没有|未)(?:获得?)?通过)"), "veto", ORGS | {"Treaty"}),
    Trigger("Rejection", re.compile(r"缺席|抵制|杯葛|拒绝(?:出席|参加|加入|签署|参与|承认)|拒不(?:出席|参加)|(?:没有|未|不)出席|"
                                    r"(?:不会|将不|不)(?:参加|参与)"),
            "event", WITHDRAWABLE),
    Trigger("Criticism", re.compile(r"谴责|批评|抨击"), "object", ANY_TARGET - {"Place"}),
    Trigger("AgencyClosure", re.compile(r"关闭|停摆|解散|裁撤|关停|关门|废除"), "after", ORGS - {"Group"}),
    Trigger("DirectiveIssuance", re.compile(r"发布|签署|颁布|签发|下达|发出"), "document", DOCUMENTS),
    Trigger("Announcement", re.compile(r"宣布|宣布了|宣告|公告|公布"), "announce", ANY_TARGET | {"Group"},
            needs_target=False),
    Trigger("Review", re.compile(r"审查|审议|检讨|重新评估|重新审视|重新检视|评估"), "review", ORGS | {"Treaty"}),
    Trigger("Reversal", re.compile(r"推翻|废止|重新(?:加入|参与|参加)|重返|恢复(?:[^,，。]{0,12}?)" + _FUNDS_ZH), "reversal",
            ANY_TARGET),
]

EN_TRIGGERS = [
    Trigger("FundingSuspension", re.compile(
        r"\b(?:suspend(?:s|ed|ing)?|suspension of|halt(?:s|ed|ing)?|freez(?:e|es|ing)|froze|frozen|cut(?:s|ting)?(?: off)?|"
        r"end(?:s|ed|ing)?|stop(?:s|ped|ping)?|paus(?:e|es|ed|ing)|withh(?:o|e)ld(?:s|ing)?|withhold(?:s|ing)?|"
        r"slash(?:es|ed|ing)?|terminat(?:e|es|ed|ing)|pull(?:s|ed|ing)?)\b(?:[^;:]{0,60}?)\b" + _FUNDS_EN + r"\b", re.I),
        "between_en", ORGS | {"State"}),
    Trigger("FundingSuspension", re.compile(r"\bdefund(?:s|ed|ing)?\b", re.I), "after", ORGS | {"State"}),
    Trigger("Follow", re.compile(r"\bfollow(?:s|ed|ing)? suit\b", re.I), "follow", ANY_TARGET, needs_target=False),
    Trigger("Reversal", re.compile(r"\b(?:lift(?:s|ed|ing)?|remov(?:e|es|ed|ing)|eas(?:e|es|ed|ing)) (?:the |those |these |its |all )?"
                                   r"sanctions\b|\b(?:revok|rescind)\w* (?:its |the )?ratification\b|\bde-?ratif\w+\b", re.I),
            "reversal", ANY_TARGET),
    Trigger("Withdrawal", re.compile(r"\bfollow(?:s|ed|ing)?(?:\s+(?:the\s+)?[A-Z][\w.]*){0,3}\s+out\b", re.I), "after",
            WITHDRAWABLE),
    Trigger("Withdrawal", re.compile(r"\b(?:withdr[ae]w(?:s|n|ing|al)?|pull(?:s|ed|ing)?(?:\s+(?:the\s+)?[A-Z][\w.]*){0,3}\s+out|"
                                     r"(?:tak(?:e|es|en|ing)|took)(?:\s+(?:the\s+)?[\w.]+){1,3}\s+out\s+of|"
                                     r"pullout|exit(?:s|ed|ing)?|"
                                     r"quit(?:s|ting)?|leav(?:e|es|ing)|left)\b", re.I), "after", WITHDRAWABLE),
    Trigger("Sanction", re.compile(r"\bsanction(?:s|ed|ing)?\b|\bdesignat(?:ed|ions?|es|ing)\b|\bexpell?(?:ed|s|ing)?\b|"
                                   r"\b(?:add(?:s|ed|ing)?|plac(?:e|es|ed|ing)|put(?:s|ting)?)\b(?=[^.;]{0,80}?\b(?:to|on)\s+"
                                   r"(?:the\s+|its\s+|a\s+|an\s+)?(?:[\w\"“”'-]+\s+){0,3}?(?:(?:entity|sanctions?|terror\w*|"
                                   r"watch|denied\s+persons|unverified|SDN|nationals?)[\"”]?\s+list|blacklist)\b)",

                                   re.I), "after", ANY_TARGET - {"Treaty", "Event", "Place"}),
    Trigger("Threat", re.compile(r"\bthreat(?:en|ened|ens|ening)\b", re.I), "threat", ANY_TARGET - {"Person"}),
    Trigger("Veto", re.compile(r"\bveto(?:es|ed|ing)?\b", re.I), "veto", ORGS | {"Treaty"}),
    Trigger("Rejection", re.compile(r"\b(?:boycott(?:s|ed|ing)?|skip(?:s|ped|ping)?|snub(?:s|bed|bing)?|stay(?:ed|s)? away from|"
                                    r"(?:did not|didn't|will not|won't|would not|refused to|declined to) (?:attend|join|"
                                    r"sign|participate in|send (?:a )?delegation to)|reject(?:s|ed|ing)?)\b", re.I),
            "event", WITHDRAWABLE),
    Trigger("Criticism", re.compile(r"\b(?:condemn(?:s|ed|ing)?|criticiz(?:e|es|ed|ing)|criticis(?:e|es|ed|ing)|"
                                    r"denounc(?:e|es|ed|ing)|slam(?:s|med|ming)?|blast(?:s|ed|ing)?|rebuk(?:e|es|ed|ing))\b",
                         re.I), "object", ANY_TARGET - {"Place"}),
    Trigger("AgencyClosure", re.compile(r"\b(?:clos(?:e|es|ed|ing)(?: down)?|closure of|shut(?:s|ting)?(?: down)?|"
                                        r"shutter(?:s|ed|ing)?|dismantl(?:e|es|ed|ing)|abolish(?:es|ed|ing)?|"
                                        r"dissolv(?:e|es|ed|ing)|gut(?:s|ted|ting)?|eliminat(?:e|es|ed|ing)|"
                                        r"wind(?:s|ing)? down|wound down)\b|"
                                        r"\b(?:cut(?:s|ting)?|reduc(?:e|es|ed|ing))\b(?=[^;]{0,100}?\bto the (?:\w+ )?minimum\b)",

                         re.I), "after", ORGS - {"Group"}),
    # "most of VOA's staff were placed on leave": the body whose staff is sent home is being shut
    Trigger("AgencyClosure", re.compile(r"\b(?:staff|employees|workforce|workers|journalists)\b(?=[^.;]{0,30}?\b"
                                        r"(?:placed|put|sent) on (?:\w+ )?leave\b)", re.I), "possessor", ORGS - {"Group"}),
    Trigger("DirectiveIssuance", re.compile(r"\b(?:sign(?:s|ed|ing)?|issu(?:e|es|ed|ing))\b", re.I), "document", DOCUMENTS),
    Trigger("Announcement", re.compile(r"\bannounc(?:e|es|ed|ing)\b", re.I), "announce", ANY_TARGET | {"Group"},
            needs_target=False),
    Trigger("Review", re.compile(r"\b(?:review(?:s|ed|ing)?|reassess(?:es|ed|ing|ment)?|re-?evaluat(?:e|es|ed|ing|ion))\b",
                                 re.I), "review", ORGS | {"Treaty"}),
    Trigger("Reversal", re.compile(r"\b(?:revers(?:e|es|ed|ing)|rescind(?:s|ed|ing)?|revok(?:e|es|ed|ing)|"
                                   r"overturn(?:s|ed|ing)?|rejoin(?:s|ed|ing)?|restor(?:e|es|ed|ing) (?:its )?"
                                   r"(?:funding|aid|support))\b", re.I),
            "reversal", ANY_TARGET),
]

# Figurative or non-policy uses: a trigger inside one of these spans is not an action.
ZH_NOT_ACTION = re.compile(r"(?:撤出|退出)(?:国际合作|国际舞台|国际秩序|历史舞台|市场|竞选|比赛|选举)|「撤退」|撤退|关闭(?:边境|口岸|领空)|"
                           r"重返(?:白宫|政坛|权力|执政|总统|职位|岗位|工作|校园|家园|赛场|舞台|战场)|"
                           r"(?:资金|支持|援助)(?:和|与)?(?:支持)?缺口")
EN_NOT_ACTION = re.compile(r"\bthreat(?:en|ened|ens|ening) (?:to )?(?:peace|security|stability)\b|\bleft(?:-wing| wing)\b|"
                           r"\bleft (?:behind|out|over)\b|\bexit polls?\b|\bclose(?:ly|d-door| to| ties| ally| allies)\b|"
                           r"\bend(?:ed|s)? (?:the|a) (?:day|week|year|meeting|session|talks)\b|\bsign(?:s|ed)? of\b|"
                           r"\bissues? (?:of|with|such|that|are|is|like)\b|\bon (?:\w+ )?leave\b|"

                           r"\bleave of absence\b", re.I)


# Modality cues (simplified Chinese / English), looked for before the trigger in its clause.
ZH_NEGATION = re.compile(r"(?:不会|不将|不再会|没有|并未|未曾|未|不|并不|绝不|无意|拒绝)$")
EN_NEGATION = re.compile(r"\b(?:not|n't|never|no longer plans? to|declined to|refused to)\s+(?:\w+\s+){0,2}$", re.I)
ZH_PLANNED = re.compile(r"将|计划|拟|准备|打算|预计|即将|考虑|决定|(?<![理大议委协学金联])会(?!议)")
EN_PLANNED = re.compile(r"\b(?:will|would|plans? to|planned to|planning to|is set to|are set to|intends? to|is expected to|"
                        r"to begin|is to|are to|shall|could)\b", re.I)
ZH_FUTURE = re.compile(r"将|预计|预期|即将|拟|计划")
ZH_ORDERED = re.compile(r"要求|下令|命令|指示|责成|指令")
EN_ORDERED = re.compile(r"\b(?:ordered|orders|directed|directs|instructed|instructs|requiring|required)\b", re.I)
ZH_HISTORICAL = re.compile(r"曾经|曾|首次执政|第一任期|上一任期|早在|当年|过去")
EN_HISTORICAL = re.compile(r"\b(?:previously|once|first term|first administration|had (?:already )?\w+ed|in the past)\b", re.I)
ZH_EFFECTIVE = re.compile(r"生效|正式生效")
EN_EFFECTIVE = re.compile(r"\b(?:takes? effect|took effect|taking effect|effective|becomes? effective|came into force|"
                          r"comes? into force)\b", re.I)
ZH_ANNOUNCED = re.compile(r"宣布|宣告|公布|公告")
EN_ANNOUNCED = re.compile(r"\bannounc\w+\b", re.I)

ZH_SPEECH = re.compile(r"(?:说|表示|认为|指出|称|强调|批评|分析|写道|坦言|透露|警告|回应|声称|补充)\s*$")
EN_SPEECH = re.compile(r"\b(?:said|says|told|stated|argued|added|noted|wrote|explained|warned|according to)\b", re.I)
ZH_PREPOSITIONS = ("在", "于", "从", "对", "向", "自", "到", "针对", "与", "跟", "同", "给", "为", "由", "据", "除了", "和")
ZH_CONNECTIVES = re.compile(r"^(?:而|但|但是|并|且|此外|同时|然而|因此|事实上|另外|也|又|而且|随后|其后|之后|并且|不过|因为|由于|"
                            r"所以|在此之前|此前|目前|如今|至于|甚至|更|还|即|则)+")
ZH_DEMONSTRATIVE = re.compile(r"(?:该|此|这个|这一|那个)(?:[^,，。;；、]{0,10}?)(组织|机构|单位|署|局|部门|部|公约|协定|条约|协议|"
                              r"命令|基金|理事会|委员会|电台|媒体|国家|国|法院|法庭|院)")
# a bare head noun as the verb's whole object (退出條約。重新參與理事會，): resolved like 該條約
ZH_BARE_HEAD = re.compile(r"\s*(?:了)?(条约|协定|公约|协议|理事会|委员会)(?=$|[^\u4e00-\u9fff]|的|后|时|及|和|并|、)")
ZH_PLURAL_DEMONSTRATIVE = re.compile(r"(?:这|那|上述)(?:些|(\d+|[一二两三四五六七八九十])个)(?:[^,，。;；、]{0,6}?)(组织|机构|单位|公约|协定|条约)")
EN_DEMONSTRATIVE = re.compile(r"\b(?:(?:the|its)\s+(?:[\w-]+\s+){0,2}?|(?:that|this)\s+)(agency|court|tribunal|organi[sz]ation|body|group|treaty|accord|pact|agreement|"
                              r"convention|broadcaster|outlet|office|department|fund|programme|program|council|bureau|"
                              r"country|nation)\b", re.I)
EN_PLURAL_DEMONSTRATIVE = re.compile(r"\b(?:these|those|the|all)\s+(?:(\d+|two|three|four|five|six|seven|eight|nine|ten)\s+)?"
                                     r"(?:\w+\s+){0,2}?(organi[sz]ations|agencies|bodies|entities|treaties|groups|outlets|"
                                     r"broadcasters)\b", re.I)
# the qualifier may be a nationality (6家中国实体)
ZH_GROUP = re.compile(r"(\d+)\s*(?:个|家|项)(国际性?|联合国|多边|全球|非联合国|国际和区域|[\u4e00-\u9fff]{2,3}?)?\s*(?:的)?(?:国际)?"
                      r"(组织|机构|实体|条约|协定|公约)")

EN_GROUP = re.compile(r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+((?:[A-Za-z.\-]+\s+){0,4}?)"
                      r"(organi[sz]ations|bodies|entities|agencies|institutions|treaties|groups|judges|officials|"
                      r"diplomats|individuals|prosecutors)\b", re.I)
ZH_HEDGE = re.compile(r"理论上|可以|可能|或许|也许|不排除|只有在|才会考虑|才考虑")

# case-sensitive "may": the month May is no hedge
EN_HEDGE = re.compile(r"\b(?:[Cc]ould|[Mm]ight|may|[Pp]ossibly|[Ii]n theory)\b")

ZH_NEGATION_CLAUSE = re.compile(r"并非|并不|从未|没有|未曾|不会|不曾|无意|不能|无法|不打算|拒绝")
EN_NEGATION_CLAUSE = re.compile(r"\b(?:did not|didn't|does not|doesn't|will not|won't|would not|has not|have not|never|"
                                r"not)\b", re.I)
ZH_ELABORATION = re.compile(r"例如|比如|诸如|包含|包括|如")
EN_ELABORATION = re.compile(r"\b(?:such as|including|includes|include|among them|among which|like)\b", re.I)
ZH_CONTINUATION = re.compile(r"^(?:也|还|另外|其余|其他|剩下|余下)?(?:包括|包含|有)?|^其余|^其他")
ZH_CARRY_DATE = re.compile(r"^(?:同时|随后|当天|同日|其后|此后|与此同时)")
EN_CARRY_DATE = re.compile(r"^(?:Meanwhile|At the same time|The same day|That day|Later that day|Separately)\b")
