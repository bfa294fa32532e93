"""Field rules of a worker's record, as plain functions.

Each validator returns the normalised value or raises FieldInvalid naming the field and
the rule. Messages describe the rule, never echo the value: a NIK or passport number must
not reach a log line or an error payload.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from models.enums import Gender
from models.errors import FieldInvalid

# Province codes of the Kemendagri numbering, including the four Papua provinces of 2022.
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)

# ISO 3166-1 alpha-2, officially assigned codes.
ISO_COUNTRIES: frozenset[str] = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
    DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR
    GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM
    KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP
    MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST
    SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG
    VI VN VU WF WS YE YT ZA ZM ZW""".split()
)

MALAYSIAN_REGIONS: tuple[str, ...] = ("Peninsular", "Sabah", "Sarawak")
HOME_COUNTRY = "ID"

MIN_AGE = 18
MAX_AGE = 60

_NIK_RE = re.compile(r"^[0-9]{16}$")
_KK_RE = re.compile(r"^[0-9]{16}$")
_PASSPORT_RE = re.compile(r"^[A-Z]{1,2}[0-9]{6,7}$")
_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_NAME_PUNCTUATION = frozenset(" '.-")
_SISKOP_RE = re.compile(r"^[A-Za-z0-9\-]{1,40}$")
_KPJ_RE = re.compile(r"^[0-9]{8,16}$")
_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise FieldInvalid(field, "type", f"{field} must be text.")
    return value


def nik(value: object, field: str = "nik") -> str:
    """Structure of a NIK on its own (16 digits, known province, non-zero parts)."""
    text = _text(value, field).strip().replace(" ", "")
    if not _NIK_RE.match(text):
        raise FieldInvalid(field, "nik_format", "A NIK is exactly 16 digits.")
    if text[0:2] not in PROVINCE_CODES:
        raise FieldInvalid(field, "nik_province", "A NIK starts with a known province code.")
    if text[2:4] == "00" or text[4:6] == "00":
        raise FieldInvalid(
            field, "nik_region", "Digits 3-6 of a NIK (regency and district) cannot be 00."
        )
    day, month = int(text[6:8]), int(text[8:10])
    if not (1 <= day <= 31 or 41 <= day <= 71) or not 1 <= month <= 12:
        raise FieldInvalid(
            field,
            "nik_birth_date",
            "Digits 7-12 of a NIK are the birth date DDMMYY (40 added to the day for women).",
        )
    if text[12:16] == "0000":
        raise FieldInvalid(field, "nik_serial", "The last four digits of a NIK cannot be 0000.")
    return text


def nik_birth_segment(birth_date: date, gender: Gender) -> str:
    """The DDMMYY part a NIK must carry for this birth date and gender."""
    day = birth_date.day + (40 if gender == Gender.FEMALE else 0)
    return f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"


def nik_agrees(value: str, birth_date: date, gender: Gender, field: str = "nik") -> None:
    """A structurally valid NIK must encode the birth date and gender of the record."""
    segment = value[6:12]
    if segment == nik_birth_segment(birth_date, gender):
        return
    other = Gender.MALE if gender == Gender.FEMALE else Gender.FEMALE
    if segment == nik_birth_segment(birth_date, other):
        raise FieldInvalid(
            field,
            "nik_gender_mismatch",
            "The NIK's birth-day digits do not match the gender (40 is added for women).",
        )
    raise FieldInvalid(
        field, "nik_birth_date_mismatch", "The NIK's birth-date digits do not match birthDate."
    )


def _name_characters_ok(text: str) -> bool:
    """Starts with a letter; then letters (any script, with their combining marks), spaces,
    apostrophes, dots and hyphens. Digits of every kind (also superscripts, fractions and
    Roman numerals) are refused. A linear scan: no regular expression to backtrack on."""
    if not text[0].isalpha():
        return False
    return all(
        ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch).startswith("M")
        for ch in text[1:]
    )


def full_name(value: object, field: str = "fullName") -> str:
    # NFC: a name typed in decomposed form (e + combining acute) is stored as its letters.
    text = " ".join(unicodedata.normalize("NFC", _text(value, field)).split())
    if not 1 <= len(text) <= 150:
        raise FieldInvalid(field, "length", f"{field} must be 1 to 150 characters.")
    if not _name_characters_ok(text):
        raise FieldInvalid(
            field,
            "name_characters",
            f"{field} may contain only letters, spaces, apostrophes, dots and hyphens, "
            "and must start with a letter.",
        )
    return text


