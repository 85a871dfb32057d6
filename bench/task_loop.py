"""The worker loop: next + submit through the HTTP API on the production server, and the
engine's `next` at 10,000 and 1,000,000 items, on PostgreSQL (what production runs).
On SQLite (no DATABASE_URL) it runs the embedded default's check instead: 16 threads, each
with its own connection to a SQLite file, finish a project through the engine.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench .venv/bin/python -m bench task_loop
.venv/bin/python -m bench task_loop        # SQLite file, threads

Environment: BENCH_SECONDS (60), BENCH_CLIENTS (8), BENCH_WORKERS (64), BENCH_ITEMS (100000),
BENCH_BIG_ITEMS (1000000), BENCH_RUNS (300), BENCH_PORT (8120), BENCH_GUNICORN_WORKERS (2),
BENCH_GUNICORN_THREADS (4), BENCH_SQLITE_ITEMS (400), BENCH_ACCESS (open, or listings: the
HTTP loop's project takes only workers its listing admitted, so every claim checks the
admission). The database named in DATABASE_URL is
only used to create a throwaway test_<name> database next to it.

The server is deployed as production runs it: gunicorn with config.settings.production
(HTTPS redirects, HSTS, CSP, the psycopg connection pool), 2 gthread workers (one per core
of the 2-core reference machine, so the GIL of one process never holds the other core
back) of 4 threads each: 8 threads for the 8 keep-alive clients, so one thread's database
round trip overlaps another's Python work. The load client is cheap on purpose, since it
shares the two cores with the server: one keep-alive HTTP/1.1 connection per thread with a
minimal client of its own (Connection), whose CPU per cycle is printed beside the server's.
"""

import http.client
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone
from wagtail.models import APIToken

from accounts.models import Company, User
from cms.site_tree import ensure_site_tree
from jobs.models import Application, JobIndexPage, JobPage
from marketplace.assignment import PICK_SQL, assignment_claim_next, assignment_submit
from marketplace.models import Assignment, Item, Project

