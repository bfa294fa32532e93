"""Configuration from ``PORTAL_*`` environment variables, with safe embedded defaults.

Production mode refuses to start with a default secret: a default key would let anyone
who read this file forge data keys and identifier digests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from models.identifiers import IdentifierVault, VaultError, derive_key, parse_data_keys
from portal import webhook_settings
from portal.webhook_settings import WebhookSettings

DEFAULT_SECRET = "insecure-development-secret-change-me"  # noqa: S105 (it is the marker)
ENVIRONMENTS = ("development", "production")


# Levels both the logging module and uvicorn (portal serve) understand.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = field(
        default_factory=lambda: f"sqlite://{Path.cwd() / 'portal.sqlite3'}"
    )
    secret_key: str = DEFAULT_SECRET
    env: str = "development"
    data_keys: str = ""  # "id:base64key,..."; first seals; empty: derived from secret_key
    max_page_size: int = 100
    default_page_size: int = 50
    max_nodes: int = 100
    db_pool_max: int = 10
    allowed_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: str = "json"  # json | text
    # Document limits, checked before execution (schema.limits).
    max_depth: int = 15
    max_aliases: int = 50
    max_tokens: int = 10_000
    max_root_fields: int = 20
    max_cost: int = 50_000
    cost_mode: str = "enforce"
    # Ten thousand import rows fit comfortably (about 4 MB); nothing legitimate is bigger.
    max_body_bytes: int = 8_000_000
    # When set, /metrics needs "Authorization: Bearer <token>".
    metrics_token: str = ""
    # Requests a minute; 0 switches a limit off.
    rate_limit_per_key: int = 1200
    rate_limit_per_address: int = 3000
    # Which API keys may only run trusted documents: "all" keys, or only the keys flagged
    # so ("flagged"). Default: all in production, flagged ones elsewhere.
    trusted_documents: str | None = None
    # API keys may introspect outside production; staff sessions always may.
    introspection_for_keys: bool | None = None
    # How often each server process runs the expiry sweep (models.sweep); 0 disables it.
    sweep_interval_seconds: int = 3600
    # PORTAL_WEBHOOK_*: the webhook dispatcher and the SSRF guard (portal.webhook_settings).
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))

    @property
    def all_keys_trusted_only(self) -> bool:
        if self.trusted_documents is not None:
            return self.trusted_documents == "all"
        return self.production

    @property
    def keys_may_introspect(self) -> bool:
        if self.introspection_for_keys is not None:
            return self.introspection_for_keys
        return not self.production

    def vault(self) -> IdentifierVault:
        if self.data_keys:
            keys, current = parse_data_keys(self.data_keys)
        else:
            keys, current = {"dev": derive_key(self.secret_key, "data")}, "dev"
        return IdentifierVault(keys, current, derive_key(self.secret_key, "digest"))

    def check(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise SettingsError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.production:
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise SettingsError(
                    "PORTAL_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production (the default is refused)"
                )
            if not self.data_keys:
                raise SettingsError(
                    "PORTAL_DATA_KEYS must be set in production (id:base64 32-byte key)"
                )
        webhook_problem = self.webhooks.problem()
        if webhook_problem:
            raise SettingsError(webhook_problem)
        if self.sweep_interval_seconds < 0:
            raise SettingsError("PORTAL_SWEEP_INTERVAL_SECONDS must be 0 (off) or more")
        if self.rate_limit_per_key < 0 or self.rate_limit_per_address < 0:
            raise SettingsError("PORTAL_RATE_LIMIT_* must be 0 (off) or more")
        if self.log_format not in ("json", "text"):
            raise SettingsError("PORTAL_LOG_FORMAT must be json or text")
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(f"PORTAL_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if self.trusted_documents not in (None, "all", "flagged"):
            raise SettingsError("PORTAL_TRUSTED_DOCUMENTS must be all or flagged")
        if self.cost_mode not in ("enforce", "measure"):
            raise SettingsError("PORTAL_COST_MODE must be enforce or measure")
        for name in ("max_depth", "max_aliases", "max_tokens", "max_root_fields", "max_cost",
                     "max_body_bytes"):
            if getattr(self, name) < 1:
                raise SettingsError(f"PORTAL_{name.upper()} must be 1 or more")
        if not 1 <= self.max_page_size <= 1000:
            raise SettingsError("PORTAL_MAX_PAGE_SIZE must be between 1 and 1000")
        try:
            self.vault()
        except VaultError as exc:
            raise SettingsError(f"PORTAL_DATA_KEYS: {exc}") from None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None


def _bool(env: Mapping[str, str], name: str) -> bool | None:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false")


def _webhooks(env: Mapping[str, str]) -> WebhookSettings:
    try:
        return webhook_settings.from_env(env)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def load(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    defaults = Settings()
    settings = Settings(
        database_url=env.get("PORTAL_DATABASE_URL") or defaults.database_url,
        secret_key=env.get("PORTAL_SECRET_KEY") or DEFAULT_SECRET,
        env=(env.get("PORTAL_ENV") or "development").strip().lower(),
        data_keys=env.get("PORTAL_DATA_KEYS", ""),
        max_page_size=_int(env, "PORTAL_MAX_PAGE_SIZE", defaults.max_page_size),
        default_page_size=_int(env, "PORTAL_DEFAULT_PAGE_SIZE", defaults.default_page_size),
        db_pool_max=_int(env, "PORTAL_DB_POOL_MAX", defaults.db_pool_max),
        allowed_origins=tuple(
            o.strip() for o in env.get("PORTAL_ALLOWED_ORIGINS", "").split(",") if o.strip()
        ),
        log_level=(env.get("PORTAL_LOG_LEVEL") or "INFO").upper(),
        log_format=(env.get("PORTAL_LOG_FORMAT") or "json").strip().lower(),
        max_depth=_int(env, "PORTAL_MAX_DEPTH", defaults.max_depth),
        max_aliases=_int(env, "PORTAL_MAX_ALIASES", defaults.max_aliases),
        max_tokens=_int(env, "PORTAL_MAX_TOKENS", defaults.max_tokens),
        max_root_fields=_int(env, "PORTAL_MAX_ROOT_FIELDS", defaults.max_root_fields),
        max_cost=_int(env, "PORTAL_MAX_COST", defaults.max_cost),
        cost_mode=(env.get("PORTAL_COST_MODE") or "enforce").strip().lower(),
        max_body_bytes=_int(env, "PORTAL_MAX_BODY_BYTES", defaults.max_body_bytes),
        introspection_for_keys=_bool(env, "PORTAL_INTROSPECTION_FOR_KEYS"),
        metrics_token=env.get("PORTAL_METRICS_TOKEN", ""),
        rate_limit_per_key=_int(env, "PORTAL_RATE_LIMIT_PER_KEY", defaults.rate_limit_per_key),
        rate_limit_per_address=_int(env, "PORTAL_RATE_LIMIT_PER_ADDRESS",
                                    defaults.rate_limit_per_address),
        trusted_documents=(env.get("PORTAL_TRUSTED_DOCUMENTS") or "").strip().lower() or None,
        sweep_interval_seconds=_int(env, "PORTAL_SWEEP_INTERVAL_SECONDS",
                                    defaults.sweep_interval_seconds),
        webhooks=_webhooks(env),
    )
    settings.check()
    return settings
