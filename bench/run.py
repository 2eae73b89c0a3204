#!/usr/bin/env python
"""Benchmark: Steady at clinic scale, the way production runs it, on this machine. Not a test.

In one run it:

  1. seeds (or reuses) a PostgreSQL database with the synthetic clinic (seed_synthetic:
     10,000 patients, 50 assessments each by default);
  2. starts gunicorn with the production settings (DEBUG off, gunicorn.conf.py, JSON logs) on
     127.0.0.1, with worker recycling off (--max-requests 0) so memory shows real growth;
  3. signs in once per simulated staff user (Argon2 is slow on purpose, so never per request);
  4. measures, at a fixed concurrency (8 client threads by default), each endpoint in turn for a
     bounded number of requests and seconds: /healthz, the dashboard (supervisor, clinic-wide),
     the patient list, a patient page with 50 assessments, and the patient form submission
     through the patient-link flow (links issued in the database by patient_link_issue; each
     simulated patient opens its own link from its own loopback address, confirms the date of
     birth, and sends the form once);
  5. reads every worker's resident memory (VmRSS) after the run, and checks in the database
     that every confirmed submission was stored exactly once.

It prints a table with p50, p95, throughput and each p95's ratio to /healthz's p95, then the
targets. All load goes to 127.0.0.1 and stops by itself.

    python bench/run.py                                  # the full-size run
    python bench/run.py --patients 1000 --requests 200   # a quick look
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/steady_bench python bench/run.py --reseed
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import NoAnswer, Session  # noqa: E402
from bench.drill import Gunicorn, free_port, wait_for_health  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/steady_bench"
SUBMISSION_ID = re.compile(r'name="submission_id" value="([^"]+)"')

# p95 limits in ms (None: no latency target) and their words for the report.
TARGETS = {
    "dashboard": "p95 ≤ 150 ms and ≤ 8 × /healthz p95",
    "patient list": "p95 ≤ 80 ms",
    "patient page": "p95 ≤ 80 ms",
    "form submission": "≥ 100 submissions/s, none lost or duplicated",
}


def say(line: str = "") -> None:
    print(line, flush=True)


@dataclass
class Measured:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    app_cpu: float = 0.0  # CPU seconds the gunicorn workers spent during the measurement
    db_cpu: float = 0.0  # CPU seconds this database's PostgreSQL backends spent meanwhile
    sent: int = 0  # HTTP requests behind the measurement (the link flow makes three per patient)

    def cpu_ms(self, seconds: float) -> float:
        return seconds / self.sent * 1000 if self.sent else float("nan")

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


class CpuMeter:
    """CPU time used by the gunicorn workers and by the PostgreSQL backends serving our database.

    Read from /proc, so it counts what these processes used whatever else the machine was
    doing: other work slows the latencies down but does not change these figures.
    """

    def __init__(self, gunicorn, database: str) -> None:
        self.gunicorn = gunicorn
        self.database = database

    @staticmethod
    def _cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _backends(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {self.database} " in title:
                pids.append(int(entry.name))
        return pids

    def read(self) -> tuple[dict[int, float], dict[int, float]]:
        return (
            {pid: self._cpu(pid) for pid in self.gunicorn.workers()},
            {pid: self._cpu(pid) for pid in self._backends()},
        )

    @staticmethod
    def spent(before: tuple, after: tuple) -> tuple[float, float]:
        return tuple(
            sum(now - start.get(pid, 0.0) for pid, now in b.items()) for start, b in zip(before, after, strict=False)
        )


METER: CpuMeter | None = None


def run_load(
    name: str, path_label: str, sessions: list, send, *, requests: int, time_limit: float, warmup: int
) -> Measured:
    """Each session in its own thread calls send(session, n) until `requests` were sent or time ran out.

    `send` returns None on success or a short error. Latency is measured around `send`.
    """
    result = Measured(name, path_label)
    lock = threading.Lock()
    numbers = iter(range(requests + warmup))

    def worker(session) -> None:
        while True:
            with lock:
                n = next(numbers, None)
            if n is None or time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                error = send(session, n)
            except NoAnswer as exc:
                error = f"no answer: {exc}"
            took = time.perf_counter() - started
            if n < warmup:
                continue  # first requests warm connections and caches; not counted
            with lock:
                if error is None:
                    result.latencies.append(took)
                else:
                    result.errors.append(error)

    deadline = time.monotonic() + time_limit
    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    cpu_before = METER.read() if METER else None
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - begun
    if METER:
        result.app_cpu, result.db_cpu = CpuMeter.spent(cpu_before, METER.read())
    result.sent = result.count + len(result.errors) + warmup
    return result


def get_ok(path_for):
    def send(session: Session, n: int) -> str | None:
        response = session.get(path_for(n))
        return None if response.status == 200 else f"{response.status} {response.location}"

    return send


# --- setting up ----------------------------------------------------------------------------------


def prepare_database(args) -> dict:
    """Seed if needed; give the synthetic staff the bench's password; pick patients; issue links."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from clinic.accounts.models import User
    from clinic.dashboard.synthetic import CLINIC_NAME, SUPERVISOR
    from clinic.patients.models import Patient
    from clinic.selfreport.services import patient_link_issue

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    have = Patient.objects.filter(clinic__name=CLINIC_NAME).count()
    if args.reseed or have != args.patients:
        say(
            f"seeding: {args.patients} patients, {args.assessments_per_patient} assessments each "
            f"(found {have} synthetic patients)"
        )
        started = time.monotonic()
        call_command(
            "seed_synthetic",
            patients=args.patients,
            assessments_per_patient=args.assessments_per_patient,
            reset=have > 0,
            password=secrets.token_urlsafe(16),
            stdout=sys.stdout,
        )
        say(f"seeded in {time.monotonic() - started:.0f} s")
    else:
        say(f"reusing the synthetic clinic in the database ({have} patients)")

    password = secrets.token_urlsafe(18)
    supervisor = User.objects.get(username=SUPERVISOR)
    User.objects.filter(pk=supervisor.pk).update(password=make_password(password))
    patients = Patient.objects.filter(clinic__name=CLINIC_NAME).exclude(status="discharged")
    # A patient page with exactly the configured number of assessments, several of them in turn.
    pages = list(patients.order_by("pk").values_list("pk", flat=True)[:50])

    # One waiting link per simulated patient, each for a different patient, issued as staff would.
    say(f"issuing {args.submissions} patient links")
    chosen = list(patients.order_by("?").select_related("clinic", "assigned_clinician")[: args.submissions])
    links = []
    for patient in chosen:
        link, token = patient_link_issue(
            request=None, patient=patient, created_by=patient.assigned_clinician or supervisor, valid_hours=2
        )
        links.append((link.pk, token, patient.date_of_birth))
    return {
        "username": supervisor.username,
        "password": password,
        "pages": pages,
        "links": links,
    }


