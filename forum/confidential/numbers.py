"""Validity rules of the identifying numbers the detector looks for.

Plain functions on strings of digits (separators already removed), so each rule can be tested
on its own.
"""

# Numbers published as examples, on sample cards, in advertising or in tests: they are not
# anyone's real number, so the detector leaves them alone.
SAMPLE_SSNS = frozenset(
    {
        "078051120",  # printed on the sample card in Woolworth wallets (1938), used by thousands
        "219099999",  # used in a Social Security Administration advertisement
        "457555462",  # used by LifeLock's chief executive in his advertising
        "123456789",  # the placeholder everyone types
    }
)
SAMPLE_ITIN_PREFIX = "98765432"  # 987-65-4320 to 987-65-4329 are reserved for advertising

# ITIN groups (4th and 5th digits) the IRS issues: 50-65, 70-88, 90-92 and 94-99.
ITIN_GROUPS = frozenset(
    [*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)]
)

# Well-known test card numbers from card networks' and payment processors' documentation.
TEST_CARD_NUMBERS = frozenset(
    {
        "4111111111111111", "4012888888881881", "4222222222222", "4242424242424242",
        "4000056655665556", "5555555555554444", "5105105105105100", "5200828282828210",
        "2223003122003222", "378282246310005", "371449635398431", "378734493671000",
        "6011111111111117", "6011000990139424", "3530111333300000", "3566002020360505",
        "30569309025904", "38520000023237", "6200000000000005",
    }
)


def is_valid_ssn(digits: str) -> bool:
    """The Social Security Administration's rules: nine digits, area (first three) not 000,
    666 or 900-999, group (next two) not 00, serial (last four) not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area[0] == "9":
        return False
    return group != "00" and serial != "0000"


def is_sample_ssn(digits: str) -> bool:
    """A number that passes the rules but is a well-known sample or a placeholder (one digit
    repeated nine times)."""
    return digits in SAMPLE_SSNS or len(set(digits)) == 1


def is_valid_itin(digits: str) -> bool:
    """IRS rules: nine digits starting with 9, the group in the issued ranges."""
    if len(digits) != 9 or not digits.isdigit() or digits[0] != "9":
        return False
    return int(digits[3:5]) in ITIN_GROUPS and not digits.startswith(SAMPLE_ITIN_PREFIX)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum of payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# (issuer, inclusive prefix ranges compared on the number's first digits, allowed lengths)
_CARD_ISSUERS = (
    ("Visa", ((4, 4),), (13, 16, 19)),
    ("Mastercard", ((51, 55), (2221, 2720)), (16,)),
    ("American Express", ((34, 34), (37, 37)), (15,)),
    ("Discover", ((6011, 6011), (644, 649), (65, 65), (622126, 622925)), (16, 17, 18, 19)),
    ("Diners Club", ((300, 305), (36, 36), (38, 39)), (14, 15, 16, 17, 18, 19)),
    ("JCB", ((3528, 3589),), (16, 17, 18, 19)),
    ("UnionPay", ((62, 62),), (16, 17, 18, 19)),
    ("Maestro", ((5018, 5018), (5020, 5020), (5038, 5038), (5893, 5893), (6304, 6304),
                 (6759, 6759), (6761, 6763)), (13, 14, 15, 16, 17, 18, 19)),
)


def card_issuer(digits: str) -> str | None:
    """The card network whose prefix and length the number has, or None."""
    if not digits.isdigit():
        return None
    for issuer, ranges, lengths in _CARD_ISSUERS:
        if len(digits) not in lengths:
            continue
        for low, high in ranges:
            width = len(str(low))
            if low <= int(digits[:width]) <= high:
                return issuer
    return None


def is_payment_card(digits: str) -> bool:
    """An issuer's prefix and length, a valid Luhn checksum, and not a published test number."""
    return (
        card_issuer(digits) is not None
        and luhn_valid(digits)
        and digits not in TEST_CARD_NUMBERS
        and len(set(digits[1:])) > 1
    )


# First two digits of ABA routing numbers: Federal Reserve districts 01-12, thrifts 21-32,
# electronic 61-72, traveler's cheques 80.
_ROUTING_PREFIXES = frozenset([*range(0, 13), *range(21, 33), *range(61, 73), 80])


def is_valid_routing_number(digits: str) -> bool:
    """ABA routing transit number: nine digits, a known prefix and the 3-7-1 checksum."""
    if len(digits) != 9 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    if int(digits[:2]) not in _ROUTING_PREFIXES:
        return False
    d = [int(c) for c in digits]
    checksum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return checksum % 10 == 0
