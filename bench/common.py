"""Shared pieces of the API, floor, fan-out and catch-up benchmarks (bench/README.md).

Everything here targets 127.0.0.1 only: servers are started on loopback ports picked by
binding a socket, and stopped by their own process id.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# The identifier vault is derived from the secret (development mode): the data set must be
# served with the secret it was loaded with.
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
DEFAULT_DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench_api"))
LARGEST_PARTNER = "kbri-hongkong"


# --- the machine -------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def print_machine(title: str) -> dict[str, Any]:
    info = machine()
    print(f"== {title}")
    print(f"machine: nproc={info['nproc']} cpu={info['cpu']!r} ram={info['ram_gib']} GiB "
          f"load average={info['loadavg']} python={info['python']}", flush=True)
    return info


# --- processes ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    """Resident set size of one process, KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backends_cpu(database_url: str) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to this URL's database
    (server on this machine; read from /proc). 0.0 for SQLite."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return 0.0
    marker = f" {database_url.rsplit('/', 1)[1]} "
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and marker in title:
                total += cpu_seconds(int(proc.name))
        except (OSError, ValueError):
            continue
    return total


class RssSampler:
    """Samples a process's RSS every ``interval`` seconds in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(rss_kib(self.pid))
            except OSError:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return max(self.samples, default=0) / 1024


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update({
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_RATE_LIMIT_PER_KEY": "0",
        "PORTAL_RATE_LIMIT_PER_ADDRESS": "0",
        "PORTAL_LOG_LEVEL": "WARNING",
        # Keep the data set fixed while measuring: no expiry sweep during a run.
        "PORTAL_SWEEP_INTERVAL_SECONDS": "0",
    })
    env.update(extra)
    return env


@dataclass
class Server:
    """A child process serving HTTP on 127.0.0.1:port, stopped by its own pid."""

    argv: list[str]
    env: dict[str, str]
    port: int
    ready_path: str = "/healthz"
    log_path: Path | None = None
    cwd: Path = ROOT
    proc: subprocess.Popen[bytes] | None = None
    _log: Any = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60.0, preexec: Any = None) -> Server:
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, preexec_fn=preexec)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[:3]} exited with {self.proc.returncode}"
                                   f" (log: {self.log_path})")
            try:
                with loopback_open(self.base + self.ready_path, timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.argv[:3]} did not answer within {timeout}s")

    def stop(self, timeout: float = 20.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self.proc = None

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def portal_server(database_url: str, log_path: Path | None = None, **env: str) -> Server:
    """``portal serve`` on a free loopback port. With BENCH_PORTAL_TREE set, the server runs
    the code of that checkout instead (to measure a change against the same data)."""
    port = free_port()
    argv = [str(BIN / "portal"), "serve", "--host", HOST, "--port", str(port)]
    senv = server_env(database_url, **env)
    tree = os.environ.get("BENCH_PORTAL_TREE")
    if tree:
        argv = [sys.executable, "-c", "import sys; from portal.cli import main; "
                "sys.argv[0] = 'portal'; sys.exit(main())", *argv[1:]]
        senv["PYTHONPATH"] = tree
    server = Server(argv, senv, port, log_path=log_path)
    server.cwd = Path(tree) if tree else ROOT
    return server


# --- HTTP ----------------------------------------------------------------------------------

def loopback_open(url: str | urllib.request.Request, timeout: float = 30.0) -> Any:
    """urlopen for http://127.0.0.1 only (the benchmarks target nothing else)."""
    target = url.full_url if isinstance(url, urllib.request.Request) else url
    if not target.startswith(f"http://{HOST}:"):
        raise ValueError(f"not a loopback URL: {target}")
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310


def get_json(url: str, timeout: float = 30.0) -> Any:
    with loopback_open(url, timeout) as r:
        return json.loads(r.read())


def graphql(base: str, key: str, query: str, variables: dict[str, Any] | None = None,
            timeout: float = 120.0) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    return json.loads(post_graphql(base, key, body, timeout))


def post_graphql(base: str, key: str, body: bytes, timeout: float = 120.0) -> bytes:
    """One POST /graphql of an already encoded body; the raw response body. Timing this
    measures the server, not the client's JSON encoding of a large request."""
    req = urllib.request.Request(  # noqa: S310 (loopback_open checks the URL)
        base + "/graphql", data=body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                 "Accept": "application/json"})
    with loopback_open(req, timeout=timeout) as r:
        return r.read()


