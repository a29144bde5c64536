"""The background worker's tasks: the PDF debrief, the daily purge, the participants' e-mails
(their sheet when the rencontre ends, retried on failure, sent once).

The PDF debrief is made by the background worker (`manage.py db_worker`), never by a process
that serves phones (a 300-participant PDF takes seconds of CPU).

A click queues a `DebriefJob`; the worker renders the debrief's HTML, fingerprints it
(`debrief.debrief_fingerprint`) and, when an earlier file of the same rencontre has that
fingerprint, reuses it without running WeasyPrint; otherwise it writes a new file under
settings.DEBRIEF_DIR. The job's `updated_at` is written between the phases of the work: a
running job silent for `STALE_AFTER` lost its worker (killed, machine restarted) and is marked
failed with its reason; a new click starts it again.

The organiser's exports (each CSV table, the whole rencontre as JSON) are `DebriefJob`s too
(`what`), made the same way: the worker builds the file, fingerprints its bytes and keeps the
earlier file when nothing changed (its link stays valid), else writes a new one under
settings.DEBRIEF_DIR/<rencontre>/exports/ and deletes the older one of that export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task

from workshops import debrief, services, sheet
from workshops.models import DebriefJob, MailSent, Participant, Rencontre

logger = logging.getLogger(__name__)

# A 300-participant PDF takes 8 s alone and under 30 s on a busy machine; its longest phase
# (WeasyPrint's layout) writes no heartbeat, so the bound is generous.
STALE_AFTER = dt.timedelta(minutes=3)


def debrief_path(job: DebriefJob) -> Path | None:
    """The job's file when it is there (a later PDF of the rencontre may have replaced it)."""
    if job.status != DebriefJob.Status.DONE or not job.filename:
        return None
    path = Path(settings.DEBRIEF_DIR) / job.filename
    return path if path.is_file() else None


def debrief_job_active(rencontre: Rencontre, what: str = DebriefJob.PDF) -> DebriefJob | None:
    """The rencontre's file (`what`: the PDF by default) being prepared, if any."""
    return DebriefJob.objects.filter(
        rencontre=rencontre,
        what=what,
        status__in=[DebriefJob.Status.QUEUED, DebriefJob.Status.RUNNING],
    ).first()


def export_job_active(rencontre: Rencontre) -> DebriefJob | None:
    """The rencontre's latest export being prepared, if any (for the panel)."""
    return (
        DebriefJob.objects.filter(
            rencontre=rencontre, status__in=[DebriefJob.Status.QUEUED, DebriefJob.Status.RUNNING]
        )
        .exclude(what=DebriefJob.PDF)
        .first()
    )


def debrief_job_start(
    *,
    rencontre: Rencontre,
    user: AbstractBaseUser | AnonymousUser,
    language: str,
    what: str = DebriefJob.PDF,
) -> DebriefJob:
    """Queue a file of the rencontre (its PDF, or an export: `what`) for the background
    worker, or return the one already queued or running (a double click makes one file).
    Side effects: running jobs whose worker stopped are marked failed; a DebriefJob row and a
    task are created. With the immediate backend (tests) the file is made right here."""
    debrief_jobs_fail_stale()
    with transaction.atomic():
        Rencontre.objects.select_for_update().filter(pk=rencontre.pk).first()
        active = debrief_job_active(rencontre, what)
        if active is not None:
            return active
        job = DebriefJob.objects.create(
            rencontre=rencontre,
            what=what,
            language=language[:10],
            created_by=user if user.is_authenticated else None,
        )
    # Enqueued after the commit: a worker polling the queue always finds the row.
    result = debrief_job_task.enqueue(job.pk)
    DebriefJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


@transaction.atomic
def debrief_jobs_fail_stale() -> int:
    """Mark failed the running jobs whose worker stopped (silent for STALE_AFTER).
    Side effects: those jobs' status and error; the rencontre is never touched by a job."""
    return DebriefJob.objects.filter(
        status=DebriefJob.Status.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=DebriefJob.Status.FAILED,
        updated_at=timezone.now(),
        finished_at=timezone.now(),
        error=str(
            _(
                "Le processus de préparation s'est arrêté en cours de route (serveur redémarré "
                "ou arrêté). Relancez la préparation."
            )
        ),
    )


