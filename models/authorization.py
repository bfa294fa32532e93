"""Role and scope rules: what a viewer may do, checked before any tenancy lookup."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.access import Viewer
from models.enums import Role, Scope
from models.errors import NotAllowed

M = TypeVar("M", bound=Model)

WORKER_WRITERS: frozenset[Role] = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_OFFICER})


def require_scope(viewer: Viewer, scope: Scope) -> None:
    if not viewer.has(scope):
        raise NotAllowed(
            f"This operation needs the {scope.value} scope, which your credentials lack.",
            needed=scope.value,
        )


def require_worker_write(viewer: Viewer) -> None:
    """Registering and changing workers: partner admins and officers with WRITE."""
    require_scope(viewer, Scope.WRITE)
    if viewer.role not in WORKER_WRITERS:
        if viewer.role == Role.OPERATOR:
            raise NotAllowed(
                "BPJS operators own no workers; partners register and update their own "
                "(operators transfer workers and correct identities).",
                needed="PARTNER_OFFICER",
            )
        raise NotAllowed(
            "Your role may read workers but not change them.", needed="PARTNER_OFFICER"
        )


def require_status_change(viewer: Viewer, *, placement: bool, closing: bool) -> None:
    """Partner writers record placement events; only operators close a membership."""
    require_scope(viewer, Scope.WRITE)
    if placement and viewer.role not in WORKER_WRITERS:
        raise NotAllowed(
            "Placement status is recorded by the owning partner's admins and officers.",
            needed="PARTNER_OFFICER",
        )
    if closing and not viewer.is_operator:
        raise NotAllowed(
            "Only BPJS operators close a membership; it also closes on its own after a death.",
            needed="OPERATOR",
        )
    if viewer.role not in WORKER_WRITERS and not viewer.is_operator:
        raise NotAllowed(
            "Your role may read workers but not change them.", needed="PARTNER_OFFICER"
        )


def require_operator(viewer: Viewer) -> None:
    require_scope(viewer, Scope.ADMIN)
    if not viewer.is_operator:
        raise NotAllowed("Only BPJS operators may do this.", needed="OPERATOR")


def require_partner_admin(viewer: Viewer) -> None:
    require_scope(viewer, Scope.ADMIN)
    if viewer.role not in (Role.PARTNER_ADMIN, Role.OPERATOR):
        raise NotAllowed("Only partner admins may do this.", needed="PARTNER_ADMIN")


def managed_by(viewer: Viewer, qs: QuerySet[M]) -> QuerySet[M]:
    """Keys, accounts and webhooks a viewer manages: its partner's, or all for operators.

    Callers check the role first (require_partner_admin), so the lookup that follows
    never tells a caller without the role whether something exists.
    """
    require_partner_admin(viewer)
    return qs if viewer.is_operator else qs.filter(partner_id=viewer.partner_id)
