"""Contribution amounts and cover windows of Permenaker 4/2023 (models.coverage).

The amounts are the worked examples of the domain brief, written out as numbers here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import coverage as c
from models.enums import ContributionKind, Program
from models.errors import FieldInvalid

FAST = settings(max_examples=200, deadline=None, database=None)
K = ContributionKind


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "amount"),
    [
        (1, 108_000),  # under 6 months pays the 6-month tier
        (3, 108_000),
        (5, 108_000),
        (6, 108_000),
        (7, 121_500),
        (11, 175_500),
        (12, 189_000),
        (13, 202_500),
        (18, 270_000),  # domain example: 189,000 + 6 x 13,500
        (24, 332_500),
        (25, 346_000),
        (36, 494_500),  # domain example (Taiwan, Korea): 332,500 + 12 x 13,500
        (48, 656_500),
    ],
)
def test_placement_contribution_is_the_tier_below_plus_13500_a_month(
    months: int, amount: int
) -> None:
    assert c.placement_amount(months) == amount


@pytest.mark.parametrize(("months", "total"), [(18, 307_500), (36, 532_000)])
def test_pre_placement_and_placement_together_match_the_worked_examples(
    months: int, total: int
) -> None:
    assert c.PRE_PLACEMENT_AMOUNT + c.placement_amount(months) == total


def test_the_three_tiers_and_pre_placement_amount_are_those_of_permenaker_4_2023() -> None:
    assert c.PLACEMENT_TIERS == ((6, 108_000), (12, 189_000), (24, 332_500))
    assert c.PRE_PLACEMENT_AMOUNT == 37_500
    assert c.PER_EXTRA_MONTH == 13_500


@pytest.mark.parametrize("months", [0, -1])
def test_placement_contribution_needs_at_least_one_month(months: int) -> None:
    with pytest.raises(ValueError):
        c.placement_amount(months)


@pytest.mark.parametrize(("added", "amount"), [(1, 13_500), (6, 81_000), (12, 162_000)])
def test_contract_extension_costs_13500_per_added_month(added: int, amount: int) -> None:
    assert c.extension_amount(added) == amount


def test_jht_options_are_the_seven_monthly_amounts() -> None:
    assert c.JHT_MONTHLY_OPTIONS == (
        50_000, 100_000, 200_000, 300_000, 400_000, 500_000, 600_000
    )


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "result"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamped to 29 Feb
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 1, 1), -13, date(2022, 12, 1)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 1, 1), 24, date(2026, 1, 1)),
    ],
)
def test_add_months_keeps_the_day_clamped_to_the_month_end(
    start: date, months: int, result: date
) -> None:
    assert c.add_months(start, months) == result


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 1, 1), date(2025, 12, 31), 24),  # domain example
        (date(2024, 1, 1), date(2026, 1, 1), 25),  # domain example: a started month counts
        (date(2024, 1, 1), date(2024, 1, 2), 1),
        (date(2024, 1, 1), date(2024, 1, 31), 1),
        (date(2024, 1, 1), date(2024, 2, 1), 2),
        (date(2024, 1, 15), date(2024, 7, 14), 6),
        (date(2024, 1, 15), date(2024, 7, 15), 7),
        (date(2024, 1, 1), date(2025, 6, 30), 18),
        (date(2024, 1, 1), date(2026, 12, 31), 36),
        (date(2023, 3, 1), date(2024, 2, 29), 12),
        (date(2024, 1, 31), date(2024, 2, 28), 1),  # 31 Jan + 1 month is 29 Feb
    ],
)
def test_contract_months_counts_whole_months_with_a_started_month_as_one(
    start: date, end: date, months: int
) -> None:
    assert c.contract_months(start, end) == months


@pytest.mark.parametrize("end", [date(2024, 1, 1), date(2023, 12, 31)])
def test_contract_months_needs_an_end_after_the_start(end: date) -> None:
    with pytest.raises(ValueError):
        c.contract_months(date(2024, 1, 1), end)


@FAST
@given(
    d=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    months=st.integers(min_value=-1200, max_value=1200),
)
def test_add_months_never_fails_and_moves_exactly_that_many_calendar_months(
    d: date, months: int
) -> None:
    result = c.add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    # Same day when the month has it, else the month's last day.
    next_day = result + timedelta(days=1)
    assert result.day == d.day or (result.day < d.day and next_day.month != result.month)


@FAST
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    days=st.integers(min_value=1, max_value=3700),
)
def test_contract_months_is_the_smallest_m_whose_month_span_reaches_the_end(
    start: date, days: int
) -> None:
    end = start + timedelta(days=days)
    m = c.contract_months(start, end)
    assert m >= 1
    assert c.add_months(start, m) - timedelta(days=1) >= end
    if m > 1:
        assert c.add_months(start, m - 1) - timedelta(days=1) < end


# --- cover windows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_on", "ends_on"),
    [
        (date(2024, 1, 1), date(2024, 5, 31)),
        (date(2024, 1, 15), date(2024, 6, 14)),
        (date(2023, 9, 29), date(2024, 2, 28)),
        (date(2023, 9, 30), date(2024, 2, 28)),  # 30 Feb does not exist: clamped, then -1 day
        (date(2024, 10, 31), date(2025, 3, 30)),
    ],
)
def test_pre_placement_cover_lasts_five_months_from_payment(paid_on: date, ends_on: date) -> None:
    window = c.pre_placement_window(paid_on)
    assert (window.starts_on, window.ends_on) == (paid_on, ends_on)
    assert window.programs == (Program.JKK, Program.JKM)


@pytest.mark.parametrize(
    ("contract_end", "ends_on"),
    [
        (date(2025, 12, 31), date(2026, 1, 31)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 6, 15), date(2026, 7, 15)),
    ],
)
def test_placement_cover_runs_from_departure_to_contract_end_plus_one_month(
    contract_end: date, ends_on: date
) -> None:
    window = c.placement_window(date(2024, 2, 10), contract_end)
    assert (window.starts_on, window.ends_on) == (date(2024, 2, 10), ends_on)
    assert window.programs == (Program.JKK, Program.JKM)


def test_jht_window_covers_the_paid_months_for_jht_only() -> None:
    window = c.jht_window(date(2024, 1, 1), 12)
    assert (window.programs, window.starts_on, window.ends_on) == (
        (Program.JHT,), date(2024, 1, 1), date(2024, 12, 31)
    )


# --- quote --------------------------------------------------------------------------------------

PAID = date(2024, 1, 15)


def quote(kind: ContributionKind, **kwargs: object) -> c.Quote:
    args: dict[str, object] = {
        "paid_on": PAID, "contract_start": None, "contract_end": None, "departed_on": None
    }
    args.update(kwargs)
    return c.quote(kind, **args)  # type: ignore[arg-type]


def test_pre_placement_quote_is_37500_for_five_months_from_payment() -> None:
    q = quote(K.PRE_PLACEMENT)
    assert (q.kind, q.amount, q.months) == (K.PRE_PLACEMENT, 37_500, 5)
    assert (q.window.starts_on, q.window.ends_on) == (PAID, date(2024, 6, 14))


@pytest.mark.parametrize(
    ("start", "end", "months", "amount"),
    [
        (date(2024, 1, 1), date(2024, 3, 31), 3, 108_000),
        (date(2024, 1, 1), date(2024, 6, 30), 6, 108_000),
        (date(2024, 1, 1), date(2024, 12, 31), 12, 189_000),
        (date(2024, 1, 1), date(2025, 6, 30), 18, 270_000),
        (date(2024, 1, 1), date(2025, 12, 31), 24, 332_500),
        (date(2024, 1, 1), date(2026, 12, 31), 36, 494_500),
    ],
)
def test_placement_quote_charges_by_contract_length(
    start: date, end: date, months: int, amount: int
) -> None:
    q = quote(K.PLACEMENT, contract_start=start, contract_end=end)
    assert (q.amount, q.months) == (amount, months)
    assert q.window.starts_on == start  # not departed yet: cover counts from contract start
    assert q.window.ends_on == c.add_months(end, 1)


def test_placement_quote_cover_starts_on_departure_when_known() -> None:
    q = quote(K.PLACEMENT, contract_start=date(2024, 1, 1), contract_end=date(2025, 12, 31),
              departed_on=date(2024, 1, 20))
    assert (q.window.starts_on, q.window.ends_on) == (date(2024, 1, 20), date(2026, 1, 31))


def test_extension_quote_charges_added_months_and_extends_cover_to_new_end_plus_one_month() -> None:
    q = quote(K.EXTENSION, contract_start=date(2024, 1, 1), contract_end=date(2025, 12, 31),
              departed_on=date(2024, 1, 20), months=6)
    assert (q.amount, q.months) == (81_000, 6)
    # New end: 31 Dec 2025 + 6 months = 30 Jun 2026; cover to one month after that.
    assert (q.window.starts_on, q.window.ends_on) == (date(2024, 1, 20), date(2026, 7, 30))


@pytest.mark.parametrize("monthly", c.JHT_MONTHLY_OPTIONS)
@pytest.mark.parametrize("months", [1, 12, 60])
def test_jht_quote_is_the_chosen_monthly_amount_times_months(monthly: int, months: int) -> None:
    q = quote(K.JHT, jht_monthly=monthly, months=months)
    assert (q.amount, q.months) == (monthly * months, months)
    assert q.window.programs == (Program.JHT,)


def expect_problem(kind: ContributionKind, field: str, rule: str, **kwargs: object) -> None:
    with pytest.raises(FieldInvalid) as info:
        quote(kind, **kwargs)
    assert (info.value.problem.field, info.value.problem.rule) == (field, rule)


@pytest.mark.parametrize("monthly", [None, 0, 75_000, 700_000, 1_000_000])
def test_jht_quote_refuses_an_amount_outside_the_options_naming_jht_monthly_amount(
    monthly: int | None,
) -> None:
    expect_problem(K.JHT, "jhtMonthlyAmount", "jht_option", jht_monthly=monthly, months=12)


@pytest.mark.parametrize("months", [None, 0, -1, 61])
def test_jht_quote_refuses_months_outside_1_to_60_naming_months(months: int | None) -> None:
    expect_problem(K.JHT, "months", "range", jht_monthly=100_000, months=months)


@pytest.mark.parametrize("months", [None, 0, 61])
def test_extension_quote_refuses_months_outside_1_to_60_naming_months(months: int | None) -> None:
    expect_problem(K.EXTENSION, "months", "range", contract_start=date(2024, 1, 1),
                   contract_end=date(2025, 12, 31), months=months)


@pytest.mark.parametrize("kind", [K.PLACEMENT, K.EXTENSION])
@pytest.mark.parametrize(
    ("start", "end"), [(None, None), (date(2024, 1, 1), None), (None, date(2025, 12, 31))]
)
def test_placement_and_extension_quotes_need_contract_dates_naming_contract_end(
    kind: ContributionKind, start: date | None, end: date | None
) -> None:
    expect_problem(kind, "contractEnd", "contract_required", contract_start=start,
                   contract_end=end, months=6)


@pytest.mark.parametrize("kind", [K.PLACEMENT, K.EXTENSION])
@pytest.mark.parametrize("end", [date(2024, 1, 1), date(2023, 6, 30)])
def test_quote_with_contract_end_not_after_start_is_a_field_problem_not_a_crash(
    kind: ContributionKind, end: date
) -> None:
    expect_problem(kind, "contractEnd", "after_start", contract_start=date(2024, 1, 1),
                   contract_end=end, months=6)
