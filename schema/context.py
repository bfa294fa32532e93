"""What every resolver receives: the Viewer, the request's DataLoaders, and the limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from models.access import Viewer
from schema.loaders import Loaders


@dataclass(frozen=True, slots=True)
class Limits:
    max_page_size: int = 100
    default_page_size: int = 50
    max_nodes: int = 100


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

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            # The edge refuses unauthenticated requests before execution; reaching this
            # means a transport forgot to, so fail closed.
            raise PermissionError("not authenticated")
        return self.viewer


Info = StrawberryInfo[Context, None]
