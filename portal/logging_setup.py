"""Logging that never carries identifiers or secrets, as JSON lines by default.

Tortoise logs every SQL statement with its parameters (NIK ciphertexts, names, key
digests) at DEBUG on ``tortoise.db_client``; it is held at WARNING whatever the service's
level, so no configuration of PORTAL_LOG_LEVEL can leak them. Each record carries the
request id of the request it belongs to.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

from portal.settings import Settings

QUIET_LOGGERS = ("tortoise", "tortoise.db_client", "asyncpg", "aiosqlite")
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None)
# LogRecord attributes that are not "extra" fields.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: messages of driver errors quote parameter values.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_portal", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._portal = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        if settings.log_format == "json":
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
        if not root.handlers:
            root.addHandler(handler)
            root.setLevel(settings.log_level)
    logging.getLogger("portal").setLevel(settings.log_level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
