"""Regular expressions compiled on first use, and the words around a match that tell what a
number or a name is ("SSN", "routing", "obligor", "office" ...)."""

import re
from functools import cached_property


class LazyPattern:
    """A regular expression compiled the first time it is used, so importing the detector
    costs nothing until a text is scanned."""

    __slots__ = ("source", "flags", "__dict__")

    def __init__(self, source: str, flags: int = 0):
        self.source = source
        self.flags = flags

    @cached_property
    def compiled(self) -> re.Pattern:
        return re.compile(self.source, self.flags)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        return self.compiled.finditer(text, pos, len(text) if endpos is None else endpos)

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        return self.compiled.search(text, pos, len(text) if endpos is None else endpos)

    def match(self, text: str, pos: int = 0, endpos: int | None = None):
        return self.compiled.match(text, pos, len(text) if endpos is None else endpos)


def words(*alternatives: str) -> str:
    """A non-capturing alternation of regex fragments that stand as words of their own: no
    letter or digit just before, no letter just after (a digit may follow: "SS#123...")."""
    return r"(?<![A-Za-z0-9])(?:" + "|".join(alternatives) + r")(?![A-Za-z])"


# Cues, each a pattern over the words near a match.
SSN_CUE = LazyPattern(
    words(
        r"SSNs?", r"SSAN", r"S\.S\.N\.?", r"SS\s?#", r"SS\s?(?:no|num)\.?",
        r"soc(?:ial)?\.?\s*sec(?:urity)?\.?(?:\s*(?:no|num|number|card|#))?",
    ),
    re.IGNORECASE,
)
ITIN_CUE = LazyPattern(words(r"ITINs?", r"taxpayer\s+id(?:entification)?(?:\s+(?:no|number))?", r"TIN"), re.IGNORECASE)
ROUTING_CUE = LazyPattern(
    words(r"routing", r"ABA", r"RTN", r"R/T", r"transit(?:\s+(?:no|number|#))?"), re.IGNORECASE
)
ACCOUNT_CUE = LazyPattern(
    words(r"acc(?:oun)?t", r"acct", r"checking", r"savings", r"IBAN", r"deposit"), re.IGNORECASE
)
CARD_CUE = LazyPattern(
    words(r"cards?", r"visa", r"master\s?card", r"amex", r"american\s+express", r"discover", r"credit", r"debit",
          r"CC", r"PAN"),
    re.IGNORECASE,
)

# Someone's own contact details or home.
PERSONAL_CUE = LazyPattern(
    words(
        r"cell(?:\s?phone)?", r"mobile", r"home", r"personal", r"private", r"his", r"her", r"hers", r"their",
        r"obligors?", r"obligees?", r"NCPs?", r"CPs?", r"mother", r"father", r"mom", r"dad", r"parents?",
        r"grand(?:mother|father|parent)s?", r"aunt", r"uncle", r"girlfriend", r"boyfriend", r"wife",
        r"husband", r"fianc[eé]e?", r"sister", r"brother", r"cousin", r"client", r"caretaker", r"custodian",
        r"guardian", r"respondent", r"petitioner", r"defendant", r"plaintiff", r"payee", r"payor",
        r"reached\s+at", r"reach\s+(?:him|her|them)", r"text(?:ed|s)?", r"call(?:ed|s)?\s+(?:him|her|them)",
        r"lives?", r"living", r"resides?", r"residing", r"residence", r"moved", r"staying", r"address",
        r"addr", r"LKA", r"last[-\s]known", r"mailing", r"served", r"house", r"apartment", r"trailer",
    ),
    re.IGNORECASE,
)
# An agency's, a court's or an association's own line, address or mailbox.
OFFICIAL_CUE = LazyPattern(
    words(
        r"office", r"offices", r"agency", r"division", r"department", r"dept", r"courts?", r"clerk'?s?",
        r"hotline", r"help\s?line", r"help\s?desk", r"customer\s+service", r"call\s+cent(?:er|re)",
        r"main\s+(?:line|number)", r"switchboard", r"toll[-\s]free", r"fax", r"payment\s+cent(?:er|re)",
        r"SDU", r"disbursement", r"unit", r"program", r"registry", r"headquarters", r"HQ",
        r"general\s+(?:line|number|inbox|mailbox)", r"information\s+line", r"front\s+desk", r"association",
        r"council", r"conference", r"hotel", r"venue", r"registration", r"board", r"vendor", r"employer'?s?",
        r"OCSS", r"OCSE", r"IV-D", r"FSD", r"CSED", r"DCSS", r"DSS", r"HHS", r"state\s+agency",
        r"contact\s+us", r"questions", r"inquiries", r"town\s+hall", r"speakers?", r"presenters?", r"secretary",
        r"chair", r"president", r"treasurer", r"coordinator", r"liaison", r"director", r"HR", r"payroll",
        r"caseworker", r"case\s+manager", r"supervisor", r"specialist", r"manager", r"analyst",
        r"human\s+resources", r"(?:call|reach|text|email|contact)\s+me", r"my\s+(?:desk|direct\s+line|office|work)", r"(?:business|work|main|office)\s+(?:line|number|phone)", r"mail\s+(?:it|them|payments|forms)\s+to",
        r"send\s+(?:it|them|payments|forms)\s+to",
    ),
    re.IGNORECASE,
)


def nearest_cue(text: str, start: int, end: int, cues: dict, before: int = 40, after: int = 20):
    """The name of the cue nearest to text[start:end] within `before` characters before it or
    `after` characters after it, or None. A cue after the match counts as a little farther away
    than the same distance before it ("SSN 123..." reads more strongly than "123... (SSN)")."""
    best_name, best_distance = None, None
    window_start = max(0, start - before)
    window_end = min(len(text), end + after)
    for name, cue in cues.items():
        for match in cue.finditer(text, window_start, start):
            distance = start - match.end()
            if best_distance is None or distance < best_distance:
                best_name, best_distance = name, distance
        match = cue.search(text, end, window_end)
        if match is not None:
            distance = match.start() - end + 10
            if best_distance is None or distance < best_distance:
                best_name, best_distance = name, distance
    return best_name

