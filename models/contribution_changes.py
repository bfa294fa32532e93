"""The money side of a worker's changes: what a payment must amount to, and writing it.

``models.worker_changes`` calls these inside its transactions (recordContribution and
extendContract); nothing here opens a transaction or writes an event on its own. Amounts
and cover windows come from ``models.coverage``; this module decides which payment is
acceptable for which worker, and what it does to the worker's cover and membership:

- JKK/JKM windows move ``covered_until`` to the latest end of cover;
- the membership becomes ACTIVE (from REGISTERED or EXPIRED) when the new window covers
  today in Asia/Jakarta; a CLOSED membership takes no payment;
- JHT (old-age savings) is optional and does not make a membership ACTIVE on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import coverage, lifecycle
from models.clock import now
from models.contributions import Contribution, Coverage
from models.enums import ContributionKind, MembershipStatus, Phase, Program
from models.errors import FieldInvalid, Problems, ValidationFailed
from models.worker_input import MAX_CONTRACT_MONTHS
from models.workers import Worker

# Permenaker 4/2023 applies from this day; before it the flat Rp370,000 of Permenaker
# 18/2018 applied, which these rules do not price.
REGULATION_FROM = date(2023, 2, 22)
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
K = ContributionKind


@dataclass(frozen=True, slots=True)
class Payment:
    quote: coverage.Quote
    paid_on: date
    # Set for an extension: the contract's end after it.
    new_contract_end: date | None = None


def rupiah(amount: int) -> str:
    return f"Rp{amount:,}"


def _explain(q: coverage.Quote, jht_monthly: int | None) -> str:
    if q.kind == K.PRE_PLACEMENT:
        return f"pre-placement cover of {q.months} months"
    if q.kind == K.PLACEMENT:
        return f"a {q.months}-month contract"
    if q.kind == K.EXTENSION:
        return f"{q.months} added months at {rupiah(coverage.PER_EXTRA_MONTH)}"
    return f"{q.months} months at {rupiah(jht_monthly or 0)}"


def _amount(p: Problems, value: Any) -> int | None:
    if value is None:
        p.add("amount", "required", "amount is required (whole rupiah).")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        p.add("amount", "type", "amount is a whole number of rupiah.")
        return None
    if value <= 0:
        p.add("amount", "positive", "amount must be more than 0.")
        return None
    return value


def _paid_on(p: Problems, value: Any, today: date) -> date | None:
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE_RE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if value is None:
        p.add("paidOn", "required", "paidOn is required.")
        return None
    if day is None:
        p.add("paidOn", "date", "paidOn must be a date in the form YYYY-MM-DD.")
        return None
    if day > today:
        p.add("paidOn", "not_in_future", "paidOn cannot be in the future (Asia/Jakarta).")
        return None
    if day < REGULATION_FROM:
        p.add("paidOn", "before_regulation",
              f"Payments before {REGULATION_FROM.isoformat()} fell under Permenaker 18/2018 "
              "(a flat Rp370,000) and cannot be recorded with these rules.")
        return None
    return day


def _kind(p: Problems, value: Any) -> ContributionKind | None:
    try:
        return ContributionKind(getattr(value, "value", value))
    except ValueError:
        p.add("kind", "enum", "kind must be one of " + ", ".join(k.value for k in K) + ".")
        return None


def _check_amount(p: Problems, amount: int | None, q: coverage.Quote,
                  jht_monthly: int | None) -> None:
    if amount is not None and amount != q.amount:
        p.add("amount", "amount_mismatch",
              f"The amount due is {rupiah(q.amount)} ({_explain(q, jht_monthly)}); "
              f"you sent {rupiah(amount)}.")


def check_payment(worker: Worker, raw: Mapping[str, Any], *, today: date) -> Payment:
    """recordContribution's rules for this worker; raises naming every broken one."""
    lifecycle.check_payable(worker.status)
    p = Problems()
    kind = _kind(p, raw.get("kind"))
    amount = _amount(p, raw.get("amount"))
    paid_on = _paid_on(p, raw.get("paidOn"), today)
    months, jht_monthly = raw.get("months"), raw.get("jhtMonthlyAmount")
    if kind == K.EXTENSION:
        p.add("kind", "use_extend_contract",
              "An extension is recorded with extendContract, which moves the contract end "
              "and takes its payment together.")
    elif kind == K.PRE_PLACEMENT and worker.phase != Phase.BEFORE:
        p.add("kind", "phase",
              "A pre-placement contribution is paid before departure; this worker is "
              f"{worker.placement_status.value}.")
    elif kind == K.PLACEMENT and worker.phase == Phase.AFTER:
        p.add("kind", "phase",
              "This worker has returned; a new placement starts with placement status "
              "CANDIDATE and new contract dates.")
    if jht_monthly is not None and kind not in (None, K.JHT):
        p.add("jhtMonthlyAmount", "only_jht", "jhtMonthlyAmount is given for JHT only.")
    if kind is None or paid_on is None or p.has("kind"):
        p.raise_if_any()
    assert kind is not None and paid_on is not None
    try:
        q = coverage.quote(
            kind, paid_on=paid_on, contract_start=worker.contract_start,
            contract_end=worker.contract_end, departed_on=worker.departed_on,
            months=months, jht_monthly=jht_monthly,
        )
    except FieldInvalid as exc:
        p.items.append(exc.problem)
        p.raise_if_any()
        raise  # unreachable: raise_if_any raised
    if months is not None and kind != K.JHT and months != q.months:
        p.add("months", "months_mismatch",
              f"This contribution covers {q.months} months; send {q.months} or leave "
              "months out.")
    _check_amount(p, amount, q, jht_monthly)
    p.raise_if_any()
    return Payment(q, paid_on)


