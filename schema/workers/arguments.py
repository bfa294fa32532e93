"""Arguments shared by worker mutations, each with the description GraphiQL shows."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema import ids

WorkerIdArg = Annotated[strawberry.ID, strawberry.argument(
    description="The worker's global id (Worker.id).")]
VersionArg = Annotated[int, strawberry.argument(
    description="The version you read (Worker.version); a changed record answers "
    "StaleVersionError.")]
ReasonArg = Annotated[str, strawberry.argument(
    description="Why: free text kept with the event (required).")]
IdempotencyKeyArg = Annotated[str | None, strawberry.argument(
    description="Any unique string (1-200 printable characters). Repeating a request with "
    "the same key and input returns the first result instead of doing it twice; the key is "
    "kept at least 24 hours.")]


def worker_pk(global_id: str) -> int:
    """An undecodable id looks up nothing, after the role checks, exactly like a missing or
    foreign one (no existence oracle)."""
    return ids.decode_as("Worker", global_id) or 0
