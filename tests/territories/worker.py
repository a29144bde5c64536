"""The background worker command in its own process, for the tests that need the real one."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


class Worker:
    """`manage.py db_worker` in its own process, as `make demo` and production start it."""

    def __init__(self, env: dict[str, str], log: Path, *, interval: str = "0.2") -> None:
        self._log = log.open("wb")
        self.log = log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                interval,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._log.close()
        return code
