"""Logging that never carries identifiers or secrets.

Tortoise logs every SQL statement with its parameters (NIK ciphertexts, names, key
digests) at DEBUG on ``tortoise.db_client``; it is held at WARNING whatever the service's
level, so no configuration of PORTAL_LOG_LEVEL can leak them.
"""

from __future__ import annotations

import logging

from portal.settings import Settings

QUIET_LOGGERS = ("tortoise", "tortoise.db_client", "asyncpg", "aiosqlite")


def configure_logging(settings: Settings) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
        )
    logging.getLogger("portal").setLevel(settings.log_level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
