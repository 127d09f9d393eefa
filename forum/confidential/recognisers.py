"""One recogniser per kind of confidential data. Each is a function from a text to the
candidate findings it sees there, with a confidence; the scanner resolves overlaps.

Confidence scale (see also findings.REPORT_THRESHOLD = 0.5 and HIGH_RISK_CONFIDENCE = 0.8):
  0.9x  the shape, its checksum or validity rules, and a cue word next to it ("SSN", "DOB")
  0.8x  a shape that is hardly anything else (a dashed valid SSN, a Luhn-valid card number)
  0.6x  a plausible shape without a cue, or a contact detail of unknown owner
  < 0.5 kept for callers who ask (min_confidence=0): agency lines, example addresses, bare
        nine-digit numbers with no cue ...
"""

import re
from collections.abc import Iterator
from functools import lru_cache

from .context import (
    ACCOUNT_CUE,
    CARD_CUE,
    ITIN_CUE,
    OFFICIAL_CUE,
    PERSONAL_CUE,
    ROUTING_CUE,
    SSN_CUE,
    LazyPattern,
    nearest_cue,
)
from .findings import Finding, FindingKind
from .numbers import (
    is_payment_card,
    is_sample_ssn,
    is_valid_itin,
    is_valid_routing_number,
    is_valid_ssn,
)

# A number stands on its own: not glued to letters or digits, not part of a dotted, dashed,
# slashed or comma-grouped number (a statute section, a date, a dollar amount).
# FIRST_DIGIT consumes the number's first digit and then looks behind it: a pattern that starts
# with a character class lets the regex engine skip quickly to the digits, which makes the
# number recognisers several times faster than a leading look-behind would.
FIRST_DIGIT = r"[0-9](?<![A-Za-z0-9$€£][0-9])(?<![0-9][.,/-][0-9])"
NUMBER_END = r"(?![A-Za-z0-9])(?![.,/-][0-9])"
# Separators people type inside long numbers: hyphen, the Unicode dashes, space, no-break space.
SEPARATOR = "[-\u2010\u2011\u2012\u2013 \u00a0]"


def _finding(kind, text, start, end, confidence, reason) -> Finding:
    return Finding(kind, start, end, confidence, reason, matched_text=text[start:end])


def _digits(value: str) -> str:
    return "".join(character for character in value if character.isdigit())


# ---------------------------------------------------------------------------------------------
# Social Security numbers and ITINs

SSN_SEPARATED = LazyPattern(rf"({FIRST_DIGIT}[0-9]{{2}})({SEPARATOR})([0-9]{{2}})\2([0-9]{{4}})" + NUMBER_END)
NINE_DIGITS = LazyPattern(FIRST_DIGIT + r"[0-9]{8}" + NUMBER_END)
CASE_CUE = LazyPattern(r"(?i)(?<![A-Za-z])(?:case|docket|cause|file\s*(?:no\b|num|#))(?![A-Za-z])")

_NINE_DIGIT_CUES = {
    "ssn": SSN_CUE, "itin": ITIN_CUE, "routing": ROUTING_CUE, "account": ACCOUNT_CUE, "card": CARD_CUE,
    "case": CASE_CUE,
}


def find_ssns_and_itins(text: str) -> Iterator[Finding]:
    for match in SSN_SEPARATED.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        form = "spaced" if match.group(2) in " \u00a0" else "dashed"
        yield from _classify_nine_digits(text, match.start(), match.end(), digits, form)
    for match in NINE_DIGITS.finditer(text):
        yield from _classify_nine_digits(text, match.start(), match.end(), match.group(), "bare")


