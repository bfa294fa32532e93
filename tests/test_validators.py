"""Field rules of a worker's record (models.validators), without a database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import validators as v
from models.enums import Gender
from models.errors import FieldInvalid
from models.synthetic import make_nik, make_passport

FAST = settings(max_examples=200, deadline=None, database=None)
TODAY = date(2026, 3, 14)


def nik_of(
    province: str = "32",
    regency: str = "01",
    district: str = "91",
    ddmmyy: str = "140395",
    serial: str = "9001",
) -> str:
    return f"{province}{regency}{district}{ddmmyy}{serial}"


def refused(check: Callable[..., object], *args: object) -> FieldInvalid:
    with pytest.raises(FieldInvalid) as info:
        check(*args)
    return info.value


# --- NIK structure ----------------------------------------------------------------------


def test_nik_of_sixteen_digits_is_accepted_as_is() -> None:
    assert v.nik(nik_of()) == "3201911403959001"


@pytest.mark.parametrize(
    "typed",
    [" 3201911403959001 ", "3201 9114 0395 9001", "320191 140395 9001", "\t3201911403959001\n"],
)
def test_nik_is_accepted_with_spaces_stripped(typed: str) -> None:
    assert v.nik(typed) == "3201911403959001"


@pytest.mark.parametrize(
    "value",
    [
        "320191140395900",  # 15 digits
        "32019114039590011",  # 17 digits
        "3201-9114-0395-9001",
        "32019114O3959001",  # letter O
        "３２０１９１１４０３９５９００１",  # full-width digits are not ASCII digits
        "٣٢٠١٩١١٤٠٣٩٥٩٠٠١",  # Arabic-Indic digits
        "",
    ],
)
def test_nik_that_is_not_exactly_sixteen_ascii_digits_is_refused(value: str) -> None:
    problem = refused(v.nik, value).problem
    assert (problem.field, problem.rule) == ("nik", "nik_format")


@pytest.mark.parametrize("value", [3201911403959001, None, b"3201911403959001"])
def test_nik_that_is_not_text_is_refused_as_type(value: object) -> None:
    assert refused(v.nik, value).problem.rule == "type"


def test_nik_validator_reports_the_field_name_it_is_given() -> None:
    assert refused(v.nik, "123", "heirs[0].nik").problem.field == "heirs[0].nik"


@pytest.mark.parametrize("province", sorted(v.PROVINCE_CODES))
def test_nik_with_each_known_province_code_is_accepted(province: str) -> None:
    assert v.nik(nik_of(province=province)).startswith(province)


def test_known_province_codes_are_the_38_provinces_including_new_papua() -> None:
    assert len(v.PROVINCE_CODES) == 38
    assert {"91", "92", "93", "94", "95", "96"} <= v.PROVINCE_CODES


@pytest.mark.parametrize("province", ["00", "10", "20", "22", "37", "54", "66", "77", "83", "97"])
def test_nik_with_unknown_province_code_is_refused(province: str) -> None:
    assert refused(v.nik, nik_of(province=province)).problem.rule == "nik_province"


@pytest.mark.parametrize(
    ("regency", "district"), [("00", "91"), ("01", "00"), ("00", "00")]
)
def test_nik_with_regency_or_district_00_is_refused(regency: str, district: str) -> None:
    problem = refused(v.nik, nik_of(regency=regency, district=district)).problem
    assert problem.rule == "nik_region"


@pytest.mark.parametrize("day", ["01", "15", "31", "41", "55", "71"])
def test_nik_birth_day_of_1_to_31_for_men_and_41_to_71_for_women_is_accepted(day: str) -> None:
    assert v.nik(nik_of(ddmmyy=f"{day}0395"))


@pytest.mark.parametrize("day", ["00", "32", "39", "40", "72", "80", "99"])
def test_nik_birth_day_outside_both_ranges_is_refused(day: str) -> None:
    assert refused(v.nik, nik_of(ddmmyy=f"{day}0395")).problem.rule == "nik_birth_date"


@pytest.mark.parametrize("month", ["01", "06", "12"])
def test_nik_birth_month_1_to_12_is_accepted(month: str) -> None:
    assert v.nik(nik_of(ddmmyy=f"14{month}95"))


@pytest.mark.parametrize("month", ["00", "13", "19", "99"])
def test_nik_birth_month_outside_1_to_12_is_refused(month: str) -> None:
    assert refused(v.nik, nik_of(ddmmyy=f"14{month}95")).problem.rule == "nik_birth_date"


def test_nik_serial_0000_is_refused() -> None:
    assert refused(v.nik, nik_of(serial="0000")).problem.rule == "nik_serial"


@pytest.mark.parametrize("serial", ["0001", "0100", "9999"])
def test_nik_serial_other_than_0000_is_accepted(serial: str) -> None:
    assert v.nik(nik_of(serial=serial)).endswith(serial)


@pytest.mark.parametrize(
    "value",
    [
        "320191140395900",
        "32019114039590012",
        nik_of(province="99"),
        nik_of(regency="00"),
        nik_of(ddmmyy="321395"),
        nik_of(serial="0000"),
        "3201 9114 0395 0000",
    ],
)
def test_nik_error_messages_never_contain_the_nik(value: str) -> None:
    error = refused(v.nik, value)
    for text in (error.message, str(error), error.problem.message):
        assert value not in text
        assert value.replace(" ", "") not in text
        assert value[:12] not in text


# --- NIK agreement with birth date and gender -------------------------------------------


@pytest.mark.parametrize(
    ("born", "gender", "segment"),
    [
        (date(1995, 3, 14), Gender.MALE, "140395"),
        (date(1995, 3, 14), Gender.FEMALE, "540395"),
        (date(1999, 12, 1), Gender.FEMALE, "411299"),
        (date(1999, 12, 31), Gender.FEMALE, "711299"),
        (date(2000, 1, 9), Gender.MALE, "090100"),
        (date(1966, 7, 31), Gender.MALE, "310766"),
    ],
)
def test_nik_of_a_woman_carries_day_plus_40(born: date, gender: Gender, segment: str) -> None:
    assert v.nik_birth_segment(born, gender) == segment


def test_nik_that_encodes_birth_date_and_gender_agrees() -> None:
    assert v.nik_agrees(nik_of(ddmmyy="540395"), date(1995, 3, 14), Gender.FEMALE) is None
    assert v.nik_agrees(nik_of(ddmmyy="140395"), date(1995, 3, 14), Gender.MALE) is None


@pytest.mark.parametrize(
    ("segment", "gender"), [("140395", Gender.FEMALE), ("540395", Gender.MALE)]
)
def test_nik_with_right_date_but_other_gender_is_a_gender_mismatch(
    segment: str, gender: Gender
) -> None:
    value = nik_of(ddmmyy=segment)
    error = refused(v.nik_agrees, value, date(1995, 3, 14), gender)
    assert (error.problem.field, error.problem.rule) == ("nik", "nik_gender_mismatch")
    assert value not in error.message


@pytest.mark.parametrize(
    ("segment", "born", "gender"),
    [
        ("150395", date(1995, 3, 14), Gender.MALE),  # day
        ("540495", date(1995, 3, 14), Gender.FEMALE),  # month
        ("140396", date(1995, 3, 14), Gender.MALE),  # year
        ("550395", date(1995, 3, 14), Gender.MALE),  # neither date nor gender
    ],
)
def test_nik_that_encodes_another_birth_date_is_a_birth_date_mismatch(
    segment: str, born: date, gender: Gender
) -> None:
    value = nik_of(ddmmyy=segment)
    error = refused(v.nik_agrees, value, born, gender)
    assert (error.problem.field, error.problem.rule) == ("nik", "nik_birth_date_mismatch")
    assert value not in error.message


def test_nik_agreement_reports_the_field_name_it_is_given() -> None:
    error = refused(v.nik_agrees, nik_of(), date(1990, 1, 1), Gender.MALE, "newNik")
    assert error.problem.field == "newNik"


@FAST
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    gender=st.sampled_from(Gender),
    province=st.none() | st.sampled_from(sorted(v.PROVINCE_CODES)),
    serial=st.none() | st.integers(min_value=1, max_value=9999),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_any_synthetic_nik_passes_the_structure_check_and_agrees(
    born: date, gender: Gender, province: str | None, serial: int | None, seed: int
) -> None:
    value = make_nik(random.Random(seed), born, gender, province, serial)
    assert v.nik(value) == value
    v.nik_agrees(value, born, gender)
    other = Gender.MALE if gender == Gender.FEMALE else Gender.FEMALE
    assert refused(v.nik_agrees, value, born, other).problem.rule == "nik_gender_mismatch"


@pytest.mark.parametrize("serial", [0, 10_000, -1])
def test_synthetic_nik_refuses_a_serial_that_would_not_be_four_non_zero_digits(
    serial: int,
) -> None:
    with pytest.raises(ValueError, match="serial"):
        make_nik(random.Random(1), date(1995, 3, 14), Gender.MALE, serial=serial)


def test_synthetic_passport_numbers_pass_the_passport_check() -> None:
    rng = random.Random(7)
    for _ in range(200):
        value = make_passport(rng)
        assert v.passport_number(value) == value


# --- full name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Siti Rahmawati",
        "A",
        "Sukarno",
        "O'Brien",
        "Muh. Yusuf",
        "Nur-Aini binti Abdullah",
        "José Müller",
        "Nguyễn Văn An",
        "Łukasz Żółć",
        "李小龙",
        "Ṣāliḥ",
        "Ahmad Jr.",
        "A" * 150,
    ],
)
def test_full_name_of_letters_spaces_apostrophes_dots_and_hyphens_is_accepted(
    name: str,
) -> None:
    assert v.full_name(name) == name


def test_full_name_collapses_runs_of_whitespace() -> None:
    assert v.full_name("  Siti \t  Rahmawati \n") == "Siti Rahmawati"


def test_full_name_in_decomposed_unicode_is_stored_composed() -> None:
    assert v.full_name("Jose\u0301") == "José"


def test_full_name_accepts_combining_marks_of_scripts_without_precomposed_letters() -> None:
    assert v.full_name("हिन्दी") == "हिन्दी"  # virama is a combining mark


@pytest.mark.parametrize("name", ["", "   ", "A" * 151, "Ab " * 50 + "C"])
def test_full_name_outside_1_to_150_characters_is_refused(name: str) -> None:
    assert refused(v.full_name, name).problem.rule == "length"


@pytest.mark.parametrize(
    "name",
    [
        "R2D2",
        "Siti 2",
        "Agus²",  # superscript two is a digit, not a letter
        "Henry Ⅷ",  # Roman numeral
        "Siti ½",
        "Siti_Rahma",
        "Siti@home",
        "Siti!",
        "Siti, Rahma",
        "-Siti",
        "'Siti",
        ".Siti",
        "\u0301Siti",  # a combining mark cannot start a name
    ],
)
def test_full_name_with_digits_or_other_characters_is_refused(name: str) -> None:
    problem = refused(v.full_name, name).problem
    assert (problem.field, problem.rule) == ("fullName", "name_characters")


def test_full_name_that_is_not_text_is_refused_as_type() -> None:
    assert refused(v.full_name, 42).problem.rule == "type"


def test_full_name_check_stays_fast_on_long_runs_of_punctuation() -> None:
    # The former regular expression backtracked exponentially on such input.
    started = time.perf_counter()
    for n in (28, 148):
        refused(v.full_name, "A" + "-" * n + "1")
    assert time.perf_counter() - started < 0.5


# --- passport, family card, phone --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("A1234567", "A1234567"),
        ("AB123456", "AB123456"),
        ("AB1234567", "AB1234567"),
        ("c1234567", "C1234567"),
        ("ab 1234567", "AB1234567"),
        (" X1234567 ", "X1234567"),
    ],
)
def test_passport_number_of_one_or_two_letters_and_six_or_seven_digits_is_accepted(
    typed: str, stored: str
) -> None:
    assert v.passport_number(typed) == stored


@pytest.mark.parametrize(
    "value",
    [
        "1234567",
        "ABC123456",
        "A12345",
        "A12345678",
        "A-1234567",
        "12345678A",
        "Ä1234567",
        "ı1234567",  # dotless i upper-cases to I: still not a Latin capital letter
        "",
    ],
)
def test_passport_number_of_another_shape_is_refused_without_echoing_it(value: str) -> None:
    error = refused(v.passport_number, value)
    assert (error.problem.field, error.problem.rule) == ("passportNumber", "passport_format")
    if value:
        assert value not in error.message
        assert value.upper() not in error.message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3201910101019001", "3201910101019001"), ("3201 9101 0101 9001", "3201910101019001")],
)
def test_family_card_number_of_16_digits_is_accepted(typed: str, stored: str) -> None:
    assert v.family_card_number(typed) == stored


@pytest.mark.parametrize(
    "value", ["320191010101900", "32019101010190011", "320191010101900X", "3201-9101-0101-9001"]
)
def test_family_card_number_of_another_shape_is_refused_without_echoing_it(value: str) -> None:
    error = refused(v.family_card_number, value)
    assert (error.problem.field, error.problem.rule) == ("familyCardNumber", "kk_format")
    assert value not in error.message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+6281234567890", "+6281234567890"),
        ("+85291234567", "+85291234567"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("+1 (202) 555.0123", "+12025550123"),
        ("+1234567", "+1234567"),  # 7 digits: shortest allowed
        ("+123456789012345", "+123456789012345"),  # 15 digits: E.164 maximum
    ],
)
def test_phone_in_e164_form_is_accepted_and_separators_removed(typed: str, stored: str) -> None:
    assert v.phone(typed) == stored


@pytest.mark.parametrize(
    "value",
    [
        "6281234567890",  # missing +
        "081234567890",
        "+0812345678",  # country codes do not start with 0
        "+1234567890123456",  # 16 digits: too long
        "+123456",  # 6 digits: too short
        "+62812abc4567",
        "++6281234567890",
        "",
    ],
)
def test_phone_not_in_e164_form_is_refused(value: str) -> None:
    problem = refused(v.phone, value).problem
    assert (problem.field, problem.rule) == ("phone", "e164")


# --- country and region ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"), [("HK", "HK"), ("hk", "HK"), (" my ", "MY"), ("Tw", "TW"), ("ID", "ID")]
)
def test_country_as_iso_alpha2_code_is_accepted_in_any_case(typed: str, stored: str) -> None:
    assert v.country(typed) == stored


@pytest.mark.parametrize("value", ["XX", "UK", "EU", "HKG", "H", "", "ıd", "12"])
def test_unknown_country_code_is_refused(value: str) -> None:
    problem = refused(v.country, value).problem
    assert (problem.field, problem.rule) == ("destinationCountry", "iso3166_alpha2")


@pytest.mark.parametrize("value", ["ID", "id", " Id "])
def test_destination_cannot_be_indonesia(value: str) -> None:
    assert refused(v.destination_country, value).problem.rule == "abroad"


@pytest.mark.parametrize("value", ["XX", "idn"])
def test_destination_country_still_requires_a_known_code(value: str) -> None:
    assert refused(v.destination_country, value).problem.rule == "iso3166_alpha2"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Sabah", "Sabah"),
        ("sabah", "Sabah"),
        ("SARAWAK", "Sarawak"),
        ("  peninsular ", "Peninsular"),
    ],
)
def test_malaysian_region_is_one_of_three_normalised_case_insensitively(
    typed: str, stored: str
) -> None:
    assert v.destination_region(typed, "MY") == stored


@pytest.mark.parametrize("value", ["Johor", "Kuala Lumpur", "Sabah Sarawak", "Borneo", ""])
def test_other_malaysian_region_is_refused(value: str) -> None:
    problem = refused(v.destination_region, value, "MY").problem
    assert (problem.field, problem.rule) == ("destinationRegion", "malaysian_region")


def test_no_region_stays_none_for_any_destination() -> None:
    assert v.destination_region(None, "MY") is None
    assert v.destination_region(None, "HK") is None


def test_region_outside_malaysia_is_free_text_of_1_to_100_characters() -> None:
    assert v.destination_region("  New   Territories ", "HK") == "New Territories"
    assert refused(v.destination_region, "x" * 101, "HK").problem.rule == "length"
    assert refused(v.destination_region, "  ", "TW").problem.rule == "length"


# --- birth date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "born",
    [
        date(2008, 3, 14),  # 18 today
        date(1995, 3, 14),
        date(1966, 3, 14),  # 60 today
        date(1965, 3, 15),  # 60 and 364 days
    ],
)
def test_birth_date_giving_age_18_to_60_at_registration_is_accepted(born: date) -> None:
    assert v.birth_date(born, TODAY) == born


@pytest.mark.parametrize(
    "born",
    [
        date(2008, 3, 15),  # 17 and 364 days
        date(2010, 1, 1),
        date(1965, 3, 14),  # 61 today
        date(1950, 1, 1),
        TODAY,
    ],
)
def test_birth_date_giving_age_outside_18_to_60_is_refused(born: date) -> None:
    problem = refused(v.birth_date, born, TODAY).problem
    assert (problem.field, problem.rule) == ("birthDate", "age_range")


@pytest.mark.parametrize("born", [date(2026, 3, 15), date(2030, 1, 1)])
def test_birth_date_in_the_future_is_refused(born: date) -> None:
    assert refused(v.birth_date, born, TODAY).problem.rule == "not_in_future"


@pytest.mark.parametrize("value", ["2000-01-01", None, datetime(2000, 1, 1, 12, 0)])
def test_birth_date_that_is_not_a_date_is_refused_as_type(value: object) -> None:
    assert refused(v.birth_date, value, TODAY).problem.rule == "type"


def test_leap_day_birthday_turns_18_on_1_march_in_common_years() -> None:
    born = date(2008, 2, 29)
    assert refused(v.birth_date, born, date(2026, 2, 28)).problem.rule == "age_range"
    assert v.birth_date(born, date(2026, 3, 1)) == born


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2000, 3, 14), date(2026, 3, 13), 25),
        (date(2000, 3, 14), date(2026, 3, 14), 26),
        (date(2000, 12, 31), date(2026, 1, 1), 25),
        (date(2000, 1, 1), date(2026, 12, 31), 26),
    ],
)
def test_age_counts_whole_years_since_birth(born: date, today: date, age: int) -> None:
    assert v.age_on(born, today) == age


# --- other fields ----------------------------------------------------------------------------


def test_reason_is_required_and_at_most_1000_characters() -> None:
    assert v.reason("  returned home  ") == "returned home"
    assert refused(v.reason, "   ").problem.rule == "required"
    assert refused(v.reason, "x" * 1001).problem.rule == "length"
    assert v.reason("x" * 1000) == "x" * 1000


@pytest.mark.parametrize(("value", "ok"), [("SKP-2024-000123", True), ("a" * 40, True),
                                           ("a" * 41, False), ("SKP 2024", False), ("", False)])
def test_siskop2mi_id_is_1_to_40_letters_digits_or_hyphens(value: str, ok: bool) -> None:
    if ok:
        assert v.siskop2mi_id(value) == value
    else:
        problem = refused(v.siskop2mi_id, value).problem
        assert (problem.field, problem.rule) == ("externalIds.siskop2miId", "siskop2mi_format")


@pytest.mark.parametrize(("value", "ok"), [("12345678", True), ("1" * 16, True),
                                           ("1234567", False), ("1" * 17, False),
                                           ("1234567A", False)])
def test_kpj_number_is_8_to_16_digits(value: str, ok: bool) -> None:
    if ok:
        assert v.kpj_number(value) == value
    else:
        problem = refused(v.kpj_number, value).problem
        assert (problem.field, problem.rule) == ("externalIds.kpjNumber", "kpj_format")


@pytest.mark.parametrize(("value", "ok"), [("kbri-hongkong", True), ("ab", True),
                                           ("a", False), ("KBRI", False), ("kbri--hk", False),
                                           ("-kbri", False), ("kbri_hk", False)])
def test_partner_code_is_lower_case_words_joined_by_single_hyphens(value: str, ok: bool) -> None:
    if ok:
        assert v.partner_code(value) == value
    else:
        assert refused(v.partner_code, value).problem.rule == "code_format"


def test_bounded_text_collapses_whitespace_and_enforces_its_maximum() -> None:
    assert v.bounded_text("  PT  Maju ", "employerName", 10) == "PT Maju"
    problem = refused(v.bounded_text, "x" * 11, "employerName", 10).problem
    assert (problem.field, problem.rule) == ("employerName", "length")


@pytest.mark.parametrize(
    ("start", "end"), [(date(2026, 1, 1), date(2026, 1, 1)), (date(2026, 1, 2), date(2026, 1, 1))]
)
def test_end_on_or_before_start_is_refused(start: date, end: date) -> None:
    problem = refused(v.date_order, start, end, "contractEnd", "contractStart").problem
    assert (problem.field, problem.rule) == ("contractEnd", "after_start")


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 1, 1), date(2026, 1, 2)), (None, date(2026, 1, 1)), (date(2026, 1, 1), None)],
)
def test_end_after_start_or_a_missing_date_passes_the_order_check(
    start: date | None, end: date | None
) -> None:
    assert v.date_order(start, end, "contractEnd", "contractStart") is None


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("3201911403959001", "3201••••••••9001"),
        ("AB1234567", "AB12•4567"),
        ("A1234567", "••••••••"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_identifier_shows_only_first_and_last_four(
    value: str | None, masked: str | None
) -> None:
    assert v.mask_identifier(value) == masked


@FAST
@given(st.text(min_size=9, max_size=40))
def test_masking_keeps_length_and_first_and_last_four(value: str) -> None:
    masked = v.mask_identifier(value)
    assert masked is not None
    assert len(masked) == len(value)
    assert masked[:4] == value[:4] and masked[-4:] == value[-4:]
    assert set(masked[4:-4]) == {"•"}


@FAST
@given(st.text(max_size=8))
def test_masking_hides_short_identifiers_entirely(value: str) -> None:
    assert v.mask_identifier(value) == "•" * len(value)
