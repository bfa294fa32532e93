"""Contribution amounts and cover windows (Permenaker 4/2023), as plain functions.

Worked examples from the domain brief are the tests of this module: an 18-month contract
costs Rp270,000, a 36-month contract Rp494,500, and with the pre-placement Rp37,500 they
come to Rp307,500 and Rp532,000.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from models.enums import ContributionKind, Program
from models.errors import FieldInvalid

PRE_PLACEMENT_AMOUNT = 37_500
PRE_PLACEMENT_MONTHS = 5
PER_EXTRA_MONTH = 13_500
# (contract months, amount) tiers; between tiers: the tier below plus PER_EXTRA_MONTH a month.
PLACEMENT_TIERS: tuple[tuple[int, int], ...] = ((6, 108_000), (12, 189_000), (24, 332_500))
JHT_MONTHLY_OPTIONS: tuple[int, ...] = (50_000, 100_000, 200_000, 300_000, 400_000, 500_000,
                                        600_000)
# Cover after placement: from departure to the contract end plus one month.
PLACEMENT_GRACE_MONTHS = 1
MAX_JHT_MONTHS = 60
MAX_EXTENSION_MONTHS = 60


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def contract_months(start: date, end: date) -> int:
    """Whole months a contract runs, counting a started month as a month.

    A contract from 1 Jan 2024 to 31 Dec 2025 is 24 months; to 1 Jan 2026 it is 25.
    """
    if end <= start:
        raise ValueError("contract end must be after its start")
    months = (end.year - start.year) * 12 + (end.month - start.month)
    while add_months(start, months) - timedelta(days=1) < end:
        months += 1
    while months > 1 and add_months(start, months - 1) - timedelta(days=1) >= end:
        months -= 1
    return max(months, 1)


def placement_amount(months: int) -> int:
    """Contribution for the placement period of a contract of ``months`` months."""
    if months < 1:
        raise ValueError("a contract lasts at least one month")
    tier_months, amount = PLACEMENT_TIERS[0]
    for t_months, t_amount in PLACEMENT_TIERS:
        if months >= t_months:
            tier_months, amount = t_months, t_amount
    return amount + max(0, months - tier_months) * PER_EXTRA_MONTH


def extension_amount(added_months: int) -> int:
    return added_months * PER_EXTRA_MONTH


@dataclass(frozen=True, slots=True)
class CoverWindow:
    programs: tuple[Program, ...]
    starts_on: date
    ends_on: date  # inclusive


def pre_placement_window(paid_on: date) -> CoverWindow:
    return CoverWindow(
        (Program.JKK, Program.JKM),
        paid_on,
        add_months(paid_on, PRE_PLACEMENT_MONTHS) - timedelta(days=1),
    )


def placement_window(departure: date, contract_end: date) -> CoverWindow:
    return CoverWindow(
        (Program.JKK, Program.JKM),
        departure,
        add_months(contract_end, PLACEMENT_GRACE_MONTHS),
    )


def jht_window(paid_on: date, months: int) -> CoverWindow:
    return CoverWindow((Program.JHT,), paid_on, add_months(paid_on, months) - timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Quote:
    """What a contribution must amount to, and the window it buys."""

    kind: ContributionKind
    amount: int
    months: int
    window: CoverWindow


def quote(
    kind: ContributionKind,
    *,
    paid_on: date,
    contract_start: date | None,
    contract_end: date | None,
    departed_on: date | None,
    months: int | None = None,
    jht_monthly: int | None = None,
) -> Quote:
    """The amount due and the window bought; raises FieldInvalid naming what is missing."""
    if kind == ContributionKind.PRE_PLACEMENT:
        return Quote(kind, PRE_PLACEMENT_AMOUNT, PRE_PLACEMENT_MONTHS,
                     pre_placement_window(paid_on))
    if kind == ContributionKind.JHT:
        if jht_monthly not in JHT_MONTHLY_OPTIONS:
            options = ", ".join(f"{o:,}" for o in JHT_MONTHLY_OPTIONS)
            raise FieldInvalid("jhtMonthlyAmount", "jht_option",
                               f"The JHT monthly amount is one of Rp {options}.")
        if months is None or not 1 <= months <= MAX_JHT_MONTHS:
            raise FieldInvalid("months", "range", f"months must be 1 to {MAX_JHT_MONTHS}.")
        return Quote(kind, jht_monthly * months, months, jht_window(paid_on, months))
    if contract_start is None or contract_end is None:
        raise FieldInvalid("contractEnd", "contract_required",
                           "Record contractStart and contractEnd before a placement "
                           "contribution.")
    if contract_end <= contract_start:
        raise FieldInvalid("contractEnd", "after_start", "contractEnd must be after contractStart.")
    if kind == ContributionKind.PLACEMENT:
        n = contract_months(contract_start, contract_end)
        start = departed_on or contract_start
        return Quote(kind, placement_amount(n), n, placement_window(start, contract_end))
    # EXTENSION: the added months lengthen the contract; cover runs to the new end + 1 month.
    if months is None or not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise FieldInvalid("months", "range", f"months must be 1 to {MAX_EXTENSION_MONTHS}.")
    new_end = add_months(contract_end, months)
    start = departed_on or contract_start
    return Quote(kind, extension_amount(months), months, placement_window(start, new_end))
