"""What every resolver receives: the Viewer, the request's DataLoaders, and the limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from strawberry.types import Info as StrawberryInfo

from models.access import Viewer
from models.enums import WorkerEventType
from models.events import WorkerEvent
from schema.loaders import Loaders


@dataclass(frozen=True, slots=True)
class Limits:
    """Hard limits checked before execution (schema.limits) and by pagination."""

    max_page_size: int = 100
    default_page_size: int = 50
    max_nodes: int = 100
    max_depth: int = 15
    max_aliases: int = 50
    max_tokens: int = 10_000
    max_root_fields: int = 20
    max_cost: int = 50_000
    cost_mode: str = "enforce"  # enforce | measure


class EventSource(Protocol):
    """What the subscription resolvers need from the running service (portal.events)."""

    def stream(
        self, viewer: Viewer, *, after: int | None, types: Iterable[WorkerEventType] | None,
        worker_id: int | None, alive: Callable[[], bool],
    ) -> AsyncIterator[WorkerEvent]: ...


@dataclass
class Context:
    viewer: Viewer | None
    limits: Limits = field(default_factory=Limits)
    request: Any = None
    response: Any = None
    # Set by Strawberry's WebSocket handlers from the connection_init payload.
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(default_factory=Loaders)
    # Workers whose full identifiers this response carries (one audit write per response).
    revealed_workers: set[int] = field(default_factory=set)
    request_id: str | None = None
    events: EventSource | None = None
    # SSE: the Last-Event-ID header, used when the operation gives no `after`.
    resume_after: str | None = None
    # The cursor and id of the event last yielded by a subscription (SSE writes the cursor
    # as `id:`; a shared execution tags its result with the id, portal.fanout).
    last_event_cursor: str | None = None
    last_event_id: int | None = None
    # A shared subscription execution (portal.fanout) runs for many viewers at once: the
    # viewers its latest result went to, so revealed identifiers are audited for each.
    reveal_audience: Callable[[], Iterable[Viewer]] | None = None
    # False once the connection's credentials were revoked or expired.
    alive: Callable[[], bool] = lambda: True
    # http, websocket or sse: plain HTTP cannot carry a subscription.
    transport: str = "http"
    # Held to the trusted documents manifest (portal.trusted decides who is).
    trusted_only: bool = False
    trusted_documents: Mapping[str, str] = field(default_factory=dict)
    # Introspection: staff sessions always; API keys unless production says otherwise.
    allow_introspection: bool = True
    # Run when the connection ends (stops the credential watch of a WebSocket).
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            # The edge refuses unauthenticated requests before execution; reaching this
            # means a transport forgot to, so fail closed.
            raise PermissionError("not authenticated")
        return self.viewer


Info = StrawberryInfo[Context, None]
