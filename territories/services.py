"""Writes of the territories app."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tasks import task

from territories.events import EventsFormatError, event_save, events_import
from territories.files import UploadRefused
from territories.filieres import CNI_FILIERES, NEW_FILIERES
from territories.layout import MAP_HEIGHT, MAP_WIDTH, cluster_centre, ring
from territories.models import (
    Establishment,
    Filiere,
    ImportJob,
    MapLink,
    MapNode,
    StagedEstablishment,
    Territory,
)
from territories.recherche import ApiUnavailable, Client, api_import, configured_transport
from territories.selectors import import_preview, territory_editable_by
from territories.sirene import (
    ImportAbandoned,
    SireneFormatError,
    historique_import,
    sirene_import,
)
from territories.spec import TerritoryError, TerritorySpec, territory_spec_parse
from workshops.live import broadcast_refresh_on_commit
from workshops.models import Activity, Participant
from workshops.words import normalize

logger = logging.getLogger(__name__)


def territory_resolve(*, spec: str) -> Territory:
    """An existing territory (by slug), or one created from the shipped composition: an EPCI
    SIREN (9 digits), a département code, or commune codes separated by commas.
    Side effects: may create the territory (without owners)."""
    return territory_resolve_or_create(spec=spec)[0]


def territory_resolve_or_create(*, spec: str, owner: User | None = None) -> tuple[Territory, bool]:
    """`territory_resolve`, and whether the territory was created by this call.
    Side effects: may create the territory, with `owner` as its owner (in the same
    transaction: nobody else sees it without one)."""
    spec = spec.strip()
    existing = Territory.objects.filter(slug=spec).first()
    if existing is not None:
        return existing, False
    # Read from the shipped files before the transaction: on SQLite it holds the write lock.
    parsed = territory_spec_parse(spec)
    with transaction.atomic():
        territory, created = _territory_create(parsed)
        if created and owner is not None:
            territory.owners.add(owner)
        return territory, created


def _territory_create(parsed: TerritorySpec) -> tuple[Territory, bool]:
    """In a transaction: the territory of a parsed spec, created unless the same EPCI,
    département or list of communes exists already; and whether it was created."""
    name, kind, code, communes = parsed.name, parsed.kind, parsed.code, parsed.communes
    same = (
        Territory.objects.filter(kind=kind, code=code)
        if code
        else Territory.objects.filter(kind=kind, communes=communes)
    )
    if same.exists():  # the same EPCI, département or list of communes: the same territory
        return same.first(), False
    slug = slugify(f"{name}-{code}" if code else name)[:70] or "territoire"
    base, n = slug, 2
    while Territory.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    territory = Territory.objects.create(
        name=name, slug=slug, kind=kind, code=code, communes=communes
    )
    return territory, True


# ---------------------------------------------------------------- the live filière map


def _firm_key(activity: Activity, name: str) -> tuple[str, str]:
    """(key, siret): the SIRET when the name is an establishment of the activity's
    territory, else the normalised name — so "Somfy", "SOMFY " and "somfy" are one firm."""
    slug = activity.config.get("territory")
    if slug:
        match = (
            Establishment.objects.filter(territory__slug=slug, name__iexact=name.strip())
            .values_list("siret", flat=True)
            .first()
        )
        if match:
            return f"siret:{match}", match
    return f"name:{normalize(name)}", ""


@transaction.atomic
def map_contribute(
    *,
    activity: Activity,
    participant: Participant,
    locomotive: str,
    filiere: str,
    partner: str,
    relation: str,
) -> tuple[MapNode, MapLink | None]:
    """Add a locomotive (if new) and one of its local partners with their relation. Firms
    already on the map are merged, and nobody moves: a new node gets a free place next to
    its filière's or its locomotive's. Side effects: the map refreshes on the wall."""
    nodes = MapNode.objects.select_for_update().filter(activity=activity)
    loco_key, loco_siret = _firm_key(activity, locomotive)
    loco = nodes.filter(key=loco_key).first()
    if loco is None:
        filieres = list(
            nodes.filter(role=MapNode.Role.LOCOMOTIVE)
            .order_by("created_at", "id")
            .values_list("filiere", flat=True)
        )
        order = list(dict.fromkeys(filieres))
        index = order.index(filiere) if filiere in order else len(order)
        cx, cy = cluster_centre(index)
        dx, dy = (0.0, 0.0) if filiere not in order else ring(filieres.count(filiere) - 1, 110, 5)
        loco = MapNode.objects.create(
            activity=activity,
            key=loco_key,
            name=locomotive.strip()[:120],
            siret=loco_siret,
            filiere=filiere,
            role=MapNode.Role.LOCOMOTIVE,
            x=cx + dx,
            y=cy + dy,
        )
    elif loco.role == MapNode.Role.PARTNER:  # named as a locomotive too: it is one
        MapNode.objects.filter(pk=loco.pk).update(role=MapNode.Role.LOCOMOTIVE)
    link = None
    if partner.strip():
        partner_key, partner_siret = _firm_key(activity, partner)
        node = nodes.filter(key=partner_key).first()
        if node is None:
            taken = MapLink.objects.filter(locomotive=loco).values("partner").distinct().count()
            dx, dy = ring(taken, 78, 6, offset=0.5)
            node = MapNode.objects.create(
                activity=activity,
                key=partner_key,
                name=partner.strip()[:120],
                siret=partner_siret,
                filiere=loco.filiere,
                role=MapNode.Role.PARTNER,
                x=min(MAP_WIDTH - 20, max(20, loco.x + dx)),
                y=min(MAP_HEIGHT - 20, max(20, loco.y + dy)),
            )
        if node.pk != loco.pk:
            link, _created = MapLink.objects.get_or_create(
                activity=activity,
                locomotive=loco,
                partner=node,
                relation=relation,
                defaults={"participant": participant},
            )
    broadcast_refresh_on_commit(participant.rencontre_id, ("results",))
    return loco, link


@transaction.atomic
def territory_overrides_set(*, territory: Territory, overrides: dict[str, str]) -> None:
    """Replace the territory's NAF → filière correspondences (validated by the form)."""
    territory.filiere_overrides = overrides
    territory.save(update_fields=["filiere_overrides"])