def birth_date(value: object, today: date, field: str = "birthDate") -> date:
    # A datetime is a date subclass but cannot be compared with one: refuse it here.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise FieldInvalid(field, "type", f"{field} must be a date (YYYY-MM-DD).")
    if value > today:
        raise FieldInvalid(field, "not_in_future", f"{field} cannot be in the future.")
    age = age_on(value, today)
    if not MIN_AGE <= age <= MAX_AGE:
        raise FieldInvalid(
            field,
            "age_range",
            f"A worker must be {MIN_AGE} to {MAX_AGE} years old at registration.",
        )
    return value


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def passport_number(value: object, field: str = "passportNumber") -> str:
    text = _text(value, field).strip().replace(" ", "")
    # Upper-case ASCII only: "ı".upper() is "I", which would turn a typo into a valid number.
    if not text.isascii() or not _PASSPORT_RE.match(text.upper()):
        raise FieldInvalid(
            field,
            "passport_format",
            "A passport number is 1-2 letters followed by 6-7 digits.",
        )
    return text.upper()


def family_card_number(value: object, field: str = "familyCardNumber") -> str:
    text = _text(value, field).strip().replace(" ", "")
    if not _KK_RE.match(text):
        raise FieldInvalid(field, "kk_format", "A family-card (KK) number is exactly 16 digits.")
    return text


def phone(value: object, field: str = "phone") -> str:
    text = _text(value, field).strip()
    for sep in (" ", "-", "(", ")", "."):
        text = text.replace(sep, "")
    if not _E164_RE.match(text):
        raise FieldInvalid(
            field,
            "e164",
            "A phone number is in E.164 form: + and country code, 7 to 15 digits "
            "(e.g. +6281234567890).",
        )
    return text


def country(value: object, field: str = "destinationCountry") -> str:
    text = _text(value, field).strip()
    text = text.upper() if text.isascii() else text
    if text not in ISO_COUNTRIES:
        raise FieldInvalid(
            field, "iso3166_alpha2", f"{field} must be an ISO 3166-1 alpha-2 code such as HK."
        )
    return text


def destination_country(value: object, field: str = "destinationCountry") -> str:
    code = country(value, field)
    if code == HOME_COUNTRY:
        raise FieldInvalid(
            field, "abroad", "A migrant worker's destination is a country other than Indonesia."
        )
    return code


def destination_region(
    value: str | None, destination: str | None, field: str = "destinationRegion"
) -> str | None:
    if value is None:
        return None
    text = " ".join(_text(value, field).split())
    if destination == "MY":
        for region in MALAYSIAN_REGIONS:
            if text.lower() == region.lower():
                return region
        raise FieldInvalid(
            field,
            "malaysian_region",
            "For Malaysia, destinationRegion is one of Peninsular, Sabah, Sarawak.",
        )
    if not 1 <= len(text) <= 100:
        raise FieldInvalid(field, "length", f"{field} must be 1 to 100 characters.")
    return text


def bounded_text(value: object, field: str, maximum: int) -> str:
    text = " ".join(_text(value, field).split())
    if not 1 <= len(text) <= maximum:
        raise FieldInvalid(field, "length", f"{field} must be 1 to {maximum} characters.")
    return text


def reason(value: object, field: str = "reason") -> str:
    text = _text(value, field).strip()
    if not text:
        raise FieldInvalid(field, "required", "A reason is required for every status change.")
    if len(text) > 1000:
        raise FieldInvalid(field, "length", "A reason is at most 1000 characters.")
    return text


def siskop2mi_id(value: object, field: str = "externalIds.siskop2miId") -> str:
    text = _text(value, field).strip()
    if not _SISKOP_RE.match(text):
        raise FieldInvalid(
            field, "siskop2mi_format", "A SISKOP2MI id is 1-40 letters, digits or hyphens."
        )
    return text


def kpj_number(value: object, field: str = "externalIds.kpjNumber") -> str:
    text = _text(value, field).strip()
    if not _KPJ_RE.match(text):
        raise FieldInvalid(field, "kpj_format", "A KPJ card number is 8 to 16 digits.")
    return text


def partner_code(value: object, field: str = "code") -> str:
    text = _text(value, field).strip()
    if not 2 <= len(text) <= 40 or not _CODE_RE.match(text):
        raise FieldInvalid(
            field,
            "code_format",
            "A partner code is 2-40 lower-case letters, digits and single hyphens "
            "(e.g. kbri-hongkong).",
        )
    return text


def date_order(start: date | None, end: date | None, field: str, start_field: str) -> None:
    if start is not None and end is not None and end <= start:
        raise FieldInvalid(field, "after_start", f"{field} must be after {start_field}.")


def mask_identifier(value: str | None) -> str | None:
    """What a PARTNER_VIEWER sees: the first and last four characters, the rest hidden."""
    if value is None:
        return None
    if len(value) <= 8:
        return "•" * len(value)
    return value[:4] + "•" * (len(value) - 8) + value[-4:]