def _classify_nine_digits(text, start, end, digits, form) -> Iterator[Finding]:
    cue = nearest_cue(text, start, end, _NINE_DIGIT_CUES)
    if digits[0] == "9":
        if not is_valid_itin(digits) or len(set(digits)) == 1:
            return
        kind = FindingKind.ITIN
        if cue in ("itin", "ssn"):  # people often write "SSN" for an ITIN
            confidence, reason = 0.97, "ITIN ranges, next to a taxpayer number cue"
        elif cue is not None:
            confidence, reason = (0.45 if form == "dashed" else 0.2), "ITIN ranges, but another cue is nearer"
        elif form == "dashed":
            confidence, reason = 0.85, "ITIN format and ranges"
        elif form == "spaced":
            confidence, reason = 0.65, "ITIN ranges, spaced, no cue"
        else:
            confidence, reason = 0.3, "nine digits in ITIN ranges, no cue"
    else:
        if not is_valid_ssn(digits) or is_sample_ssn(digits):
            return
        kind = FindingKind.SSN
        if cue == "ssn":
            confidence, reason = 0.97, "valid SSN, next to an SSN cue"
        elif cue == "itin":
            confidence, reason = 0.9, "valid SSN, next to a taxpayer number cue"
        elif cue is not None:
            confidence, reason = (0.6 if form == "dashed" else 0.2), "valid SSN, but another cue is nearer"
        elif form == "dashed":
            confidence, reason = 0.85, "valid SSN in the 3-2-4 format"
        elif form == "spaced":
            confidence, reason = 0.65, "valid SSN, spaced, no cue"
        else:
            confidence, reason = 0.3, "nine digits valid as an SSN, no cue"
    yield _finding(kind, text, start, end, confidence, reason)


# ---------------------------------------------------------------------------------------------
# Payment cards

CARD_GROUPED = LazyPattern(
    FIRST_DIGIT
    + rf"(?:[0-9]{{3}}({SEPARATOR})[0-9]{{4}}\1[0-9]{{4}}\1[0-9]{{4}}(?:\1[0-9]{{3}})?"  # 4-4-4-4(-3)
    + rf"|[0-9]{{3}}({SEPARATOR})[0-9]{{6}}\2[0-9]{{4,5}})"  # 4-6-5 (Amex), 4-6-4 (Diners)
    + NUMBER_END
)
CARD_CONTIGUOUS = LazyPattern(FIRST_DIGIT + r"[0-9]{12,18}" + NUMBER_END)
_CARD_CUES = {"card": CARD_CUE, "account": ACCOUNT_CUE, "routing": ROUTING_CUE}


def find_payment_cards(text: str) -> Iterator[Finding]:
    for pattern in (CARD_GROUPED, CARD_CONTIGUOUS):
        for match in pattern.finditer(text):
            digits = _digits(match.group())
            end = match.end()
            if pattern is CARD_GROUPED and len(digits) == 19 and not is_payment_card(digits):
                # "4111 1111 1111 1111 123": a 16-digit card, then three more digits.
                digits, end = digits[:16], end - 4
            if not is_payment_card(digits):
                continue
            cue = nearest_cue(text, match.start(), end, _CARD_CUES)
            if cue == "card":
                confidence, reason = 0.99, "card prefix, length and Luhn checksum, next to a card cue"
            elif cue is None:
                confidence, reason = 0.9, "card prefix, length and Luhn checksum"
            else:
                confidence, reason = 0.7, "card prefix, length and Luhn checksum, next to an account cue"
            yield _finding(FindingKind.PAYMENT_CARD, text, match.start(), end, confidence, reason)


# ---------------------------------------------------------------------------------------------
# Bank accounts and routing numbers

_NUMBER_INTRO = r"(?:\s*(?:no|nbr|num|number)\b\.?)?(?:\s*#)?[\s:]*(?:(?:is|was|of|at|to)\s+)?\(?"
ACCOUNT_NUMBER = LazyPattern(
    r"(?i)(?<![A-Za-z])"
    r"(?:(?:checking|savings)(?:\s+acc(?:oun)?t)?|(?:bank\s+|deposit\s+)?acc(?:oun)?t|acct)"
    + _NUMBER_INTRO
    + r"(?P<number>[0-9](?:[0-9]|[- ](?=[0-9])){5,20})"
    + NUMBER_END
)
ROUTING_NUMBER = LazyPattern(
    r"(?i)(?<![A-Za-z])(?:routing|ABA|RTN|R/T|transit)(?:\s+transit)?"
    + _NUMBER_INTRO
    + r"(?P<number>[0-9]{9})"
    + NUMBER_END
)


def find_bank_accounts(text: str) -> Iterator[Finding]:
    for match in ACCOUNT_NUMBER.finditer(text):
        digits = _digits(match.group("number"))
        if not 6 <= len(digits) <= 17 or len(set(digits)) == 1:
            continue
        start, end = match.span("number")
        yield _finding(FindingKind.BANK_ACCOUNT, text, start, end, 0.85, "a number right after an account cue")


