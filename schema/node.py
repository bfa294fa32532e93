"""The Node interface and global object lookup."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a global, opaque id; fetch it with `node`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global, opaque id.")
