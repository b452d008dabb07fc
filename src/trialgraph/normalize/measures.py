"""What kind of measure an outcome is, and which way of it is better.

The measure type comes from general cues of the outcome's measure (its title): "time to",
"percentage of participants with", "change from baseline", "number of episodes", and, where
the title has none, from what its concepts are (a survival endpoint is a time to an event, a
response rate a proportion, a scale a value). The direction combines the concept's own
direction with the measure type: fewer adverse events are better, so a proportion with them
is ``lower-better`` and a time to them ``higher-better``; a lower PHQ-9 score is better, so
its value and change are ``lower-better``, and a proportion of participants is better only
where the title says they responded, improved or were free of it.

Cue patterns are compiled once per process; the endpoint classifier calls these once per
distinct measure text and remembers the result.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["DIRECTIONS", "MEASURE_TYPES", "direction", "measure_type"]

MEASURE_TYPES = ("proportion", "change", "time-to-event", "count", "value")
DIRECTIONS = ("higher-better", "lower-better")

_PEOPLE = (
    r"(?:participants?|patients?|subjects?|people|persons?|individuals?|women|men|children"
    r"|infants?|adults?|adolescents?|volunteers?|eyes|responders?|cases|mothers|neonates)"
)
_EVENTS = (
    r"(?:events?|episodes?|attacks?|exacerbations?|seizures?|days|nights|visits|admissions"
    r"|hospitali[sz]ations?|falls|flares?|relapses?|lesions|bleeds|voids|micturitions"
    r"|awakenings|cigarettes|drinks|occurrences|recurrences|migraines|headaches|crises)"
)
_RATE_OF_PEOPLE = (
    r"(?:response|responder|remission|survival|success|cure|control|benefit|eradication"
    r"|healing|closure|completion|retention|recruitment|adherence|compliance|incidence"
    r"|infection|mortality|death|readmission|recurrence|relapse|complication|conversion"
    r"|positivity|negativity|detection|pregnancy|live birth|abstinence|quit|cessation"
    r"|patency|reintervention|revascularization|discontinuation|withdrawal)"
)
# Strong cues, tried together: the leftmost wins ("Number of participants with a change"
# is a proportion, "Change in the number of migraine days" a change); at one position the
# order of the groups decides.
_CUES = re.compile(
    r"(?P<time>\btime (?:(?:taken|needed|required) )?(?:to|until)\b"
    r"|\btime from \w+(?: \w+){0,4} to\b|\bkaplan)"
    r"|(?P<change>\b(?:percent(?:age)? )?changes?\b|\bfrom baseline\b|\breductions?\b"
    r"|\bimprovements?\b|\bdecreases?\b|\bincreases?\b|\bdeclines?\b|\bdelta\b)"
    rf"|(?P<proportion>\b(?:percentage|percent|proportion|number|no\.|fraction|rate|incidence"
    rf"|prevalence|occurrence|count|%)\s+of\s+(?:the\s+)?(?:[\w-]+\s+){{0,2}}?{_PEOPLE}\b"
    rf"|\b{_PEOPLE}\s+(?:with|who|achieving|experiencing|reporting|having|in whom|that)\b"
    rf"|\bincidences?\b|\bproportions?\b|\bpercentage\b|\bprevalence\b|\bresponders?\b"
    rf"|\b{_RATE_OF_PEOPLE} rates?\b|\brates? of {_RATE_OF_PEOPLE}\b)"
    rf"|(?P<count>\b(?:number|frequency|count|total number) of (?:[\w-]+ ){{0,3}}?{_EVENTS}\b"
    rf"|\bannuali[sz]ed\b|\bper (?:patient|person|participant|subject)[ -]?(?:years?|months?)"
    rf"|\b(?:event|exacerbation|relapse|attack|seizure|flare|bleeding) (?:rates?|frequency)\b"
    rf"|\b(?:migraine|headache|bleeding|symptom free|drinking|abstinent|smoking) days\b"
    rf"|\b(?:{_EVENTS[3:-1]}|migraine|headache|seizure|attack|voiding|micturition) frequency\b)",
    re.IGNORECASE,
)
_GROUP_TYPE = {"time": "time-to-event", "change": "change", "proportion": "proportion"}

# In a proportion of participants, what says they did well on a scale or event ...
_GOOD = re.compile(
    r"\b(?:respon\w*|achiev\w*|improv\w*|remission|remitted|success\w*|cured?|cures"
    r"|resol\w*|eradicat\w*|free|freedom|absence|recover\w*|relief|healed|healing"
    r"|clear(?:ed|ance)?|reduction of (?:at least )?\d+"
    r"|\d+ ?% (?:or more )?(?:reduction|improvement)"
    r"|PASI ?\d{2,3}|EASI ?\d{2,3}|SALT ?\d{1,2}|normali[sz]\w*)\b",
    re.IGNORECASE,
)
# ... or badly.
_BAD = re.compile(r"\b(?:worsen\w*|deteriorat\w*|progress\w*|relapse\w*)\b", re.IGNORECASE)
# What turns a scale's score around: pain relief is better higher.
_RELIEF = re.compile(r"\b(?:relief|relieved|freedom from)\b", re.IGNORECASE)
_OPPOSITE = {"higher-better": "lower-better", "lower-better": "higher-better"}

# The rate of an event, said after it.
_RATE = re.compile(r"\brates?\b", re.IGNORECASE)

#: What a concept's kind makes of a title without cues.
_DEFAULT_TYPE = {"time": "time-to-event", "rate": "proportion", "score": "value", "value": "value"}


def measure_type(measure: str, kinds: Sequence[str], *, pk: bool = False) -> str | None:
    """The measure type of an outcome titled ``measure`` whose concepts have ``kinds``.

    A pharmacokinetic parameter is a value whatever its title says ("Time to maximum
    concentration").

    >>> measure_type("Change From Baseline in PHQ-9 Total Score", ["score"])
    'change'
    >>> measure_type("Percentage of Participants Achieving PASI 75", ["score"])
    'proportion'
    >>> measure_type("Time to First Stroke", ["event"]), measure_type("Overall survival", ["time"])
    ('time-to-event', 'time-to-event')
    >>> measure_type("Number of Monthly Migraine Days", ["event"]), measure_type("PHQ-9", ["score"])
    ('count', 'value')
    >>> measure_type("Adverse events", ["event"]) is None
    True
    >>> measure_type("Caesarean section rate", ["event"])
    'proportion'
    """
    if pk:
        return "value"
    cue = _CUES.search(measure)
    if cue and cue.lastgroup:
        return _GROUP_TYPE.get(cue.lastgroup, cue.lastgroup)
    if "event" in kinds and _RATE.search(measure):  # "Caesarean section rate"
        return "proportion"
    for kind in kinds:
        if kind in _DEFAULT_TYPE:
            return _DEFAULT_TYPE[kind]
    return None


def _one_direction(concept: str, kind: str, mtype: str | None, measure: str) -> str | None:
    """The direction of one concept (its own ``concept`` direction and ``kind``) measured so."""
    if not concept:
        return None
    if kind == "event":
        if mtype == "time-to-event" or (mtype == "proportion" and _GOOD.search(measure)):
            return _OPPOSITE[concept]
        return concept
    if kind in ("time", "rate"):
        return concept if mtype in (None, "time-to-event", "proportion", "value") else None
    if mtype in ("value", "change", None):
        return _OPPOSITE[concept] if _RELIEF.search(measure) else concept
    if mtype == "proportion":
        if _BAD.search(measure):
            return "lower-better"
        return "higher-better" if _GOOD.search(measure) else None
    return None


def direction(concepts: Sequence[tuple[str, str]], mtype: str | None, measure: str) -> str | None:
    """Which way is better for an outcome measuring ``concepts`` (each its direction and
    kind) as a ``mtype``; ``None`` unless every concept gives the same answer.

    >>> direction([("lower-better", "score")], "change", "Change in PHQ-9")
    'lower-better'
    >>> direction([("lower-better", "event")], "time-to-event", "Time to first stroke")
    'higher-better'
    >>> direction([("lower-better", "score")], "proportion", "Participants achieving PASI 90")
    'higher-better'
    >>> direction([("lower-better", "event"), ("", "value")], "proportion", "AEs and Cmax")
    """
    found = {_one_direction(d, k, mtype, measure) for d, k in concepts}
    if len(found) != 1:
        return None
    return found.pop()