def find_routing_numbers(text: str) -> Iterator[Finding]:
    for match in ROUTING_NUMBER.finditer(text):
        digits = match.group("number")
        if is_valid_routing_number(digits):
            start, end = match.span("number")
            yield _finding(FindingKind.ROUTING_NUMBER, text, start, end, 0.95, "ABA checksum, after a routing cue")
    for match in NINE_DIGITS.finditer(text):
        # Without "routing" right before it, a checksum-valid number still counts when a
        # routing or account cue is the nearest one ("acct 1234567 / 011000015").
        digits = match.group()
        if not is_valid_routing_number(digits):
            continue
        cue = nearest_cue(text, match.start(), match.end(), _NINE_DIGIT_CUES, before=60, after=30)
        if cue == "routing":
            confidence = 0.9
        elif cue == "account":
            confidence = 0.6
        else:
            confidence = 0.25
        yield _finding(FindingKind.ROUTING_NUMBER, text, match.start(), match.end(), confidence, "ABA checksum")


# ---------------------------------------------------------------------------------------------
# Dates of birth

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_DATE = (
    r"(?:"
    rf"(?:0?[1-9]|1[0-2])(?P<sep>[/.-]){_DAY}(?P=sep)(?:19|20)?[0-9]{{2}}"  # 03/14/1988, 3-14-88
    rf"|(?:19|20)[0-9]{{2}}-(?:0?[1-9]|1[0-2])-{_DAY}"  # 1988-03-14
    rf"|{_MONTH}\.?\s+{_DAY}(?:st|nd|rd|th)?,?\s+(?:19|20)[0-9]{{2}}"  # March 14, 1988
    rf"|{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+(?:19|20)[0-9]{{2}}"  # 14 March 1988
    rf"|(?P<month_year>{_MONTH}\.?,?\s+(?:of\s+)?(?:19|20)[0-9]{{2}})"  # March 1988
    r")(?![0-9])"
)
DATE_OF_BIRTH = LazyPattern(
    r"(?i)(?<![A-Za-z])(?P<cue>DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s?date|birthday|born)"
    r"(?![A-Za-z])(?:\s+(?:on|in|per|from)\s+(?:the\s+|his\s+|her\s+)?[A-Za-z][\w.'-]{0,20})?"  # "on the AOP"
    r"[\s:=,(\-\u2013]*(?:(?:is|was|on|in|of|(?:shows?|listed|given|reported|entered)\s+as)\s+)?"
    rf"(?P<date>{_DATE})"
)


def find_dates_of_birth(text: str) -> Iterator[Finding]:
    for match in DATE_OF_BIRTH.finditer(text):
        start, end = match.span("date")
        partial = match.group("month_year") is not None
        cue = match.group("cue").lower()
        confidence = 0.88 if cue == "born" else 0.93
        if partial:
            confidence -= 0.25
        reason = "a date right after a birth cue" + (" (month and year only)" if partial else "")
        yield _finding(FindingKind.DATE_OF_BIRTH, text, start, end, confidence, reason)


# ---------------------------------------------------------------------------------------------
# Case, docket and cause numbers

