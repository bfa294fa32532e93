"""The floor: a bare Starlette app answering the API benchmark's reads with hand-written SQL.

    python bench/floor.py --database-url sqlite:///tmp/bench_api/api.sqlite3 --port 8100
    python bench/floor.py --database-url postgres://postgres@127.0.0.1:5432/bench_api

One uvicorn process (uvloop and httptools when installed, as ``portal serve``), no
authentication, no GraphQL. It gives the same JSON as the portal's W1 and W2 selections in
bench/api_load.py (``bench/api_load.py`` checks that they agree), built by hand:

    GET /w1?partner=ID   W1: the partner's 50 latest-registered workers with their partner,
                         coverages and latest contribution: ONE SQL statement (a page CTE
                         joined with partner, coverage and the latest contribution), rows
                         grouped in Python, one json.dumps
    GET /w2?id=ID        W2: one worker with partner and heirs, coverages, its first 10
                         contributions and first 10 events: four statements on one
                         connection (worker+partner, coverages, contributions, events)
    GET /w3?partner=ID   SELECT phase, count(*) FROM worker WHERE partner_id = ? GROUP BY phase

Drivers: asyncpg (pool of 10, as PORTAL_DB_POOL_MAX) on PostgreSQL; aiosqlite (one
connection, the driver Tortoise uses) on SQLite.
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE = 50
CHILD_PAGE = 10

W1_SQL = """
WITH page AS (
  SELECT id, full_name, destination_country, job_sector, placement_status, phase, status,
         covered_until, registered_at, partner_id
  FROM worker WHERE partner_id = {p1}
  ORDER BY registered_at DESC, id DESC LIMIT {limit}
)
SELECT page.id, page.full_name, page.destination_country, page.job_sector,
       page.placement_status, page.phase, page.status, page.covered_until,
       page.registered_at, p.id AS pid, p.code, p.name,
       c.program, c.starts_on, c.ends_on,
       lc.id AS lc_id, lc.kind AS lc_kind, lc.amount AS lc_amount,
       lc.covers_until AS lc_until
FROM page
JOIN partner p ON p.id = page.partner_id
LEFT JOIN coverage c ON c.worker_id = page.id
LEFT JOIN contribution lc ON lc.id = (SELECT max(id) FROM contribution
                                      WHERE worker_id = page.id)
ORDER BY page.registered_at DESC, page.id DESC, c.starts_on, c.id
"""

W2_WORKER = """
SELECT w.id, w.full_name, w.birth_date, w.gender, w.destination_country, w.job_sector,
       w.placement_scheme, w.placement_status, w.phase, w.status, w.contract_start,
       w.contract_end, w.covered_until, w.version, w.registered_at, w.updated_at, w.heirs,
       p.id AS pid, p.code, p.name
