#!/usr/bin/env python
"""Fault drill: does every confirmed submission survive a PostgreSQL restart and a killed worker?

Starts Steady the way production runs it (gunicorn, DEBUG off, JSON logs, persistent health-checked
database connections) on 127.0.0.1, with its own PostgreSQL cluster in a temporary directory
(so restarting it disturbs nobody else's database), and for each scenario:

  1. prepares its own clinic, clinician and patients through the ORM and services; for the
     default target, patient-form, one patient link per submission (a link records one form);
  2. sends a bounded stream of form submissions from a few concurrent clients, each with a unique
     submission id, sending the same id again (a bounded number of times) when no confirmation
     arrived, as a patient tapping "Send my answers" again would;
  3. injures the system in the middle of the stream:
       postgres-restart  stops PostgreSQL, waits, starts it again;
       worker-kill       sends SIGKILL to a gunicorn worker;
  4. reads the database back and counts: sent, confirmed, stored, duplicated, lost; and how many
     seconds after PostgreSQL was back (or the worker was killed) /healthz answered 200 again.

The last line printed is the verdict, `verdict: PASS lost=0 duplicated=0` when nothing confirmed was
lost, nothing was stored twice, and the app recovered within --recovery-limit seconds. Exit status:
0 pass, 1 fail, 2 cannot run here. The forms it writes through are adapters in bench/targets.py.

    python bench/drill.py                          # both scenarios, 300 patient forms each
    python bench/drill.py --target clinician-cows  # the clinician's COWS form instead
    python bench/drill.py --scenario worker-kill --count 100
    python bench/drill.py --database-url postgres://postgres@127.0.0.1:5432/steady_drill \\
        --restart-command "pg_ctlcluster --skip-systemctl-redirect 15 main restart"
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import NoAnswer, Session  # noqa: E402
from bench.targets import TARGETS, Rejected  # noqa: E402

SCENARIOS = ("postgres-restart", "worker-kill")
# Waits between sends of one submission that got no confirmation: about 12 s in all, longer
# than the PostgreSQL outage, shorter than a person's patience.
BACKOFF = (0.1, 0.2, 0.4, 0.8, 1.5, 2.0, 2.0, 2.0, 3.0)


def say(line: str = "") -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- PostgreSQL --------------------------------------------------------------------------------


class PrivateCluster:
    """A throwaway PostgreSQL cluster (initdb) on 127.0.0.1, deleted afterwards."""

    def __init__(self, bindir: Path, port: int) -> None:
        self.bindir = bindir
        self.port = port
        self.dir: Path | None = None
        # PostgreSQL refuses to run as root; the drill may be run by root (CI containers).
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/steady_drill"

    def _pg(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")

    def create(self, workdir: Path) -> None:
        self.dir = workdir / "postgresql"
        self.dir.mkdir()
        if self.as_user:
            workdir.chmod(0o755)  # let the postgres user reach its directory
            shutil.chown(self.dir, "postgres", "postgres")
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        self.start()
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "steady_drill")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._pg(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "postgres.log"),
            "-o",
            options,
        )

    def stop(self) -> None:
        # Fast shutdown: open transactions are rolled back and clients disconnected, as in a
        # restart for an upgrade or a failover.
        self._pg("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def outage(self, seconds: float, during) -> None:
        self.stop()
        during()
        time.sleep(seconds)
        self.start()

    def destroy(self) -> None:
        if self.dir is not None and (self.data / "postmaster.pid").exists():
            try:
                self.stop()
            except (RuntimeError, subprocess.SubprocessError):
                pass


class ExistingServer:
    """A PostgreSQL server the drill does not own, restarted with a command the operator gives."""

    def __init__(self, url: str, restart_command: str | None) -> None:
        self.url = url
        self.restart_command = restart_command

    def create(self, workdir: Path) -> None:
        pass

    def outage(self, seconds: float, during) -> None:
        # One command stops and starts it: there is no moment to look at /healthz in between.
        # The operator's own command line, as they would type it.
        subprocess.run(self.restart_command, shell=True, check=True, timeout=120)  # nosec B602

    def destroy(self) -> None:
        pass


def postgres_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent  # Debian links some tools into /usr/local/bin, not all
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


# --- gunicorn ----------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "clinic.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def workers(self) -> list[int]:
        """Worker pids: the master's children."""
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.split("/")[2]))
        return sorted(children)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def healthz(port: int) -> int | None:
    try:
        return Session("127.0.0.1", port, timeout=2).get("/healthz").status
    except NoAnswer:
        return None