@transaction.atomic
def territory_owner_add(*, territory: Territory, user: User) -> None:
    """Make `user` one of the territory's owners (a staff decision, or the creator's right).
    Side effects: the user then sees, edits and imports into the territory."""
    territory.owners.add(user)


@transaction.atomic
def event_record(*, territory: Territory, values: dict) -> bool:
    """Save one validated local event; False when it was already known.
    Side effects: may create a SiteEvent (shown in the territory's dynamics)."""
    return event_save(territory=territory, values=values)


# ---------------------------------------------------------------- imports, run by the worker

# Progress is written at least every few seconds (sirene.PROGRESS_SECONDS); this much silence
# means the worker running the job stopped (killed, machine restarted).
STALE_AFTER = dt.timedelta(minutes=2)
FORMAT_ERRORS = (
    SireneFormatError,
    EventsFormatError,
    UploadRefused,
    TerritoryError,
    ApiUnavailable,
)


def import_job_start(
    *,
    user: User,
    spec: str,
    kind: str,
    upload: UploadedFile,
    stock_date: dt.date | None = None,
    sections: str = "C",
) -> ImportJob:
    """Keep the uploaded file and queue its import for the background worker.
    Raises TerritoryError when the territory cannot be made or belongs to others.
    Side effects: may create the territory (its creator becomes its owner; an existing
    territory is never claimed); writes the file under IMPORT_DIR; an ImportJob row tracks
    progress and holds the report; a task is queued."""
    territory = _territory_for_import(user=user, spec=spec)
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{Path(upload.name).name[-80:]}"
    if isinstance(upload, TemporaryUploadedFile):  # already on disk: move it, no copy
        shutil.move(upload.temporary_file_path(), path)
    else:
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    job = ImportJob.objects.create(
        territory=territory,
        kind=kind,
        filename=upload.name[:200],
        path=str(path),
        size=path.stat().st_size,
        created_by=user,
        report={"stock_date": stock_date.isoformat() if stock_date else None, "sections": sections},
    )
    _enqueue(job)
    return job


def _territory_for_import(*, user: User, spec: str) -> Territory:
    """The territory `spec` names, when `user` may import into it (its creator becomes its
    owner; an existing territory is never claimed). Raises TerritoryError."""
    territory, created = territory_resolve_or_create(spec=spec, owner=user)
    if not created and not territory_editable_by(territory=territory, user=user):
        raise TerritoryError(
            _(
                "Ce territoire appartient à d'autres organisateurs : demandez-leur, ou à un administrateur, de vous y ajouter."
            )
        )
    return territory


