"""Health, readiness and Prometheus metrics.

``/healthz`` says the process is alive. ``/readyz`` says it can serve: the database
answers, the event feed runs (and on PostgreSQL its LISTEN connection is up), and every
migration is applied. ``/metrics`` is the Prometheus text format, optionally behind a
bearer token (PORTAL_METRICS_TOKEN). Label values are bounded: operation names count
only when they are published operations (others are ``adhoc``), so a client cannot
inflate the series.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("portal_requests_total", "Requests by route, operation and outcome.",
                   ["route", "operation", "outcome"], registry=REGISTRY)
LATENCY = Histogram("portal_request_duration_seconds", "Request latency by route and operation.",
                    ["route", "operation"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
GRAPHQL_ERRORS = Counter("portal_graphql_errors_total", "GraphQL errors by code.", ["code"],
                         registry=REGISTRY)
LIMIT_REFUSALS = Counter("portal_limit_refusals_total", "Requests refused by a limit.",
                         ["limit"], registry=REGISTRY)
SUBSCRIPTIONS = Gauge("portal_active_subscriptions", "Open subscriptions in this process.",
                      registry=REGISTRY)
# portal.fanout: one execution per event per group of identical live subscriptions.
SHARED_GROUPS = Gauge("portal_subscription_groups",
                      "Groups of identical live subscriptions sharing one execution.",
                      registry=REGISTRY)
SHARED_EXECUTIONS = Gauge("portal_subscription_shared_executions",
                          "Shared executions of a subscription selection since start.",
                          registry=REGISTRY)
SHARED_DELIVERIES = Gauge("portal_subscription_shared_deliveries",
                          "Results of shared executions handed to subscribers since start.",
                          registry=REGISTRY)
LOG_HEAD = Gauge("portal_event_log_head", "Id of the newest event this process has read.",
                 registry=REGISTRY)
CONSUMER_LAG = Gauge("portal_event_consumer_lag", "Events between the log head and a consumer.",
                     ["consumer"], registry=REGISTRY)
WEBHOOK_DELIVERIES = Gauge("portal_webhook_deliveries", "Webhook deliveries by status.",
                           ["endpoint", "status"], registry=REGISTRY)
POOL_IN_USE = Gauge("portal_db_pool_connections", "Database pool connections by state.",
                    ["state"], registry=REGISTRY)
UP_SINCE = Gauge("portal_process_start_time_seconds", "When this process started.",
                 registry=REGISTRY)
UP_SINCE.set(time.time())


def observe_request(route: str, operation: str | None, outcome: str | None, seconds: float,
                    error_codes: list[str], known_operations: Mapping[str, Any]) -> None:
    name = operation if operation and operation in known_operations else (
        "adhoc" if operation else "-")
    REQUESTS.labels(route, name, outcome or "-").inc()
    LATENCY.labels(route, name).observe(seconds)
    for code in error_codes:
        GRAPHQL_ERRORS.labels(code).inc()
        if code in ("LIMIT_EXCEEDED", "RATE_LIMITED"):
            LIMIT_REFUSALS.labels(code).inc()


async def _collect(app_state: Any) -> None:
    """Gauges that are read at scrape time rather than counted as things happen."""
    feed = getattr(app_state, "feed", None)
    fanout = getattr(app_state, "fanout", None)
    if feed is not None:
        # A shared group holds one feed subscription for all of its members.
        groups = len(fanout.groups) if fanout is not None else 0
        members = fanout.member_count if fanout is not None else 0
        SUBSCRIPTIONS.set(feed.subscriber_count - groups + members)
        LOG_HEAD.set(feed.head)
    if fanout is not None:
        SHARED_GROUPS.set(len(fanout.groups))
        SHARED_EXECUTIONS.set(fanout.executions)
        SHARED_DELIVERIES.set(fanout.deliveries)
    await _collect_webhooks(feed.head if feed is not None else None)
    try:
        from tortoise.connection import get_connection

        pool = getattr(get_connection("default"), "_pool", None)
        if pool is not None and hasattr(pool, "get_size"):
            POOL_IN_USE.labels("open").set(pool.get_size())
            POOL_IN_USE.labels("idle").set(pool.get_idle_size())
    except Exception:  # noqa: S110 (no pool yet: nothing to report)
        pass


async def _collect_webhooks(head: int | None) -> None:
    """Per endpoint: deliveries still pending, retrying or dead, and events not yet queued.
    Succeeded deliveries are not counted here (the table grows without bound)."""
    from tortoise.functions import Count

    from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.FAILED]
    try:
        rows = await (WebhookDelivery.filter(status__in=open_statuses)
                      .annotate(n=Count("id")).group_by("endpoint_id", "status")
                      .values("endpoint_id", "status", "n"))
        endpoints = await WebhookEndpoint.all().values_list("id", "cursor")
    except Exception:  # no database yet: nothing to report
        return
    WEBHOOK_DELIVERIES.clear()
    for row in rows:
        status = getattr(row["status"], "value", row["status"])
        WEBHOOK_DELIVERIES.labels(str(row["endpoint_id"]), str(status)).set(row["n"])
    if head is not None:
        for endpoint_id, cursor in endpoints:
            CONSUMER_LAG.labels(f"webhook:{endpoint_id}").set(max(0, head - cursor))


async def readiness(app_state: Any, database_url: str) -> tuple[bool, dict[str, str]]:
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor

    from models.db import tortoise_config

    checks: dict[str, str] = {}
    try:
        await get_connection("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    feed = getattr(app_state, "feed", None)
    listener = getattr(app_state, "listener", None)
    if feed is None:
        checks["events"] = "feed not started"
    elif listener is not None and not listener.connected.is_set():
        checks["events"] = "LISTEN connection down (reconnecting)"
    else:
        checks["events"] = "ok"
    if checks["database"] == "ok":
        try:
            apps = tortoise_config(database_url)["apps"]
            plan = await MigrationExecutor(get_connection("default"), apps).plan(None)
            checks["migrations"] = "ok" if not plan else f"{len(plan)} pending"
        except Exception as exc:
            checks["migrations"] = f"unknown ({type(exc).__name__})"
    ready = all(v == "ok" for v in checks.values())
    return ready, checks


def routes(settings: Any) -> list[Route]:
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> JSONResponse:
        ready, checks = await readiness(request.app.state, settings.database_url)
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status_code=200 if ready else 503)

    async def metrics(request: Request) -> Response:
        token = settings.metrics_token
        if token:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return JSONResponse({"error": "metrics need the metrics bearer token"},
                                    status_code=401)
        await _collect(request.app.state)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