def sign_in(port: int, username: str, password: str) -> Session:
    session = Session("127.0.0.1", port, timeout=30)
    token = session.get("/sign-in/").csrf_token()
    response = session.post("/sign-in/", {"csrfmiddlewaretoken": token, "username": username, "password": password})
    if response.status != 302 or "/sign-in/" in response.location:
        raise SystemExit(f"cannot run: signing in as {username} failed (status {response.status})")
    return session


def patient_address(n: int) -> str:
    """A loopback address of its own for simulated patient n (127.1.0.1, 127.1.0.2, ...)."""
    return f"127.1.{n // 250}.{n % 250 + 1}"


@dataclass
class PatientVisit:
    """One simulated patient's browser, up to the filled-in form."""

    link_id: int
    session: Session
    form: dict[str, str] = field(default_factory=dict)
    confirmed: bool = False


def open_and_confirm(port: int, n: int, token: str, born) -> tuple[PatientVisit, str | None]:
    """Open the link, confirm the date of birth, load the form. Returns the visit and an error or None."""
    from clinic.assessments.instruments import SOWS

    session = Session("127.0.0.1", port, timeout=30, source=patient_address(n))
    visit = PatientVisit(0, session)
    start = session.get(f"/p/{token}/")
    if start.status != 200:
        return visit, f"start page {start.status}"
    confirm = session.post(
        f"/p/{token}/",
        {
            "csrfmiddlewaretoken": start.csrf_token(),
            "month": str(born.month),
            "day": str(born.day),
            "year": str(born.year),
        },
    )
    if confirm.status != 302 or not confirm.location.endswith("/p/form/"):
        return visit, f"date of birth {confirm.status}"
    page = session.get("/p/form/")
    found = SUBMISSION_ID.search(page.body)
    if page.status != 200 or found is None:
        return visit, f"form page {page.status}"
    visit.form = {"csrfmiddlewaretoken": page.csrf_token(), "submission_id": found.group(1)}
    visit.form.update({item.key: str((n + i) % 5) for i, item in enumerate(SOWS.items)})
    visit.form["last_use"] = "12_24h"  # the question about last use every form asks
    return visit, None


