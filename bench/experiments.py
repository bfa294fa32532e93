"""The product changes measured in bench/RESULTS.md, applied to a COPY of the tree.

    rsync -a --exclude .git --exclude .venv --exclude bench ./ /tmp/tree_all/
    .venv/bin/python bench/experiments.py /tmp/tree_all basic keyset cache
    BENCH_PORTAL_TREE=/tmp/tree_all .venv/bin/python bench/api_load.py --backend postgres \\
        --skip-writes --only "W1 list,floor W1,W2 worker,floor W2,W1 page"

Never run it on the working tree: these are measurement prototypes, not the fixes
themselves (bench/RESULTS.md says what a real change should look like).

basic   Scalar fields that only return ``self.row.<same name>`` become Strawberry "basic"
        fields (no resolver), read from the row by a schema-wide default resolver, so
        Strawberry skips building an Info object, the argument conversion and the
        extension chain for each of them.
keyset  The keyset predicate ``col < v OR (col = v AND id < pk)`` gets a redundant bound
        ``col <= v`` that the (partner_id, col, id) index can use, so a deep page is a
        range scan instead of a scan from the top of the partner's index.
cache   Each document text is parsed once (Strawberry's ParserCache) and validated once
        with the standard rules (an LRU cache keyed by the parsed document); the limits
        that depend on the variables are checked right after, in RequestLimits.on_validate,
        instead of as a validation-rule class created per request (which made validation
        uncacheable). Known gap: the token-bomb error loses its LIMIT_EXCEEDED extension.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_SCALAR = re.compile(
    r"    @strawberry\.field\(((?:(?!\n    (?:async )?def |\n    @).)*?)\)\n"
    r"    def (\w+)\(self\) -> ([^:\n]+):\n        return self\.row\.(\w+)\n", re.S)

_DEFAULT_RESOLVER = '''_MISSING = object()


def _row_or_attribute(obj: Any, name: str) -> Any:
    row = obj.__dict__.get("row") if hasattr(obj, "__dict__") else None
    if row is not None:
        value = getattr(row, name, _MISSING)
        if value is not _MISSING:
            return value
    return getattr(obj, name)


def build_schema() -> strawberry.Schema:'''

_EXTENSIONS = ("        extensions=[TrustedDocuments, RequestLimits, MaskUnexpectedErrors, "
               "RevealAudit],\n")


def basic(tree: Path) -> None:
    converted = 0
    for rel in ("schema/workers/types.py", "schema/partners/types.py",
                "schema/events/types.py"):
        path = tree / rel

        def scalar(m: re.Match[str]) -> str:
            nonlocal converted
            arguments, name, annotation, attribute = m.groups()
            if name != attribute:
                return m.group(0)
            converted += 1
            return (f"    {name}: {annotation} = strawberry.field(default=None, "
                    f"{' '.join(arguments.split())})\n")

        path.write_text(_SCALAR.sub(scalar, path.read_text()))
    root = tree / "schema/root.py"
    text = root.read_text()
    assert _EXTENSIONS in text
    text = text.replace("def build_schema() -> strawberry.Schema:", _DEFAULT_RESOLVER)
    text = text.replace(_EXTENSIONS, _EXTENSIONS + (
        "        config=__import__('strawberry.schema.config', fromlist=['x'])"
        ".StrawberryConfig(default_resolver=_row_or_attribute),\n"))
    if "from typing import Any" not in text:
        text = text.replace("import strawberry\n", "from typing import Any\n\nimport strawberry\n",
                            1)
    root.write_text(text)
    print(f"basic: {converted} scalar fields are basic fields now")


def keyset(tree: Path) -> None:
    path = tree / "schema/pagination.py"
    text = path.read_text()
    old_after = '''    if key.nullable:
        after |= Q(**{f"{col}__isnull": True})
    return after'''
    new_after = '''    if key.nullable:
        after |= Q(**{f"{col}__isnull": True})
    else:
        after = Q(**{f"{col}__{op}e": value}) & after  # an index bound at any depth
    return after'''
    old_before = '''    return Q(**{f"{col}__{op}": value}) | (Q(**{col: value}) & id_before)'''
    new_before = '''    return Q(**{f"{col}__{op}e": value}) & (
        Q(**{f"{col}__{op}": value}) | (Q(**{col: value}) & id_before))'''
    assert old_after in text and old_before in text
    path.write_text(text.replace(old_after, new_after).replace(old_before, new_before))
    print("keyset: predicates bounded")


_ON_VALIDATE = '''    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        document = ec.graphql_document
        if (document is not None and hasattr(self, "_limits")
                and ec.pre_execution_errors is None):
            from strawberry.extensions.validation_cache import _get_validate_cache

            errors = list(_get_validate_cache(256)(ec.schema._schema, document,
                                                   ec.validation_rules))
            for node in document.definitions:
                if (isinstance(node, OperationDefinitionNode)
                        and node.operation == OperationType.SUBSCRIPTION
                        and self._transport == "http"):
                    errors.append(GraphQLError(
                        "Subscriptions stream over WebSocket (/graphql with "
                        "graphql-transport-ws) or Server-Sent Events (/graphql/stream), "
                        "not plain HTTP.", extensions={"code": "SUBSCRIPTION_TRANSPORT"}))
            m = measure(document, ec.operation_name, ec.variables, self._limits)
            self._measured = m
            errors.extend(violations(m, self._limits, self._allow))
            ec.pre_execution_errors = errors
        yield

    def get_results(self) -> dict[str, Any]:'''


def cache(tree: Path) -> None:
    path = tree / "schema/limits.py"
    text = path.read_text()
    start = text.index("        extension = self\n\n        class LimitsRule(ValidationRule):")
    tail = "            *self.execution_context.validation_rules, LimitsRule)\n"
    end = text.index(tail) + len(tail)
    text = (text[:start]
            + "        self._limits, self._allow, self._transport = limits, allow, transport\n"
            + text[end:])
    text = text.replace("    def get_results(self) -> dict[str, Any]:", _ON_VALIDATE)
    path.write_text(text)
    root = tree / "schema/root.py"
    text = root.read_text()
    assert _EXTENSIONS in text
    root.write_text(text.replace(_EXTENSIONS, _EXTENSIONS.replace(
        "extensions=[", "extensions=[lambda: __import__('strawberry.extensions', "
        "fromlist=['x']).ParserCache(maxsize=256), ")))
    print("cache: documents parsed and validated once")


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    tree = Path(sys.argv[1]).resolve()
    if (tree / ".git").exists() or tree == Path(__file__).resolve().parent.parent:
        raise SystemExit("refusing to patch a working tree: give a copy")
    for name in sys.argv[2:]:
        {"basic": basic, "keyset": keyset, "cache": cache}[name](tree)


if __name__ == "__main__":
    main()
