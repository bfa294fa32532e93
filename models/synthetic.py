"""Synthetic identities for demo data and tests: never a real person's NIK.

Generated NIKs pass the structure check and agree with the birth date and gender; the
serial is drawn from a range (9000-9999) and the district digits from 90-99 so they are
unlikely to collide with real ones as well.
"""

from __future__ import annotations

import random
from datetime import date

from models.enums import Gender
from models.validators import nik_birth_segment

# Home-province shares of PMI (domain brief): East Java, Central Java, West Java,
# West Nusa Tenggara, Lampung, others.
HOME_PROVINCES: tuple[tuple[str, float], ...] = (
    ("35", 0.25), ("33", 0.21), ("32", 0.19), ("52", 0.12), ("18", 0.08),
)
OTHER_PROVINCES: tuple[str, ...] = ("11", "12", "13", "16", "31", "36", "51", "53", "61",
                                    "64", "73")


def home_province(rng: random.Random) -> str:
    roll = rng.random()
    for code, share in HOME_PROVINCES:
        if roll < share:
            return code
        roll -= share
    return rng.choice(OTHER_PROVINCES)


def make_nik(rng: random.Random, born: date, gender: Gender, province: str | None = None,
             serial: int | None = None, regency: int | None = None,
             district: int | None = None) -> str:
    """``regency``, ``district`` and ``serial`` may be given to make NIKs unique by design."""
    prov = province or home_province(rng)
    regency = regency if regency is not None else rng.randint(1, 79)
    district = district if district is not None else rng.randint(90, 99)
    tail = serial if serial is not None else rng.randint(9000, 9999)
    if not 1 <= tail <= 9999:
        # 0 would give the refused serial 0000 and 10000 a 17-digit NIK.
        raise ValueError("a NIK serial is 1 to 9999")
    return f"{prov}{regency:02d}{district:02d}{nik_birth_segment(born, gender)}{tail:04d}"


PASSPORT_SERIALS = 5 * 10_000_000  # five letters times seven digits


def make_passport(rng: random.Random, serial: int | None = None) -> str:
    """``serial`` (0 to PASSPORT_SERIALS - 1) may be given to make passports unique by design."""
    letters = "ABCEX"
    if serial is not None:
        return f"{letters[serial // 10_000_000 % 5]}{serial % 10_000_000:07d}"
    return f"{rng.choice(letters)}{rng.randint(0, 9_999_999):07d}"