FROM worker w JOIN partner p ON p.id = w.partner_id WHERE w.id = {p1}
"""
W2_COVERAGES = ("SELECT program, starts_on, ends_on FROM coverage WHERE worker_id = {p1} "
                "ORDER BY starts_on, id")
W2_CONTRIBUTIONS = ("SELECT id, kind, amount, months, paid_on, covers_from, covers_until, "
                    "recorded_at FROM contribution WHERE worker_id = {p1} ORDER BY id "
                    "LIMIT {limit}")
W2_EVENTS = ("SELECT id, type, occurred_at, actor, reason, changes FROM worker_event "
             "WHERE worker_id = {p1} ORDER BY id LIMIT {limit}")
W3_SQL = "SELECT phase, count(*) AS n FROM worker WHERE partner_id = {p1} GROUP BY phase"


def gid(kind: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode().rstrip("=")


def cursor(name: str, value: Any, pk: int) -> str:
    raw = json.dumps([name, value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def iso(value: Any) -> Any:
    """Dates and instants as the portal writes them (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if len(value) > 10:  # SQLite datetime text: '2026-03-18 01:37:48.086873+00:00'
        return datetime.fromisoformat(value).isoformat()
    return value


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class Database:
    """The two drivers behind one tiny interface: fetch rows as tuples."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.pool: Any = None
        self.conn: Any = None

    def sql(self, template: str, limit: int = 0) -> str:
        return template.format(p1="$1" if self.postgres else "?", limit=limit)

    async def open(self) -> None:
        if self.postgres:
            import asyncpg

            self.pool = await asyncpg.create_pool(self.url, min_size=1, max_size=10)
        else:
            import aiosqlite

            self.conn = await aiosqlite.connect(self.url.split("://", 1)[1])

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        if self.conn is not None:
            await self.conn.close()

    async def fetch(self, sql: str, arg: int) -> Sequence[Sequence[Any]]:
        if self.postgres:
            async with self.pool.acquire() as conn:
                return await conn.fetch(sql, arg)
        async with self.conn.execute(sql, (arg,)) as cur:
            return await cur.fetchall()

    async def fetch_many(self, statements: Sequence[str], arg: int
                         ) -> list[Sequence[Sequence[Any]]]:
        """Several statements on one connection, one after the other."""
        if self.postgres:
            async with self.pool.acquire() as conn:
                return [await conn.fetch(s, arg) for s in statements]
        out = []
        for s in statements:
            async with self.conn.execute(s, (arg,)) as cur:
                out.append(await cur.fetchall())
        return out


def create_app(url: str) -> Starlette:
    db = Database(url)
    w1_sql = db.sql(W1_SQL, PAGE + 1)
    w2_sql = [db.sql(W2_WORKER), db.sql(W2_COVERAGES), db.sql(W2_CONTRIBUTIONS, CHILD_PAGE + 1),
              db.sql(W2_EVENTS, CHILD_PAGE + 1)]
    w3_sql = db.sql(W3_SQL)

    def reply(data: Any) -> Response:
        return Response(json.dumps({"data": data}), media_type="application/json")

    async def w1(request: Request) -> Response:
        rows = await db.fetch(w1_sql, int(request.query_params["partner"]))
        edges: list[dict[str, Any]] = []
        by_id: dict[int, dict[str, Any]] = {}
        for r in rows:
            node = by_id.get(r[0])
            if node is None:
                registered = iso(r[8])
                node = {
                    "id": gid("Worker", r[0]), "fullName": r[1], "destinationCountry": r[2],
                    "jobSector": r[3], "placementStatus": r[4], "phase": r[5],
                    "status": r[6], "coveredUntil": iso(r[7]), "registeredAt": registered,
                    "partner": {"id": gid("Partner", r[9]), "code": r[10], "name": r[11]},
                    "coverages": [],
                    "latestContribution": None if r[15] is None else {
                        "id": gid("Contribution", r[15]), "kind": r[16], "amount": r[17],
                        "coversUntil": iso(r[18])},
                }
                by_id[r[0]] = node
                edges.append({"cursor": cursor("reg", registered, r[0]), "node": node})
            if r[12] is not None:
                node["coverages"].append(
                    {"program": r[12], "startsOn": iso(r[13]), "endsOn": iso(r[14])})
        more = len(edges) > PAGE
        edges = edges[:PAGE]
        return reply({"workers": {"edges": edges, "pageInfo": {
            "hasNextPage": more, "endCursor": edges[-1]["cursor"] if edges else None}}})

    async def w2(request: Request) -> Response:
        worker, coverages, contributions, events = await db.fetch_many(
            w2_sql, int(request.query_params["id"]))
        if not worker:
            return reply({"node": None})
        w = worker[0]
        contribution_edges = [
            {"cursor": cursor("id", None, c[0]), "node": {
                "id": gid("Contribution", c[0]), "kind": c[1], "amount": c[2], "months": c[3],
                "paidOn": iso(c[4]), "coversFrom": iso(c[5]), "coversUntil": iso(c[6]),
                "recordedAt": iso(c[7])}}
            for c in contributions[:CHILD_PAGE]]
        event_edges = [
            {"cursor": cursor("ev", None, e[0]), "node": {
                "id": gid("WorkerEvent", e[0]), "type": e[1], "occurredAt": iso(e[2]),
                "actor": e[3], "reason": e[4], "changes": as_json(e[5])}}
            for e in events[:CHILD_PAGE]]
        node = {
            "id": gid("Worker", w[0]), "fullName": w[1], "birthDate": iso(w[2]),
            "gender": w[3], "destinationCountry": w[4], "jobSector": w[5],
            "placementScheme": w[6], "placementStatus": w[7], "phase": w[8], "status": w[9],
            "contractStart": iso(w[10]), "contractEnd": iso(w[11]),
            "coveredUntil": iso(w[12]), "version": w[13], "registeredAt": iso(w[14]),
            "updatedAt": iso(w[15]),
            "partner": {"id": gid("Partner", w[17]), "code": w[18], "name": w[19]},
            "heirs": [{"fullName": h["fullName"], "relation": h["relation"],
                       "phone": h.get("phone")} for h in as_json(w[16])],
            "coverages": [{"program": c[0], "startsOn": iso(c[1]), "endsOn": iso(c[2])}
                          for c in coverages],
            "contributions": {"edges": contribution_edges, "pageInfo": {
                "hasNextPage": len(contributions) > CHILD_PAGE,
                "endCursor": contribution_edges[-1]["cursor"] if contribution_edges
                else None}},
            "events": {"edges": event_edges, "pageInfo": {
                "hasNextPage": len(events) > CHILD_PAGE,
                "endCursor": event_edges[-1]["cursor"] if event_edges else None}},
        }
        return reply({"node": node})

    async def w3(request: Request) -> Response:
        rows = await db.fetch(w3_sql, int(request.query_params["partner"]))
        counted = sorted(({"key": r[0], "count": r[1]} for r in rows),
                         key=lambda c: (-c["count"], c["key"]))
        return reply({"workerStats": {"byPhase": counted}})

    async def healthz(request: Request) -> Response:
        return Response("ok")

    async def lifespan(app: Starlette) -> Any:
        await db.open()
        yield
        await db.close()

    return Starlette(routes=[Route("/w1", w1), Route("/w2", w2), Route("/w3", w3),
                             Route("/healthz", healthz)], lifespan=lifespan)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(create_app(args.database_url), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