@task()
def debrief_job_task(job_id: int) -> str:
    """The background task: make the job's file, return its final status."""
    debrief_job_run(job_id=job_id)
    return DebriefJob.objects.values_list("status", flat=True).get(pk=job_id)


def debrief_job_run(*, job_id: int) -> None:
    """Make one queued job's file, or reuse the rencontre's file with the same fingerprint.
    Side effects: the job's status, fingerprint and file name; a new file under
    DEBRIEF_DIR, the rencontre's older ones of the same kind deleted. Reads the rencontre,
    never writes it."""
    claimed = DebriefJob.objects.filter(pk=job_id, status=DebriefJob.Status.QUEUED).update(
        status=DebriefJob.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:  # already run, or deleted with its rencontre
        return
    job = DebriefJob.objects.select_related("rencontre").get(pk=job_id)
    running = DebriefJob.objects.filter(pk=job_id, status=DebriefJob.Status.RUNNING)
    try:
        with translation.override(job.language):
            if job.is_pdf:
                _make(job, running)
            else:
                _make_export(job, running)
    except Exception:
        logger.exception("Debrief job %s (%s) failed", job_id, job.what)
        error = (
            _("Erreur inattendue pendant la préparation du PDF. Relancez-la.")
            if job.is_pdf
            else _("Erreur inattendue pendant la préparation de l'export. Relancez-la.")
        )
        running.update(
            status=DebriefJob.Status.FAILED,
            error=str(error),
            updated_at=timezone.now(),
            finished_at=timezone.now(),
        )
        raise


def _make(job: DebriefJob, running) -> None:
    rencontre = job.rencontre
    context = debrief.debrief_context(rencontre)
    fingerprint = debrief.debrief_fingerprint(rencontre, context)
    running.update(fingerprint=fingerprint, updated_at=timezone.now())  # heartbeat
    folder = Path(settings.DEBRIEF_DIR)
    if _reuse(job, fingerprint, running):
        return
    html = debrief.debrief_html(rencontre, context=context)
    pdf = debrief.pdf_from_html(html, files=debrief.logo_files(rencontre))
    name = f"{rencontre.pk}/{job.pk}-{fingerprint[:16]}.pdf"
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(path)  # a reader never sees half a file
    done = running.update(
        status=DebriefJob.Status.DONE,
        filename=name,
        size=len(pdf),
        updated_at=timezone.now(),
        finished_at=timezone.now(),
    )
    if not done:  # marked failed as stale meanwhile: keep nothing of it
        path.unlink(missing_ok=True)
        return
    for older in path.parent.glob("*.pdf"):  # one file per rencontre: the data changed
        if older != path:
            older.unlink(missing_ok=True)


def _reuse(job: DebriefJob, fingerprint: str, running) -> bool:
    """Finish the job with an earlier file of the same rencontre, kind and fingerprint, if
    one is still there. Returns whether it did."""
    for earlier in DebriefJob.objects.filter(
        rencontre_id=job.rencontre_id,
        what=job.what,
        status=DebriefJob.Status.DONE,
        fingerprint=fingerprint,
    ):
        if debrief_path(earlier) is not None:
            running.update(
                status=DebriefJob.Status.DONE,
                filename=earlier.filename,
                size=earlier.size,
                reused=True,
                updated_at=timezone.now(),
                finished_at=timezone.now(),
            )
            return True
    return False


def export_content(rencontre: Rencontre, what: str) -> bytes:
    """An export's bytes: the whole rencontre as JSON, or one CSV table."""
    if what == DebriefJob.JSON:
        document = debrief.export_document(rencontre)
        return json.dumps(document, ensure_ascii=False, indent=1, default=str).encode()
    export = debrief.all_exports()[what.removeprefix(DebriefJob.CSV)]
    return debrief.export_csv(rencontre, export).encode()


def _make_export(job: DebriefJob, running) -> None:
    rencontre = job.rencontre
    content = export_content(rencontre, job.what)
    fingerprint = hashlib.sha256(content).hexdigest()
    running.update(fingerprint=fingerprint, updated_at=timezone.now())  # heartbeat
    if _reuse(job, fingerprint, running):
        return
    stem, extension = job.download_name.rsplit(".", 1)
    folder = Path(settings.DEBRIEF_DIR) / str(rencontre.pk) / "exports" / stem
    path = folder / f"{job.pk}-{fingerprint[:16]}.{extension}"
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(path)  # a reader never sees half a file
    done = running.update(
        status=DebriefJob.Status.DONE,
        filename=str(path.relative_to(Path(settings.DEBRIEF_DIR))),
        size=len(content),
        updated_at=timezone.now(),
        finished_at=timezone.now(),
    )
    if not done:  # marked failed as stale meanwhile: keep nothing of it
        path.unlink(missing_ok=True)
        return
    for older in folder.iterdir():  # one file per export: the data changed
        if older != path and older.suffix == path.suffix:
            older.unlink(missing_ok=True)


# ---------------------------------------------------------------- retention

PURGE_EVERY = dt.timedelta(days=1)


@task()
def purge_daily() -> None:
    """Apply the retention period, then queue the next run a day later: once the first is
    queued (`manage.py purge --schedule`, a release step of the recipe), the worker purges
    every day. Side effects: those of `services.rencontres_purge`."""
    report = services.rencontres_purge(now=timezone.now())
    logger.info("Retention applied: %s", report)
    schedule_purge(after=PURGE_EVERY)


def schedule_purge(*, after: dt.timedelta = dt.timedelta(0)) -> bool:
    """Queue the daily purge unless a run is already waiting. Returns whether it queued one.
    The database backend is asked what is waiting; another backend queues unconditionally."""
    path = f"{purge_daily.func.__module__}.{purge_daily.func.__qualname__}"
    if _task_waiting(path):
        return False
    purge_daily.using(run_after=timezone.now() + after).enqueue()
    return True


def _task_waiting(path: str) -> bool:
    if not apps.is_installed("django_tasks_db"):
        return False
    waiting = apps.get_model("django_tasks_database", "DBTaskResult").objects.filter(
        task_path=path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    return waiting.exists()


# ---------------------------------------------------------------- e-mails

# An e-mail that fails (SMTP server down...) is tried again this many times, waiting
# MAIL_RETRY_AFTER × 2^attempt between tries; then the failure stays in the worker's log.
MAIL_ATTEMPTS = 5
MAIL_RETRY_AFTER = dt.timedelta(minutes=2)
SHEET_MAIL = "fiche"


def enqueue_later(task_to_run, when: dt.datetime, *args) -> bool:
    """Queue `task_to_run(*args)` to run at `when`. A backend that cannot defer (the
    immediate one of the tests) runs it now if `when` has come, else not at all.
    Returns whether it was queued."""
    if task_to_run.get_backend().supports_defer:
        task_to_run.using(run_after=when).enqueue(*args)
        return True
    if when <= timezone.now():
        task_to_run.enqueue(*args)
        return True
    return False


def mail_retry(task_to_run, attempt: int, *args) -> bool:
    """After a failed sending: queue the next try, unless it was the last.
    Returns whether another try is queued."""
    if attempt + 1 >= MAIL_ATTEMPTS:
        return False
    when = timezone.now() + MAIL_RETRY_AFTER * 2**attempt
    if task_to_run.get_backend().supports_defer:
        task_to_run.using(run_after=when).enqueue(*args, attempt + 1)
    else:
        task_to_run.enqueue(*args, attempt + 1)
    return True


def sheet_mails_queue(*, rencontre: Rencontre, base_url: str = "") -> None:
    """At the end of the rencontre: queue the task that queues the sheets' e-mails (the
    request that ends the rencontre only writes one row). Side effects: a task for the worker
    (with the immediate backend, the mails are sent)."""
    sheet_mails_task.enqueue(rencontre.pk, settings.SITE_URL or base_url)


@task()
def sheet_mails_task(rencontre_id: int, base_url: str) -> int:
    """One task per participant who gave an e-mail and agreed, each sending their sheet and
    personal link once; the key figures are computed here once for all. Returns how many
    were queued."""
    rencontre = Rencontre.objects.filter(pk=rencontre_id).first()
    if rencontre is None:
        return 0
    participants = Participant.objects.filter(rencontre=rencontre, email_consent=True).exclude(
        email=""
    )
    figures: dict[str, list] = {}  # by language: each sheet in its owner's
    queued = 0
    for participant_id, language in participants.values_list("pk", "language"):
        if language not in figures:
            with translation.override(language):
                figures[language] = [
                    [str(label), value] for label, value in sheet.sheet_figures(rencontre)
                ]
        sheet_mail_task.enqueue(participant_id, base_url, figures[language])
        queued += 1
    logger.info("Rencontre %s ended: %d sheets to send", rencontre_id, queued)
    return queued


@task()
def sheet_mail_task(
    participant_id: int, base_url: str, figures: list | None = None, attempt: int = 0
) -> str:
    """Send one participant their sheet (once), retried on failure; returns what happened."""
    try:
        return sheet_mail_send(participant_id=participant_id, base_url=base_url, figures=figures)
    except Exception:
        again = mail_retry(sheet_mail_task, attempt, participant_id, base_url, figures)
        logger.exception(
            "Sheet mail to participant %s failed (attempt %d)%s",
            participant_id,
            attempt + 1,
            ", will retry" if again else ", giving up",
        )
        return "retry" if again else "failed"


def sheet_mail_send(*, participant_id: int, base_url: str, figures: list | None = None) -> str:
    """Make the participant's sheet and send it, unless already sent or no longer wanted.
    Side effects: one e-mail and its `MailSent` record."""
    participant = Participant.objects.select_related("rencontre").filter(pk=participant_id).first()
    if participant is None or not participant.mailable:
        return "skipped"
    if MailSent.objects.filter(participant=participant, key=SHEET_MAIL).exists():
        return "already sent"
    figures = [tuple(f) for f in figures] if figures is not None else None
    with translation.override(participant.language):
        pdf = sheet.sheet_pdf(participant, figures=figures, base_url=base_url)
        message = sheet.sheet_mail(participant, pdf=pdf, base_url=base_url)
    sent = sheet.mail_once(participant, key=SHEET_MAIL, message=message)
    if sent:
        logger.info("Sheet sent to participant %s", participant_id)
    return "sent" if sent else "already sent"


# ---------------------------------------------------------------- a sheet to download


def sheet_file_path(participant: Participant) -> Path:
    """Where the participant's sheet is written for its download: beside the rencontre's
    debriefs (the purge removes the folder), one file per participant, replaced each time."""
    return (
        Path(settings.DEBRIEF_DIR)
        / str(participant.rencontre_id)
        / "fiches"
        / (f"{participant.pk}.pdf")
    )


@task()
def sheet_file_task(participant_id: int, base_url: str) -> str:
    """Make the participant's sheet for its download; returns its file's path."""
    participant = Participant.objects.select_related("rencontre").get(pk=participant_id)
    with translation.override(participant.language):
        pdf = sheet.sheet_pdf(participant, base_url=base_url)
    path = sheet_file_path(participant)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(path)  # a reader never sees half a file
    return str(path)


def sheet_files_delete(*, rencontre_id: int, participant_id: int) -> None:
    """Remove a participant's downloaded sheet (they deleted their data)."""
    folder = Path(settings.DEBRIEF_DIR) / str(rencontre_id) / "fiches"
    (folder / f"{participant_id}.pdf").unlink(missing_ok=True)
