"""graphql-core's executor with a short path for plain leaf fields.

Most of a list page is leaves: a page of 50 workers resolves ~1,300 fields, ~1,000 of
them scalars and enums read straight from a row (schema.rows). graphql-core handles each
the way it handles any field — a response path, a resolve-info object, argument lookup,
the resolver, awaitable checks, then completion — which made its per-field machinery the
largest single cost of the page (bench/RESULTS.md). For a field that Strawberry itself
resolves as a *basic* field (no resolver, no extensions, no arguments) whose type is a
scalar or enum, none of that changes the answer: this reads the value with the same
default resolver and coerces it with the same type, in the same order.

Anything unusual leaves the short path for graphql-core's own, which then produces the
spec's answer: a null in a non-null leaf, a value the type cannot coerce, a resolver that
raises (errors are located and propagated there), and whole requests that run middleware
(resolver-level tracing). Mutations' serial execution is untouched.

It also gives each event of a subscription its own memo (see build_per_event_executor).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.execution.executor import Path
from graphql.pyutils import Undefined, gather_with_cancel
from graphql.pyutils.ref_map import RefMap
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# Per object type: response field name -> (read, python name, coerce, non-null), for the
# fields that can take the short path. Types are fixed for the life of the schema.
Leaf = tuple[Callable[[Any, str], Any], str, Callable[[Any], Any], bool]
_LEAVES: dict[GraphQLObjectType, dict[str, Leaf]] = {}


def _leaves(parent_type: GraphQLObjectType) -> dict[str, Leaf]:
    found = _LEAVES.get(parent_type)
    if found is None:
        found = {}
        for name, field in parent_type.fields.items():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            field_type = field.type
            non_null = isinstance(field_type, GraphQLNonNull)
            named = field_type.of_type if non_null else field_type
            if (definition is None or not definition.is_basic_field or field.args
                    or not getattr(field.resolve, "_is_default", False)
                    or not is_leaf_type(named)):
                continue
            found[name] = (definition.default_resolver, definition.python_name,
                           named.coerce_output_value, non_null)
        _LEAVES[parent_type] = found
    return found


class PortalExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        # graphql-core 3.3 copies a subscription's executor for each event but shares its
        # memo of collected subfields, keyed by the identity of field lists that every
        # event creates anew (and kept alive with them): a long-lived subscription grew by
        # every event, forever — the soak's memory growth (bench/RESULTS.md). The memo is
        # meant for one execution, so each event gets its own.
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        executor._stream_usages = RefMap()
        return executor

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        if middleware is not None and getattr(middleware, "middlewares", None):
            return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                          position_context)
        leaves = _leaves(parent_type)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                leaf = leaves.get(field_details_list[0].node.name.value)
                if leaf is not None:
                    read, python_name, coerce, non_null = leaf
                    try:
                        value = read(source_value, python_name)
                        if value is not None:
                            coerced = coerce(value)
                            if coerced is not None:
                                results[response_name] = coerced
                                continue
                        elif not non_null:
                            results[response_name] = None
                            continue
                    except Exception:  # noqa: S110 - graphql-core's path reports it below
                        pass
                result = self.execute_field(
                    parent_type, source_value, field_details_list,
                    Path(path, response_name, parent_type.name), position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

