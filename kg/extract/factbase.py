"""The fact record the extractor builds, its default confidences, and small shared helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DEFAULT_CONFIDENCE = {"Withdrawal": 0.9, "FundingSuspension": 0.85, "Sanction": 0.9, "Threat": 0.8, "Veto": 0.85,
                      "Rejection": 0.8, "Criticism": 0.75, "AgencyClosure": 0.85, "DirectiveIssuance": 0.9,
                      "Announcement": 0.85, "Review": 0.75, "Reversal": 0.75, "Statement": 0.8}


@dataclass
class Fact:
    type: str
    trigger: tuple
    sentence: int
    actor: str | None = None
    targets: list = field(default_factory=list)
    date: str | None = None
    date_role: str | None = None
    date_resolution: str | None = None
    date_evidence: tuple | None = None
    vague_time: bool = False
    modality: str = "effective"
    evidence: list = field(default_factory=list)
    confidence: float = 0.85
    actor_inherited: bool = False
    target_resolved: bool = False
    subaction_of: int | None = None  # index into the fact list
    derived: bool = False
    legal_basis: str | None = None
    quote: tuple | None = None
    restatement: bool = False        # the act named again (三國的退出於…生效, "the exit takes effect")
    effective_date: str | None = None


NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12}


def count_word(word: str) -> int:
    return int(word) if word.isdigit() else {"两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "two": 2, "three": 3,
                                             "four": 4, "five": 5, "six": 6}.get(word.lower(), 0)


def adjacent_days(a: str, b: str) -> bool:
    """Two day-precise dates at most one day apart: reports of one act ("on inauguration day" / "the day after",
    time zones) rather than two acts."""
    if len(a) != 10 or len(b) != 10:
        return False
    return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days) <= 1
