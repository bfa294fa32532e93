"""Shared execution of identical live subscriptions: run once per event, send to many.

The event feed (portal.events) decides *which* events a subscriber may receive; this module
decides *how often the GraphQL selection runs*. Without it, 1,000 sockets subscribed to the
same document ran the same selection 1,000 times per event (bench/RESULTS.md: ~170 µs of
CPU per delivery, most of it graphql-core re-collecting the same fields).

Live subscriptions are grouped by everything that can change their result:

* the document, the operation name and the variables (canonical JSON);
* the viewer's *scope*: partner, partner kind, role, scopes, actor kind and the
  trusted-documents flag (tenancy, identifier masking and validation depend on these and on
  nothing else of the viewer), plus the context flags the validation extensions read
  (introspection, held to the manifest) and the transport.

One group = one ordinary Strawberry subscription (schema.subscribe) run with a context
whose viewer is the first member's: the same extensions (limits, trusted documents, error
masking, reveal audit) and the same feed path (tenancy through models.tenancy, commit
order, the group's own bounded feed queue). Each result is serialised once; every member
gets the same JSON text and its socket only adds its operation id.

Only *live* subscriptions are shared. One that resumes (``after`` given, or SSE
``Last-Event-ID``) runs on its own as before: its catch-up is its own. A member that joins
a running group skips results for events at or below the feed's head at the moment it
joined, so "live from now" means the same as for an unshared subscription.

Backpressure stays per subscriber: each member has its own bounded queue; a member whose
socket cannot keep up overflows it, receives everything queued before the overflow (no
gap) and then the same SLOW_CONSUMER error an unshared subscription gets, with the cursor of
the last event it received. The group and the other members are unaffected.

Identifiers revealed by a shared execution are audited once per member viewer
(``Context.reveal_audience``), exactly as if each had run the selection itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
from collections.abc import AsyncIterator, Hashable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    NullValueNode,
    OperationType,
    VariableNode,
    get_operation_ast,
    parse,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from models.access import Viewer
from schema.context import Context
from schema.errors import SlowConsumerError
from schema.events.types import event_cursor
from schema.loaders import Loaders

log = logging.getLogger("portal.fanout")

DEFAULT_MEMBER_BOUND = 1000
# Arguments that make a subscription replay history: such a subscription is never shared.
RESUME_ARGUMENTS = frozenset({"after"})


class Delivery(NamedTuple):
    """One result as every member of a group sends it."""

    event_id: int | None  # the event this result is about; None for an error result
    cursor: str | None  # its cursor (SSE writes it as ``id:``)
    payload: str  # the ``payload`` of a next/data message, JSON, serialised once


class NotShared(Exception):  # noqa: N818 (a signal, not an error)
    """The group could not start (the document failed validation): run it unshared, so the
    transport reports the failure exactly as it always did."""


_END = object()
_SLOW = object()
_FALLBACK = object()


def encode_payload(result: ExecutionResult) -> str:
    """The ``payload`` Strawberry's handlers would send for this result, as JSON text."""
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return json.dumps(body, separators=(",", ":"))


@lru_cache(maxsize=512)
def _parsed(query: str) -> DocumentNode | None:
    try:
        return parse(query, max_tokens=10_000)
    except GraphQLError:
        return None  # the unshared path reports the syntax error


def _canonical(variables: dict[str, Any] | None) -> str | None:
    try:
        return json.dumps(variables or {}, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def shareable(query: str, variables: dict[str, Any] | None,
              operation_name: str | None) -> bool:
    """A live subscription whose root field replays nothing: ``after`` absent or null."""
    if not isinstance(query, str) or len(query) > 100_000:
        return False
    document = _parsed(query)
    if document is None:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return False
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return False  # fragments on the root: rare; keep the simple path
        for argument in selection.arguments or ():
            if argument.name.value not in RESUME_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, NullValueNode):
                continue
            if isinstance(value, VariableNode) and (variables or {}).get(
                    value.name.value) is None:
                continue
            return False
    return True


def scope_of(context: Context) -> Hashable:
    """Everything of the viewer and the context that can change a result or its validation.
    Identity (key id, account, request id, address) deliberately not: results do not depend
    on it, and the reveal audit is written per member with the member's own viewer."""
    viewer = context.require_viewer()
    return (viewer.partner_id, viewer.partner_kind, viewer.role, viewer.scopes,
            viewer.actor_kind, viewer.trusted_documents_only, context.allow_introspection,
            context.trusted_only, context.transport)