def wait_for_health(port: int, limit: float) -> float | None:
    """Seconds until /healthz answers 200, or None if it did not within `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if healthz(port) == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    return None


# --- one scenario ------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    sent: int = 0
    confirmed: int = 0
    stored: int = 0
    duplicated: int = 0
    lost: int = 0
    unconfirmed: int = 0
    resent: int = 0  # sends of a submission id that had already been sent once
    no_answer: int = 0  # sends that got no HTTP response at all
    server_errors: int = 0  # sends answered 5xx
    rejected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the target's own remarks
    fault: str = ""
    health_while_down: str = ""
    recovery: float | None = None
    seconds: float = 0.0
    private: tuple[str, ...] = ()  # the patients' names and record numbers: never in a log line


def run_scenario(scenario: str, target, server, gunicorn: Gunicorn, port: int, args) -> Result:
    from django.db import connections

    result = Result(scenario)
    stream = target.prepare(scenario.split("-")[0], args.count)
    result.private = stream.private
    connections.close_all()  # the drill's own connection must not outlive a restart

    sessions = []
    for _ in range(args.clients):
        session = Session("127.0.0.1", port)
        target.open_session(session, stream)
        sessions.append(session)

    sent_ids: dict[int, uuid.UUID] = {}
    confirmed: set[int] = set()
    lock = threading.Lock()
    numbers = iter(range(args.count))
    done = 0
    fault_due = threading.Event()
    started = time.monotonic()
    deadline = started + args.time_limit

    def client(session: Session) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            with lock:
                n = next(numbers, None)
                if n is None:
                    return
                submission_id = sent_ids[n] = uuid.uuid4()
            for attempt in range(len(BACKOFF) + 1):
                if attempt:
                    with lock:
                        result.resent += 1
                try:
                    ok = target.submit(session, stream, n, submission_id)
                except NoAnswer:
                    ok = False
                    with lock:
                        result.no_answer += 1
                except Rejected as refusal:
                    with lock:
                        result.rejected.append(f"#{n}: {refusal}")
                    break
                else:
                    if not ok:
                        with lock:
                            result.server_errors += 1
                if ok:
                    with lock:
                        confirmed.add(n)
                    break
                if attempt < len(BACKOFF) and time.monotonic() < deadline:
                    time.sleep(BACKOFF[attempt])
                else:
                    break
            with lock:
                done += 1
                if done == int(args.count * args.fault_at):
                    fault_due.set()

    def injure() -> None:
        fault_due.wait()
        if scenario == "postgres-restart":

            def check_while_down() -> None:
                time.sleep(0.2)
                status = healthz(port)
                result.health_while_down = f"/healthz answered {status} while PostgreSQL was down"

            server.outage(args.outage, check_while_down)
            result.fault = f"PostgreSQL stopped for {args.outage:.1f} s after {done} of {args.count} submissions"
            result.recovery = wait_for_health(port, args.recovery_limit * 3)
        else:
            victim = gunicorn.workers()[0]
            os.kill(victim, signal.SIGKILL)
            result.fault = f"gunicorn worker {victim} killed (SIGKILL) after {done} of {args.count} submissions"
            result.recovery = wait_for_health(port, args.recovery_limit * 3)
            replaced = time.monotonic()
            while victim in gunicorn.workers() or len(gunicorn.workers()) < args.workers:
                if time.monotonic() - replaced > args.recovery_limit * 3:
                    result.fault += "; it was NOT replaced"
                    break
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    injurer = threading.Thread(target=injure, daemon=True)
    injurer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fault_due.set()  # a stream cut short by the time limit still gets its fault
    injurer.join(timeout=args.recovery_limit * 6)
    result.seconds = time.monotonic() - started

    connections.close_all()
    rows = target.stored(stream)
    matching = {n for submission_id, n in rows if n in sent_ids and str(sent_ids[n]) == submission_id}
    result.sent = len(sent_ids)
    result.confirmed = len(confirmed)
    result.stored = len(matching)
    result.duplicated = len(rows) - len(matching)  # second copies, and rows nobody sent
    result.lost = len(confirmed - matching)
    result.unconfirmed = result.sent - result.confirmed
    result.notes = target.notes(stream)
    return result


def report(result: Result, args) -> bool:
    say(f"scenario: {result.scenario} ({result.fault})")
    for name in ("sent", "confirmed", "stored", "duplicated", "lost", "unconfirmed"):
        say(f"  {name:<12} {getattr(result, name)}")
    say(f"  {'resent':<12} {result.resent} (no answer {result.no_answer}, server error {result.server_errors})")
    for note in result.notes:
        say(f"  {note}")
    if result.health_while_down:
        say(f"  {result.health_while_down}")
    recovery = "never" if result.recovery is None else f"{result.recovery:.2f} s"
    after = "after PostgreSQL was back" if result.scenario == "postgres-restart" else "after the kill"
    say(f"  recovery     /healthz 200 again {recovery} {after}")
    say(f"  took         {result.seconds:.1f} s")
    for refusal in result.rejected[:5]:
        say(f"  REJECTED {refusal}")
    recovered = result.recovery is not None and result.recovery <= args.recovery_limit
    return recovered and not result.rejected and result.lost == 0 and result.duplicated == 0


def check_logs(log: Path, secrets_to_hide: list[str]) -> tuple[bool, str]:
    lines = log.read_text(errors="replace").splitlines()
    not_json = 0
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            not_json += 1
    leaked = [word for word in secrets_to_hide if any(word in line for line in lines)]
    summary = f"logs: {len(lines)} lines, {not_json} not JSON, patient names or record numbers found: {len(leaked)}"
    return not leaked, summary


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="targets: " + "; ".join(f"{t.name}: {t.description}" for t in TARGETS.values()),
    )
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--target", choices=sorted(TARGETS), default="patient-form")
    parser.add_argument("--count", type=int, default=300, help="submissions per scenario (default 300)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn workers (WEB_CONCURRENCY); few, so a killed one is busy (default 2)",
    )
    parser.add_argument("--fault-at", type=float, default=1 / 3, help="fraction of the stream sent before the fault")
    parser.add_argument("--outage", type=float, default=2.0, help="seconds PostgreSQL stays down (default 2)")
    parser.add_argument(
        "--recovery-limit",
        type=float,
        default=10.0,
        help="seconds within which /healthz must answer 200 again (default 10)",
    )
    parser.add_argument("--time-limit", type=float, default=90.0, help="seconds of sending per scenario at most")
    parser.add_argument("--save-log", type=Path, help="keep gunicorn's log (JSON lines) in this file")
    parser.add_argument("--database-url", help="use this PostgreSQL database instead of a private cluster")
    parser.add_argument("--restart-command", help="shell command that restarts the --database-url server")
    args = parser.parse_args(argv)
    if not 0 < args.fault_at < 1 or args.count < 1 or args.count > 5000 or args.clients < 1 or args.clients > 32:
        parser.error("--count 1..5000, --clients 1..32, --fault-at between 0 and 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios = SCENARIOS if args.scenario == "all" else (args.scenario,)
    http_port = free_port()
    if args.database_url:
        if "postgres-restart" in scenarios and not args.restart_command:
            say("cannot run: postgres-restart with --database-url needs --restart-command")
            return 2
        server = ExistingServer(args.database_url, args.restart_command)
    else:
        bindir = postgres_bindir()
        if bindir is None:
            say("cannot run: no PostgreSQL server binaries (initdb) found; install postgresql or pass --database-url")
            return 2
        server = PrivateCluster(bindir, free_port())

    target = TARGETS[args.target]
    # Production settings, for the app servers and for this process's ORM alike.
    args.raised = target.environment(args.count, len(BACKOFF) + 1)
    os.environ.update(args.raised)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": server.url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"https://127.0.0.1:{http_port}",
            "TRUST_X_FORWARDED_PROTO": "1",  # the drill speaks as the TLS proxy would
            "REQUIRE_2FA": "0",  # the drill's clinician has no second factor
            "LOG_FORMAT": "json",
            "BIND": f"127.0.0.1:{http_port}",
            "WEB_CONCURRENCY": str(args.workers),
        }
    )
    import django

    django.setup()
    missing = target.missing()
    if missing:
        say(f"cannot run: {missing}")
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="steady-drill-"))
    try:
        return drill(args, scenarios, target, server, http_port, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def drill(args, scenarios, target, server, http_port: int, workdir: Path) -> int:
    from django.core.management import call_command

    say(
        f"drill: target {target.name}, {args.count} submissions per scenario from {args.clients} clients, "
        f"gunicorn with {args.workers} workers on 127.0.0.1:{http_port}"
    )
    if args.raised:
        say("  settings for the drill's servers only: " + " ".join(f"{k}={v}" for k, v in args.raised.items()))
    log = workdir / "gunicorn.log"
    gunicorn = Gunicorn(dict(os.environ), log)
    results: list[Result] = []
    passed = True
    try:
        server.create(workdir)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        gunicorn.start()
        if wait_for_health(http_port, 30) is None:
            say("cannot run: gunicorn did not answer /healthz within 30 s; its log:")
            say(log.read_text(errors="replace")[-3000:])
            return 2
        for scenario in scenarios:
            try:
                result = run_scenario(scenario, target, server, gunicorn, http_port, args)
            except Rejected as refusal:  # sign-in or the form page itself refused: nothing to drill
                say(f"cannot run: {refusal}")
                return 2
            results.append(result)
            passed = report(result, args) and passed
    finally:
        gunicorn.stop()
        server.destroy()
    clean, summary = check_logs(log, [word for result in results for word in result.private])
    say(summary)
    if args.save_log:
        shutil.copyfile(log, args.save_log)
    passed = passed and clean
    lost = sum(r.lost for r in results)
    duplicated = sum(r.duplicated for r in results)
    say(f"verdict: {'PASS' if passed else 'FAIL'} lost={lost} duplicated={duplicated}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
