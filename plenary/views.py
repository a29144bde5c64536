"""Views of a talk's slides: the page where the facilitator adds, orders, annotates and
removes them (one URL per command), and the slide images themselves, served only to the
rencontre's facilitators and to its wall (the read-only link's secret, `?cle=`)."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from plenary import selectors, services, slides, tasks
from plenary.forms import SlideChoiceForm, SlideNotesForm
from workshops import access
from workshops.models import Activity, Rencontre
from workshops.selectors import is_facilitator, rencontre_by_code
from workshops.views import facilitator_required

MAX_FILES = slides.MAX_PAGES


def talk_of_facilitator(view):
    """A facilitator of the rencontre, on one of its talks (404 for another activity)."""

    @facilitator_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, rencontre: Rencontre, activity_id: int) -> HttpResponse:
        activity = (
            Activity.objects.filter(pk=activity_id, step__rencontre=rencontre, kind="talk")
            .select_related("step__rencontre")
            .first()
        )
        if activity is None:
            raise Http404
        return view(request, rencontre, activity)

    return wrapped


def _back(rencontre: Rencontre, activity: Activity) -> HttpResponse:
    return redirect("plenary:slides", code=rencontre.code, activity_id=activity.pk)


@require_GET
@talk_of_facilitator
def slides_page(request: HttpRequest, rencontre: Rencontre, activity: Activity) -> HttpResponse:
    """The talk's slides: add (images or a PDF), order, notes, remove; PDF progress."""
    deck = selectors.talk_deck(activity)
    return render(
        request,
        "plenary/slides.html",
        {
            "rencontre": rencontre,
            "activity": activity,
            "deck": deck,
            "rows": [
                (slide, SlideNotesForm(activity=activity, initial={"notes": slide.notes}))
                for slide in deck["slides"]
            ],
            "max_mb": slides.MAX_UPLOAD_BYTES // slides.MIB,
            "max_pages": slides.MAX_PAGES,
        },
    )


@require_POST
@talk_of_facilitator
def slide_upload(request: HttpRequest, rencontre: Rencontre, activity: Activity) -> HttpResponse:
    """Add the uploaded images (in the order given) or PDFs (queued for the worker). A file
    refused is named with why; the others are kept."""
    files = request.FILES.getlist("fichiers")
    if not files:
        messages.error(request, _("Choisissez un ou plusieurs fichiers."))
        return _back(rencontre, activity)
    if len(files) > MAX_FILES:
        messages.error(request, _("%(n)d fichiers au plus à la fois.") % {"n": MAX_FILES})
        return _back(rencontre, activity)
    added = queued = 0
    for upload in files:
        try:
            checked = slides.check_upload(upload)
        except slides.SlideRefused as refusal:
            messages.error(request, f"{upload.name[:80]} : {refusal.message}")
            continue
        if checked.kind == "pdf":
            tasks.slide_job_start(
                activity=activity, pdf=checked.pdf, pages=checked.pages, original_name=upload.name
            )
            queued += 1
        else:
            services.slide_add_image(activity=activity, image=checked.image)
            added += 1
    if added:
        messages.success(
            request,
            ngettext("%(n)d diapositive ajoutée.", "%(n)d diapositives ajoutées.", added)
            % {"n": added},
        )
    if queued:
        messages.success(request, _("PDF reçu : ses pages deviennent des diapositives."))
    return _back(rencontre, activity)


def _slide_command(run):
    @require_POST
    @talk_of_facilitator
    @functools.wraps(run)
    def view(request: HttpRequest, rencontre: Rencontre, activity: Activity) -> HttpResponse:
        run(request, activity)
        return _back(rencontre, activity)

    return view


def _chosen(request: HttpRequest, activity: Activity):
    form = SlideChoiceForm(request.POST, activity=activity)
    return form.cleaned_data["slide"] if form.is_valid() else None


@_slide_command
def slide_up(request: HttpRequest, activity: Activity) -> None:
    if slide := _chosen(request, activity):
        services.slide_move(activity=activity, slide=slide, offset=-1)


@_slide_command
def slide_down(request: HttpRequest, activity: Activity) -> None:
    if slide := _chosen(request, activity):
        services.slide_move(activity=activity, slide=slide, offset=1)


@_slide_command
def slide_remove(request: HttpRequest, activity: Activity) -> None:
    if slide := _chosen(request, activity):
        services.slide_remove(activity=activity, slide=slide)
        messages.success(request, _("Diapositive retirée."))


@_slide_command
def slide_notes(request: HttpRequest, activity: Activity) -> None:
    form = SlideNotesForm(request.POST, activity=activity)
    if form.is_valid():
        services.slide_notes_set(activity=activity, **form.cleaned_data)
        messages.success(request, _("Notes enregistrées."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)


@require_GET
def slide_image(request: HttpRequest, code: str, filename: str) -> HttpResponse:
    """A slide's image, for the rencontre's facilitators and its wall (the read-only link's
    secret in `?cle=`); 404 for anyone else, and for a slide of another rencontre."""
    rencontre = rencontre_by_code(code)
    if rencontre is None:
        raise Http404
    allowed = is_facilitator(request.user, rencontre) or (
        access.rencontre_for_screen_secret(code, request.GET.get(access.SCREEN_KEY_PARAM))
        is not None
    )
    if not allowed:
        if request.user.is_authenticated:
            raise PermissionDenied
        raise Http404
    slide = selectors.slide_of_rencontre(rencontre.pk, filename)
    path = slides.path_of(filename) if slide is not None else None
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type=slide.content_type)
    # Names are random and never reused: a wall may keep the image for the whole event.
    response["Cache-Control"] = "private, max-age=86400, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
