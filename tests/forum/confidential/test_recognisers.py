"""Each kind of finding in context: what counts, what does not, and where it is."""

import pytest

from forum.confidential import FindingKind, scan_text

pytestmark = pytest.mark.smoke

K = FindingKind


def found(text, min_confidence=None):
    """(kind, matched text) of each reported finding, checking positions on the way."""
    findings = scan_text(text) if min_confidence is None else scan_text(text, min_confidence=min_confidence)
    for finding in findings:
        assert text[finding.start : finding.end] == finding.matched_text
    return [(finding.kind, finding.matched_text) for finding in findings]


def only(text):
    """The single reported finding."""
    findings = scan_text(text)
    assert len(findings) == 1, [(f.kind, f.matched_text) for f in findings]
    return findings[0]


# --- SSNs ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, ssn",
    [
        ("SSN 805-92-0373 on file", "805-92-0373"),
        ("SSN: 805 92 0373", "805 92 0373"),
        ("ssn 805920373", "805920373"),
        ("SS# 805920373", "805920373"),
        ("social security number 805920373", "805920373"),
        ("Soc. Sec. No. 805-92-0373", "805-92-0373"),
        ("SSN 805\u201392\u20130373 (en dashes)", "805\u201392\u20130373"),
        ("805920373 (SSN)", "805920373"),
    ],
)
def test_ssn_forms_with_a_cue(text, ssn):
    finding = only(text)
    assert (finding.kind, finding.matched_text) == (K.SSN, ssn)
    assert finding.high_risk
    assert finding.confidence >= 0.9


def test_a_dashed_valid_ssn_counts_without_a_cue():
    finding = only("Member 532-03-6999 shows up twice.")
    assert finding.kind == K.SSN and finding.high_risk


def test_a_spaced_ssn_without_a_cue_is_reported_but_can_be_confirmed_away():
    finding = only("Member 532 03 6999 shows up twice.")
    assert finding.kind == K.SSN and not finding.high_risk


def test_a_bare_nine_digit_number_needs_a_cue():
    assert found("Reference 532036999 in the batch.") == []
    assert found("Reference 532036999 in the batch.", min_confidence=0) == [(K.SSN, "532036999")]


@pytest.mark.parametrize(
    "number",
    ["000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "078-05-1120", "219-09-9999",
     "457-55-5462", "123-45-6789", "111-11-1111"],
)
def test_invalid_and_sample_ssns_are_not_reported(number):
    assert found(f"SSN {number}", min_confidence=0) == []


def test_ssn_not_part_of_a_longer_number():
    assert found("Ref 1805-92-03731 and 12-805-92-0373", min_confidence=0) == []


def test_the_nearest_cue_decides_what_nine_digits_are():
    assert found("SSN 805920373, routing 021000021") == [(K.SSN, "805920373"), (K.ROUTING_NUMBER, "021000021")]


# --- ITINs -----------------------------------------------------------------------------------

def test_itin_with_cue():
    finding = only("ITIN 912-70-1234 on the return")
    assert (finding.kind, finding.matched_text) == (K.ITIN, "912-70-1234")
    assert finding.high_risk


def test_itin_written_as_ssn_is_an_itin():
    assert found("SSN 912-70-1234") == [(K.ITIN, "912-70-1234")]


@pytest.mark.parametrize("number", ["912-67-1234", "912-89-1234", "912-93-1234", "912-49-1234", "987-65-4321",
                                    "999-99-9999"])
def test_numbers_outside_itin_ranges_are_not_reported(number):
    assert found(f"ITIN {number}", min_confidence=0) == []


# --- Payment cards ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "card",
    ["4881 4788 9251 1696", "4881-4788-9251-1696", "4881478892511696", "3747 780023 11131", "3617 495746 7732",
     "4704190006267453355"],
)
def test_payment_cards(card):
    finding = only(f"paid with {card} yesterday")
    assert (finding.kind, finding.matched_text) == (K.PAYMENT_CARD, card)
    assert finding.high_risk


def test_card_followed_by_an_expiry_keeps_its_span():
    assert found("Card 4881 4788 9251 1696 08/28") == [(K.PAYMENT_CARD, "4881 4788 9251 1696")]


@pytest.mark.parametrize("text", ["Tracking 4166425935588100", "Test card 4111 1111 1111 1111",
                                  "Code 7312 5589 0021 4478", "Total $4,881,478,892.51"])
