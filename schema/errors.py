"""Typed errors: the failure members of every mutation's result union.

``from_domain`` is the single mapping from a domain error to its GraphQL type, so every
mutation reports the same failure the same way.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from models import errors as domain


@strawberry.interface(description="Something every typed error carries: a sentence for a person.")
class Error:
    message: str = strawberry.field(description="What went wrong, for a person to read.")


@strawberry.type(description="One input field that broke one rule.")
class FieldError:
    field: str = strawberry.field(
        description="The input field, as a path (e.g. `nik`, `heirs[0].fullName`)."
    )
    rule: str = strawberry.field(description="The rule's stable name (e.g. `nik_format`).")
    message: str = strawberry.field(description="The rule in words.")


@strawberry.type(
    description="The input broke one or more rules. The first problem is repeated in "
    "field/rule/message; all of them are in `errors`. Nothing was written."
)
class ValidationError(Error):
    field: str = strawberry.field(description="The first offending field.")
    rule: str = strawberry.field(description="The first broken rule.")
    errors: list[FieldError] = strawberry.field(description="Every problem found.")


@strawberry.type(
    description="This NIK is already registered. When the owner is another partner nothing "
    "else about it is revealed."
)
class DuplicateNikError(Error):
    field: str = strawberry.field(description="Always `nik`.")


@strawberry.type(description="The idempotency key was used before with a different input.")
class IdempotencyConflictError(Error):
    pass


@strawberry.type(description="Your role or your credentials' scopes do not permit this.")
class NotAllowedError(Error):
    needed: str = strawberry.field(description="The scope or role that would permit it.")


@strawberry.type(
    description="No object with this id exists for you. Foreign and missing ids answer the "
    "same way."
)
class NotFoundError(Error):
    id: strawberry.ID = strawberry.field(description="The id you sent.")


@strawberry.type(description="The record changed since you read it; reload and retry.")
class StaleVersionError(Error):
    current_version: int = strawberry.field(description="The record's version now.")


@strawberry.type(description="The status change is not allowed from the current status.")
class InvalidTransitionError(Error):
    from_: str = strawberry.field(name="from", description="The current status.")
    to: str = strawberry.field(description="The status you asked for.")
    allowed: list[str] = strawberry.field(description="Statuses allowed next from `from`.")


def validation_error(exc: domain.ValidationFailed) -> ValidationError:
    first = exc.problems[0]
    return ValidationError(
        message=first.message,
        field=first.field,
        rule=first.rule,
        errors=[FieldError(field=p.field, rule=p.rule, message=p.message) for p in exc.problems],
    )


def from_domain(exc: domain.DomainError, *, id: str = "") -> Error:
    """The typed GraphQL error for a domain failure."""
    if isinstance(exc, domain.ValidationFailed):
        return validation_error(exc)
    if isinstance(exc, domain.FieldInvalid):
        return validation_error(domain.ValidationFailed([exc.problem]))
    if isinstance(exc, domain.DuplicateNik):
        return DuplicateNikError(message=exc.message, field="nik")
    if isinstance(exc, domain.IdempotencyConflict):
        return IdempotencyConflictError(message=exc.message)
    if isinstance(exc, domain.NotAllowed):
        return NotAllowedError(message=exc.message, needed=exc.needed)
    if isinstance(exc, domain.NotFound):
        return NotFoundError(message=exc.message, id=strawberry.ID(id))
    if isinstance(exc, domain.StaleVersion):
        return StaleVersionError(message=exc.message, current_version=exc.current)
    if isinstance(exc, domain.InvalidTransition):
        return InvalidTransitionError(
            message=exc.message, from_=exc.from_, to=exc.to, allowed=exc.allowed
        )
    raise TypeError(f"no GraphQL error type for {type(exc).__name__}")


class QueryInputError(GraphQLError):
    """A bad argument to a query (page size, cursor, filter).

    Queries have no result union, so these surface in ``errors`` with
    ``extensions: {code: "BAD_USER_INPUT", field, rule}``.
    """

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(
            message, extensions={"code": "BAD_USER_INPUT", "field": field, "rule": rule}
        )


class ForbiddenQuery(GraphQLError):
    """A query the viewer's role or scopes do not permit (queries have no result union)."""

    def __init__(self, exc: domain.NotAllowed) -> None:
        super().__init__(exc.message, extensions={"code": "FORBIDDEN", "needed": exc.needed})


class SlowConsumerError(GraphQLError):
    """A subscriber fell too far behind; the stream ends and it resumes from ``cursor``."""

    def __init__(self, cursor: str | None, bound: int) -> None:
        super().__init__(
            f"Subscriber too slow: more than {bound} events were waiting. Resume with "
            "`after` set to the last cursor you received.",
            extensions={"code": "SLOW_CONSUMER", "resumeAfter": cursor},
        )
