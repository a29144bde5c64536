"""Start the production recipe: the release steps, then every process of deploy/Procfile.

    python deploy/serve.py [--host 127.0.0.1] [--port 8000] [--workers N]

One address, all the cores: `web` is uvicorn with N worker processes (default: one per core)
sharing one listening socket; the channel layer (REDIS_URL) and the database (DATABASE_URL)
join them. SIGTERM or SIGINT is forwarded to every process; a process still running
`--stop-timeout` seconds later is killed with its children. When one process stops on its
own, the others are stopped and this script exits with its status, so that the service
manager (systemd, a container runtime) restarts the whole.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = Path(__file__).resolve().parent / "Procfile"


def read_procfile(path: Path, env: dict[str, str]) -> list[tuple[str, list[str]]]:
    """(name, argv) for each line `name: command`, with $VARIABLES taken from env."""
    entries = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip().isidentifier() or not command.strip():
            raise SystemExit(f"{path}:{number}: expected 'name: command', got {raw!r}")
        argv = [Template(word).safe_substitute(env) for word in shlex.split(command)]
        entries.append((name.strip(), argv))
    return entries


class Supervisor:
    """Runs the release steps, then keeps the other processes up together, or stops them all."""

    def __init__(
        self, entries: list[tuple[str, list[str]]], env: dict[str, str], stop_timeout: float
    ):
        self.entries = entries
        self.env = env
        self.stop_timeout = stop_timeout
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def run(self) -> int:
        for name, argv in self.entries:
            if name == "release":
                print(f"[serve] release: {shlex.join(argv)}", flush=True)
                status = subprocess.run(argv, cwd=ROOT, env=self.env).returncode
                if status != 0 or self.stopping:
                    return status or 1
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        for name, argv in self.entries:
            if name != "release" and not self.stopping:
                # A session of its own: a hard stop can kill the process and its children.
                self.procs[name] = subprocess.Popen(
                    argv, cwd=ROOT, env=self.env, start_new_session=True
                )
                print(
                    f"[serve] {name} (pid {self.procs[name].pid}): {shlex.join(argv)}", flush=True
                )
        status = 0
        while not self.stopping:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    print(f"[serve] {name} exited with status {proc.returncode}", flush=True)
                    status = proc.returncode or 1
                    self.stopping = True
                    break
            else:
                time.sleep(0.2)
        self._stop_all()
        return status

    def _on_signal(self, signum: int, _frame) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"[serve] {name} still running: killed", flush=True)
            # The process and whatever it left behind (uvicorn's workers).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WORKERS") or len(os.sched_getaffinity(0))),
    )
    parser.add_argument(
        "--stop-timeout",
        type=float,
        default=9.0,
        help="seconds between SIGTERM and SIGKILL (default 9: under the 10 s a host gives)",
    )
    parser.add_argument("--procfile", type=Path, default=PROCFILE)
    args = parser.parse_args()
    if args.workers < 1:
        raise SystemExit("--workers must be at least 1")
    if args.workers > 1 and not os.environ.get("REDIS_URL"):
        # Without Redis each process has its own in-memory channel layer: a push would reach
        # only the phones connected to the process that sent it.
        raise SystemExit(
            f"{args.workers} workers need REDIS_URL (shared channel layer); "
            "set it, or start with --workers 1."
        )
    env = dict(os.environ)
    env.update(
        {
            "PYTHON": sys.executable,
            "HOST": args.host,
            "PORT": str(args.port),
            "WORKERS": str(args.workers),
            # uvicorn closes its sockets at once (close code 1012, "service restart"), then
            # gives the application this long to finish: requests in flight, and each closed
            # socket's disconnect handler (a database write, ~15 ms: 300 sockets take ~5 s on
            # one worker). Two seconds are left for the processes to exit.
            "STOP_GRACE": str(max(1, int(args.stop_timeout) - 2)),
            "PYTHONUNBUFFERED": "1",
        }
    )
    sys.exit(Supervisor(read_procfile(args.procfile, env), env, args.stop_timeout).run())


if __name__ == "__main__":
    main()
