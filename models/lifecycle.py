"""The placement and membership transition graphs of the domain brief.

This module is the one place that says which status may follow which. Operations in
``models.worker_changes`` call it before changing a worker; nothing else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from models.enums import MembershipStatus, Phase, PlacementStatus
from models.errors import FieldProblem, InvalidTransition, ValidationFailed

P = PlacementStatus
M = MembershipStatus

# DECEASED is reachable from every non-final state, so it is added below rather than
# repeated in each row.
_PLACEMENT_EDGES: dict[PlacementStatus, frozenset[PlacementStatus]] = {
    P.CANDIDATE: frozenset({P.DEPARTED, P.FAILED_DEPARTURE}),
    P.DEPARTED: frozenset({P.ON_LEAVE, P.TERMINATED, P.RETURNED, P.MISSING}),
    P.ON_LEAVE: frozenset({P.DEPARTED}),
    P.TERMINATED: frozenset({P.RETURNED}),
    P.MISSING: frozenset({P.DEPARTED, P.RETURNED}),
    P.RETURNED: frozenset({P.CANDIDATE}),
    P.FAILED_DEPARTURE: frozenset({P.CANDIDATE}),
    P.DECEASED: frozenset(),
}
PLACEMENT_TRANSITIONS: Mapping[PlacementStatus, frozenset[PlacementStatus]] = {
    status: (edges | {P.DECEASED}) if status != P.DECEASED else edges
    for status, edges in _PLACEMENT_EDGES.items()
}

MEMBERSHIP_TRANSITIONS: Mapping[MembershipStatus, frozenset[MembershipStatus]] = {
    M.REGISTERED: frozenset({M.ACTIVE, M.CLOSED}),
    M.ACTIVE: frozenset({M.EXPIRED, M.CLOSED}),
    M.EXPIRED: frozenset({M.ACTIVE, M.CLOSED}),
    M.CLOSED: frozenset(),
}

# Membership moves to ACTIVE only through a contribution and to EXPIRED only through the
# sweep; the one membership change a person may ask for directly is CLOSED, by an operator.
MANUAL_MEMBERSHIP_TARGETS: frozenset[MembershipStatus] = frozenset({M.CLOSED})

_PHASE_OF: dict[PlacementStatus, Phase] = {
    P.CANDIDATE: Phase.BEFORE,
    P.FAILED_DEPARTURE: Phase.BEFORE,
    P.DEPARTED: Phase.DURING,
    P.ON_LEAVE: Phase.DURING,
    P.TERMINATED: Phase.DURING,
    P.MISSING: Phase.DURING,
    P.RETURNED: Phase.AFTER,
}


def phase_of(status: PlacementStatus, previous_phase: Phase | None = None) -> Phase:
    """The derived phase. A death keeps the phase the worker was in when it happened."""
    if status == P.DECEASED:
        return previous_phase or Phase.BEFORE
    return _PHASE_OF[status]


def check_placement(current: PlacementStatus, target: PlacementStatus) -> None:
    allowed = PLACEMENT_TRANSITIONS[current]
    if target not in allowed:
        raise InvalidTransition("placement status", current, target, allowed)


def check_membership_manual(current: MembershipStatus, target: MembershipStatus) -> None:
    """A membership change asked for directly (not via a contribution or the sweep)."""
    manual_next = [t for t in MEMBERSHIP_TRANSITIONS[current] if t in MANUAL_MEMBERSHIP_TARGETS]
    if target not in manual_next:
        raise InvalidTransition("membership status", current, target, manual_next)


@dataclass(frozen=True, slots=True)
class DepartureFacts:
    passport_number: str | None
    contract_start: date | None
    contract_end: date | None


def check_departure_conditions(facts: DepartureFacts) -> None:
    """Moving to DEPARTED needs a passport number and both contract dates on the record."""
    problems = []
    rule = "required_to_depart"
    if not facts.passport_number:
        problems.append(
            FieldProblem("passportNumber", rule, "A passport number is required to depart.")
        )
    if facts.contract_start is None:
        problems.append(
            FieldProblem("contractStart", rule, "A contract start date is required to depart.")
        )
    if facts.contract_end is None:
        problems.append(
            FieldProblem("contractEnd", rule, "A contract end date is required to depart.")
        )
    if problems:
        raise ValidationFailed(problems)


def check_payable(current: MembershipStatus) -> None:
    """A contribution may (re)activate any membership but a CLOSED one, which is final."""
    if M.ACTIVE not in MEMBERSHIP_TRANSITIONS[current] and current != M.ACTIVE:
        raise InvalidTransition(
            "membership status", current, M.ACTIVE, MEMBERSHIP_TRANSITIONS[current]
        )


# Placement statuses in which a running contract can be extended: the worker is abroad
# and working (or on home leave in the middle of the contract).
EXTENDABLE: frozenset[PlacementStatus] = frozenset({P.DEPARTED, P.ON_LEAVE})
