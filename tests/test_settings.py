"""Configuration: safe defaults, refusals in production, and logging that keeps data out."""

from __future__ import annotations

import base64
import logging

import pytest

from portal.logging_setup import configure_logging
from portal.settings import DEFAULT_SECRET, SettingsError, load

GOOD_KEY = "k1:" + base64.b64encode(b"k" * 32).decode()
STRONG = "s" * 40


def test_embedded_defaults_need_no_configuration():
    settings = load({})
    assert settings.database_url.startswith("sqlite://")
    assert settings.max_page_size == 100
    assert not settings.production


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"PORTAL_ENV": "production"}, "PORTAL_SECRET_KEY"),
        ({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": DEFAULT_SECRET}, "PORTAL_SECRET_KEY"),
        ({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "short"}, "at least 32"),
        ({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": STRONG}, "PORTAL_DATA_KEYS"),
        ({"PORTAL_DATA_KEYS": "k1:not-base64!"}, "base64"),
        ({"PORTAL_DATA_KEYS": "k1:" + base64.b64encode(b"short").decode()}, "32 bytes"),
        ({"PORTAL_MAX_PAGE_SIZE": "0"}, "PORTAL_MAX_PAGE_SIZE"),
        ({"PORTAL_ENV": "prod"}, "PORTAL_ENV"),
    ],
)
def test_unsafe_or_invalid_settings_are_refused_with_the_variable_named(env, fragment):
    with pytest.raises(SettingsError) as caught:
        load(env)
    assert fragment in str(caught.value)


def test_production_starts_with_a_strong_secret_and_data_keys():
    settings = load({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": STRONG,
                     "PORTAL_DATA_KEYS": GOOD_KEY})
    assert settings.production and settings.vault().current == "k1"


def test_sql_statement_logging_stays_off_even_at_debug_level():
    # Tortoise logs every statement with its parameters (names, sealed identifiers).
    configure_logging(load({"PORTAL_LOG_LEVEL": "DEBUG"}))
    assert not logging.getLogger("tortoise.db_client").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("tortoise").isEnabledFor(logging.INFO)
    assert logging.getLogger("portal").isEnabledFor(logging.DEBUG)


def test_an_unknown_log_level_is_a_settings_error_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="PORTAL_LOG_LEVEL"):
        load({"PORTAL_LOG_LEVEL": "verbose"})
    assert load({"PORTAL_LOG_LEVEL": "warning"}).log_level == "WARNING"
