"""THE tenancy choke point (architecture invariant 1).

Every read or write of a worker, or of anything hanging off a worker, starts from one of
the querysets below. Resolvers, loaders, aggregates, node lookups, subscriptions,
webhooks, imports and exports never build an unscoped worker query. A viewer's role, not
its partner, widens what it sees: BPJS operators see every partner's workers.
"""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.access import AuditEntry, Viewer
from models.contributions import Contribution, Coverage
from models.enums import Role, Scope
from models.events import WorkerEvent
from models.partners import Partner
from models.stats import PartnerWorkerCount
from models.workers import Worker


def _can_read(viewer: Viewer) -> bool:
    return viewer.has(Scope.READ) or viewer.has(Scope.SUBSCRIBE)


def visible_workers(viewer: Viewer) -> QuerySet[Worker]:
    """The workers this viewer may see: its partner's, or all of them for an operator."""
    if not _can_read(viewer):
        return Worker.filter(id__in=[])
    if viewer.is_operator:
        return Worker.all()
    return Worker.filter(partner_id=viewer.partner_id)


def worker_scope_q(viewer: Viewer, prefix: str = "worker__") -> Q:
    """The same rule as a Q over a relation to Worker (contributions, coverages, events)."""
    if not _can_read(viewer):
        return Q(id__in=[])
    if viewer.is_operator:
        return Q()
    return Q(**{f"{prefix}partner_id": viewer.partner_id})


def visible_contributions(viewer: Viewer) -> QuerySet[Contribution]:
    return Contribution.filter(worker_scope_q(viewer))


def visible_coverages(viewer: Viewer) -> QuerySet[Coverage]:
    return Coverage.filter(worker_scope_q(viewer))


def visible_events(viewer: Viewer) -> QuerySet[WorkerEvent]:
    """Events a viewer may read: those written while its partner owned the worker, and the
    whole history of the workers it owns now (a transfer hands the history over; the old
    owner keeps what happened on its watch)."""
    if not _can_read(viewer):
        return WorkerEvent.filter(id__in=[])
    if viewer.is_operator:
        return WorkerEvent.all()
    return WorkerEvent.filter(
        Q(partner_id=viewer.partner_id) | Q(worker__partner_id=viewer.partner_id)
    )


def visible_worker_counts(viewer: Viewer) -> QuerySet[PartnerWorkerCount]:
    """The dashboard counters (models.stats) of the workers this viewer may see."""
    if not _can_read(viewer):
        return PartnerWorkerCount.filter(id__in=[])
    if viewer.is_operator:
        return PartnerWorkerCount.all()
    return PartnerWorkerCount.filter(partner_id=viewer.partner_id)


def visible_audit_entries(viewer: Viewer) -> QuerySet[AuditEntry]:
    """Partner admins read their partner's trail (what it did, and what was done to its
    data); operators read everything; nobody else reads the audit log."""
    if viewer.is_operator and viewer.has(Scope.ADMIN):
        return AuditEntry.all()
    if viewer.role != Role.PARTNER_ADMIN or not viewer.has(Scope.ADMIN):
        return AuditEntry.filter(id__in=[])
    return AuditEntry.filter(
        Q(partner_id=viewer.partner_id) | Q(subject_partner_id=viewer.partner_id)
    )


def event_visible_live(viewer: Viewer, event_partner_id: int) -> bool:
    """The visible_events rule for an event as it is written (portal.events fan-out).

    A new event always carries the partner that owns the worker at that moment, so for
    live events "written on the viewer's watch" is the whole rule; the older history of a
    transferred-in worker comes from visible_events when a subscriber catches up.
    """
    if not _can_read(viewer):
        return False
    return viewer.is_operator or event_partner_id == viewer.partner_id


def visible_partners(viewer: Viewer) -> QuerySet[Partner]:
    if viewer.is_operator:
        return Partner.all()
    return Partner.filter(id=viewer.partner_id)


def system_workers() -> QuerySet[Worker]:
    """Every worker, for jobs that act for BPJS itself rather than for a viewer (the expiry
    sweep). Nothing on a request path calls this: resolvers start from visible_workers."""
    return Worker.all()
