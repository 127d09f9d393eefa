"""The validity rules of identifying numbers, one rule at a time."""

import pytest

from forum.confidential.numbers import (
    card_issuer,
    is_payment_card,
    is_sample_ssn,
    is_valid_itin,
    is_valid_routing_number,
    is_valid_ssn,
    luhn_valid,
)

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("digits", ["805920373", "001010001", "665999999", "899999999", "772019999", "123456780"])
def test_valid_ssns(digits):
    assert is_valid_ssn(digits)


@pytest.mark.parametrize(
    ("digits", "rule"),
    [
        ("000123456", "area 000"),
        ("666123456", "area 666"),
        ("900123456", "area 900-999"),
        ("999123456", "area 900-999"),
        ("123004567", "group 00"),
        ("123450000", "serial 0000"),
        ("12345678", "too short"),
        ("1234567890", "too long"),
        ("12345678a", "not digits"),
    ],
)
def test_invalid_ssns(digits, rule):
    assert not is_valid_ssn(digits), rule


@pytest.mark.parametrize("digits", ["078051120", "219099999", "457555462", "123456789", "111111111", "555555555"])
def test_sample_and_placeholder_ssns(digits):
    assert is_sample_ssn(digits)


def test_a_random_valid_ssn_is_not_a_sample():
    assert not is_sample_ssn("805920373")


@pytest.mark.parametrize("group", [50, 55, 65, 70, 80, 88, 90, 92, 94, 99])
def test_itin_issued_groups(group):
    assert is_valid_itin(f"912{group:02d}3456")


@pytest.mark.parametrize("group", [0, 10, 49, 66, 69, 89, 93])
def test_itin_groups_never_issued(group):
    assert not is_valid_itin(f"912{group:02d}3456")


def test_itin_must_start_with_nine():
    assert not is_valid_itin("812703456")


def test_itin_advertising_range_is_not_real():
    assert not is_valid_itin("987654321")
    assert not is_valid_itin("987654329")
    assert is_valid_itin("987654330")  # just past the reserved range


@pytest.mark.parametrize("digits", ["4881478892511696", "378282246310005", "79927398713", "0"])
def test_luhn_valid(digits):
    assert luhn_valid(digits)


@pytest.mark.parametrize("digits", ["4881478892511697", "79927398710", "4166425935588100", "12a4"])
def test_luhn_invalid(digits):
    assert not luhn_valid(digits)


@pytest.mark.parametrize(
    ("digits", "issuer"),
    [
        ("4881478892511696", "Visa"),
        ("4222222222222", "Visa"),  # 13 digits
        ("4704190006267453355", "Visa"),  # 19 digits
        ("5241578953950998", "Mastercard"),
        ("2221444133844570", "Mastercard"),  # the 2-series
        ("374778002311131", "American Express"),
        ("6011402432970780", "Discover"),
        ("6505632106350637", "Discover"),
        ("3530628432146083", "JCB"),
        ("36174957467732", "Diners Club"),
        ("6281318007596326", "UnionPay"),
    ],
)
def test_card_issuers(digits, issuer):
    assert card_issuer(digits) == issuer


@pytest.mark.parametrize(
    ("digits", "why"),
    [
        ("7312558900214478", "no issuer starts with 7"),
        ("488147889251169", "Visa is 13, 16 or 19 digits, not 15"),
        ("37477800231113", "American Express is 15 digits"),
        ("2720999999999999"[:15], "Mastercard is 16 digits"),
    ],
)
def test_numbers_without_an_issuer(digits, why):
    assert card_issuer(digits) is None, why


def test_payment_card_needs_issuer_luhn_and_not_a_test_number():
    assert is_payment_card("4881478892511696")
    assert not is_payment_card("4881478892511697")  # Luhn fails
    assert not is_payment_card("4111111111111111")  # the published test card
    assert not is_payment_card("4242424242424242")
    assert not is_payment_card("7312558900214470")  # no issuer


@pytest.mark.parametrize("digits", ["011000015", "021000021", "101000187", "258339882", "321412254"])
def test_valid_routing_numbers(digits):
    assert is_valid_routing_number(digits)


@pytest.mark.parametrize(
    ("digits", "why"),
    [
        ("011000016", "3-7-1 checksum fails"),
        ("004566394", "3-7-1 checksum fails"),
        ("000000000", "all zeros"),
        ("501000017", "checksum passes, but prefix 50 is not a Federal Reserve, thrift, electronic or traveler's cheque prefix"),
        ("01100001", "eight digits"),
    ],
)
def test_invalid_routing_numbers(digits, why):
    assert not is_valid_routing_number(digits), why
