"""Finding another partner's data, or a secret, in what a caller received."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from tests.attack.world import ID_BOUNDARY, Markers


def readable(raw: str) -> str:
    """The body as text, with JSON escapes undone (masked identifiers use U+2022, which a
    JSON encoder may write as \\u2022, hiding the pattern)."""
    try:
        return raw + "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
    except (ValueError, TypeError):
        return raw


def without(text: str, sent: Iterable[str]) -> str:
    """The text with the ids the caller itself sent blanked out: echoing a caller's own
    input (NotFoundError.id) tells it nothing."""
    sent = [s for s in sent if s]
    if not sent:
        return text
    pattern = re.compile(ID_BOUNDARY.format("|".join(
        re.escape(s) for s in sorted(set(sent), key=len, reverse=True))))
    return pattern.sub("<SENT-ID>", text)


def find(raw: str, m: Markers, *, sent: Iterable[str] = ()) -> list[str]:
    """Every marker found in ``raw``, described."""
    text = without(readable(raw), sent)
    found: list[str] = []
    regex = m.id_regex()
    if regex is not None:
        found.extend(f"{m.ids[hit.group(1)]} ({hit.group(1)})"
                     for hit in regex.finditer(text))
    found.extend(f"{label} ({value!r})" for value, label in m.texts.items() if value in text)
    found.extend(label for label, p in m.patterns.items() if p.search(text))
    return sorted(set(found))


def secrets_in(text: str, secrets: Iterable[str]) -> list[str]:
    """Which secrets occur in ``text`` (reported by their first characters only)."""
    return sorted(f"{s[:6]}… ({len(s)} chars)" for s in secrets if s and s in text)
