"""Placement and membership transition graphs (models.lifecycle), without a database.

The expected graph is written out here from the domain brief, independently of the table
in models.lifecycle, so that a changed edge there fails a test here.
"""

from __future__ import annotations

from datetime import date

import pytest

from models import lifecycle
from models.enums import MembershipStatus, Phase, PlacementStatus
from models.errors import InvalidTransition, ValidationFailed

P = PlacementStatus
M = MembershipStatus

# The placement graph of domain.md, DECEASED edges included.
DOMAIN_PLACEMENT_EDGES: frozenset[tuple[PlacementStatus, PlacementStatus]] = frozenset(
    {
        (P.CANDIDATE, P.DEPARTED),
        (P.CANDIDATE, P.FAILED_DEPARTURE),
        (P.DEPARTED, P.ON_LEAVE),
        (P.ON_LEAVE, P.DEPARTED),
        (P.DEPARTED, P.TERMINATED),
        (P.TERMINATED, P.RETURNED),
        (P.DEPARTED, P.RETURNED),
        (P.RETURNED, P.CANDIDATE),
        (P.DEPARTED, P.MISSING),
        (P.MISSING, P.DEPARTED),
        (P.MISSING, P.RETURNED),
        (P.MISSING, P.DECEASED),
        (P.FAILED_DEPARTURE, P.CANDIDATE),
    }
    | {(s, P.DECEASED) for s in P if s != P.DECEASED}
)
NON_EDGES = sorted(
    ((a, b) for a in P for b in P if (a, b) not in DOMAIN_PLACEMENT_EDGES),
    key=lambda pair: (pair[0].value, pair[1].value),
)


def allowed_after(status: PlacementStatus) -> list[str]:
    return sorted(b.value for a, b in DOMAIN_PLACEMENT_EDGES if a == status)


@pytest.mark.parametrize(("current", "target"), sorted(DOMAIN_PLACEMENT_EDGES))
def test_every_edge_of_the_placement_graph_is_allowed(
    current: PlacementStatus, target: PlacementStatus
) -> None:
    assert lifecycle.check_placement(current, target) is None


def test_placement_graph_has_exactly_the_edges_of_the_domain_brief() -> None:
    table = {(a, b) for a, nexts in lifecycle.PLACEMENT_TRANSITIONS.items() for b in nexts}
    assert table == DOMAIN_PLACEMENT_EDGES
    assert set(lifecycle.PLACEMENT_TRANSITIONS) == set(P)


@pytest.mark.parametrize(("current", "target"), NON_EDGES)
def test_a_move_outside_the_graph_is_refused_listing_allowed_next_states_sorted(
    current: PlacementStatus, target: PlacementStatus
) -> None:
    with pytest.raises(InvalidTransition) as info:
        lifecycle.check_placement(current, target)
    error = info.value
    assert error.kind == "placement status"
    assert (error.from_, error.to) == (current, target)
    assert error.allowed == allowed_after(current)
    assert error.allowed == sorted(error.allowed)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (P.CANDIDATE, P.RETURNED),  # never left
        (P.CANDIDATE, P.ON_LEAVE),
        (P.CANDIDATE, P.CANDIDATE),
        (P.ON_LEAVE, P.RETURNED),  # back to DEPARTED first
        (P.ON_LEAVE, P.TERMINATED),
        (P.TERMINATED, P.DEPARTED),
        (P.RETURNED, P.DEPARTED),  # a new cycle starts as CANDIDATE
        (P.FAILED_DEPARTURE, P.DEPARTED),
        (P.MISSING, P.ON_LEAVE),
        (P.DEPARTED, P.CANDIDATE),
        (P.DEPARTED, P.FAILED_DEPARTURE),
    ],
)
def test_representative_non_edges_are_refused(
    current: PlacementStatus, target: PlacementStatus
) -> None:
    with pytest.raises(InvalidTransition):
        lifecycle.check_placement(current, target)


def test_refusal_message_names_both_states_and_the_allowed_next_states() -> None:
    with pytest.raises(InvalidTransition) as info:
        lifecycle.check_placement(P.CANDIDATE, P.RETURNED)
    assert info.value.message == (
        "A worker's placement status cannot go from CANDIDATE to RETURNED; "
        "allowed next: DECEASED, DEPARTED, FAILED_DEPARTURE."
    )


@pytest.mark.parametrize("current", [s for s in P if s != P.DECEASED])
def test_deceased_is_reachable_from_every_non_final_state(current: PlacementStatus) -> None:
    lifecycle.check_placement(current, P.DECEASED)