from .harness import counted_queries, percentiles, report, throwaway_database

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "64"))
ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
BIG_ITEMS = int(os.environ.get("BENCH_BIG_ITEMS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "300"))
PORT = int(os.environ.get("BENCH_PORT", "8120"))
GUNICORN_WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", "2")
GUNICORN_THREADS = os.environ.get("BENCH_GUNICORN_THREADS", "4")
SQLITE_ITEMS = int(os.environ.get("BENCH_SQLITE_ITEMS", "400"))
ACCESS = os.environ.get("BENCH_ACCESS", Project.Access.OPEN)
OVERLAP = 3
LABELS = ["positive", "negative", "neutral"]
ROOT = Path(__file__).resolve().parent.parent
UNUSABLE = make_password(None)
# Tokens are HMACs keyed by SECRET_KEY: the server and the token factory share this one.
SECRET_KEY = secrets.token_urlsafe(50)

REPRODUCE = (
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopwork_bench "
    ".venv/bin/python -m bench task_loop"
)


# --- Data ---------------------------------------------------------------------------------


def make_project(company: Company, title: str, items: int) -> Project:
    project = Project.objects.create(
        company=company,
        title=title,
        category="text-annotation",
        interface="classification",
        label_schema={"labels": LABELS, "multiple": False},
        reward_cents=5,
        overlap=OVERLAP,
        lease_seconds=600,
        status=Project.Status.ACTIVE,
        launched_at=timezone.now(),
    )
    copy_items(project, items)
    return project


def admit_through_a_listing(project: Project, users: list[User]) -> None:
    """Make `project` reachable through a listing only, and admit every one of `users`."""
    index = ensure_site_tree().get_children().type(JobIndexPage).first().specific
    listing = JobPage(
        title="Bench listing",
        slug="bench-listing",
        company=project.company,
        category="text-annotation",
        summary="Bench.",
        description="<p>Bench.</p>",
        pay_source=JobPage.PaySource.PROJECTS,
    )
    index.add_child(instance=listing)
    listing.save_revision().publish()
    project.listings.add(listing)
    Project.objects.filter(pk=project.pk).update(access=Project.Access.LISTINGS)
    Application.objects.bulk_create(
        Application(worker=user, job=listing, motivation="Bench.", status=Application.Status.ACTIVE)
        for user in users
    )


def item_text(n: int) -> str:
    return f"Review {n}: the battery lasts all day and the screen is sharp."


def copy_items(project: Project, count: int) -> None:
    """`count` text items written with COPY (a million takes seconds, not minutes)."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        Item.objects.bulk_create(
            (Item(project=project, data={"text": item_text(n)}) for n in range(count)),
            batch_size=2000,
        )
        return
    columns = (
        "project_id, data, external_id, is_gold, gold_explanation, assigned_count, "
        "submitted_count, extra_answers, is_open, created_at"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY marketplace_item ({columns}) FROM STDIN") as copy:
            for n in range(count):
                data = json.dumps({"text": item_text(n)})
                copy.write_row((project.pk, data, f"r{n}", False, "", 0, 0, 0, True, now))
        # Vacuumed as a long-lived table is: the measurements then do not run beside the
        # autovacuum and hint-bit writes a million fresh rows would cause.
        cursor.execute("VACUUM (ANALYZE) marketplace_item")


def make_workers(count: int, prefix: str) -> tuple[list[User], list[str]]:
    """Verified workers (no password) and an API token each."""
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@bench.example", role=User.Role.WORKER, password=UNUSABLE)
        for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
    )
    tokens = [APIToken.create_token(user=user, name="bench")[1] for user in users]
    return users, tokens


# --- The HTTP load ------------------------------------------------------------------------


def start_server(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed arguments)
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={GUNICORN_WORKERS}",
            f"--threads={GUNICORN_THREADS}",
            "--worker-class=gthread",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            probe.request("GET", "/api/v1/openapi.json", headers=PROXY_HEADERS)
            if probe.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


# The production settings trust X-Forwarded-Proto from the proxy in front of gunicorn; the
# load client plays that proxy, so HTTPS redirects and HSTS stay on as deployed.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
PROXY_LINES = "".join(f"{name}: {value}\r\n" for name, value in PROXY_HEADERS.items())


class Connection:
    """One keep-alive HTTP/1.1 connection, as little client as HTTP allows.

    The client shares the two cores with the server, so its CPU is the server's loss:
    http.client (which parses every response's headers with the email package) took 0.6 ms
    per cycle, this takes 0.2. It sends each request in one write and reads the status line
    and Content-Length (which every API response carries, config/wsgi.py), nothing more:
    the same requests on the wire.
    """

    def __init__(self, host: str, port: int):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def post(self, path: str, token: str, body: bytes = b"") -> tuple[int, bytes]:
        head = (
            f"POST {path} HTTP/1.1\r\n{PROXY_LINES}Authorization: Bearer {token}\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
        if body:
            head += "Content-Type: application/json\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + body)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._receive()
        headers = self.buffer[:end].decode("latin-1").split("\r\n")
        self.buffer = self.buffer[end + 4 :]
        status = int(headers[0].split(" ", 2)[1])
        length = 0
        for line in headers[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding":
                raise RuntimeError(f"unexpected framing: {line}")
        while len(self.buffer) < length:
            self._receive()
        content, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, content

    def _receive(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def close(self) -> None:
        self.sock.close()


class Client(threading.Thread):
    """One HTTP client: next + submit in a loop for its workers, keeping its connection."""

    def __init__(self, project_id: int, tokens: list[str], until: float):
        super().__init__(daemon=True)
        self.project_id, self.tokens, self.until = project_id, tokens, until
        self.next_ms, self.submit_ms, self.cycles, self.statuses = [], [], 0, {}

    def post(self, conn, path: str, token: str, body: bytes = b"") -> tuple[int, bytes, float]:
        started = time.perf_counter()
        status, content = conn.post(path, token, body)
        elapsed = (time.perf_counter() - started) * 1000
        self.statuses[status] = self.statuses.get(status, 0) + 1
        return status, content, elapsed

    def run(self):
        conn = Connection("127.0.0.1", PORT)
        turn = 0
        while time.perf_counter() < self.until:
            token = self.tokens[turn % len(self.tokens)]
            turn += 1
            status, content, elapsed = self.post(
                conn, f"/api/v1/projects/{self.project_id}/assignments/next", token
            )
            self.next_ms.append(elapsed)
            if status != 200:
                continue
            task = json.loads(content)
            answer = json.dumps({"answer": {"label": LABELS[task["item"]["id"] % 3]}}).encode()
            status, _content, elapsed = self.post(
                conn, f"/api/v1/assignments/{task['id']}/submit", token, answer
            )
            self.submit_ms.append(elapsed)
            self.cycles += status == 200
        conn.close()


def http_load(project: Project, tokens: list[str], database_url: str) -> list[str]:
    server = start_server(database_url)
    try:
        until = time.perf_counter() + SECONDS
        share = max(1, len(tokens) // CLIENTS)
        clients = [
            Client(project.pk, tokens[i * share : (i + 1) * share] or tokens, until)
            for i in range(CLIENTS)
        ]
        cpu_before, load_before = cpu_seconds(server), os.getloadavg()[0]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
        cpu_after, load_after = cpu_seconds(server), os.getloadavg()[0]
    finally:
        stop_server(server)
    cycles = sum(client.cycles for client in clients)
    statuses: dict[int, int] = {}
    for client in clients:
        for status, n in client.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    rows = [
        (
            "POST .../assignments/next",
            percentiles(list(itertools.chain(*(c.next_ms for c in clients)))),
            "",
        ),
        (
            "POST /assignments/{id}/submit",
            percentiles(list(itertools.chain(*(c.submit_ms for c in clients)))),
            "",
        ),
    ]
    report(
        f"Worker loop over HTTP: {ITEMS} items, overlap {OVERLAP}, {len(tokens)} workers, "
        f"{CLIENTS} keep-alive clients, gunicorn {GUNICORN_WORKERS} workers x "
        f"{GUNICORN_THREADS} threads gthread (config.settings.production, psycopg pool), "
        f"{elapsed:.0f} s",
        rows,
    )
    return [
        f"  cycles (next + submit): {cycles} in {elapsed:.1f} s = {cycles / elapsed:.0f} /s",
        f"  responses by status: {dict(sorted(statuses.items()))}",
        "  CPU per cycle: "
        + ", ".join(
            f"{group} {(cpu_after[group] - cpu_before[group]) * 1000 / max(cycles, 1):.1f} ms"
            for group in cpu_after
        )
        + f"; machine load average {load_before:.1f} before, {load_after:.1f} after, "
        f"on {os.cpu_count()} CPUs",
    ]


def cpu_seconds(server: subprocess.Popen) -> dict[str, float]:
    """CPU time of the processes in the loop: our gunicorn, PostgreSQL backends, this client.

    Other work on a shared machine slows every figure above; this one it hardly changes.
    Only this server's processes count (its own session, start_server), not another
    gunicorn on the machine.
    """
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"gunicorn": 0.0, "postgres": 0.0, "client": 0.0}
    database = f" {connection.settings_dict['NAME']} ".encode()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        name = head.split("(", 1)[1]
        values = tail.split()  # state, ppid, process group, ...
        if stat.parent.name == str(os.getpid()):
            name = "client"
        elif name == "postgres" and database not in command:
            continue  # a backend serving another database
        elif name == "gunicorn" and int(values[2]) != server.pid:
            continue  # somebody else's server
        if name in totals:
            totals[name] += (int(values[11]) + int(values[12])) / tick  # utime, stime
    return totals


CHECKS = {
    # Items holding more places than the overlap (live leases plus answers).
    "over_overlap": """
        SELECT count(*) FROM (
            SELECT item_id FROM marketplace_assignment
            WHERE project_id = %(project)s
              AND status IN ('leased', 'submitted', 'approved', 'rejected')
            GROUP BY item_id HAVING count(*) > %(overlap)s) AS over""",
    # A worker with two assignments of one item (the unique constraint forbids it).
    "repeats": """
        SELECT count(*) FROM (
            SELECT 1 FROM marketplace_assignment WHERE project_id = %(project)s
            GROUP BY item_id, worker_id HAVING count(*) > 1) AS repeated""",
    # Items whose counters differ from their real assignments.
    "counter_mismatch": """
        SELECT count(*) FROM marketplace_item AS item
        LEFT JOIN (
            SELECT item_id,
                   count(*) FILTER (WHERE status IN ('leased', 'submitted', 'approved',
                                                   'rejected')) AS holding,
                   count(*) FILTER (WHERE status IN ('submitted', 'approved', 'rejected'))
                       AS answered
            FROM marketplace_assignment WHERE project_id = %(project)s GROUP BY item_id
        ) AS real ON real.item_id = item.id
        WHERE item.project_id = %(project)s
          AND (item.assigned_count <> coalesce(real.holding, 0)
               OR item.submitted_count <> coalesce(real.answered, 0)
               OR item.is_open <> (coalesce(real.holding, 0) < %(overlap)s))""",
}


def correctness(project: Project) -> list[str]:
    found = {}
    with connection.cursor() as cursor:
        for name, sql in CHECKS.items():
            cursor.execute(sql, {"project": project.pk, "overlap": project.overlap})
            found[name] = cursor.fetchone()[0]
    answers = Assignment.objects.filter(project=project, status__in=Assignment.ANSWERED).count()
    verdict = "OK" if not any(found.values()) else "FAILED"
    return [
        f"  correctness: {answers} answers; items over the overlap: {found['over_overlap']}; "
        f"repeated (item, worker): {found['repeats']}; items whose counters differ from "
        f"the real counts: {found['counter_mismatch']}  -> {verdict}"
    ]


# --- The engine in process ----------------------------------------------------------------


def engine_latency(cases: list[tuple[Project, list[User]]]) -> list[tuple[dict, int, int]]:
    """`next` measured in process; each is followed by an unmeasured submit.

    The cases take turns, one claim each, so whatever else runs on the machine meanwhile
    weighs on every size alike and the comparison between sizes stays fair.
    """
    samples: list[list[float]] = [[] for _ in cases]
    turns = [0] * len(cases)

    def cycle(case: int, measured: bool) -> None:
        project, workers = cases[case]
        worker = workers[turns[case] % len(workers)]
        turns[case] += 1
        started = time.perf_counter()
        assignment = assignment_claim_next(worker=worker, project=project)
        if measured:
            samples[case].append((time.perf_counter() - started) * 1000)
        assignment_submit(worker=worker, assignment_id=assignment.pk, answer={"label": "neutral"})

    for run in range(20 + RUNS):
        for case in range(len(cases)):
            cycle(case, measured=run >= 20)
    figures = []
    for case, (project, workers) in enumerate(cases):
        with counted_queries() as claim_queries:
            assignment = assignment_claim_next(worker=workers[0], project=project)
        with counted_queries() as submit_queries:
            assignment_submit(
                worker=workers[0], assignment_id=assignment.pk, answer={"label": "neutral"}
            )
        figures.append((percentiles(samples[case]), claim_queries[0], submit_queries[0]))
    return figures


def pick_plan(project: Project, worker: User) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS) {PICK_SQL} FOR UPDATE SKIP LOCKED",
            [project.pk, False, worker.pk],
        )
        return [f"    {line}" for (line,) in cursor.fetchall()]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def sqlite_threads() -> None:
    """The embedded default: 16 threads, each with its own connection to a SQLite file,
    finish a project through the engine; the same correctness checks as on PostgreSQL."""
    with tempfile.TemporaryDirectory() as directory:
        connection.settings_dict["TEST"]["NAME"] = str(Path(directory) / "bench.sqlite3")
        with throwaway_database():
            company = Company.objects.create(name="Bench company", slug="bench-company")
            project = make_project(company, "SQLite threads", SQLITE_ITEMS)
            workers, _tokens = make_workers(16, "sqlite")
            cycles = [0] * len(workers)

            def work(index: int) -> None:
                worker = workers[index]
                try:
                    while assignment := assignment_claim_next(worker=worker, project=project):
                        assignment_submit(
                            worker=worker, assignment_id=assignment.pk, answer={"label": "neutral"}
                        )
                        cycles[index] += 1
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=work, args=(i,)) for i in range(len(workers))]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            project.refresh_from_db()
            print(
                f"\nWorker loop on SQLite (file, WAL, IMMEDIATE transactions): 16 threads finish "
                f"{SQLITE_ITEMS} items x overlap {OVERLAP} in process"
            )
            print(
                f"  cycles (next + submit): {sum(cycles)} in {elapsed:.1f} s = "
                f"{sum(cycles) / elapsed:.0f} /s; project {project.status}"
            )
            print("\n".join(correctness(project)))
    print("  HTTP load and the 1,000,000-item figures need PostgreSQL:")
    print(f"  reproduce: {REPRODUCE}")


def run() -> None:
    if connection.vendor != "postgresql":
        sqlite_threads()
        return
    lines = []
    with throwaway_database():
        company = Company.objects.create(name="Bench company", slug="bench-company")
        loop_project = make_project(company, "HTTP loop", ITEMS)
        with override_settings(SECRET_KEY=SECRET_KEY):
            users, tokens = make_workers(WORKERS, "loop")
        if ACCESS == Project.Access.LISTINGS:
            admit_through_a_listing(loop_project, users)
        lines.append(f"  access: {ACCESS} (BENCH_ACCESS)")
        lines += http_load(loop_project, tokens, database_url())
        lines += correctness(loop_project)

        sizes = (10_000, BIG_ITEMS)
        cases = [
            (make_project(company, f"{count} items", count), make_workers(16, f"engine{n}-")[0])
            for n, count in enumerate(sizes)
        ]
        rows = []
        measured = engine_latency(cases)
        small_p95 = measured[0][0]["p95"]
        for count, (figures, claim_q, submit_q) in zip(sizes, measured, strict=True):
            note = f"{claim_q} queries (submit {submit_q})"
            if count != sizes[0]:
                note += f"; p95 {figures['p95'] / small_p95:.2f}x the 10k figure"
            rows.append((f"assignment_claim_next, {count} items", figures, note))
        big_project, big_workers = cases[-1]
        plan = pick_plan(big_project, big_workers[0])
        report(
            f"The engine in process, {RUNS} claims each, the sizes taking turns (PostgreSQL)",
            rows,
        )
        lines += ["  the pick at the largest size (EXPLAIN ANALYZE):", *plan]
    print("\n".join(lines))
    print(f"  reproduce: {REPRODUCE}")
    print("    (BENCH_SECONDS, BENCH_CLIENTS, BENCH_ITEMS, BENCH_BIG_ITEMS and the rest: see the")
    print("     module docstring of bench/task_loop.py)")
    sys.stdout.flush()