def import_api_start(*, user: User, spec: str, sections: str = "C") -> ImportJob:
    """Queue an import of the territory's establishments from the API Recherche d'entreprises
    (network access must be allowed by the settings; the worker checks again).
    Raises TerritoryError as `import_job_start`. Side effects: may create the territory; an
    ImportJob row (without a file) tracks progress; a task is queued."""
    territory = _territory_for_import(user=user, spec=spec)
    job = ImportJob.objects.create(
        territory=territory,
        kind=ImportJob.Kind.API,
        filename=str(_("API Recherche d'entreprises")),
        path="",
        created_by=user,
        report={"stock_date": None, "sections": sections},
    )
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    # The job row is committed first (no surrounding transaction): a worker polling the
    # queue always finds it. The immediate backend (tests) runs the import right here.
    result = import_job_task.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def import_job_retry(*, job: ImportJob) -> bool:
    """Queue a failed job again when its file is still there (its worker stopped).
    Side effects: the job is queued again, its staged rows dropped. False if not retryable."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not import_job_retryable(job):
            return False
        StagedEstablishment.objects.filter(run=job.staging_key).delete()
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.QUEUED, error="", rows_read=0, updated_at=timezone.now()
        )
    _enqueue(job)
    return True


def import_job_retryable(job: ImportJob) -> bool:
    if job.kind == ImportJob.Kind.API:  # nothing to keep: ask the API again
        return job.status == ImportJob.Status.FAILED
    return job.status == ImportJob.Status.FAILED and Path(job.path).exists()


@transaction.atomic
def import_jobs_fail_stale() -> int:
    """Mark failed the running jobs whose worker stopped (no progress for STALE_AFTER).
    Side effects: their staged rows are deleted; the territory was never touched."""
    stale = list(
        ImportJob.objects.select_for_update().filter(
            status=ImportJob.Status.RUNNING, updated_at__lt=timezone.now() - STALE_AFTER
        )
    )
    for job in stale:
        StagedEstablishment.objects.filter(run=job.staging_key).delete()
    return ImportJob.objects.filter(pk__in=[j.pk for j in stale]).update(
        status=ImportJob.Status.FAILED,
        updated_at=timezone.now(),
        error=str(
            _(
                "Le processus d'import s'est arrêté en cours de route (serveur redémarré ou "
                "arrêté) : rien n'a été modifié dans le territoire."
            )
        ),
    )


@task()
def import_job_task(job_id: int) -> str:
    """The background task: run the job, return its final status."""
    import_job_run(job_id=job_id)
    return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)


def import_job_run(*, job_id: int) -> None:
    """Run one queued import job to its end, writing its progress (the heartbeat).
    Side effects: the import's own (all or nothing); the job's status and report; the
    uploaded file is deleted once the job is done or the file refused."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:  # already run, retried elsewhere, or deleted
        return
    job = ImportJob.objects.select_related("territory").get(pk=job_id)
    path = Path(job.path) if job.path else None
    running = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING)

    def progress(read: int) -> None:
        running.update(rows_read=read, updated_at=timezone.now())

    def still_wanted() -> bool:
        return running.select_for_update().exists()

    try:
        report = _run(job, path, progress, still_wanted)
    except FORMAT_ERRORS as error:
        running.update(
            status=ImportJob.Status.FAILED, error=str(error)[:500], updated_at=timezone.now()
        )
        if path is not None:
            path.unlink(missing_ok=True)
        return
    except ImportAbandoned:
        return  # already marked failed as stale; its file stays for a retry
    except Exception:
        logger.exception("Import job %s failed", job_id)
        running.update(
            status=ImportJob.Status.FAILED,
            error=str(_("Erreur inattendue : rien n'a été importé. Relancez l'import.")),
            updated_at=timezone.now(),
        )
        raise
    running.update(updated_at=timezone.now())  # heartbeat: the preview reads every site
    report["preview"] = _preview(job)
    running.update(
        status=ImportJob.Status.DONE,
        report=report,
        rows_read=report.get("read", 0),
        updated_at=timezone.now(),
    )
    if path is not None:
        path.unlink(missing_ok=True)


def _preview(job: ImportJob) -> dict | None:
    """The territory's dynamics after the import, for the job's page; the import is committed
    already, so a failure here only leaves the page without it."""
    try:
        return import_preview(job.territory)
    except Exception:
        logger.exception("Preview of import job %s failed", job.pk)
        return None


def _sections(job: ImportJob) -> set[str]:
    return {s.strip().upper() for s in job.report.get("sections", "C").split(",") if s.strip()}


def _run(job: ImportJob, path: Path | None, progress, still_wanted) -> dict:
    if job.kind == ImportJob.Kind.API:
        client = Client(transport=configured_transport())
        report = api_import(
            territory=job.territory,
            sections=_sections(job),
            client=client,
            progress=progress,
            run=job.staging_key,
            still_wanted=still_wanted,
        ).as_dict()
        return {**report, "requests": client.requests, "cached": client.cached}
    if job.kind == ImportJob.Kind.STOCK:
        stock_date = job.report.get("stock_date")
        return sirene_import(
            territory=job.territory,
            path=path,
            sections=_sections(job),
            stock_date=dt.date.fromisoformat(stock_date) if stock_date else None,
            progress=progress,
            run=job.staging_key,
            still_wanted=still_wanted,
        ).as_dict()
    if job.kind == ImportJob.Kind.HISTORIQUE:
        return historique_import(
            territory=job.territory, path=path, progress=progress, still_wanted=still_wanted
        ).as_dict()
    result = events_import(
        territory=job.territory, path=path, progress=progress, still_wanted=still_wanted
    )
    return {
        "read": result.created + result.unchanged + len(result.errors),
        "kept": result.created,
        "unchanged": result.unchanged,
        "malformed_lines": [{"line": n, "reason": r} for n, r in result.errors],
    }


def default_filieres_on_migrate(*, using: str = "default", **kwargs) -> None:
    """After `migrate` (and `flush`, which keeps the schema and loses what migrations wrote):
    the default filière list in an empty table; a list an organiser edited is left alone."""
    filieres = Filiere.objects.using(using)
    if filieres.exists():
        return
    rows = [(name, Filiere.Source.NEW) for name in NEW_FILIERES] + [
        (name, Filiere.Source.CNI) for name in CNI_FILIERES
    ]
    filieres.bulk_create(
        [
            Filiere(name=name, slug=slugify(name), source=source, position=position)
            for position, (name, source) in enumerate(rows)
        ],
        ignore_conflicts=True,
    )