@pytest.mark.parametrize("target", list(P))
def test_deceased_is_final(target: PlacementStatus) -> None:
    with pytest.raises(InvalidTransition) as info:
        lifecycle.check_placement(P.DECEASED, target)
    assert info.value.allowed == []
    assert "none (final state)" in info.value.message


# --- phase ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "phase"),
    [
        (P.CANDIDATE, Phase.BEFORE),
        (P.FAILED_DEPARTURE, Phase.BEFORE),
        (P.DEPARTED, Phase.DURING),
        (P.ON_LEAVE, Phase.DURING),
        (P.TERMINATED, Phase.DURING),
        (P.MISSING, Phase.DURING),
        (P.RETURNED, Phase.AFTER),
    ],
)
def test_phase_is_derived_from_placement_status(status: PlacementStatus, phase: Phase) -> None:
    assert lifecycle.phase_of(status) == phase
    # The previous phase matters only for a death.
    for previous in Phase:
        assert lifecycle.phase_of(status, previous) == phase


@pytest.mark.parametrize("previous", list(Phase))
def test_death_keeps_the_phase_the_worker_was_in(previous: Phase) -> None:
    assert lifecycle.phase_of(P.DECEASED, previous) == previous


def test_death_without_a_known_previous_phase_counts_as_before_placement() -> None:
    assert lifecycle.phase_of(P.DECEASED) == Phase.BEFORE


# --- membership -----------------------------------------------------------------------------


def test_membership_graph_follows_the_domain_brief() -> None:
    assert dict(lifecycle.MEMBERSHIP_TRANSITIONS) == {
        M.REGISTERED: {M.ACTIVE, M.CLOSED},
        M.ACTIVE: {M.EXPIRED, M.CLOSED},
        M.EXPIRED: {M.ACTIVE, M.CLOSED},
        M.CLOSED: set(),
    }


@pytest.mark.parametrize("current", [M.REGISTERED, M.ACTIVE, M.EXPIRED])
def test_membership_may_be_closed_by_hand_from_every_open_state(current: MembershipStatus) -> None:
    assert lifecycle.check_membership_manual(current, M.CLOSED) is None


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (M.REGISTERED, M.ACTIVE),  # only a contribution activates
        (M.EXPIRED, M.ACTIVE),  # only a renewal contribution reactivates
        (M.ACTIVE, M.EXPIRED),  # only the sweep expires
        (M.REGISTERED, M.EXPIRED),
        (M.ACTIVE, M.ACTIVE),
        (M.REGISTERED, M.REGISTERED),
    ],
)
def test_membership_active_and_expired_cannot_be_set_by_hand(
    current: MembershipStatus, target: MembershipStatus
) -> None:
    with pytest.raises(InvalidTransition) as info:
        lifecycle.check_membership_manual(current, target)
    assert info.value.kind == "membership status"
    assert info.value.allowed == ["CLOSED"]


@pytest.mark.parametrize("target", list(M))
def test_closed_membership_is_final(target: MembershipStatus) -> None:
    with pytest.raises(InvalidTransition) as info:
        lifecycle.check_membership_manual(M.CLOSED, target)
    assert info.value.allowed == []


# --- departure conditions -------------------------------------------------------------------

PASSPORT = "A1234567"
START, END = date(2026, 1, 1), date(2027, 12, 31)


def test_departure_with_passport_and_both_contract_dates_is_allowed() -> None:
    facts = lifecycle.DepartureFacts(PASSPORT, START, END)
    assert lifecycle.check_departure_conditions(facts) is None


@pytest.mark.parametrize(
    ("passport", "start", "end", "missing"),
    [
        (None, START, END, ["passportNumber"]),
        ("", START, END, ["passportNumber"]),
        (PASSPORT, None, END, ["contractStart"]),
        (PASSPORT, START, None, ["contractEnd"]),
        (PASSPORT, None, None, ["contractStart", "contractEnd"]),
        (None, None, None, ["passportNumber", "contractStart", "contractEnd"]),
    ],
)
def test_departure_reports_one_problem_per_missing_field(
    passport: str | None, start: date | None, end: date | None, missing: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as info:
        lifecycle.check_departure_conditions(lifecycle.DepartureFacts(passport, start, end))
    problems = info.value.problems
    assert [p.field for p in problems] == missing
    assert {p.rule for p in problems} == {"required_to_depart"}
    assert info.value.message == problems[0].message
