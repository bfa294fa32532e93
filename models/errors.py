"""Expected failures of domain operations.

Each is data, not a crash: the GraphQL layer turns them into the typed members of a
mutation's result union (architecture invariant 6). Messages never contain identifiers
(NIK, passport, family-card numbers) or secrets, because they travel to clients and logs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One broken rule: which input field, which rule, and a sentence for a person."""

    field: str
    rule: str
    message: str


class DomainError(Exception):
    """Base of every expected failure a domain operation may report."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldInvalid(DomainError):
    """A single field failed its rule (raised by validators, gathered by ValidationFailed)."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.problem = FieldProblem(field, rule, message)


class ValidationFailed(DomainError):
    """One or more fields failed; the first is the headline, all are listed."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("ValidationFailed needs at least one problem")
        super().__init__(problems[0].message)
        self.problems: tuple[FieldProblem, ...] = tuple(problems)

    @classmethod
    def single(cls, field: str, rule: str, message: str) -> ValidationFailed:
        return cls([FieldProblem(field, rule, message)])

    def prefixed(self, prefix: str) -> ValidationFailed:
        return ValidationFailed(
            [FieldProblem(f"{prefix}.{p.field}", p.rule, p.message) for p in self.problems]
        )


class NotFound(DomainError):
    """The object does not exist or the viewer may not see it; the two are indistinguishable."""

    def __init__(self, what: str = "worker") -> None:
        super().__init__(f"No {what} with this id.")
        self.what = what


class NotAllowed(DomainError):
    """The viewer's role or scopes do not permit the operation."""

    def __init__(self, message: str, needed: str = "") -> None:
        super().__init__(message)
        self.needed = needed


class DuplicateNik(DomainError):
    """The NIK is taken. Never says by whom when it is another partner's worker."""

    def __init__(self, elsewhere: bool) -> None:
        super().__init__(
            "This NIK is already registered elsewhere."
            if elsewhere
            else "This NIK is already registered by your organisation."
        )
        self.elsewhere = elsewhere


class StaleVersion(DomainError):
    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"The record changed since you read it (you sent version {expected}, "
            f"it is now {current}); reload it and apply your change again."
        )
        self.expected = expected
        self.current = current


class InvalidTransition(DomainError):
    def __init__(self, kind: str, from_: str, to: str, allowed: Iterable[str]) -> None:
        allowed_list = sorted(allowed)
        allowed_text = ", ".join(allowed_list) if allowed_list else "none (final state)"
        super().__init__(
            f"A worker's {kind} cannot go from {from_} to {to}; allowed next: {allowed_text}."
        )
        self.kind = kind
        self.from_ = from_
        self.to = to
        self.allowed = allowed_list


class IdempotencyConflict(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This idempotency key was already used with a different input; "
            "use a new key for a new request."
        )


class Problems:
    """Collects FieldInvalid raised by validators so that every problem is reported at once."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, rule: str, message: str) -> None:
        self.items.append(FieldProblem(field, rule, message))

    def run(self, check: Callable[..., T], *args: object) -> T | None:
        try:
            return check(*args)
        except FieldInvalid as exc:
            self.items.append(exc.problem)
            return None

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)