_CASE_IDENTIFIER = r"(?P<number>(?=[A-Za-z0-9:/.-]*[0-9])[A-Za-z0-9]+(?:[-/:.][A-Za-z0-9]+){0,5})"
CASE_NUMBER_IN_CONTEXT = LazyPattern(
    r"(?i)(?<![A-Za-z])(?P<keyword>case|docket|cause|civil\s+action|file|matter)(?![A-Za-z])"
    r"(?P<marker>\s*(?:nos?|nbr|num|number|id)\b\.?|\s*#)?(?:\s*#)?[\s:]*(?:(?:is|was)\s+)?"
    + _CASE_IDENTIFIER
    + NUMBER_END
)
# Shapes of court case numbers that are case numbers without any cue: 2026-DR-01234 (year,
# case type, sequence), 16SL-DR01234 (Missouri: year, county, case type, sequence),
# 4:19-cv-01234 (federal), 21-DR-123456, FA-2019-001234.
_CASE_TYPES = r"(?:DR|DM|DO|FA|FC|FD|FM|FL|JV|JU|PA|PT|CS|RS|UF|CV|CI|DS|IV)"
CASE_NUMBER_SHAPE = LazyPattern(
    r"(?<![A-Za-z0-9$€£])(?<![0-9][.,/-])"
    + r"(?:(?:19|20)[0-9]{2}-[A-Z]{1,4}-[0-9]{3,8}"
    + r"|[0-9]{2}[A-Z]{2,4}-[A-Z]{2,4}[0-9]{4,8}"
    + r"|[0-9]{1,2}:[0-9]{2}-(?:cv|cr|mc|mj|dr|CV|CR|MC|MJ)-[0-9]{3,6}(?:-[A-Z]{2,4})?"
    + rf"|[0-9]{{2}}-?{_CASE_TYPES}-?[0-9]{{4,8}}"
    + rf"|{_CASE_TYPES}-?[0-9]{{2,4}}-[0-9]{{3,8}})"
    + NUMBER_END
)
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def find_case_numbers(text: str) -> Iterator[Finding]:
    for match in CASE_NUMBER_IN_CONTEXT.finditer(text):
        number = match.group("number")
        digit_count = sum(character.isdigit() for character in number)
        keyword = match.group("keyword").lower()
        has_marker = match.group("marker") is not None
        has_letters = any(character.isalpha() for character in number)
        if _YEAR.fullmatch(number) or digit_count < 4:
            continue
        if keyword in ("file", "matter") and not has_marker:
            continue
        if keyword == "case" and not has_marker and digit_count < 5 and not has_letters:
            continue
        confidence = 0.9 if (has_marker or keyword in ("docket", "cause", "civil action")) else 0.75
        start, end = match.span("number")
        yield _finding(FindingKind.CASE_NUMBER, text, start, end, confidence, f"a number after \"{keyword}\"")
    for match in CASE_NUMBER_SHAPE.finditer(text):
        yield _finding(FindingKind.CASE_NUMBER, text, match.start(), match.end(), 0.8, "the shape of a court case number")


# ---------------------------------------------------------------------------------------------
# Phone numbers

_CONTACT_CUES = {"personal": PERSONAL_CUE, "official": OFFICIAL_CUE}
_OTHER_NUMBER_CUES = {
    "account": ACCOUNT_CUE, "routing": ROUTING_CUE, "ssn": SSN_CUE, "case": CASE_CUE, "card": CARD_CUE,
}


# Candidates: North American numbers ((573) 555-0142, 573.555.0142, +1 573 555 0142,
# 5735550142, with an extension) and international ones written with "+". Google's
# libphonenumber (the phonenumbers package) then decides whether each is a real, assignable
# number and what type it is. Its own PhoneNumberMatcher finds the same numbers but costs
# seconds on number-dense text (a spreadsheet extract), so the candidates come from here.
PHONE_CANDIDATE = LazyPattern(
    r"(?:(?<![A-Za-z0-9+$€£])(?<![0-9][.,/-])(?:\+?1[\s.-]?)?(?:\([2-9][0-9]{2}\)\s?|[2-9][0-9]{2}[\s.-]?)"
    r"[2-9][0-9]{2}[\s.-]?[0-9]{4}"
    r"|\+(?:[2-9][0-9]{0,2})[\s.-]?(?:\(?[0-9]{1,4}\)?[\s.-]?){1,4}[0-9]{2,6})"
    r"(?:\s*(?:ext\.?|x|extension)\s*[0-9]{1,5})?"
    + NUMBER_END
)


