"""The organisers' pages: territories, their imports, local events and filière tables."""

from __future__ import annotations

from django.http import HttpRequest


def _territory_or_404(slug: str):
    from django.http import Http404

    from territories.models import Territory

    territory = Territory.objects.filter(slug=slug).first()
    if territory is None:
        raise Http404
    return territory


def territory_list(request: HttpRequest):
    """The organisers' territories, with their sites and their filière table."""
    from django.db.models import Count
    from django.shortcuts import render

    from territories.models import Territory

    territories = Territory.objects.annotate(
        n_sites=Count("establishments"), n_events=Count("events", distinct=True)
    )
    return render(request, "territories/list.html", {"territories": territories})


def filiere_table(request: HttpRequest, slug: str):
    """Edit the territory's NAF → filière correspondences over the defaults."""
    from django.contrib import messages
    from django.shortcuts import redirect, render
    from django.utils.translation import gettext as _

    from territories.cog import naf_labels
    from territories.filieres import NAF_TO_FILIERE
    from territories.forms import FiliereOverridesForm
    from territories.services import territory_overrides_set

    territory = _territory_or_404(slug)
    _check_owner(request, territory)
    if request.method == "POST":
        form = FiliereOverridesForm(request.POST)
        if form.is_valid():
            territory_overrides_set(territory=territory, overrides=form.cleaned_data["lines"])
            messages.success(request, _("Correspondances enregistrées."))
            return redirect("territories:filiere_table", slug=slug)
    else:
        form = FiliereOverridesForm(
            initial=FiliereOverridesForm.initial_from(territory.filiere_overrides)
        )
    labels = naf_labels()
    table = [
        {
            "code": code,
            "label": labels.get(code, ""),
            "filiere": territory.filiere_overrides.get(code, name),
            "overridden": code in territory.filiere_overrides,
        }
        for code, name in sorted({**NAF_TO_FILIERE, **territory.filiere_overrides}.items())
    ]
    return render(
        request, "territories/filieres.html", {"territory": territory, "form": form, "table": table}
    )


def import_page(request: HttpRequest):
    """Organisers upload a SIRENE stock, its history or local events; the import runs in
    the background and the job page shows its progress."""
    from django.shortcuts import redirect, render

    from territories.forms import ImportForm
    from territories.models import ImportJob
    from territories.services import TerritoryError, import_job_start

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_start(
                user=request.user,
                spec=data["territory"],
                kind=data["kind"],
                upload=data["file"],
                stock_date=data["stock_date"],
                sections=data["sections"],
            )
        except TerritoryError as error:
            form.add_error("territory", str(error))
        else:
            return redirect("territories:import_job", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).select_related("territory")[:10]
    return render(
        request,
        "territories/import.html",
        {"form": form, "jobs": jobs},
        status=400 if form.errors else 200,
    )


def import_job(request: HttpRequest, job_id: int):
    """One import: its progress while it runs (the page polls itself), then its report."""
    from django.http import Http404
    from django.shortcuts import render

    from territories.models import ImportJob

    job = (
        ImportJob.objects.filter(pk=job_id, created_by=request.user)
        .select_related("territory")
        .first()
    )
    if job is None:
        raise Http404
    template = (
        "territories/import_job.html#job"
        if request.headers.get("HX-Request")
        else "territories/import_job.html"
    )
    return render(request, template, {"job": job})


def _check_owner(request: HttpRequest, territory) -> None:
    from django.core.exceptions import PermissionDenied

    from territories.services import territory_editable_by

    if not territory_editable_by(territory=territory, user=request.user):
        raise PermissionDenied


def event_form(request: HttpRequest, slug: str):
    """Record one local event by hand (same rules as the CSV)."""
    from django.contrib import messages
    from django.shortcuts import redirect, render
    from django.utils.translation import gettext as _

    from territories.events import event_save, event_values, horizon_date
    from territories.models import SiteEvent

    territory = _territory_or_404(slug)
    _check_owner(request, territory)
    fields = ("type", "date", "entreprise", "siret", "emplois", "source", "note")
    typed = {name: request.POST.get(name, "").strip() for name in fields}
    problems: list[str] = []
    if request.method == "POST":
        values, problems = event_values(typed, horizon_date())
        if not problems:
            if event_save(territory=territory, values=values):
                messages.success(request, _("Événement enregistré."))
            else:
                messages.info(request, _("Cet événement était déjà enregistré."))
            return redirect("territories:event_form", slug=slug)
    return render(
        request,
        "territories/event.html",
        {
            "territory": territory,
            "typed": typed,
            "problems": problems,
            "kinds": SiteEvent.Kind.choices,
            "events": territory.events.order_by("-date")[:30],
        },
        status=400 if problems else 200,
    )
