"""What one page costs the server, per request: CPU of the `ketnap serve` process (/proc utime + stime over N
requests, 32 clients) with req/s and its ratio to GET /api/health in the same run, and the round trips one
request sends to PostgreSQL (statements, BEGIN/COMMIT, pool checkouts; counted in-process). Issue 14.

    KETNAP_BENCH_DATABASE_URL=... python -m benchmarks.national --scale 0.005 --only-build --keep  # prints a URL
    python -m benchmarks.page_cost URL [--code DIR] [--requests 400]

`--code` serves and counts with the code in DIR (an export of another branch: `git archive BRANCH | tar -x -C
DIR`), to compare before and after on the same database; the users are those benchmarks/national.py makes.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bench_web import free_port
from benchmarks.national import _wait_healthy, run_load, signed_in

HERE = Path(__file__).resolve().parent.parent
PAGES = [("dashboard", "thuky", "/"), ("secretary list", "thuky", "/candidates"),
         ("candidate page", "thuky", "/candidates/{id}"), ("auditor list", "kiemtra", "/candidates"),
         ("search", "kiemtra", "/candidates?q=nguyen%20thi"), ("api candidates", "thuky", "/api/candidates")]
IDS = re.compile(r'href="/candidates/([A-Za-z0-9_-]+)"')


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def some_ids(html: str) -> list[str]:
    return sorted(set(IDS.findall(html)) - {"new"})


def measure(url: str, code: Path, requests: int, clients: int = 32) -> None:
    env = {**os.environ, "KETNAP_SESSION_SECRET": "benchmark-secret-of-thirty-two-characters", "PYTHONPATH": str(code)}
    env.pop("KETNAP_DATABASE_URL", None)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", "from workflow.cli.main import run; run()", "--db", url, "serve",
                                "--no-scheduler", "--port", str(port)], env=env, cwd=code,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base)
        users = {u: [signed_in(base, u) for _ in range(clients)] for u in ("thuky", "kiemtra")}
        ids = some_ids(users["thuky"][0].get("/candidates").text)
        plain = [httpx.Client(base_url=base, timeout=120) for _ in range(clients)]
        health = 0.0
        print(f"| {code.name}, {clients} clients | req/s | ratio to health | p50 ms | p99 ms | server CPU ms/request |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, who, path in [("health", "", "/api/health"), *PAGES]:
            urls = [path.replace("{id}", ids[i % len(ids)]) for i in range(requests)]
            pool = users[who] if who else plain
            run_load(pool, urls[: max(clients, requests // 10)])  # warm-up
            before = cpu_seconds(process.pid)
            m = run_load(pool, urls)
            cpu = (cpu_seconds(process.pid) - before) * 1000 / m["n"]
            health = health or m["rps"]
            print(f"| {name} | {m['rps']:.0f} | 1/{health / m['rps']:.1f} | {m['p50']:.0f} | {m['p99']:.0f} | "
                  f"{cpu:.2f} |", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=60)


def count(url: str) -> None:
    """In this process (the code on sys.path): what one request of each page sends to the database."""
    import asyncio

    import psycopg
    from psycopg import _connection_base
    from sqlalchemy import event

    from benchmarks.national import PASSWORD
    from workflow.bootstrap import bootstrap, served_app
    from workflow.config import load_settings

    env = {"KETNAP_DATABASE_URL": url, "KETNAP_SESSION_SECRET": "benchmark-secret-of-thirty-two-characters"}
    app = bootstrap(load_settings(environ=env))
    web = served_app(app, scheduler=False, environ=env)
    seen = {"statements": 0, "commands": 0, "checkouts": 0}

    def counted(method: Any, key: str) -> Any:
        def wrapper(*args: object, **kwargs: object) -> object:
            seen[key] += 1
            return method(*args, **kwargs)
        return wrapper

    psycopg.Cursor.execute = counted(psycopg.Cursor.execute, "statements")  # type: ignore[method-assign]
    base_connection = _connection_base.BaseConnection
    base_connection._exec_command = counted(base_connection._exec_command, "commands")  # type: ignore[method-assign]
    event.listen(app.engine, "checkout", lambda *_: seen.__setitem__("checkouts", seen["checkouts"] + 1))

    async def run() -> None:
        clients = {}
        for user in ("thuky", "kiemtra"):
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://t")
            form = (await client.get("/login")).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            await client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token.group(1)})
            clients[user] = client
        ids = some_ids((await clients["thuky"].get("/candidates")).text)
        print("| page | statements | BEGIN/COMMIT | pool checkouts |\n|---|---:|---:|---:|")
        for name, who, path in PAGES:
            path = path.replace("{id}", ids[0])
            await clients[who].get(path)
            for key in seen:
                seen[key] = 0
            answer = await clients[who].get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            print(f"| {name} | {seen['statements']} | {seen['commands']} | {seen['checkouts']} |")

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a database built by benchmarks.national --keep")
    parser.add_argument("--code", type=Path, default=HERE, help="serve the code in this directory")
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--count-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_only:
        count(args.url)
        return
    env = {**os.environ, "PYTHONPATH": f"{args.code.resolve()}{os.pathsep}{HERE}"}
    subprocess.run([sys.executable, __file__, args.url, "--count-only"], env=env, cwd=args.code.resolve(),
                   check=True)  # this file, with the code of DIR first on the path
    measure(args.url, args.code.resolve(), args.requests, args.clients)


if __name__ == "__main__":
    main()