@lru_cache(maxsize=1024)
def _phone_number_type(candidate: str) -> str | None:
    """"general" for toll-free and similar lines, "line" for any other valid number, None for
    digits that are no assignable number. Cached: the same number tends to recur in a text."""
    import phonenumbers  # noqa: PLC0415  (its metadata loads on first use, not at import)

    try:
        number = phonenumbers.parse(candidate, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    general_line_types = {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
    }
    return "general" if phonenumbers.number_type(number) in general_line_types else "line"


def find_phone_numbers(text: str) -> Iterator[Finding]:
    for match in PHONE_CANDIDATE.finditer(text):
        start, end = match.span()
        number_type = _phone_number_type(match.group())
        if number_type is None:
            continue
        if number_type == "general":
            yield _finding(FindingKind.PHONE_NUMBER, text, start, end, 0.1, "a toll-free or general line")
            continue
        cue = nearest_cue(text, start, end, {**_CONTACT_CUES, **_OTHER_NUMBER_CUES}, before=50, after=15)
        if cue == "personal":
            confidence, reason = 0.9, "a phone number next to a person"
        elif cue == "official":
            confidence, reason = 0.3, "a phone number next to an agency or court"
        elif cue is None:
            confidence, reason = 0.6, "a phone number"
        else:
            confidence, reason = 0.3, "digits that could be a phone number, next to another number's cue"
        yield _finding(FindingKind.PHONE_NUMBER, text, start, end, confidence, reason)


# ---------------------------------------------------------------------------------------------
# Email addresses

EMAIL = LazyPattern(
    r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@"
    r"(?P<domain>(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)
PERSONAL_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "rocketmail.com", "hotmail.com", "outlook.com",
        "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com",
        "pm.me", "gmx.com", "gmx.us", "mail.com", "zoho.com", "fastmail.com", "hushmail.com", "comcast.net",
        "att.net", "sbcglobal.net", "bellsouth.net", "verizon.net", "charter.net", "cox.net", "earthlink.net",
        "centurylink.net", "frontier.com", "windstream.net", "mchsi.com", "juno.com", "netzero.net",
    }
)
# Mailboxes of an office rather than of a person.
ROLE_MAILBOXES = frozenset(
    {
        "info", "help", "helpdesk", "support", "contact", "contactus", "admin", "office", "clerk", "childsupport",
        "csupport", "noreply", "donotreply", "webmaster", "membership", "members", "newsletter", "news", "events",
        "conference", "board", "president", "secretary", "treasurer", "registration", "register", "hr", "press",
        "media", "editor", "customerservice", "service", "services", "payments", "inquiries", "questions", "team",
        "hello", "mail", "communications", "training", "cle", "enrollment", "billing", "legal", "general",
        "reception", "frontdesk", "records", "policy", "interstate", "central", "centralregistry", "registry",
        "uifsa", "fidm", "eiwo", "employer", "employers", "nmsn", "ocss", "ocse", "director", "webmail", "feedback",
    }
)
# Reserved for examples and documentation (RFC 2606): never anyone's address.
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
EXAMPLE_TOP_LEVEL = (".example", ".test", ".invalid", ".localhost")


def _is_official_domain(domain: str) -> bool:
    labels = domain.split(".")
    return (
        labels[-1] in {"gov", "mil", "us"}
        or "courts" in labels
        or "court" in labels
        or any(label.endswith("courts") for label in labels)
    )


def find_email_addresses(text: str) -> Iterator[Finding]:
    for match in EMAIL.finditer(text):
        local = match.group("local").lower()
        domain = match.group("domain").lower()
        mailbox = re.sub(r"[^a-z]", "", local.split("+")[0])
        start, end = match.span()
        if domain in EXAMPLE_DOMAINS or domain.endswith(EXAMPLE_TOP_LEVEL) or domain.endswith(
            tuple("." + example for example in EXAMPLE_DOMAINS)
        ):
            confidence, reason = 0.1, "an example address (reserved domain)"
        elif _is_official_domain(domain):
            confidence, reason = 0.25, "a government or court address"
        elif mailbox in ROLE_MAILBOXES:
            confidence, reason = 0.25, "an office mailbox (info@, support@ ...)"
        elif domain in PERSONAL_MAIL_DOMAINS:
            confidence, reason = 0.9, "an address at a personal mail provider"
        else:
            cue = nearest_cue(text, start, end, _CONTACT_CUES, before=50, after=15)
            if domain.endswith(".edu"):
                confidence, reason = 0.4, "a university address"
            elif cue == "personal":
                confidence, reason = 0.85, "an email address next to a person"
            elif cue == "official":
                confidence, reason = 0.35, "an email address next to an agency or organisation"
            else:
                # An organisation's domain with nobody's role nearby: most often a colleague's
                # work address, which is not case data.
                confidence, reason = 0.45, "an address at an organisation's domain"
        yield _finding(FindingKind.EMAIL_ADDRESS, text, start, end, confidence, reason)


# ---------------------------------------------------------------------------------------------
# Street addresses

