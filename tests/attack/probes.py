"""What a probe is, who may attempt what, and how a probe becomes an operation."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLSchema

from models.enums import Role, Scope
from tests.attack import walk
from tests.attack.world import Credential, World

DEPTH, FULL_DEPTH = 7, 4
WRITERS = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_OFFICER})


@dataclass(frozen=True)
class Aim:
    """What one probe aims at: A's objects (global ids by node type) and A's worker."""

    world: World
    cred: Credential
    ids: dict[str, str]
    worker: dict[str, Any]


ArgValue = Any  # a value, or a callable of the Aim


@dataclass(frozen=True)
class Probe:
    """How one root field is probed.

    Arguments come from their types (the generic probe); ``args`` overrides some by name,
    for special inputs (``how`` says what the override aims at). ``id_type``: the node type
    of an ``id`` argument.

    Mutations: ``needs`` is who may attempt the operation at all (read, writer, admin,
    webhooks, operator, session). A caller that may gets ``ok`` (on A's objects that is
    NotFoundError), any other caller NotAllowedError: role and scope are checked before
    the tenancy lookup. ``target`` is the fresh A object the mutation aims at.

    ``control``: A's own credential that, sent the same operation (``control_args``
    overriding arguments), must see A's data (queries) or succeed (mutations). None when
    there is nothing of A's to see through that field.
    """

    how: str = "generic"
    id_type: str | None = None
    needs: str = "read"
    ok: str = "NotFoundError"
    target: str = "worker"
    args: Mapping[str, ArgValue] = field(default_factory=dict)
    control: str | None = "A:admin"
    control_args: Mapping[str, ArgValue] = field(default_factory=dict)


UNREGISTERED = Probe(how="unregistered", needs="unknown", control=None)


def permitted(cred: Credential, needs: str) -> bool | None:
    """May this credential attempt an operation at all (before any tenancy lookup)?"""
    if needs == "writer":
        return cred.role in WRITERS and cred.has(Scope.WRITE)
    if needs == "admin":
        return cred.role in (Role.PARTNER_ADMIN, Role.OPERATOR) and cred.has(Scope.ADMIN)
    if needs == "webhooks":
        return cred.role == Role.PARTNER_ADMIN and cred.has(Scope.WEBHOOKS)
    if needs == "operator":
        return cred.role == Role.OPERATOR and cred.has(Scope.ADMIN)
    if needs == "session":
        return cred.kind == "session"
    if needs == "read":
        return True
    return None  # unregistered: either refusal is accepted


def expected_answer(cred: Credential, probe: Probe) -> set[str]:
    allowed = permitted(cred, probe.needs)
    if allowed is None:
        return {"NotFoundError", "NotAllowedError"}
    return {probe.ok} if allowed else {"NotAllowedError"}


def build(s: GraphQLSchema, kind: str, name: str, probe: Probe, aim: Aim,
          inputs: Mapping[str, Callable[[Aim], Any]],
          args: Mapping[str, ArgValue] | None = None) -> walk.Operation:
    """The probe's operation, aimed at ``aim``; ``args`` overrides the probe's own."""
    overrides = {**probe.args, **(args or {})}
    named = {k: (lambda _fill, v=v: v(aim)) if callable(v) else v
             for k, v in overrides.items()}
    named.setdefault("version", aim.worker["version"])
    node_types = walk.node_types(s)
    fill = walk.Fill(
        node_id=lambda t: aim.ids[t],
        all_ids=lambda: [v for k, v in aim.ids.items() if k in node_types],
        id_types={"id": probe.id_type} if probe.id_type else {},
        named=named,
        inputs={k: (lambda v=v: v(aim)) for k, v in inputs.items()},
    )
    return walk.operation(s, kind, name, fill, max_depth=DEPTH, full_depth=FULL_DEPTH)


def id_type_of(probe: Probe, path: tuple[str, ...]) -> str | None:
    leaf = path[-1]
    if leaf == "id" and len(path) == 1:
        return probe.id_type
    return walk.ID_ARGUMENT_TYPES.get(leaf)


def pk_of(global_id: str) -> int:
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return int(raw.partition(":")[2])
