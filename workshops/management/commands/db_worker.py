"""The background worker: django-tasks' database worker, whose idle looks take no lock.

The library's worker looks for a ready task every `--interval` seconds inside an exclusive
transaction. On SQLite that is the database's write lock, and a phone's answer that meets it
waits in SQLite's busy handler — in the one thread that runs every view of the embedded
server. A worker descheduled while it holds the lock (two cores shared with the server and a
room's phones) turns each look into a stall for the whole room: polled every 0.2 s, 300 taps in
2 s went from p95 0.37 s to 2.8 s (BENCHMARKS.md).

This worker first reads, without a transaction (WAL lets a reader through a writer), whether a
task is ready; only then does it let the library's worker claim and run them, in its batch mode
(until none is ready). Its options are the library's.

The worker runs at a lower CPU priority than the processes that serve phones (`WORKER_NICENESS`,
default 10, added to its niceness at start): on a machine whose cores it shares with them, a
PDF or an import takes the time the room leaves, instead of half of it.
"""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker as library
from django_tasks_db.models import DBTaskResult


class Worker(library.Worker):
    def run(self) -> None:
        if self.batch or self.max_tasks is not None:  # the library's own modes, as they are
            super().run()
            return
        if self.startup_delay and self.interval:
            time.sleep(self.interval * 0.5)  # several workers do not all look at once
        self.startup_delay = False
        self.batch = True  # a pass of the library's loop ends when no task is ready
        while self.running:
            close_old_connections()
            if self.work_ready():
                super().run()
                continue
            time.sleep(self.interval)

    def work_ready(self) -> bool:
        """Whether a task of this worker's queues is ready, read without taking any lock."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks.exists()


class Command(library.Command):
    help = library.Command.help

    def handle(self, *args, **options) -> None:
        # The library's command builds its worker by this module-level name.
        library.Worker = Worker
        # Under the autoreloader the child inherits its parent's niceness: once is enough.
        if settings.WORKER_NICENESS and os.environ.get("DJANGO_AUTORELOAD_ENV") != "true":
            os.nice(settings.WORKER_NICENESS)
        super().handle(*args, **options)