_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
    "Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
    "Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|"
    "North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|"
    "South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|Guam|"
    "Puerto Rico"
)
_STREET_SUFFIX = (
    r"(?:(?:Street|Avenue|Road|Boulevard|Drive|Lane|Court|Way|Place|Parkway|Highway|Terrace|Circle|Trail|Square|"
    r"Loop|Pike|Alley|Crossing|Plaza|Ridge|Run|Point|Path|Cove|Heights|Hollow|Estates|Expressway|Freeway|"
    r"Turnpike)(?![A-Za-z])"
    r"|(?:St|Ave|Av|Rd|Blvd|Dr|Ln|Ct|Pl|Pkwy|Hwy|Ter|Cir|Trl|Sq|Pt|Hts|Expy|Fwy|Tpke)(?![A-Za-z])\.?)"
)
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_UNIT = r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Ste|Lot|Trailer|Trlr|Room|Rm|Space|Spc)\.?\s*#?\s*[0-9A-Za-z-]{1,6}\b|,?\s*#\s*[0-9A-Za-z-]{1,6}\b)"
_CITY_STATE_ZIP = (
    r"(?P<tail>,?\s+[A-Z][A-Za-z.'-]*(?:\s+[A-Z][A-Za-z.'-]*){0,3},\s*"
    rf"(?:[A-Z]{{2}}|{_STATE_NAMES})\b(?:\.?\s+[0-9]{{5}}(?:-[0-9]{{4}})?)?)"
)
STREET_ADDRESS = LazyPattern(
    rf"(?P<house>{FIRST_DIGIT}[0-9]{{0,5}}(?:-?[A-Z]|-[0-9]{{1,4}}|\s?1/2)?)\s+"
    + r"(?:"
    + rf"(?:{_DIRECTION}\s+)?(?:(?:[A-Z][A-Za-z'’.-]*|[0-9]{{1,3}}(?:st|nd|rd|th))\s+){{1,4}}{_STREET_SUFFIX}"
    + rf"(?:\s+{_DIRECTION}(?![A-Za-z]))?"
    + r"|(?:County\s+Road|State\s+(?:Road|Route|Highway)|U\.?S\.?\s+(?:Highway|Route)|Highway|Hwy|Route|Rte|"
    + r"Farm\s+Road|FM|CR)\s+[0-9]{1,4}[A-Z]?\b"
    + r")"
    + rf"{_UNIT}?{_CITY_STATE_ZIP}?"
)
PO_BOX = LazyPattern(
    r"(?<![A-Za-z])(?:(?:P\.?\s?O\.?|Post\s+Office)\s*Box\s+[0-9]{1,7}"
    r"|(?:RR|R\.R\.|Rural\s+Route)\s*[0-9]{1,3},?\s+Box\s+[0-9]{1,5})(?![0-9])"
    + rf"{_CITY_STATE_ZIP}?"
)


def find_street_addresses(text: str) -> Iterator[Finding]:
    for pattern, is_box in ((STREET_ADDRESS, False), (PO_BOX, True)):
        for match in pattern.finditer(text):
            start, end = match.span()
            cue = nearest_cue(text, start, end, _CONTACT_CUES, before=60, after=0)
            has_tail = match.group("tail") is not None
            if cue == "personal":
                confidence, reason = (0.85 if is_box else 0.9), "an address next to a person or a home"
            elif cue == "official":
                confidence, reason = 0.3, "an address next to an agency, court or venue"
            elif is_box:
                confidence, reason = 0.4, "a post office box"
            elif has_tail:
                # Without a person or a home nearby, a full address is most often a venue's or
                # an office's: below the report threshold, visible to callers who ask.
                confidence, reason = 0.45, "a street address with city and state, nobody's in particular"
            else:
                confidence, reason = 0.4, "a street address"
            yield _finding(FindingKind.STREET_ADDRESS, text, start, end, confidence, reason)