def gql_body(query: str, variables: dict[str, Any] | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}}, separators=(",", ":"))


# --- wrk -----------------------------------------------------------------------------------

WRK_LUA = BENCH / "wrk" / "requests.lua"


@dataclass
class WrkResult:
    name: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    ok: int
    bad: int
    errors: int
    sample: str = ""

    def row(self) -> str:
        return (f"{self.name:<26} {self.rps:>9.1f} req/s  p50 {self.p50_ms:>8.2f} ms  "
                f"p99 {self.p99_ms:>8.2f} ms  ok {self.ok}  bad {self.bad}  "
                f"socket errors {self.errors}")


def wrk(name: str, url: str, lines: Sequence[str], *, method: str = "POST",
        headers: dict[str, str] | None = None, expect: str = '"data"', duration: float = 8,
        connections: int = 8, threads: int = 1, timeout_s: int = 10,
        workdir: Path | None = None) -> WrkResult:
    """Runs wrk against ``url`` with bodies (POST) or paths (GET) taken round-robin from
    ``lines``; a response counts as ok when it is HTTP 200 and contains ``expect``."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    workdir = workdir or Path("/tmp")
    lines_file = workdir / f"wrk-{os.getpid()}-{name.replace(' ', '_')}.txt"
    lines_file.write_text("\n".join(lines) + "\n")
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{round(duration)}s",
            "--timeout", f"{timeout_s}s", "-s", str(WRK_LUA)]
    for k, v in (headers or {}).items():
        argv += ["-H", f"{k}: {v}"]
    argv.append(url)
    env = dict(os.environ, BENCH_LINES=str(lines_file), BENCH_METHOD=method,
               BENCH_EXPECT=expect, BENCH_THREADS=str(threads))
    try:
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True,
                             timeout=duration + timeout_s + 30).stdout
    finally:
        lines_file.unlink(missing_ok=True)
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            d = json.loads(line[len("BENCH_JSON "):])
            return WrkResult(name, d["rps"], d["p50_us"] / 1000, d["p90_us"] / 1000,
                             d["p99_us"] / 1000, d["max_us"] / 1000, d["requests"], d["ok"],
                             d["bad"], d["errors"], d.get("sample", ""))
    raise RuntimeError(f"wrk printed no result:\n{out}")


def median_result(name: str, runs: Sequence[WrkResult]) -> dict[str, Any]:
    """Median of each figure over repeated runs (the runs are kept too)."""
    return {
        "name": name,
        "rps": statistics.median(r.rps for r in runs),
        "p50_ms": statistics.median(r.p50_ms for r in runs),
        "p99_ms": statistics.median(r.p99_ms for r in runs),
        "runs_rps": [round(r.rps, 1) for r in runs],
        "ok": sum(r.ok for r in runs),
        "bad": sum(r.bad for r in runs),
        "errors": sum(r.errors for r in runs),
        "sample_bad": next((r.sample for r in runs if r.bad), ""),
    }


# --- databases -----------------------------------------------------------------------------

def pg_url(database: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


async def _pg_admin(*sql: str, database: str | None = None) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_url(database) if database else ADMIN_URL)
    try:
        for statement in sql:
            await conn.execute(statement)
    finally:
        await conn.close()


def pg_admin(*sql: str, database: str | None = None) -> None:
    asyncio.run(_pg_admin(*sql, database=database))


async def _pg_exists(database: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                        database))
    finally:
        await conn.close()


def pg_exists(database: str) -> bool:
    return asyncio.run(_pg_exists(database))


def pg_drop(database: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def load_demo(database_url: str, workers: int, keys_file: Path, log: Path) -> float:
    """``portal demo`` into an empty database; returns the wall time in seconds."""
    env = server_env(database_url)
    started = time.perf_counter()
    with open(log, "ab") as out:
        subprocess.run([str(BIN / "portal"), "demo", "--workers", str(workers), "--quiet",
                        "--keys-file", str(keys_file)], env=env, cwd=ROOT, stdout=out,
                       stderr=subprocess.STDOUT, check=True, timeout=1800)
    return time.perf_counter() - started


def keys_of(keys_file: Path, partner: str = LARGEST_PARTNER) -> dict[str, str]:
    keys = json.loads(keys_file.read_text())
    found = {p["code"]: p["keys"] for p in keys["partners"]}
    return {**found[partner], "operator": keys["operator"]["apiKey"]}


# --- synthetic workers (valid input, unique NIKs by construction) -------------------------

_NAMES_F = ("Siti", "Dewi", "Sri", "Nur", "Rina", "Wati", "Yuni", "Lestari", "Ani", "Eka")
_NAMES_M = ("Budi", "Agus", "Joko", "Eko", "Rudi", "Hadi", "Slamet", "Bambang", "Arif")
_SURNAMES = ("Rahmawati", "Wulandari", "Susanti", "Hidayat", "Saputra", "Kurniawan",
             "Pratama", "Handayani", "Setiawan", "Lestari")


class WorkerInputs:
    """RegisterWorkerInput dicts like tests.factories.worker_input, with NIKs from
    models.synthetic.make_nik that are unique by construction: the demo loader uses serials
    9000-9999, these use 1-8999 with (regency, district) stepping per 8,999 workers."""

    def __init__(self, seed: int = 398326, start: int = 0) -> None:
        sys.path.insert(0, str(ROOT))
        from models.enums import Gender
        from models.synthetic import make_nik, make_passport

        self._gender, self._make_nik, self._make_passport = Gender, make_nik, make_passport
        self.rng = random.Random(seed)
        self.n = start
        self.today = date.today()

    def next(self) -> dict[str, Any]:
        rng, n = self.rng, self.n
        self.n += 1
        female = rng.random() < 0.7
        gender = self._gender.FEMALE if female else self._gender.MALE
        born = self.today - timedelta(days=rng.randint(20 * 366, 45 * 365))
        nik = self._make_nik(rng, born, gender, serial=n % 8999 + 1,
                             regency=n // 8999 % 79 + 1, district=90 + n // (8999 * 79) % 10)
        first = rng.choice(_NAMES_F if female else _NAMES_M)
        start = self.today + timedelta(days=rng.randint(10, 120))
        return {
            "nik": nik,
            "fullName": f"{first} {rng.choice(_SURNAMES)}",
            "birthDate": born.isoformat(),
            "gender": gender.value,
            "destinationCountry": "HK",
            "jobSector": "DOMESTIC_WORKER",
            "placementScheme": "PRIVATE_AGENCY",
            "passportNumber": self._make_passport(rng),
            "phone": f"+628{rng.randint(10**9, 10**10 - 1)}",
            "contractStart": start.isoformat(),
            "contractEnd": (start + timedelta(days=730)).isoformat(),
            "heirs": [{"fullName": f"{rng.choice(_NAMES_M)} {rng.choice(_SURNAMES)}",
                       "relation": "SPOUSE_OR_CHILD" if rng.random() < 0.6 else "BLOOD_RELATIVE"}],
        }

    def batch(self, count: int) -> list[dict[str, Any]]:
        return [self.next() for _ in range(count)]


@contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"   ({label}: {time.perf_counter() - started:.1f}s)", flush=True)


def fresh_demo(args: Any, workdir: Path, label: str
               ) -> tuple[str, Path, Callable[[], None]]:
    """(database URL, keys file, drop) for a benchmark: the given ``--database-url`` and
    ``--keys-file``, or a new database (PostgreSQL) or file (SQLite) in ``workdir`` with a
    ``--workers``-sized demo loaded; ``drop`` deletes it unless ``--keep`` was given."""
    if args.database_url:
        if not args.keys_file:
            raise SystemExit("--database-url needs --keys-file")
        return args.database_url, args.keys_file, lambda: None
    keys_file = workdir / "keys.json"
    if args.backend == "postgres":
        name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        pg_admin(f'CREATE DATABASE "{name}"')
        url = pg_url(name)

        def drop() -> None:
            if getattr(args, "keep", False):
                print(f"kept database {name} (keys: {keys_file})")
            else:
                pg_drop(name)
    else:
        url, drop = f"sqlite://{workdir / f'{label}.sqlite3'}", (lambda: None)
    try:
        took = load_demo(url, args.workers, keys_file, workdir / "demo.log")
    except BaseException:
        drop()
        raise
    print(f"loaded a {args.workers:,}-worker demo in {took:.1f}s", flush=True)
    return url, keys_file, drop