# --- the run -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--assessments-per-patient", type=int, default=50)
    parser.add_argument("--reseed", action="store_true", help="build the synthetic clinic again even if it exists")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--requests", type=int, default=1000, help="requests per page measured (default 1000)")
    parser.add_argument("--dashboard-requests", type=int, default=400, help="dashboard requests (default 400)")
    parser.add_argument("--submissions", type=int, default=2000, help="patient form submissions (default 2000)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per endpoint at most")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's)")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the benchmark runs on PostgreSQL: pass --database-url postgres://...")
    if not 1 <= args.concurrency <= 32 or args.requests < 1 or args.submissions < 1:
        parser.error("--concurrency 1..32, --requests and --submissions at least 1")

    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": args.database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "TRUST_X_FORWARDED_PROTO": "1",  # the bench speaks as the TLS proxy would (X-Forwarded-Proto: https)
        "FORWARDED_ALLOW_IPS": "*",  # simulated patients send from 127.1.x.y; all of it is loopback
        "REQUIRE_2FA": "0",  # the synthetic supervisor has no second factor
        "LOG_FORMAT": "json",
        "BIND": f"127.0.0.1:{port}",
        # Worker recycling off, so the memory reading shows what 10,000 requests really leave behind.
        "GUNICORN_CMD_ARGS": "--max-requests 0",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    os.environ.update(env)
    import django

    django.setup()
    workdir = Path(tempfile.mkdtemp(prefix="steady-bench-"))
    try:
        return bench(args, port, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bench(args, port: int, workdir: Path) -> int:
    from django.db import connections

    prepared = prepare_database(args)
    connections.close_all()
    log = workdir / "gunicorn.log"
    gunicorn = Gunicorn(dict(os.environ), log)
    gunicorn.start()
    try:
        if wait_for_health(port, 60) is None:
            say("cannot run: gunicorn did not answer /healthz within 60 s; its log:")
            say(log.read_text(errors="replace")[-3000:])
            return 2
        workers = gunicorn.workers()
        say(f"gunicorn on 127.0.0.1:{port}: {len(workers)} workers, worker recycling off")
        global METER
        METER = CpuMeter(gunicorn, args.database_url.rsplit("/", 1)[-1].split("?")[0])
        client_cpu = sum(os.times()[:2])
        begun = time.monotonic()
        results, served, submissions, since = measure(args, port, prepared)
        client_cpu = sum(os.times()[:2]) - client_cpu
        wall = time.monotonic() - begun
        memory = {pid: _rss_mib(pid) for pid in gunicorn.workers()}
    finally:
        gunicorn.stop()
    check = check_submissions(prepared, submissions, since)
    report(args, results, memory, served, check)
    say(f"the bench client itself used {client_cpu:.1f} s of CPU in {wall:.0f} s of measuring, on the same cores")
    return 0 if check["lost"] == 0 and check["duplicated"] == 0 and not any(r.errors for r in results) else 1


def measure(args, port: int, prepared: dict):
    from django.utils import timezone

    staff = [sign_in(port, prepared["username"], prepared["password"]) for _ in range(args.concurrency)]
    say(f"signed in {len(staff)} simulated staff users (sessions of {prepared['username']})")
    anonymous = [Session("127.0.0.1", port, timeout=30) for _ in range(args.concurrency)]
    pages = prepared["pages"]
    warmup = 2 * args.concurrency
    plan = [
        ("/healthz", "/healthz", anonymous, get_ok(lambda n: "/healthz"), args.requests),
        ("dashboard", "/dashboard/", staff, get_ok(lambda n: "/dashboard/"), args.dashboard_requests),
        ("patient list", "/patients/", staff, get_ok(lambda n: "/patients/"), args.requests),
        (
            "patient page",
            "/patients/<pk>/",
            staff,
            get_ok(lambda n: f"/patients/{pages[n % len(pages)]}/"),
            args.requests,
        ),
    ]
    results = []
    served = 0
    for name, label, sessions, send, count in plan:
        say(f"measuring {name}: {count} requests from {len(sessions)} clients")
        result = run_load(name, label, sessions, send, requests=count, time_limit=args.time_limit, warmup=warmup)
        served += result.count + len(result.errors) + warmup
        results.append(result)

    # The patients: open the link and confirm the date of birth (three requests each), measured as
    # one step, then every prepared form is sent once, all at the same concurrency.
    links = prepared["links"]
    visits: list[PatientVisit | None] = [None] * len(links)
    lock = threading.Lock()
    queue = iter(range(len(links)))
    opening = Measured("link open + date of birth", "/p/<token>/ ×2, /p/form/")

    def open_worker() -> None:
        while True:
            with lock:
                n = next(queue, None)
            if n is None:
                return
            link_id, token, born = links[n]
            started = time.perf_counter()
            try:
                visit, error = open_and_confirm(port, n, token, born)
            except NoAnswer as exc:
                visit, error = None, f"no answer: {exc}"
            took = time.perf_counter() - started
            with lock:
                if error is None:
                    visit.link_id = link_id
                    visits[n] = visit
                    opening.latencies.append(took)
                else:
                    opening.errors.append(error)

    say(f"measuring the patient link flow: {len(links)} patients open their link and confirm their date of birth")
    cpu_before = METER.read()
    begun = time.monotonic()
    openers = [threading.Thread(target=open_worker) for _ in range(args.concurrency)]
    for thread in openers:
        thread.start()
    for thread in openers:
        thread.join()
    opening.seconds = time.monotonic() - begun
    opening.app_cpu, opening.db_cpu = CpuMeter.spent(cpu_before, METER.read())
    opening.sent = 3 * len(links)
    served += 3 * len(links)
    ready = [v for v in visits if v is not None]

    def submit(visit: PatientVisit, n: int) -> str | None:
        response = visit.session.post("/p/form/", visit.form)
        if response.status == 302 and response.location.endswith("/p/thanks/"):
            visit.confirmed = True
            return None
        return f"{response.status} {response.location}"

    say(f"measuring {len(ready)} form submissions")
    sending = Measured("form submission", "POST /p/form/")
    position = iter(range(len(ready)))

    def submit_worker() -> None:
        while True:
            with lock:
                n = next(position, None)
            if n is None:
                return
            visit = ready[n]
            started = time.perf_counter()
            try:
                error = submit(visit, n)
            except NoAnswer as exc:
                error = f"no answer: {exc}"
            took = time.perf_counter() - started
            with lock:
                (sending.latencies.append(took) if error is None else sending.errors.append(error))

    since = timezone.now()
    cpu_before = METER.read()
    begun = time.monotonic()
    senders = [threading.Thread(target=submit_worker) for _ in range(args.concurrency)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    sending.seconds = time.monotonic() - begun
    sending.app_cpu, sending.db_cpu = CpuMeter.spent(cpu_before, METER.read())
    sending.sent = len(ready)
    served += len(ready)
    results += [opening, sending]
    return results, served, ready, since


def check_submissions(prepared: dict, visits: list[PatientVisit], since) -> dict:
    """Every confirmed form stored exactly once, under its own link, with its own submission id.

    Read back from the database: a confirmed form whose row is missing is lost; any second row
    for a patient from this run (whatever its submission id) is a duplicate.
    """
    from django.db import connections

    from clinic.assessments.models import Assessment
    from clinic.selfreport.models import PatientLink

    connections.close_all()
    by_link = {v.link_id: v for v in visits}
    links = PatientLink.objects.filter(pk__in=list(by_link)).values_list(
        "pk", "patient_id", "assessment__submission_id"
    )
    patient_of = {pk: patient for pk, patient, _ in links}
    stored_under = {pk: str(sid) for pk, _, sid in links if sid is not None}
    rows = list(
        Assessment.objects.filter(
            patient_id__in=set(patient_of.values()), completed_by="patient", created_at__gte=since
        ).values_list("patient_id", "submission_id")
    )
    confirmed = [v for v in visits if v.confirmed]
    lost = [v for v in confirmed if stored_under.get(v.link_id) != v.form["submission_id"]]
    return {
        "sent": len(visits),
        "confirmed": len(confirmed),
        "stored": len(rows),
        "lost": len(lost),
        "duplicated": len(rows) - len({patient for patient, _ in rows}),
    }


def _rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _machine() -> str:
    cores = os.cpu_count()
    memory = ""
    try:
        kib = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()
    return f"{cores} cores{memory}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end"


def report(args, results: list[Measured], memory: dict, served: int, check: dict) -> None:
    from django.db import connection

    healthz = results[0].percentile(95)
    say()
    say(f"machine: {_machine()}; PostgreSQL {connection.cursor().connection.info.server_version // 10000}")
    say(
        f"data: {args.patients} patients, {args.assessments_per_patient} assessments each; "
        f"concurrency {args.concurrency}"
    )
    say()
    header = (
        f"{'endpoint':<28} {'ok':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'p95/healthz':>12}"
        f" {'app CPU ms':>11} {'db CPU ms':>10}"
    )
    say(header)
    say("-" * len(header))
    for r in results:
        ratio = r.percentile(95) / healthz if healthz else float("nan")
        say(
            f"{r.name:<28} {r.count:>6} {len(r.errors):>6} {r.percentile(50):>8.1f} {r.percentile(95):>8.1f} "
            f"{r.throughput:>8.1f} {ratio:>12.1f} {r.cpu_ms(r.app_cpu):>11.1f} {r.cpu_ms(r.db_cpu):>10.1f}"
        )
    say(
        "(app and db CPU: milliseconds of CPU per HTTP request, gunicorn workers and PostgreSQL backends;"
        " the link flow makes 3 requests per patient)"
    )
    say()
    for r in results:
        for error in sorted(set(r.errors))[:3]:
            say(f"  error on {r.name}: {error}")
    say(
        f"submissions: sent {check['sent']}, confirmed {check['confirmed']}, stored {check['stored']}, "
        f"lost {check['lost']}, duplicated {check['duplicated']}"
    )
    rss = [m for m in memory.values() if m is not None]
    say(
        f"memory after {served} requests: "
        + ", ".join(f"{m:.0f} MiB" for m in sorted(rss))
        + f" per worker (max {max(rss):.0f} MiB)"
        if rss
        else "memory: no workers found"
    )
    say()
    by_name = {r.name: r for r in results}
    dashboard, page, listing, sending = (
        by_name[n] for n in ("dashboard", "patient page", "patient list", "form submission")
    )
    verdicts = [
        ("dashboard p95 ≤ 150 ms", dashboard.percentile(95) <= 150, f"{dashboard.percentile(95):.0f} ms"),
        (
            "dashboard p95 ≤ 8 × /healthz p95",
            dashboard.percentile(95) <= 8 * healthz,
            f"{dashboard.percentile(95) / healthz:.1f} ×",
        ),
        ("patient list p95 ≤ 80 ms", listing.percentile(95) <= 80, f"{listing.percentile(95):.0f} ms"),
        ("patient page p95 ≤ 80 ms", page.percentile(95) <= 80, f"{page.percentile(95):.0f} ms"),
        ("≥ 100 submissions/s", sending.throughput >= 100, f"{sending.throughput:.0f}/s"),
        (
            "no submission lost or duplicated",
            check["lost"] == 0 and check["duplicated"] == 0,
            f"lost {check['lost']}, duplicated {check['duplicated']}",
        ),
        (
            f"≤ 150 MiB per worker after {served} requests",
            bool(rss) and max(rss) <= 150,
            f"max {max(rss):.0f} MiB" if rss else "-",
        ),
    ]
    for target, met, measured in verdicts:
        say(f"{'MET    ' if met else 'MISSED '} {target:<44} {measured}")
    if served < 10_000:
        say(f"note: {served} requests in all, fewer than the 10,000 the memory target speaks of")


if __name__ == "__main__":
    sys.exit(main())