# ---------------------------------------------------------------------------------------------
# Names of parties and children

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# Sample, McDonald, DeShawn, O'Brien, Lopez-Vega. Possessive quantifiers: no backtracking.
_NAME_WORD = rf"[{_UPPER}](?:[{_LOWER}]++(?:'?[{_UPPER}][{_LOWER}]++)?|'[{_UPPER}][{_LOWER}]++)(?:-[{_UPPER}][{_LOWER}]++)?"
_INITIAL = rf"[{_UPPER}]\."
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx)\.?"
_NAME = (
    rf"(?P<name>(?:{_TITLE}\s+)?{_NAME_WORD}(?:\s+(?:(?:Jr|Sr)\.|{_INITIAL}|{_NAME_WORD})){{0,3}}"
    r"(?:,?\s+(?:Jr\.|Sr\.|II|III|IV)(?![A-Za-z]))?)"
)
_ROLE = (
    r"(?:(?i:non-?custodial\s+parent|custodial\s+parent|obligors?|obligees?|(?:minor\s+)?child(?:ren)?|minors?|kids?|"
    r"son|daughter|step(?:son|daughter|child)|mother|father|alleged\s+father|putative\s+father|payee|payor|"
    r"petitioner|respondent|defendant|plaintiff|dependent|caretaker|guardian|custodian|grand(?:mother|father|child)|"
    r"infant|baby|teen(?:ager)?|parent)|NCP|CP|AF)"
)
NAME_AFTER_ROLE = LazyPattern(
    rf"(?<![A-Za-z]){_ROLE}(?![A-Za-z])(?P<punctuation>\s*[,:(]\s*|\s+)"
    rf"(?:(?i:is|was|named|called|by\s+the\s+name\s+of)\s+)?{_NAME}"
)
# "Name: Andre Fontaine" in a pasted record.
NAME_AFTER_LABEL = LazyPattern(rf"(?<![A-Za-z])(?i:(?:full\s+|legal\s+|party\s+)?name)\s*:\s*(?P<punctuation>){_NAME}")
# "the children, Noah and Lily" / "children Mateo (DOB 5/5/2015) and Isabella": more names in a list.
NEXT_NAME_IN_LIST = LazyPattern(rf"(?:\s*\([^()\n]{{0,40}}\))?(?:\s*,\s*|\s+)(?:(?:and|&)\s+)?{_NAME}")
# The role must end there: "Kevin O'Malley, Child Support Caseworker" is a job title.
_NOT_A_ROLE_AFTER = (
    r"(?!\s+(?i:support|services?|enforcement|welfare|care|custody|protective|advocates?|caseworkers?|"
    r"specialists?|attorneys?|programs?|units?|division|agency|office|court|locate|handbook|guide|"
    r"employment|tax|development|health|nutrition|safety|labor|study|studies)(?![A-Za-z]))"
)
NAME_BEFORE_ROLE = LazyPattern(
    rf"{_NAME}\s*(?:,|\(|\s-\s)\s*(?:(?i:the|our|a|an|his|her|their)\s+)?{_ROLE}(?![A-Za-z]){_NOT_A_ROLE_AFTER}"
)
_AGE_CUE = LazyPattern(r"(?i)[\s,(]*(?:age[ds]?\s*[0-9]|[0-9]{1,2}\s*\)|[0-9]{1,2}\s*(?:yo|y/o|years?\s+old)|DOB|born|b\.\s*[0-9])")

# Capitalised words that are not names in this field's writing. Compared in lower case.
NOT_NAME_WORDS = frozenset(
    """
    the a an this that these those in on at for of and or but if when while our their his her my your its
    we they he she it i you who what which where why how yes no also however then after before since until
    per under pursuant re subject attn see step note update thanks please hi hello dear regards question answer
    january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday today yesterday
    child children support enforcement division department agency office services service program programs unit
    court courts county state states circuit district federal tribal nation tribe tribes council association
    family families parent parents custodial noncustodial non-custodial obligor obligee locate registry case cases
    order orders notice form forms transmittal petition testimony affidavit act law laws rule rules code section
    title chapter statute statutes regulation regulations bill house senate public uniform interstate
    international hague convention handbook guide manual policy policies procedure procedures employment
    employer employers income withholding medical health insurance payment payments center centre distribution
    arrears review modification adjustment guidelines guideline paternity parentage genetic testing
    acknowledgment acknowledgement establishment medicaid medicare social security administration tax refund
    offset passport license denial director manager supervisor caseworker worker attorney judge commissioner
    officer clerk hearing administrative region regional western eastern northern southern united america american
    kids youth project initiative pilot team portal system systems online application report conference
    training workshop session town hall board committee members member access visitation foster care
    adoption assistance benefits unemployment workers compensation bank credit union account accounts
    first second third last next new old other another each every all any some none both either neither
    is was are were be been has have had will would shall should can could might must
    missouri kansas nebraska iowa oklahoma texas colorado utah wyoming montana idaho washington oregon california
    nevada arizona alaska hawaii mexico dakota minnesota arkansas louisiana guam samoa mariana puerto rico
    virgin islands canada germany kingdom australia navajo cherokee chickasaw osage
    ocss ocse uifsa tanf snap wic fpls ndnh fcr csenet quick fidm nmsn eiwo
    unknown anonymous redacted confidential name names person people party parties
    mother father mom dad grandmother grandfather grandparent aunt uncle son daughter sister brother cousin
    minor minors obligors obligees respondent petitioner defendant plaintiff caretaker guardian custodian payee
    payor dependent infant baby teen teenager stepson stepdaughter stepchild request requests settlement
    """.split()
)
# How people write a made-up party.
PLACEHOLDER_NAMES = frozenset(
    {"john doe", "jane doe", "baby doe", "john roe", "jane roe", "richard roe", "john q. public", "jane q. public"}
)