class Member:
    """One subscribed operation on one socket (or SSE stream)."""

    __slots__ = ("bound", "group", "join_after", "last_id", "overflowed", "queue", "viewer")

    def __init__(self, group: Group, viewer: Viewer, join_after: int, bound: int) -> None:
        self.group = group
        self.viewer = viewer
        self.join_after = join_after
        self.last_id = join_after
        self.bound = bound
        self.overflowed = False
        # Unbounded asyncio.Queue with the bound enforced in offer(): the end and
        # slow-consumer markers must always fit behind the deliveries.
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def offer(self, delivery: Delivery) -> bool:
        if self.overflowed:
            return False
        if delivery.event_id is not None and delivery.event_id <= self.join_after:
            return False  # committed before this member subscribed: not "live from now"
        if self.queue.qsize() >= self.bound:
            # Dropping silently would be a gap; the consumer is told and resumes instead.
            self.overflowed = True
            self.queue.put_nowait(_SLOW)
            return False
        self.queue.put_nowait(delivery)
        return True

    def end(self, marker: object = _END) -> None:
        self.queue.put_nowait(marker)

    async def deliveries(self) -> AsyncIterator[Delivery]:
        """The group's results for this member, in commit order; raises NotShared if the
        group could not start; ends with a SLOW_CONSUMER error result after an overflow."""
        while True:
            item = await self.queue.get()
            if item is _END:
                return
            if item is _FALLBACK:
                raise NotShared
            if item is _SLOW:
                error = SlowConsumerError(event_cursor(self.last_id) if self.last_id else None,
                                          self.bound)
                yield Delivery(None, None, json.dumps(
                    {"data": None, "errors": [error.formatted]}, separators=(",", ":")))
                return
            if item.event_id is not None:
                self.last_id = item.event_id
            yield item

    def leave(self) -> None:
        self.group.remove(self)


class Group:
    """One shared execution and the members it sends to."""

    def __init__(self, hub: FanoutHub, key: Hashable, context: Context, query: str,
                 variables: dict[str, Any] | None, operation_name: str | None) -> None:
        self.hub = hub
        self.key = key
        self.members: dict[Member, None] = {}  # insertion-ordered set, O(1) removal
        self.closed = False
        self.started = False
        # The members that received the latest result: its reveals are audited per viewer.
        self._audience: list[Viewer] = []
        viewer = context.require_viewer()
        self.context = dataclasses.replace(
            context, request=None, response=None, connection_params=None,
            loaders=Loaders(viewer), revealed_workers=set(),
            request_id=f"fanout-{next(hub.serial)}", resume_after=None,
            last_event_cursor=None, last_event_id=None, alive=lambda: True, cleanup=[],
            reveal_audience=lambda: self._audience)
        self.task = asyncio.create_task(self._run(query, variables, operation_name),
                                        name="fanout-group")

    async def _run(self, query: str, variables: dict[str, Any] | None,
                   operation_name: str | None) -> None:
        ended_by = _END
        try:
            source = await self.hub.schema.subscribe(
                query, variable_values=variables, context_value=self.context,
                operation_name=operation_name)
            async with aclosing(source):
                async for result in source:
                    if not self.started and isinstance(result, PreExecutionError):
                        ended_by = _FALLBACK
                        return
                    self.started = True
                    self._dispatch(result)
        except asyncio.CancelledError:
            raise
        except Exception:  # our own bug, not the schema's (those arrive as results)
            log.exception("shared subscription failed; its members are completed")
        finally:
            self.close(ended_by)

    def _dispatch(self, result: ExecutionResult) -> None:
        context = self.context
        event_id = context.last_event_id
        context.last_event_id = None
        context.last_event_cursor = None
        delivery = Delivery(event_id, event_cursor(event_id) if event_id else None,
                            encode_payload(result))
        self.hub.executions += 1
        audience = []
        for member in self.members:
            if member.offer(delivery):
                audience.append(member.viewer)
        self.hub.deliveries += len(audience)
        # Read by the subscription when it resumes after this result (reveal audit).
        self._audience = audience

    def add(self, member: Member) -> None:
        self.members[member] = None

    def remove(self, member: Member) -> None:
        self.members.pop(member, None)
        if not self.members and not self.closed:
            self.close(_END)
            self.task.cancel()  # nobody listens: stop the execution and its feed queue

    def close(self, marker: object) -> None:
        if self.closed:
            return
        self.closed = True
        if self.hub.groups.get(self.key) is self:
            del self.hub.groups[self.key]
        for member in self.members:
            member.end(marker)


class FanoutHub:
    """The process's live groups, by key."""

    def __init__(self, schema: Any, *, member_bound: int = DEFAULT_MEMBER_BOUND) -> None:
        self.schema = schema
        self.member_bound = member_bound
        self.groups: dict[Hashable, Group] = {}
        self.serial: Iterator[int] = itertools.count(1)
        # Counters for /metrics and tests: executions of a selection, messages handed on.
        self.executions = 0
        self.deliveries = 0

    @property
    def member_count(self) -> int:
        return sum(len(g.members) for g in self.groups.values())

    def join(self, context: Context, query: str, variables: dict[str, Any] | None,
             operation_name: str | None) -> Member | None:
        """A member of the group for this subscription, or None when it is not shared
        (not a live subscription, or no event feed on this process)."""
        events = context.events
        if events is None or context.viewer is None or context.resume_after:
            return None
        if not shareable(query, variables, operation_name):
            return None
        canonical = _canonical(variables)
        if canonical is None:
            return None
        key = (query, operation_name, canonical, scope_of(context))
        group = self.groups.get(key)
        if group is None or group.closed:
            group = Group(self, key, context, query, variables, operation_name)
            self.groups[key] = group
        member = Member(group, context.viewer, int(getattr(events, "head", 0)),
                        int(getattr(events, "queue_bound", self.member_bound)))
        group.add(member)
        return member
