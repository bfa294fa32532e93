"""What a client selected below the current field, read from the document itself.

A list resolver uses it to load a relation for the whole page at once — and only when
the relation was asked for — instead of letting every row await its own DataLoader
future (one awaitable, one task and one ``gather`` per row and relation).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from schema.context import Info


def _fields(selection_set: SelectionSetNode | None,
            fragments: dict[str, FragmentDefinitionNode],
            seen: frozenset[str] = frozenset()) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:  # validation rejects cycles too
                yield from _fields(fragment.selection_set, fragments, seen | {name})


def selected_below(info: Info, path: Sequence[str]) -> frozenset[str]:
    """Field names selected at ``path`` (e.g. ``("edges", "node")``) below this field, in
    any of its occurrences, through fragments. Directives (@skip/@include) are ignored:
    this says what might be resolved, so a skipped relation is at worst loaded unused."""
    raw = info._raw_info
    fragments = raw.fragments
    level: Iterable[FieldNode] = raw.field_nodes
    for name in path:
        level = [f for node in level for f in _fields(node.selection_set, fragments)
                 if f.name.value == name]
    return frozenset(f.name.value for node in level
                     for f in _fields(node.selection_set, fragments))