def _clean_name(text: str, start: int, end: int, strip_leading: bool) -> tuple[int, int, list[str]] | None:
    """Drop trailing words that are not names, and with `strip_leading` leading ones too ("In
    March John Sample, the NCP" -> "John Sample"); None when what remains is not a name."""
    tokens = [(match.start() + start, match.end() + start, match.group()) for match in re.finditer(r"\S+", text[start:end])]
    while strip_leading and tokens and tokens[0][2].lower().rstrip(".,") in NOT_NAME_WORDS:
        tokens.pop(0)
    while tokens and (re.fullmatch(rf"[{_UPPER}]\.", tokens[-1][2]) or tokens[-1][2].lower().rstrip(".,") in NOT_NAME_WORDS):
        tokens.pop()
    if not tokens:
        return None
    words = [token[2].rstrip(",") for token in tokens]
    if any(word.lower().rstrip(".") in NOT_NAME_WORDS for word in words):
        return None
    end = tokens[-1][1] - (1 if tokens[-1][2].endswith(",") else 0)
    return tokens[0][0], end, words


def find_person_names(text: str) -> Iterator[Finding]:
    for pattern in (NAME_AFTER_ROLE, NAME_AFTER_LABEL, NAME_BEFORE_ROLE):
        for match in pattern.finditer(text):
            before_role = pattern is NAME_BEFORE_ROLE
            set_apart = before_role or match.group("punctuation").strip() != ""
            finding = _name_finding(text, *match.span("name"), set_apart, strip_leading=before_role)
            if finding is None:
                continue
            yield finding
            if pattern is NAME_BEFORE_ROLE:
                continue
            # Follow a list of names: "the children, Noah and Lily".
            position = finding.end
            for _ in range(5):
                following = NEXT_NAME_IN_LIST.match(text, position)
                if following is None:
                    break
                finding = _name_finding(text, *following.span("name"), set_apart, strip_leading=False)
                if finding is None:
                    break
                yield finding
                position = finding.end


def _name_finding(text: str, start: int, end: int, set_apart: bool, strip_leading: bool) -> Finding | None:
    """A finding for the name at text[start:end] next to a role, or None when it is no name.
    `set_apart`: the name stands after punctuation ("the obligor, Victor") rather than right
    after the role word ("child Support")."""
    cleaned = _clean_name(text, start, end, strip_leading)
    if cleaned is None:
        return None
    start, end, words = cleaned
    has_title = bool(re.fullmatch(_TITLE, words[0]))
    name_words = [word for word in words if not re.fullmatch(rf"{_INITIAL}|{_TITLE}|Jr\.|Sr\.|II|III|IV", word)]
    if not name_words or " ".join(words).lower() in PLACEHOLDER_NAMES:
        return None
    age_follows = _AGE_CUE.match(text, end, min(len(text), end + 25)) is not None
    if len(name_words) >= 2 or has_title:
        confidence, reason = 0.85, "a name next to a party or child role"
    elif age_follows:
        confidence, reason = 0.7, "a first name next to a role and an age"
    elif set_apart:
        confidence, reason = 0.6, "a first name set apart next to a role"
    else:
        confidence, reason = 0.45, "one capitalised word next to a role"
    return _finding(FindingKind.PERSON_NAME, text, start, end, confidence, reason)


RECOGNISERS = (
    find_ssns_and_itins,
    find_payment_cards,
    find_routing_numbers,
    find_bank_accounts,
    find_case_numbers,
    find_dates_of_birth,
    find_phone_numbers,
    find_email_addresses,
    find_street_addresses,
    find_person_names,
)
