"""The Starlette application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from models import identifiers
from models.db import close_database, open_database
from portal import csv_routes, metrics, sessions, sse, trusted, webhooks
from portal import settings as settings_module
from portal.edge import Edge
from portal.events import start_feed
from portal.graphql_view import PortalGraphQL
from portal.logging_setup import configure_logging
from portal.rate_limit import RateLimiter
from portal.settings import Settings
from portal.tasks import PeriodicSweep
from schema.root import schema


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or settings_module.load()
    configure_logging(settings)
    identifiers.configure(settings.vault())
    limiter = RateLimiter(per_key=settings.rate_limit_per_key,
                          per_address=settings.rate_limit_per_address,
                          shared=settings.postgres)
    graphql = PortalGraphQL(schema, settings, limiter)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if hint := graphql.graphiql.missing_hint():
            logging.getLogger("portal").warning(hint)
        await open_database(settings.database_url, pool_max=settings.db_pool_max)
        limiter.start()
        feed, listener = await start_feed(settings.database_url)
        graphql.events = feed
        app.state.feed, app.state.listener = feed, listener
        sweep = PeriodicSweep(settings.sweep_interval_seconds)
        sweep.start()
        dispatcher = await webhooks.start(settings)
        app.state.webhooks = dispatcher
        try:
            yield
        finally:
            await webhooks.stop(dispatcher)
            await sweep.stop()
            await feed.stop()
            await limiter.stop()
            await close_database()

    app = Starlette(
        routes=[
            sse.route(graphql),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *metrics.routes(settings),
            *graphql.graphiql.routes(),
            *sessions.routes(settings),
            *csv_routes.routes(),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(Edge, production=settings.production, limiter=limiter,
                       known_operations=trusted.operation_names(graphql.manifest)),
            Middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins),
                       allow_methods=["GET", "POST"],
                       allow_headers=["authorization", "content-type", "x-portal-csrf",
                                      "x-request-id", "last-event-id"],
                       expose_headers=["x-request-id", "retry-after"],
                       allow_credentials=True, max_age=600),
        ],
    )
    app.state.settings = settings
    app.state.fanout = graphql.fanout  # read by /metrics
    logging.getLogger("portal").debug("application created")
    return app
