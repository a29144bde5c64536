"""A talk's PDF made into slides by the background worker (`manage.py db_worker`), never by
a process that serves phones: rendering 60 pages takes tens of seconds.

The upload view checks the PDF (size, pages) and queues a `SlideJob`; the worker renders one
page at a time with `pdftoppm` and adds it as a slide at once, writing `pages_done` after each
(the panel shows the progress, and the job's heartbeat). A job silent for STALE_AFTER lost its
worker and is marked failed; the slides already made stay. Each new PDF also sweeps the files
of deleted talks (`slide_files_sweep`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from plenary import services, slides
from plenary.models import Slide, SlideJob
from workshops.models import Activity

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=3)
ACTIVE = (SlideJob.Status.QUEUED, SlideJob.Status.RUNNING)


def slide_job_start(*, activity: Activity, pdf: bytes, pages: int, original_name: str) -> SlideJob:
    """Queue a checked PDF for the background worker, which adds its pages as slides.
    Side effects: the PDF under SLIDES_DIR, a SlideJob row, a task (with the immediate backend
    of the tests, the pages are made right here)."""
    slide_jobs_fail_stale()
    slide_files_sweep()
    source = slides.store(pdf, "pdf")
    with transaction.atomic():
        job = SlideJob.objects.create(
            activity=activity, source=source, original_name=original_name[:200], pages_total=pages
        )
    # Enqueued after the commit: a worker polling the queue always finds the row.
    slide_job_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def slide_files_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the slide files left by deleted talks or rencontres (older than an hour, so a
    file being saved is never taken). Returns how many were deleted."""
    now = now or timezone.now()
    keep = set(Slide.objects.values_list("filename", flat=True))
    keep |= set(SlideJob.objects.values_list("source", flat=True))
    return slides.orphans_remove(keep=keep, before=(now - dt.timedelta(hours=1)).timestamp())


@transaction.atomic
def slide_jobs_fail_stale() -> int:
    """Mark failed the running conversions whose worker stopped (silent for STALE_AFTER)."""
    return SlideJob.objects.filter(
        status=SlideJob.Status.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=SlideJob.Status.FAILED,
        updated_at=timezone.now(),
        error=str(_("La conversion s'est arrêtée en cours de route : envoyez le PDF à nouveau.")),
    )


@task()
def slide_job_task(job_id: int) -> str:
    """The background task: make the job's pages into slides, return its final status."""
    slide_job_run(job_id=job_id)
    return SlideJob.objects.values_list("status", flat=True).get(pk=job_id)


def slide_job_run(*, job_id: int) -> None:
    """Render each page of the job's PDF and add it as a slide, in order.
    Side effects: one Slide (and its file) per page, the job's progress and status; the PDF
    is deleted at the end, whatever happened."""
    claimed = SlideJob.objects.filter(pk=job_id, status=SlideJob.Status.QUEUED).update(
        status=SlideJob.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:  # already run, or deleted with its talk
        return
    job = SlideJob.objects.select_related("activity__step").get(pk=job_id)
    running = SlideJob.objects.filter(pk=job_id, status=SlideJob.Status.RUNNING)
    pdf = slides.path_of(job.source)
    try:
        if pdf is None:
            raise slides.SlideRefused(_("Le PDF envoyé a disparu : envoyez-le à nouveau."))
        for page in range(1, job.pages_total + 1):
            image = slides.render_pdf_page(pdf, page)
            if not Activity.objects.filter(pk=job.activity_id).exists():
                return  # the talk was deleted meanwhile
            services.slide_add_image(activity=job.activity, image=image)
            if not running.update(pages_done=page, updated_at=timezone.now()):
                return  # marked failed as stale meanwhile
        running.update(status=SlideJob.Status.DONE, updated_at=timezone.now())
    except slides.SlideRefused as refusal:
        running.update(status=SlideJob.Status.FAILED, error=refusal.message[:500])
    except Exception:
        logger.exception("Slide job %s failed", job_id)
        running.update(
            status=SlideJob.Status.FAILED,
            error=str(_("Une page de ce PDF n'a pas pu être convertie.")),
            updated_at=timezone.now(),
        )
    finally:
        slides.remove(job.source)