def test_card_shaped_numbers_that_are_not_cards(text):
    assert [kind for kind, _ in found(text)] != [K.PAYMENT_CARD]
    assert K.PAYMENT_CARD not in [kind for kind, _ in found(text, min_confidence=0)]


# --- Bank accounts and routing numbers --------------------------------------------------------

def test_routing_needs_a_valid_checksum():
    assert found("routing 021000021") == [(K.ROUTING_NUMBER, "021000021")]
    assert found("routing 021000022", min_confidence=0) == []


def test_account_numbers_after_an_account_cue():
    assert found("account number 4839201756") == [(K.BANK_ACCOUNT, "4839201756")]
    assert found("acct # 000482910337") == [(K.BANK_ACCOUNT, "000482910337")]
    assert found("checking account: 3304-118-2209") == [(K.BANK_ACCOUNT, "3304-118-2209")]


@pytest.mark.parametrize(
    "text",
    ["Interstate cases account for 30% of collections.", "The account had $12,345.67 in it.",
     "The account ending in 4821 posts overnight.", "Take into account the 2026 changes.", "account 12345"],
)
def test_account_words_without_an_account_number(text):
    assert found(text) == []


def test_an_account_number_is_not_also_a_phone_number():
    assert found("her account 5735550142") == [(K.BANK_ACCOUNT, "5735550142")]


# --- Dates of birth --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, date",
    [
        ("DOB 03/14/1988", "03/14/1988"),
        ("D.O.B.: 3/14/88", "3/14/88"),
        ("date of birth 1988-03-14", "1988-03-14"),
        ("born on March 14, 1988", "March 14, 1988"),
        ("born 14 March 1988", "14 March 1988"),
        ("birthdate is Mar. 14, 1988", "Mar. 14, 1988"),
        ("Birthdate on the AOP: November 30, 2024", "November 30, 2024"),
    ],
)
def test_dates_of_birth(text, date):
    assert found(text) == [(K.DATE_OF_BIRTH, date)]


@pytest.mark.parametrize(
    "text",
    ["effective August 28, 2026", "signed 06/30/2025, effective 01/01/2026", "UIFSA was born out of the 1992 work",
     "costs borne by the state on 03/14/2025", "children born after 1/1/2000 are covered", "born in 1990"],
)
def test_dates_that_are_not_dates_of_birth(text):
    assert found(text) == []


# --- Case numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, number",
    [
        ("Case no. 2026-DR-01234 was registered", "2026-DR-01234"),
        ("in 16SL-DR01234 the judge", "16SL-DR01234"),
        ("docket 22CV-12345", "22CV-12345"),
        ("Cause Number: 2419-FC00871.", "2419-FC00871"),
        ("case # 1000459872", "1000459872"),
        ("the federal case, 4:19-cv-01234", "4:19-cv-01234"),
        ("IV-D case # 004-88-1172", "004-88-1172"),
    ],
)
def test_case_numbers(text, number):
    assert found(text) == [(K.CASE_NUMBER, number)]


@pytest.mark.parametrize(
    "text",
    ["HB 1234 and SB 45", "Case closure is in 45 CFR 303.11.", "In case 2026 brings changes", "case 1 of 3",
     "The docket fee is $45.", "Form CS-42", "RSMo 454.460", "OMB 0970-0085", "P.L. 104-193", "file 2026 taxes"],
)
def test_numbers_that_are_not_case_numbers(text):
    assert found(text) == []


# --- Phone numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, phone",
    [
        ("Obligor's cell is (573) 555-0142.", "(573) 555-0142"),
        ("reached her at 573.555.0142", "573.555.0142"),
        ("mother: +1 573 555 0142", "+1 573 555 0142"),
        ("he texted from 5735550142", "5735550142"),
    ],
)
def test_private_phone_numbers(text, phone):
    finding = only(text)
    assert (finding.kind, finding.matched_text) == (K.PHONE_NUMBER, phone)
    assert finding.confidence >= 0.85


def test_a_phone_number_of_unknown_owner_is_reported_with_less_confidence():
    finding = only("Try 573-555-0142.")
    assert finding.kind == K.PHONE_NUMBER and 0.5 <= finding.confidence < 0.85


@pytest.mark.parametrize(
    "text",
    ["Call the payment center at 1-800-859-7999.", "Our office line is (573) 751-4301.",
     "Fax the packet to the central registry at 573-526-5400.", "OMB No. 0970-0154", "call 2-1-1"],
)
def test_agency_and_toll_free_lines_are_not_reported(text):
    assert found(text) == []


