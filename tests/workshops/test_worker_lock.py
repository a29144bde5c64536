"""The background worker's idle looks take no lock: on SQLite, a writer (a phone's answer in
the embedded server) never meets the worker holding the write lock while no task is waiting.
And it runs at a lower CPU priority than the processes that serve phones."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from tests.conftest import manage, server_env, sqlite_url
from tests.territories.worker import Worker

pytestmark = pytest.mark.slow


def probe_writes(database, seconds: float) -> tuple[int, int]:
    """Write transactions for `seconds` that never wait for the lock: (done, refused)."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    done = refused = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO probe VALUES (?)", (time.time(),))
            connection.execute("COMMIT")
            done += 1
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            refused += 1
            if connection.in_transaction:
                connection.rollback()
        time.sleep(0.001)
    connection.close()
    return done, refused


def test_an_idle_worker_never_holds_the_write_lock(tmp_path):
    database = tmp_path / "worker.sqlite3"
    env = server_env(DATABASE_URL=f"sqlite:///{database}")
    manage(env, "migrate", "--noinput", "-v0")
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE probe (at REAL)")
    worker = Worker(env, tmp_path / "worker.log", interval="0.002")  # 500 looks a second
    try:
        time.sleep(2)
        assert worker.proc.poll() is None, worker.log.read_text()
        done, refused = probe_writes(database, 3)
        assert worker.proc.poll() is None, worker.log.read_text()
    finally:
        worker.stop()
    assert done > 300
    assert refused == 0


def test_the_worker_runs_below_the_processes_that_serve_phones(tmp_path, migrated_sqlite):
    """A PDF or an import takes the CPU time the room leaves: the worker raises its niceness
    by WORKER_NICENESS at start (the web processes keep theirs)."""
    env = server_env(
        DATABASE_URL=sqlite_url(migrated_sqlite, tmp_path / "nice.sqlite3"), WORKER_NICENESS="7"
    )
    own = os.getpriority(os.PRIO_PROCESS, 0)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 60
        niceness = own
        while niceness == own and time.monotonic() < deadline:
            assert worker.proc.poll() is None, worker.log.read_text()
            time.sleep(0.1)
            niceness = os.getpriority(os.PRIO_PROCESS, worker.proc.pid)
    finally:
        worker.stop()
    assert niceness == min(19, own + 7)
