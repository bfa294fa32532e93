"""Calendar dates in Asia/Jakarta, the zone in which "covered today" and the sweep are judged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

JAKARTA = timezone(timedelta(hours=7), "Asia/Jakarta")


def now() -> datetime:
    return datetime.now(UTC)


def today_jakarta(at: datetime | None = None) -> date:
    return (at or now()).astimezone(JAKARTA).date()
