"""Limits on documents, checked before anything executes.

Depth, aliases, root fields and an estimated cost are computed in one walk of the
document that follows fragment spreads (so aliases hidden in fragments count every time
the fragment is used — the bypass once found in Strawberry's alias limiter) and stops at
fragment cycles. Token count is enforced by the parser itself. Each refusal is a GraphQL
error with ``extensions: {code: "LIMIT_EXCEEDED", limit, max, found}``; the cost estimate
is reported in ``extensions.cost`` like Saleor, in "measure" or "enforce" mode.

Cost model: every field costs 1 times the number of times it can appear, which is the
product of the page sizes (``first``/``last``, or the default page size for a connection,
or the id count of ``nodes``) of the list fields above it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from schema.context import Context, Limits
from schema.documents import parse_once, validate_once

LIMIT_CODE = "LIMIT_EXCEEDED"
TOKENS_MARKER = "tokens. Parsing aborted"


def limit_error(limit: str, maximum: int, found: int | None, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": LIMIT_CODE, "limit": limit, "max": maximum,
                                             "found": found})


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    root_fields: int = 0
    cost: int = 0
    introspection: bool = False
    _visiting: set[str] = field(default_factory=set)


def _page_size(node: FieldNode, variables: dict[str, Any], limits: Limits) -> int | None:
    """How many items a list field returns at most, from its arguments."""
    for argument in node.arguments or ():
        name = argument.name.value
        value = argument.value
        if name in ("first", "last"):
            if isinstance(value, IntValueNode):
                return max(int(value.value), 0)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return given if isinstance(given, int) and given >= 0 else limits.max_page_size
        if name == "ids":
            if isinstance(value, ListValueNode):
                return len(value.values)
            if isinstance(value, VariableNode):
                given = variables.get(value.name.value)
                return len(given) if isinstance(given, list) else limits.max_nodes
    return None


CONNECTION_FIELDS = {"workers", "events", "contributions", "partners", "auditLog",
                     "expiringCoverage", "webhookDeliveries", "webhookDeadLetters"}


class _Walker:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any],
                 limits: Limits) -> None:
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.m = Measure()

    def walk(self, selection_set: SelectionSetNode | None, depth: int, multiplier: int) -> None:
        for selection in self._selections(selection_set):
            self.m.depth = max(self.m.depth, depth)
            if selection.alias is not None:
                self.m.aliases += 1
            name = selection.name.value
            if name.startswith("__") and name != "__typename":
                self.m.introspection = True
            self.m.cost += multiplier
            if selection.selection_set is None:
                continue
            size = _page_size(selection, self.variables, self.limits)
            if size is None and name in CONNECTION_FIELDS:
                size = self.limits.default_page_size
            # Cap the multiplier so a hostile document cannot make us do big-int maths.
            inner = min(multiplier * (size if size is not None else 1), 10**12)
            self.walk(selection.selection_set, depth + 1, inner)

    def _selections(self, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._selections(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.m._visiting:
                    continue  # unknown or cyclic: the standard rules report it
                self.m._visiting.add(name)
                yield from self._selections(fragment.selection_set)
                self.m._visiting.discard(name)


def measure(document: Any, operation_name: str | None, variables: dict[str, Any] | None,
            limits: Limits) -> Measure:
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    total = Measure()
    for operation in operations[:1] if len(operations) > 1 and operation_name else operations:
        walker = _Walker(fragments, variables or {}, limits)
        total.root_fields += sum(1 for _ in walker._selections(operation.selection_set))
        walker.walk(operation.selection_set, 1, 1)
        total.depth = max(total.depth, walker.m.depth)
        total.aliases += walker.m.aliases
        total.cost += walker.m.cost
        total.introspection |= walker.m.introspection
    return total


def violations(m: Measure, limits: Limits, allow_introspection: bool) -> list[GraphQLError]:
    errors = []
    if m.depth > limits.max_depth:
        errors.append(limit_error("depth", limits.max_depth, m.depth,
                                  f"Query depth {m.depth} exceeds the maximum of "
                                  f"{limits.max_depth}."))
    if m.aliases > limits.max_aliases:
        errors.append(limit_error("aliases", limits.max_aliases, m.aliases,
                                  f"{m.aliases} aliases exceed the maximum of "
                                  f"{limits.max_aliases} (fragments count each time used)."))
    if m.root_fields > limits.max_root_fields:
        errors.append(limit_error("rootFields", limits.max_root_fields, m.root_fields,
                                  f"{m.root_fields} root fields exceed the maximum of "
                                  f"{limits.max_root_fields}."))
    if m.cost > limits.max_cost and limits.cost_mode == "enforce":
        errors.append(limit_error("cost", limits.max_cost, m.cost,
                                  f"Estimated cost {m.cost} exceeds the maximum of "
                                  f"{limits.max_cost}; ask for smaller pages."))
    if m.introspection and not allow_introspection:
        errors.append(GraphQLError(
            "Introspection is disabled for API keys here; use the published schema "
            "(frontend-contract/schema.graphql) or sign in to GraphiQL.",
            extensions={"code": "INTROSPECTION_DISABLED"}))
    return errors


class RequestLimits(SchemaExtension):
    """Applies the request's Limits (from the Context) before execution.

    Parsing and the standard validation rules come from schema.documents' per-process
    cache; what depends on this request (variables sizing pages, the transport, the right
    to introspect) is checked here on every request, after that cached validation. A
    validation rule created per request would have made validation uncacheable."""

    _measured: Measure | None = None

    def _settings(self) -> tuple[Limits, bool, str]:
        context = self.execution_context.context
        if isinstance(context, Context):
            return context.limits, context.allow_introspection, context.transport
        return Limits(), True, "http"

    def on_operation(self) -> Iterator[None]:
        limits, _, _ = self._settings()
        self.execution_context.parse_options["max_tokens"] = limits.max_tokens
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None) or []
        for i, error in enumerate(errors):
            if TOKENS_MARKER in error.message:
                errors[i] = limit_error(
                    "tokens", limits.max_tokens, None,
                    f"The document has more than {limits.max_tokens} tokens.")

    def on_parse(self) -> Iterator[None]:
        ec = self.execution_context
        if ec.graphql_document is None and ec.query:
            # None when it does not parse: Strawberry then parses it and reports the error.
            ec.graphql_document = parse_once(ec.query, self._settings()[0].max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        # Another extension (trusted documents) may already have refused the document.
        if document is not None and ec.pre_execution_errors is None:
            limits, allow, transport = self._settings()
            errors = validate_once(ec.schema._schema, ec.query, document, limits.max_tokens,
                                   ec.validation_rules)
            if transport == "http" and any(
                    isinstance(d, OperationDefinitionNode)
                    and d.operation == OperationType.SUBSCRIPTION
                    for d in document.definitions):
                errors.append(GraphQLError(
                    "Subscriptions stream over WebSocket (/graphql with "
                    "graphql-transport-ws) or Server-Sent Events (/graphql/stream), "
                    "not plain HTTP.", extensions={"code": "SUBSCRIPTION_TRANSPORT"}))
            self._measured = measure(document, ec.operation_name, ec.variables, limits)
            errors.extend(violations(self._measured, limits, allow))
            # Set (even when empty) so Strawberry does not validate the document again.
            ec.pre_execution_errors = errors
        yield

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if self._measured is None or not isinstance(context, Context):
            return {}
        return {"cost": {"requestedQueryCost": self._measured.cost,
                         "maximumAvailable": context.limits.max_cost,
                         "mode": context.limits.cost_mode}}
