"""The organisers' territory pages: list, filière table, events and imports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories import selectors, services
from territories.files import UploadRefused, check_upload_size, limits
from territories.forms import (
    ApiImportForm,
    EventForm,
    FiliereOverridesForm,
    ImportForm,
    RetryForm,
)
from territories.models import ImportJob, SiteEvent, Territory
from territories.recherche import network_allowed

# ---------------------------------------------------------------- the organisers' pages


def _owned_territory(request: HttpRequest, slug: str) -> Territory:
    """The territory, when the account may edit it (owner or staff); else 404 or 403."""
    territory = get_object_or_404(Territory, slug=slug)
    if not selectors.territory_editable_by(territory=territory, user=request.user):
        raise PermissionDenied
    return territory


def _own_job(request: HttpRequest, job_id: int) -> ImportJob:
    job = selectors.import_jobs_of(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def territory_list(request: HttpRequest) -> HttpResponse:
    """The account's territories (all of them for staff), with their sites and events."""
    return render(
        request,
        "territories/list.html",
        {"territories": selectors.territory_list(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def filiere_table(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit the territory's NAF → filière correspondences over the defaults."""
    territory = _owned_territory(request, slug)
    if request.method == "POST":
        form = FiliereOverridesForm(request.POST)
        if form.is_valid():
            services.territory_overrides_set(
                territory=territory, overrides=form.cleaned_data["lines"]
            )
            messages.success(request, _("Correspondances enregistrées."))
            return redirect("territories:filiere_table", slug=slug)
    else:
        form = FiliereOverridesForm(
            initial=FiliereOverridesForm.initial_from(territory.filiere_overrides)
        )
    return render(
        request,
        "territories/filieres.html",
        {"territory": territory, "form": form, "table": selectors.filiere_table(territory)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Record one local event by hand (same rules as the CSV)."""
    territory = _owned_territory(request, slug)
    form = EventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.event_record(territory=territory, values=form.values):
            messages.success(request, _("Événement enregistré."))
        else:
            messages.info(request, _("Cet événement était déjà enregistré."))
        return redirect("territories:event_form", slug=slug)
    return render(
        request,
        "territories/event.html",
        {
            "territory": territory,
            "typed": form.data,
            "problems": [e for errors in form.errors.values() for e in errors],
            "kinds": SiteEvent.Kind.choices,
            "events": territory.events.order_by("-date")[:30],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Organisers upload a SIRENE stock (national, or a département's géolocalised extract),
    its history or local events; the background worker imports it and the job page shows its
    progress. Typing the territory asks this page (htmx GET, `?territory=`) which files to
    fetch: the advice partial alone."""
    refusal = _too_large(request) if request.method == "POST" else ""
    form = ImportForm(None if refusal else request.POST or None, request.FILES or None)
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_start(
                user=request.user,
                spec=data["territory"],
                kind=data["kind"],
                upload=data["file"],
                stock_date=data["stock_date"],
                sections=data["sections"],
            )
        except services.TerritoryError as error:
            form.add_error("territory", str(error))
        else:
            return redirect("territories:import_job", job_id=job.pk)
    if request.method == "GET" and request.headers.get("HX-Request"):
        # The file advice for the territory being typed.
        return render(
            request,
            "territories/import.html#advice",
            {"advice": selectors.file_advice(request.GET.get("territory", "")[:2000])},
        )
    return _import_page(request, form=form, refusal=refusal)


def _import_page(
    request: HttpRequest,
    *,
    form: ImportForm,
    api_form: ApiImportForm | None = None,
    refusal: str = "",
) -> HttpResponse:
    services.import_jobs_fail_stale()
    spec = (form["territory"].value() or request.GET.get("territory") or "")[:2000]
    if request.method == "GET" and spec and not form.is_bound:
        form = ImportForm(initial={"territory": spec})
    network = network_allowed()
    return render(
        request,
        "territories/import.html",
        {
            "form": form,
            "refusal": refusal,
            "advice": selectors.file_advice(spec),
            "api_form": (api_form or ApiImportForm(initial={"territory": spec}))
            if network
            else None,
            "jobs": selectors.import_jobs_of(request.user)[:10],
        },
        status=400 if form.errors or refusal or (api_form and api_form.errors) else 200,
    )


@login_required
@require_POST
def import_api(request: HttpRequest) -> HttpResponse:
    """Fill a territory from the API Recherche d'entreprises, in the background worker
    (only where the settings allow this server to reach it)."""
    if not network_allowed():
        raise Http404
    api_form = ApiImportForm(request.POST)
    if api_form.is_valid():
        try:
            job = services.import_api_start(
                user=request.user,
                spec=api_form.cleaned_data["territory"],
                sections=api_form.cleaned_data["sections"],
            )
        except services.TerritoryError as error:
            api_form.add_error("territory", str(error))
        else:
            return redirect("territories:import_job", job_id=job.pk)
    return _import_page(request, form=ImportForm(), api_form=api_form)


def _too_large(request: HttpRequest) -> str:
    """A French refusal when the request announces more than the upload limit. (Django has
    already streamed the body to a temporary file, never into memory: the early cap belongs
    to the proxy in front, e.g. nginx's client_max_body_size.)"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    bounds = limits()
    try:
        check_upload_size(length - 64 * 1024, bounds)  # the form's other fields
    except UploadRefused as refused:
        return str(refused)
    return ""


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """One import: its progress while it runs (the page polls itself), then its report."""
    services.import_jobs_fail_stale()
    job = _own_job(request, job_id)
    template = (
        "territories/import_job.html#job"
        if request.headers.get("HX-Request")
        else "territories/import_job.html"
    )
    return render(
        request,
        template,
        {
            "job": job,
            "retryable": services.import_job_retryable(job),
            # Computed by the worker at the end of the import: never here, in a process that
            # serves phones.
            "preview": selectors.import_preview_labelled(job.report.get("preview"))
            if job.status == ImportJob.Status.DONE
            else None,
        },
    )


@login_required
@require_POST
def import_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """Queue again an import whose worker stopped."""
    job = _own_job(request, job_id)
    RetryForm(request.POST).is_valid()
    if not services.import_job_retry(job=job):
        messages.error(
            request, _("Cet import ne peut pas être relancé : importez le fichier à nouveau.")
        )
    return redirect("territories:import_job", job_id=job.pk)
