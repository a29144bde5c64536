"""Writes of the territories app."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territories import cog
from territories.models import Territory

DEPARTEMENT = re.compile(r"^(\d{2}|2A|2B|97\d)$")
COMMUNE = re.compile(r"^(\d{5}|2A\d{3}|2B\d{3})$")


class TerritoryError(ValueError):
    """A territory that cannot be made; the message is for the user, in French."""


@transaction.atomic
def territory_resolve(*, spec: str) -> Territory:
    """An existing territory (by slug), or one created from the shipped composition: an EPCI
    SIREN (9 digits), a département code, or commune codes separated by commas.
    Side effects: may create the territory."""
    spec = spec.strip()
    existing = Territory.objects.filter(slug=spec).first()
    if existing is not None:
        return existing
    data = cog.load()
    if re.fullmatch(r"\d{9}", spec):
        if spec not in data.epci:
            raise TerritoryError(_("Aucun EPCI ne porte le SIREN %(s)s.") % {"s": spec})
        communes = sorted(c for c, (_n, _d, e) in data.communes.items() if e == spec)
        name, kind, code = data.epci[spec][0], Territory.Kind.EPCI, spec
    elif DEPARTEMENT.match(spec.upper()):
        code = spec.upper()
        communes = sorted(c for c, (_n, d, _e) in data.communes.items() if d == code)
        name, kind = _("Département %(c)s") % {"c": code}, Territory.Kind.DEPARTEMENT
    else:
        codes = [c.strip().upper() for c in spec.split(",") if c.strip()]
        bad = [c for c in codes if not COMMUNE.match(c) or data.resolve(c) is None]
        if bad:
            raise TerritoryError(_("Codes commune inconnus : %(c)s.") % {"c": ", ".join(bad[:10])})
        communes = sorted({data.resolve(c) for c in codes})
        name = ", ".join(data.communes[c][0] for c in communes[:3]) + (
            "…" if len(communes) > 3 else ""
        )
        kind, code = Territory.Kind.CUSTOM, ""
    if not communes:
        raise TerritoryError(_("Ce territoire ne compte aucune commune."))
    same = (
        Territory.objects.filter(kind=kind, code=code)
        if code
        else Territory.objects.filter(kind=kind, communes=communes)
    )
    if same.exists():  # the same EPCI, département or list of communes: the same territory
        return same.first()
    slug = slugify(f"{name}-{code}" if code else name)[:70] or "territoire"
    base, n = slug, 2
    while Territory.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return Territory.objects.create(name=name, slug=slug, kind=kind, code=code, communes=communes)


# ---------------------------------------------------------------- the live filière map

MAP_WIDTH, MAP_HEIGHT = 1200, 640
CLUSTER_COLUMNS, CLUSTER_ROWS = 4, 2


def cluster_centre(index: int) -> tuple[float, float]:
    index %= CLUSTER_COLUMNS * CLUSTER_ROWS
    column, row = index % CLUSTER_COLUMNS, index // CLUSTER_COLUMNS
    return 150 + 300 * column, 170 + 300 * row


def _ring(slot: int, radius: float, per_ring: int, offset: float = 0.0) -> tuple[float, float]:
    import math

    ring, position = divmod(slot, per_ring)
    angle = offset + 2 * math.pi * position / per_ring + ring * 0.4
    r = radius * (1 + 0.55 * ring)
    return r * math.cos(angle), r * math.sin(angle)


def _firm_key(activity, name: str) -> tuple[str, str]:
    """(key, siret): the SIRET when the name is an establishment of the activity's
    territory, else the normalised name — so "Somfy", "SOMFY " and "somfy" are one firm."""
    from territories.models import Establishment
    from workshops.words import normalize

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
    *, activity, participant, locomotive: str, filiere: str, partner: str, relation: str
):
    """Add a locomotive (if new) and one of its local partners with their relation. Firms
    already on the map are merged, and nobody moves: a new node gets a free place next to
    its filière's or its locomotive's. Side effects: the map refreshes on the wall."""
    from territories.models import MapLink, MapNode
    from workshops.live import broadcast_refresh_on_commit

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
        dx, dy = (0.0, 0.0) if filiere not in order else _ring(filieres.count(filiere) - 1, 110, 5)
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
            dx, dy = _ring(taken, 78, 6, offset=0.5)
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


# ---------------------------------------------------------------- imports from the page


def import_job_start(*, user, spec: str, kind: str, upload, stock_date=None, sections: str = "C"):
    """Save the uploaded file and run its import in the background (inline when
    IMPORTS_INLINE is set). Side effects: may create the territory; the user becomes one of
    its owners; an ImportJob row tracks progress and holds the report."""
    import threading
    import uuid
    from pathlib import Path

    from django.conf import settings

    from territories.models import ImportJob

    territory = territory_resolve(spec=spec)
    if not territory_editable_by(territory=territory, user=user):
        raise TerritoryError(_("Ce territoire appartient à d'autres organisateurs."))
    territory.owners.add(user)
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{Path(upload.name).name[-80:]}"
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
    if settings.IMPORTS_INLINE:
        import_job_run(job_id=job.pk)
    else:
        threading.Thread(target=import_job_run, kwargs={"job_id": job.pk}, daemon=True).start()
    return job


def import_job_run(*, job_id: int) -> None:
    """Run one import job to its end, recording progress every 100,000 lines.
    Side effects: the import's own; the uploaded file is deleted afterwards."""
    import datetime as dt
    from pathlib import Path

    from django.db import close_old_connections

    from territories.events import EventsFormatError, events_import
    from territories.models import ImportJob
    from territories.sirene import SireneFormatError, historique_import, sirene_import

    job = ImportJob.objects.select_related("territory").get(pk=job_id)
    path = Path(job.path)

    def progress(read: int, _size: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_read=read)

    try:
        if job.kind == ImportJob.Kind.STOCK:
            stock_date = job.report.get("stock_date")
            report = sirene_import(
                territory=job.territory,
                path=path,
                sections={
                    s.strip().upper()
                    for s in job.report.get("sections", "C").split(",")
                    if s.strip()
                },
                stock_date=dt.date.fromisoformat(stock_date) if stock_date else None,
                progress=progress,
            ).as_dict()
        elif job.kind == ImportJob.Kind.HISTORIQUE:
            report = historique_import(territory=job.territory, path=path).as_dict()
        else:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise EventsFormatError(_("Le fichier doit être en UTF-8.")) from None
            result = events_import(territory=job.territory, text=text)
            report = {
                "read": result.created + result.unchanged + len(result.errors),
                "kept": result.created,
                "unchanged": result.unchanged,
                "malformed_lines": [{"line": n, "reason": r} for n, r in result.errors],
            }
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.DONE, report=report, rows_read=report.get("read", 0)
        )
    except (SireneFormatError, EventsFormatError, TerritoryError) as error:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, error=str(error)[:500]
        )
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            error=str(_("Erreur inattendue : rien n'a été importé.")),
        )
        raise
    finally:
        path.unlink(missing_ok=True)
        close_old_connections()


def territory_editable_by(*, territory: Territory, user) -> bool:
    """Its owners (the organisers who imported into it) edit a territory; one without owners
    (made by a command) is open to every organiser."""
    return (
        user.is_staff
        or not territory.owners.exists()
        or territory.owners.filter(pk=user.pk).exists()
    )