# --- Email addresses -------------------------------------------------------------------------

def test_personal_email_addresses():
    assert found("The obligee wrote from darnell.w88@gmail.com.") == [(K.EMAIL_ADDRESS, "darnell.w88@gmail.com")]
    assert found("NCP contact: d.okafor@brightlinelogistics.com") == [
        (K.EMAIL_ADDRESS, "d.okafor@brightlinelogistics.com")
    ]


@pytest.mark.parametrize(
    "text",
    ["Write to childsupport@dss.mo.gov.", "Renewals: info@wicsec.org", "Use name@example.com in training.",
     "central.registry@dhs.state.ia.us", "circuitclerk@courts.mo.gov", "student@university.edu"],
)
def test_official_role_and_example_addresses_are_not_reported(text):
    assert found(text) == []


# --- Street addresses ------------------------------------------------------------------------

def test_home_address_with_unit_city_state_and_zip():
    text = "NCP lives at 4417 Cedar Hollow Dr., Apt 3B, Springfield, MO 65804."
    assert found(text) == [(K.STREET_ADDRESS, "4417 Cedar Hollow Dr., Apt 3B, Springfield, MO 65804")]


def test_post_office_box_of_a_person():
    assert found("Her mailing address is P.O. Box 2231, Lebanon, MO 65536.") == [
        (K.STREET_ADDRESS, "P.O. Box 2231, Lebanon, MO 65536")
    ]


@pytest.mark.parametrize(
    "text",
    ["Send payments to the Payment Center, P.O. Box 109001, Jefferson City, MO 65110.",
     "Our office is at 615 Howerton Court, Jefferson City, MO 65109.", "In 2026 Missouri Court rules changed.",
     "ZIP 65101, FIPS 29051", "Route 66 and Highway 50"],
)
def test_agency_addresses_and_lookalikes_are_not_reported(text):
    assert found(text) == []


# --- Names -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, name",
    [
        ("The obligor, John Q. Sample, has not paid.", "John Q. Sample"),
        ("NCP Kevin O'Brien-Tate says", "Kevin O'Brien-Tate"),
        ("Jessica McAllister (CP) called", "Jessica McAllister"),
        ("Tyrone Ellison, the obligor, was released", "Tyrone Ellison"),
        ("The alleged father, Mr. Hargrove, asked", "Mr. Hargrove"),
        ("Respondent Daniel Kowalski Jr. failed to appear", "Daniel Kowalski Jr."),
        ("Minor Ethan, age 12, lives with", "Ethan"),
        ("Name: Andre Fontaine", "Andre Fontaine"),
        ("Custodial parent: José Núñez", "José Núñez"),
    ],
)
def test_names_next_to_roles(text, name):
    assert found(text) == [(K.PERSON_NAME, name)]


def test_a_list_of_children():
    assert found("The children, Noah and Lily, are with the father.") == [(K.PERSON_NAME, "Noah"), (K.PERSON_NAME, "Lily")]


@pytest.mark.parametrize(
    "text",
    ["The Child Support Enforcement program", "Custodial Parent Handbook", "Obligor Services Unit",
     "the obligor John Doe and the child Baby Doe", "A custodial parent in Texas may apply", "NCP Locate Request",
     "Father's Day outreach", "The obligor in Smith v. Jones", "The obligee, Department of Social Services, is",
     "child Support"],
)
def test_capitalised_phrases_that_are_not_names(text):
    assert found(text) == []


# --- Rules learned from the demo content: job titles, venues, colleagues ---------------------

@pytest.mark.parametrize(
    "text",
    [
        "Kevin O'Malley, Child Support Caseworker, Family Support Division",
        "Idaho Child Support Services Grace Yazzie, Supervisor",
        "Town hall venue: 100 Riverside Drive\nJefferson City, MO 65101",
        "Contact Jane at jane.smith@acme-vendor.com about the contract.",
        "Jane Smith | Caseworker III | 573-555-0100",
        "Please call me at my desk, 573-555-0104, if it bounces.",
    ],
)
def test_professional_details_are_not_case_data(text):
    assert found(text) == []


def test_an_address_needs_a_person_or_a_home_nearby():
    assert found("1520 Maple Ave, Columbia, MO 65201") == []
    assert found("The child lives at 1520 Maple Ave, Columbia, MO 65201") == [
        (K.STREET_ADDRESS, "1520 Maple Ave, Columbia, MO 65201")
    ]