def check_extension(
    worker: Worker, *, months: int, amount: Any, paid_on: Any, today: date
) -> Payment:
    """extendContract's rules: a running contract abroad, Rp13,500 per added month."""
    lifecycle.check_payable(worker.status)
    if worker.placement_status not in lifecycle.EXTENDABLE:
        allowed = ", ".join(sorted(s.value for s in lifecycle.EXTENDABLE))
        raise ValidationFailed.single(
            "placementStatus", "not_abroad",
            f"A contract is extended while the worker works abroad ({allowed}); this worker "
            f"is {worker.placement_status.value}.")
    p = Problems()
    clean_amount = _amount(p, amount)
    day = _paid_on(p, paid_on, today)
    if day is None:
        p.raise_if_any()
    assert day is not None
    try:
        q = coverage.quote(
            K.EXTENSION, paid_on=day, contract_start=worker.contract_start,
            contract_end=worker.contract_end, departed_on=worker.departed_on, months=months,
        )
    except FieldInvalid as exc:
        p.items.append(exc.problem)
        p.raise_if_any()
        raise
    assert worker.contract_start is not None and worker.contract_end is not None
    new_end = coverage.add_months(worker.contract_end, months)
    if coverage.contract_months(worker.contract_start, new_end) > MAX_CONTRACT_MONTHS:
        p.add("months", "max_length", "A contract is at most 10 years long.")
    _check_amount(p, clean_amount, q, None)
    p.raise_if_any()
    return Payment(q, day, new_end)


def describe(payment: Payment) -> str:
    q = payment.quote
    return (f"{q.kind.value} contribution of {rupiah(q.amount)} paid on "
            f"{payment.paid_on.isoformat()}")


async def pay(
    conn: BaseDBAsyncClient, worker: Worker, payment: Payment, *, recorded_by: str,
    today: date,
) -> tuple[Contribution, dict[str, dict[str, Any]]]:
    """Write the contribution and its cover; update the worker's cover and membership in
    memory (the caller saves it). Returns the contribution and field -> {from, to}."""
    q, window = payment.quote, payment.quote.window
    contribution = Contribution(
        worker_id=worker.id, kind=q.kind, amount=q.amount, months=q.months,
        paid_on=payment.paid_on, covers_from=window.starts_on, covers_until=window.ends_on,
        recorded_at=now(), recorded_by=recorded_by,
    )
    await contribution.save(using_db=conn)
    await Coverage.bulk_create(
        [Coverage(worker_id=worker.id, contribution_id=contribution.id, program=program,
                  starts_on=window.starts_on, ends_on=window.ends_on)
         for program in window.programs],
        using_db=conn,
    )
    changes: dict[str, dict[str, Any]] = {}
    if Program.JKK in window.programs:
        before = worker.covered_until
        if before is None or window.ends_on > before:
            worker.covered_until = window.ends_on
            changes["coveredUntil"] = {
                "from": before.isoformat() if before else None,
                "to": window.ends_on.isoformat(),
            }
        covers_today = window.starts_on <= today <= window.ends_on
        if covers_today and worker.status != MembershipStatus.ACTIVE:
            changes["status"] = {"from": worker.status.value, "to": MembershipStatus.ACTIVE.value}
            worker.status = MembershipStatus.ACTIVE
    return contribution, changes


async def end_pre_placement_cover(
    conn: BaseDBAsyncClient, worker: Worker, today: date
) -> dict[str, dict[str, Any]]:
    """Pre-placement cover ends early on failed departure or death (the brief's cover
    windows): its windows end today (still covered today, the sweep expires the membership
    after), and a window that had not begun is withdrawn. The contribution itself stays
    as paid. ``covered_until`` follows the cover that remains. Returns field -> {from, to}."""
    paid = await Contribution.filter(
        worker_id=worker.id, kind=ContributionKind.PRE_PLACEMENT,
    ).using_db(conn).values_list("id", flat=True)
    if not paid:
        return {}
    windows = Coverage.filter(contribution_id__in=list(paid)).using_db(conn)
    await windows.filter(starts_on__gt=today).delete()
    await windows.filter(ends_on__gt=today).update(ends_on=today)
    ends = await Coverage.filter(worker_id=worker.id, program=Program.JKK).using_db(
        conn).values_list("ends_on", flat=True)
    latest = max(ends, default=None)
    before = worker.covered_until
    if latest == before:
        return {}
    worker.covered_until = latest
    return {"coveredUntil": {"from": before.isoformat() if before else None,
                             "to": latest.isoformat() if latest else None}}
