"""Views of the session engine: one small view per page or command.

Participants: join, the phone page, a kind's own part and commands. Facilitators: the panel,
the wall, one URL per control command, the agenda editor (one URL per command), a kind's
commands, the debrief (PDF, exports). The personal page after the event.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from collections.abc import Callable
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails
from django_tasks import TaskResultStatus

from workshops import (
    access,
    agenda_templates,
    debrief,
    kinds,
    live,
    personal_data,
    qr,
    rendering,
    selectors,
    services,
    sheet,
    tasks,
)
from workshops.forms import (
    ActivityChoiceForm,
    ActivityForm,
    AgendaTemplateForm,
    CodeForm,
    ContactForm,
    DebriefSettingsForm,
    ExpectedForm,
    ExportChoiceForm,
    JoinForm,
    LogoChoiceForm,
    LogoForm,
    NewActivityForm,
    NewActivityInStepForm,
    NewRencontreForm,
    ParticipantChoiceForm,
    StepChoiceForm,
    StepEditForm,
    StepForm,
    TimerExtendForm,
    TimerStartForm,
)
from workshops.kinds import ActivityKind, Command
from workshops.models import (
    Activity,
    AgendaTemplate,
    Answer,
    DebriefJob,
    DebriefLogo,
    Participant,
    Rencontre,
)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# ---------------------------------------------------------------- participants


@require_GET
def join_code(request: HttpRequest) -> HttpResponse:
    """`/j/`: type the code shown in the room."""
    form = CodeForm(request.GET or None)
    if form.is_valid():
        return redirect("workshops:join", code=form.cleaned_data["code"])
    return render(request, "workshops/phone/code.html", {"form": form})


def _unknown_code(request: HttpRequest, code: str) -> HttpResponse:
    form = CodeForm(initial={"code": code})
    return render(
        request,
        "workshops/phone/code.html",
        {
            "form": form,
            "error": _("Aucune rencontre ne porte le code « %(code)s ». Vérifiez-le.")
            % {"code": code},
        },
        status=404,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    """`/j/<CODE>`: the join form, or the live phone view once this phone has joined."""
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None:
        return _unknown_code(request, code)
    if rencontre.code != code:  # lower case or spaces typed: one canonical address
        return redirect("workshops:join", code=rencontre.code)
    participant = access.participant_from_request(request, rencontre)
    if participant is not None:
        context = selectors.phone_context(rencontre)
        context.update({"participant": participant, "oob": False})
        if context["activity"] is not None:
            context["own_part"] = selectors.own_part(context["activity"], participant)
        return render(request, "workshops/phone/page.html", context)
    closed = rencontre.status == Rencontre.Status.CLOSED
    form = JoinForm(request.POST if request.method == "POST" and not closed else None)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            participant = services.participant_join(
                rencontre=rencontre, language=get_language() or "fr", **form.cleaned_data
            )
        except services.ClosedRencontreError:
            closed = True
        else:
            response = redirect("workshops:join", code=rencontre.code)
            response.status_code = 303
            access.remember_participant(response, participant)
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "workshops/phone/join.html",
        {"rencontre": rencontre, "form": form, "closed": closed},
        status=status,
    )


PhoneView = Callable[[HttpRequest, Rencontre, Participant, Activity, ActivityKind], HttpResponse]


def participant_activity(view: PhoneView):
    """A phone's request about one activity: the participant (from the cookie) and the
    activity of their rencontre, or a redirect to the join form, or 404."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, code: str, activity_id: int, *args, **kwargs):
        # One statement for the activity with its step and rencontre and the participant (a
        # tap's common case); the rare misses take the long way to the right answer.
        activity, participant = selectors.phone_activity(
            activity_id=activity_id, code=code, tokens=access.participant_tokens(request)
        )
        rencontre = activity.step.rencontre if activity else selectors.rencontre_by_code(code)
        if rencontre is None:
            raise Http404
        if activity is None:
            participant = access.participant_from_request(request, rencontre)
        if participant is None:
            return HttpResponseClientRedirect(reverse("workshops:join", args=[rencontre.code]))
        if activity is None:
            raise Http404
        participant.rencontre = rencontre  # already loaded: spare the kind a query
        kind = kinds.get(activity.kind)
        return view(request, rencontre, participant, activity, kind, *args, **kwargs)

    return wrapped


@never_cache
@require_GET
@participant_activity
def phone_part(request, rencontre, participant, activity, kind) -> HttpResponse:
    """The phone's own part of an activity (its answer, its table...), or another of the
    kind's phone parts named by `?part=`."""
    part = request.GET.get("part", "mine")
    if not kind.has_phone_part or part not in kind.phone_parts:
        raise Http404
    return render(request, kind.partial(part), kind.phone_context(activity, participant))


def _accepts_answers(rencontre: Rencontre, activity: Activity) -> bool:
    return (
        activity.is_open
        and rencontre.current_activity_id == activity.pk
        and rencontre.status != Rencontre.Status.CLOSED
    )


def _refusal(command: Command, exc: Exception) -> str:
    for error, message in command.refusals.items():
        if isinstance(exc, error):
            return str(message)
    raise exc


@never_cache
@require_POST
@participant_activity
def phone_command(request, rencontre, participant, activity, kind, command: str) -> HttpResponse:
    """One of the kind's phone commands (answer, support...): its form, its service, and the
    kind's part that answers. A refused or invalid post keeps what was typed."""
    cmd = kind.command("phone", command)
    if cmd is None:
        raise Http404
    if not _accepts_answers(rencontre, activity):
        # What was typed stays in the form on the phone; only this message is swapped in.
        response = render(request, "workshops/phone/closed.html", {"activity": activity})
        response.status_code = 409
        response["HX-Retarget"] = f"#answer-status-{activity.pk}"
        response["HX-Reswap"] = "innerHTML"
        return response
    form = cmd.form(request.POST, activity=activity, participant=participant)
    valid = form.is_valid()
    saved, message = False, ""
    if valid or cmd.keep_valid:
        try:
            cmd.run(activity=activity, participant=participant, **form.cleaned_data)
            saved = valid
            message = str(cmd.success) if saved else ""
        except tuple(cmd.refusals) as exc:
            message = _refusal(cmd, exc)
    keep_form = not saved or cmd.keep_valid
    context = kind.phone_context(
        activity, participant, form=form if keep_form else None, saved=saved, message=message
    )
    return render(request, kind.partial(cmd.answer), context)


# ---------------------------------------------------------------- facilitators


def _get_rencontre_for_facilitator(request: HttpRequest, code: str) -> Rencontre:
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None:
        raise Http404
    if not selectors.is_facilitator(request.user, rencontre):
        raise PermissionDenied
    return rencontre


def facilitator_required(view):
    """Login page for anonymous users, then 403 unless a facilitator of this rencontre.

    An htmx click after the session expired gets HX-Redirect, so the whole page goes to the
    login form instead of the click failing silently.
    """

    @functools.wraps(view)
    def wrapped(request: HtmxHttpRequest, code: str, *args, **kwargs):
        if not request.user.is_authenticated:
            login = f"{reverse('login')}?{urlencode({'next': request.path})}"
            if request.htmx:
                target = request.htmx.current_url_abs_path or request.path
                login = f"{reverse('login')}?{urlencode({'next': target})}"
                return HttpResponseClientRedirect(login)
            return redirect(login)
        return view(request, _get_rencontre_for_facilitator(request, code), *args, **kwargs)

    return wrapped


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workshops/control/home.html",
        {"rencontres": selectors.rencontres_for_user(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rencontre_new(request: HttpRequest) -> HttpResponse:
    """Create a rencontre from a template or as a copy of one of the user's rencontres.

    `?modele=<id>` preselects a template; `?depuis=<CODE>` preselects a rencontre to duplicate
    and fills in its title, place and territory."""
    form = NewRencontreForm(
        request.POST or None, user=request.user, initial=_new_rencontre_initial(request)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source = data.pop("source")
        try:
            if source is None:
                rencontre = services.rencontre_create(facilitator=request.user, **data)
            elif isinstance(source, AgendaTemplate):
                rencontre = services.rencontre_create_from_template(
                    template=source, facilitator=request.user, **data
                )
            else:
                rencontre = services.rencontre_duplicate(
                    source=source, facilitator=request.user, **data
                )
        except services.TemplateRefused as refused:
            form.add_error(
                "source",
                _("Ce modèle ne peut plus servir : %(why)s") % {"why": " ".join(refused.errors)},
            )
        else:
            messages.success(
                request, _("Rencontre créée. Code : %(code)s") % {"code": rencontre.code}
            )
            return redirect("workshops:control", code=rencontre.code)
    return render(
        request,
        "workshops/control/new.html",
        {
            "form": form,
            "templates": [
                (f"modele-{t.pk}", t, agenda_templates.summary(t.agenda)) for t in form.templates
            ],
            "past": [
                (f"rencontre-{r.code}", r, agenda_templates.duration_label(r.minutes or 0))
                for r in form.rencontres
            ],
            "selected": str(form["source"].value() or ""),
        },
    )


def _new_rencontre_initial(request: HttpRequest) -> dict:
    code = request.GET.get("depuis", "")
    if code:
        source = selectors.rencontre_by_code(code)
        if source is not None and selectors.is_facilitator(request.user, source):
            return {
                "source": f"rencontre-{source.code}",
                "title": source.title,
                "place": source.place,
                "territory_name": source.territory_name,
            }
    template = agenda_templates.template_for(request.user, request.GET.get("modele"))
    return {"source": f"modele-{template.pk}"} if template is not None else {}


@login_required
@require_GET
def agenda_templates_list(request: HttpRequest) -> HttpResponse:
    """The ready half-days and the user's own templates, each with its steps."""
    templates = agenda_templates.visible_to(request.user)
    return render(
        request,
        "workshops/control/templates.html",
        {"templates": [(t, agenda_templates.summary(t.agenda)) for t in templates]},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@facilitator_required
def agenda_template_create(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """Save the rencontre's agenda as a template of the user's own (only they see it)."""
    form = AgendaTemplateForm(request.POST or None, initial={"name": rencontre.title})
    refused: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            template = services.agenda_template_save(
                rencontre=rencontre, owner=request.user, **form.cleaned_data
            )
        except services.TemplateRefused as error:
            refused = error.errors
        else:
            messages.success(
                request,
                _(
                    "Modèle « %(name)s » enregistré : il vous est proposé à la création d'une rencontre."
                )
                % {"name": template.name},
            )
            return redirect("workshops:agenda_templates")
    return render(
        request,
        "workshops/control/template_new.html",
        {
            "rencontre": rencontre,
            "form": form,
            "refused": refused,
            "summary": agenda_templates.summary(agenda_templates.agenda_of(rencontre)),
        },
    )


@require_POST
@login_required
def agenda_template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    """Delete one of the user's own templates; anyone else's is not found (404)."""
    template = AgendaTemplate.objects.filter(pk=template_id, owner=request.user).first()
    if template is None:
        raise Http404
    services.agenda_template_delete(template=template)
    messages.success(request, _("Modèle « %(name)s » supprimé.") % {"name": template.name})
    return redirect("workshops:agenda_templates")


@never_cache
@require_GET
@facilitator_required
def control(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    context = selectors.control_context(rencontre)
    context.update(
        {
            "oob": False,
            "join_url": _join_url(request, rencontre),
            "screen_link_url": _screen_link_url(request, rencontre),
            "figures": debrief.debrief_figures(rencontre),
            "exports": sorted(debrief.all_exports()),
            "debrief_job": tasks.debrief_job_active(rencontre),
            "export_job": tasks.export_job_active(rencontre),
        }
    )
    return render(request, "workshops/control/page.html", context)


def _screen_page(request: HttpRequest, rencontre: Rencontre, ws_query: str = "") -> HttpResponse:
    context = selectors.screen_context(rencontre)
    join_url = _join_url(request, rencontre)
    context.update(
        {
            "oob": False,
            "join_url": join_url,
            "join_base": _absolute(request, "/j/"),
            "qr_svg": qr.svg_for(join_url),
            "ws_query": ws_query,
        }
    )
    with translation.override(rencontre.language):  # the wall speaks the rencontre's language
        return render(request, "workshops/screen/page.html", context)


@never_cache
@require_GET
@facilitator_required
def screen(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    return _screen_page(request, rencontre)


@never_cache
@require_GET
def screen_link(request: HttpRequest, code: str, secret: str) -> HttpResponse:
    """The wall for a room PC, opened with the read-only link's secret (no login): the
    projector page and its socket only. 404 once the link is revoked."""
    rencontre = access.rencontre_for_screen_secret(code, secret)
    if rencontre is None:
        raise Http404
    return _screen_page(request, rencontre, f"?{urlencode({access.SCREEN_KEY_PARAM: secret})}")


def _absolute(request: HttpRequest, path: str) -> str:
    """An address phones can reach: settings.PUBLIC_URL when set (the laptop's address on the
    room's network), else the host of this request."""
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL + path
    return request.build_absolute_uri(path)


def _join_url(request: HttpRequest, rencontre: Rencontre) -> str:
    return _absolute(request, reverse("workshops:join", args=[rencontre.code]))


def _screen_link_url(request: HttpRequest, rencontre: Rencontre) -> str:
    if not rencontre.screen_secret:
        return ""
    return request.build_absolute_uri(
        reverse("workshops:screen_link", args=[rencontre.code, rencontre.screen_secret])
    )


# ---------------------------------------------------------------- control-panel commands


def _control_state(rencontre: Rencontre) -> HttpResponse:
    rencontre.refresh_from_db()
    return HttpResponse(
        rendering.render_parts(
            rencontre=rencontre, role="control", parts=rendering.STATE_PARTS["control"]
        )
    )


def control_command(run: Callable[[HttpRequest, Rencontre], None]):
    """A command of the control panel: POST by a facilitator of the rencontre; answers an
    htmx click with the panel's fresh state (out-of-band swaps), a plain form with the panel."""

    @require_POST
    @facilitator_required
    @functools.wraps(run)
    def view(request: HtmxHttpRequest, rencontre: Rencontre, *args, **kwargs) -> HttpResponse:
        run(request, rencontre, *args, **kwargs)
        if not request.htmx:
            return redirect("workshops:control", code=rencontre.code)
        return _control_state(rencontre)

    return view


@control_command
def activity_next(request: HttpRequest, rencontre: Rencontre) -> None:
    form = ExpectedForm(request.POST)
    if form.is_valid():
        services.activity_step(
            rencontre=rencontre, expected_id=form.cleaned_data["expected"], offset=1
        )


@control_command
def activity_previous(request: HttpRequest, rencontre: Rencontre) -> None:
    form = ExpectedForm(request.POST)
    if form.is_valid():
        services.activity_step(
            rencontre=rencontre, expected_id=form.cleaned_data["expected"], offset=-1
        )


@control_command
def activity_goto(request: HttpRequest, rencontre: Rencontre) -> None:
    form = ActivityChoiceForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        services.activity_goto(rencontre=rencontre, activity_id=form.cleaned_data["activity"].pk)


@control_command
def answers_open(request: HttpRequest, rencontre: Rencontre) -> None:
    services.activity_set_open(rencontre=rencontre, is_open=True)


@control_command
def answers_close(request: HttpRequest, rencontre: Rencontre) -> None:
    services.activity_set_open(rencontre=rencontre, is_open=False)


@control_command
def qr_show(request: HttpRequest, rencontre: Rencontre) -> None:
    services.qr_set_visible(rencontre=rencontre, visible=True)


@control_command
def qr_hide(request: HttpRequest, rencontre: Rencontre) -> None:
    services.qr_set_visible(rencontre=rencontre, visible=False)


@control_command
def results_show(request: HttpRequest, rencontre: Rencontre) -> None:
    services.activity_results_set_hidden(rencontre=rencontre, hidden=False)


@control_command
def results_hide(request: HttpRequest, rencontre: Rencontre) -> None:
    services.activity_results_set_hidden(rencontre=rencontre, hidden=True)


@control_command
def split_on(request: HttpRequest, rencontre: Rencontre) -> None:
    services.activity_split_set(rencontre=rencontre, by_actor_type=True)


@control_command
def split_off(request: HttpRequest, rencontre: Rencontre) -> None:
    services.activity_split_set(rencontre=rencontre, by_actor_type=False)


@control_command
def rencontre_end(request: HttpRequest, rencontre: Rencontre) -> None:
    if services.rencontre_end(rencontre=rencontre):
        # Each participant who agreed receives their sheet (background worker).
        tasks.sheet_mails_queue(rencontre=rencontre, base_url=_absolute(request, "/"))


@control_command
def timer_start(request: HttpRequest, rencontre: Rencontre) -> None:
    form = TimerStartForm(request.POST)
    if form.is_valid():
        minutes = form.cleaned_data["minutes"]
        services.timer_start(
            rencontre=rencontre, seconds=minutes * 60 if minutes is not None else None
        )


@control_command
def timer_pause(request: HttpRequest, rencontre: Rencontre) -> None:
    services.timer_pause(rencontre=rencontre)


@control_command
def timer_extend(request: HttpRequest, rencontre: Rencontre) -> None:
    form = TimerExtendForm(request.POST)
    if form.is_valid():
        services.timer_extend(rencontre=rencontre, seconds=(form.cleaned_data["minutes"] or 1) * 60)


@control_command
def timer_reset(request: HttpRequest, rencontre: Rencontre) -> None:
    services.timer_reset(rencontre=rencontre)


@control_command
def screen_blank(request: HttpRequest, rencontre: Rencontre) -> None:
    services.screen_blank_set(rencontre=rencontre, blanked=True)


@control_command
def screen_unblank(request: HttpRequest, rencontre: Rencontre) -> None:
    services.screen_blank_set(rencontre=rencontre, blanked=False)


@control_command
def screen_link_create(request: HttpRequest, rencontre: Rencontre) -> None:
    services.screen_link_create(rencontre=rencontre)


@control_command
def screen_link_revoke(request: HttpRequest, rencontre: Rencontre) -> None:
    services.screen_link_revoke(rencontre=rencontre)


def _participant_command(request: HttpRequest, rencontre: Rencontre) -> Participant | None:
    form = ParticipantChoiceForm(request.POST, rencontre=rencontre)
    if not form.is_valid():
        messages.error(request, _("Participant introuvable : rechargez le panneau."))
        return None
    return form.cleaned_data["participant"]


@control_command
def participant_absent(request: HttpRequest, rencontre: Rencontre) -> None:
    if participant := _participant_command(request, rencontre):
        services.participant_set_absent(participant=participant, absent=True)


@control_command
def participant_present(request: HttpRequest, rencontre: Rencontre) -> None:
    if participant := _participant_command(request, rencontre):
        services.participant_set_absent(participant=participant, absent=False)


@control_command
def participant_remove(request: HttpRequest, rencontre: Rencontre) -> None:
    if participant := _participant_command(request, rencontre):
        services.participant_erase(participant=participant)


@control_command
def kind_command(request: HttpRequest, rencontre: Rencontre, activity_id: int, command: str):
    """One of a kind's control commands (moderation, spotlight, tables...): its form and its
    service; a refusal is shown on the panel."""
    activity = (
        Activity.objects.filter(pk=activity_id, step__rencontre=rencontre)
        .select_related("step")
        .first()
    )
    if activity is None:
        raise Http404
    cmd = kinds.get(activity.kind).command("control", command)
    if cmd is None:
        raise Http404
    form = cmd.form(request.POST, activity=activity)
    if form.is_valid():
        try:
            cmd.run(activity=activity, **form.cleaned_data)
        except tuple(cmd.refusals) as exc:
            messages.error(request, _refusal(cmd, exc))


# ---------------------------------------------------------------- health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the channel layer answer; 503 naming the failing part."""
    failing = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        failing.append("database")
    try:
        async_to_sync(_layer_roundtrip)()
    except Exception:
        failing.append("channel_layer")
    if failing:
        return JsonResponse({"status": "error", "failing": failing}, status=503)
    return JsonResponse({"status": "ok"})


async def _layer_roundtrip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz"})
    await asyncio.wait_for(layer.receive(channel), timeout=3)


# ---------------------------------------------------------------- agenda editing


@never_cache
@require_GET
@facilitator_required
def agenda_edit(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """Reorder, retitle, retime, add and remove steps and activities (one URL per command)."""
    return render(
        request,
        "workshops/control/agenda.html",
        {
            "rencontre": rencontre,
            "steps": selectors.agenda(rencontre),
            "new_activity": NewActivityForm(),
            "kind_labels": dict(kinds.choices()),
        },
    )


def agenda_command(run: Callable[[HttpRequest, Rencontre], str | None]):
    """A command of the agenda editor: POST by a facilitator, then back to the agenda (or
    where the command says)."""

    @require_POST
    @facilitator_required
    @functools.wraps(run)
    def view(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
        target = run(request, rencontre)
        return redirect(target or reverse("workshops:agenda_edit", args=[rencontre.code]))

    return view


@agenda_command
def step_create(request: HttpRequest, rencontre: Rencontre) -> None:
    form = StepForm(request.POST)
    if form.is_valid():
        services.step_create(rencontre=rencontre, **form.cleaned_data)
    else:
        messages.error(request, _("Étape non ajoutée : titre et durée (1 à 480 min) requis."))


@agenda_command
def step_update(request: HttpRequest, rencontre: Rencontre) -> None:
    form = StepEditForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        data = form.cleaned_data
        services.step_update(
            step=data["step"], title=data["title"], planned_minutes=data["planned_minutes"]
        )
    else:
        messages.error(request, _("Étape non modifiée : titre et durée (1 à 480 min) requis."))


def _step_move(request: HttpRequest, rencontre: Rencontre, offset: int) -> None:
    form = StepChoiceForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        services.step_move(step=form.cleaned_data["step"], offset=offset)


@agenda_command
def step_up(request: HttpRequest, rencontre: Rencontre) -> None:
    _step_move(request, rencontre, -1)


@agenda_command
def step_down(request: HttpRequest, rencontre: Rencontre) -> None:
    _step_move(request, rencontre, 1)


@agenda_command
def step_delete(request: HttpRequest, rencontre: Rencontre) -> None:
    form = StepChoiceForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        try:
            services.step_delete(step=form.cleaned_data["step"])
        except ValueError:
            messages.error(request, _("L'étape en cours ne peut pas être supprimée."))


@agenda_command
def activity_create(request: HttpRequest, rencontre: Rencontre) -> str | None:
    form = NewActivityInStepForm(request.POST, rencontre=rencontre)
    if not form.is_valid():
        messages.error(request, _("Activité non ajoutée : choisissez un type et un titre."))
        return None
    data = form.cleaned_data
    created = services.activity_create(step=data["step"], kind=data["kind"], title=data["title"])
    messages.success(request, _("Activité ajoutée : complétez-la ci-dessous."))
    return reverse("workshops:activity_edit", args=[rencontre.code, created.pk])


def _activity_move(request: HttpRequest, rencontre: Rencontre, offset: int) -> None:
    form = ActivityChoiceForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        services.activity_move(activity=form.cleaned_data["activity"], offset=offset)


@agenda_command
def activity_up(request: HttpRequest, rencontre: Rencontre) -> None:
    _activity_move(request, rencontre, -1)


@agenda_command
def activity_down(request: HttpRequest, rencontre: Rencontre) -> None:
    _activity_move(request, rencontre, 1)


@agenda_command
def activity_delete(request: HttpRequest, rencontre: Rencontre) -> None:
    form = ActivityChoiceForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        try:
            services.activity_delete(activity=form.cleaned_data["activity"])
        except ValueError:
            messages.error(request, _("L'activité en cours ne peut pas être supprimée."))


@never_cache
@require_http_methods(["GET", "POST"])
@facilitator_required
def activity_edit(request: HttpRequest, rencontre: Rencontre, activity_id: int) -> HttpResponse:
    """Edit an activity's title, text, duration and its kind's settings (choices, limits)."""
    activity = (
        Activity.objects.filter(pk=activity_id, step__rencontre=rencontre)
        .select_related("step")
        .first()
    )
    if activity is None:
        raise Http404
    kind = kinds.get(activity.kind)
    config_class = kind.config_form
    if request.method == "POST":
        form = ActivityForm(request.POST)
        config_form = config_class(request.POST, activity=activity) if config_class else None
        if form.is_valid() and (config_form is None or config_form.is_valid()):
            services.activity_update(
                activity=activity,
                config=config_form.to_config() if config_form else None,
                **form.cleaned_data,
            )
            messages.success(request, _("Activité enregistrée."))
            return redirect("workshops:agenda_edit", code=rencontre.code)
    else:
        form = ActivityForm(
            initial={
                "title": activity.title,
                "body": activity.body,
                "planned_minutes": activity.planned_minutes,
            }
        )
        config_form = (
            config_class(initial=config_class.initial_from(activity.config), activity=activity)
            if config_class
            else None
        )
    return render(
        request,
        "workshops/control/activity.html",
        {
            "rencontre": rencontre,
            "activity": activity,
            "kind": kind,
            "form": form,
            "config_form": config_form,
            "kind_pages": kind.pages(activity),
            "answers": Answer.objects.filter(activity=activity).count(),
        },
    )


# ---------------------------------------------------------------- polling fallback

# Where a proxy blocks WebSockets, live pages poll these with the version they hold: an
# unchanged state answers 204 (no body, no render); a changed one the same out-of-band HTML a
# push carries, with its version in this header.
STATE_VERSION_HEADER = "X-State-Version"


def _state_response(request: HttpRequest, *, version: str, render_state) -> HttpResponse:
    if request.GET.get("v") == version:
        response = HttpResponse(status=204)
    else:
        response = HttpResponse(render_state())
    response[STATE_VERSION_HEADER] = version
    return response


@never_cache
@require_GET
def phone_state(request: HttpRequest, code: str) -> HttpResponse:
    """A phone's live state by HTTP, for phones whose socket cannot open. Costs one small
    query when nothing changed (the version pushes carry)."""
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None:
        raise Http404
    if access.participant_from_request(request, rencontre) is None:
        raise PermissionDenied
    return _state_response(
        request,
        version=live.state_version(rencontre.pk),
        render_state=lambda: rendering.render_state_for_role(
            rencontre_id=rencontre.pk, role="phone"
        ),
    )


def _facilitator_state(request: HttpRequest, rencontre: Rencontre, role: str) -> HttpResponse:
    # Screens and panels also show counts and results that change without a new state
    # version, so their version is the rendered state's own hash (one or two such pages per
    # rencontre: a render each poll is cheap; the 204 saves the transfer).
    html = rendering.render_state_for_role(rencontre_id=rencontre.pk, role=role)
    version = hashlib.sha1(html.encode()).hexdigest()[:16]
    return _state_response(request, version=version, render_state=lambda: html)


@never_cache
@require_GET
@facilitator_required
def screen_state(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The projector's live state by HTTP, for screens whose socket cannot open."""
    return _facilitator_state(request, rencontre, "screen")


@never_cache
@require_GET
@facilitator_required
def control_state(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The control panel's live state by HTTP, for panels whose socket cannot open."""
    return _facilitator_state(request, rencontre, "control")


# ---------------------------------------------------------------- debrief and exports


def _debrief_job(rencontre: Rencontre, job_id: str | int) -> DebriefJob:
    try:
        return DebriefJob.objects.get(pk=int(job_id), rencontre=rencontre, what=DebriefJob.PDF)
    except (ValueError, OverflowError, DebriefJob.DoesNotExist):
        raise Http404 from None


def _job_file(path, content_type: str, name: str, disposition: str) -> HttpResponse:
    """A file a worker job made, under the name it is saved as."""
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


def _debrief_file(rencontre: Rencontre, job: DebriefJob) -> HttpResponse | None:
    path = tasks.debrief_path(job)
    if path is None:
        return None
    name = f"restitution-{slugify(rencontre.title)[:60]}-{rencontre.date:%Y-%m-%d}.pdf"
    return _job_file(path, "application/pdf", name, "inline")  # ~200 KB


def _debrief_job_page(request: HttpRequest, rencontre: Rencontre, job: DebriefJob):
    return render(
        request,
        "workshops/debrief/wait.html",
        {"rencontre": rencontre, "job": job, "follow": True},
    )


@never_cache
@require_GET
@facilitator_required
def restitution_pdf(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The PDF debrief. `?tache=<id>` serves that job's file once ready; otherwise a PDF is
    queued for the background worker (or the one under way is found) and the page waiting
    for it answers: it goes to the file when ready. Never makes a PDF in this process."""
    if "tache" in request.GET:
        job = _debrief_job(rencontre, request.GET["tache"])
        ready = _debrief_file(rencontre, job)
        if ready is not None:
            return ready
        if job.status != DebriefJob.Status.DONE:  # under way or failed: say so
            return _debrief_job_page(request, rencontre, job)
        # done, but its file was replaced by a newer PDF: make the current one
    job = tasks.debrief_job_start(
        rencontre=rencontre, user=request.user, language=rencontre.language
    )
    ready = _debrief_file(rencontre, job)  # only with the immediate backend (tests)
    return ready if ready is not None else _debrief_job_page(request, rencontre, job)


@require_POST
@facilitator_required
def restitution_prepare(request: HtmxHttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The panel's button: queue the PDF; the panel then shows its progress."""
    job = tasks.debrief_job_start(
        rencontre=rencontre, user=request.user, language=rencontre.language
    )
    if not request.htmx:
        return redirect("workshops:restitution_job", code=rencontre.code, job_id=job.pk)
    return render(request, "workshops/debrief/_job.html", {"rencontre": rencontre, "job": job})


@never_cache
@require_GET
@facilitator_required
def restitution_job(request: HtmxHttpRequest, rencontre: Rencontre, job_id: int) -> HttpResponse:
    """One PDF job's progress (polled every second while it runs), then its link. The waiting
    page (`?suivre=1`) goes to the file as soon as it is ready."""
    tasks.debrief_jobs_fail_stale()
    job = _debrief_job(rencontre, job_id)
    follow = request.GET.get("suivre") == "1"
    if not request.htmx:
        return _debrief_job_page(request, rencontre, job)
    if follow and tasks.debrief_path(job) is not None:
        file_url = reverse("workshops:restitution_pdf", args=[rencontre.code])
        return HttpResponseClientRedirect(f"{file_url}?{urlencode({'tache': job.pk})}")
    return render(
        request,
        "workshops/debrief/_job.html",
        {"rencontre": rencontre, "job": job, "follow": follow},
    )


# ---------------------------------------------------------------- the debrief's settings


def _settings_initial(rencontre: Rencontre, suggested: list[str]) -> dict:
    choices = debrief.debrief_settings(rencontre)
    messages_now = choices.key_messages or suggested
    hidden = set(choices.hidden_steps)
    initial = {name: getattr(choices, name) for name in DebriefSettingsForm.SWITCHES}
    initial["steps"] = [str(s.pk) for s in rencontre.steps.all() if s.pk not in hidden]
    initial.update({f"message_{n}": line for n, line in enumerate(messages_now, start=1)})
    return initial


def _settings_page(
    request: HttpRequest,
    rencontre: Rencontre,
    *,
    form: DebriefSettingsForm | None = None,
    logo_form: LogoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = debrief.debrief_context(rencontre)
    suggested = debrief.suggested_messages(context)
    if form is None:
        initial = _settings_initial(rencontre, suggested)
        form = DebriefSettingsForm(initial=initial, rencontre=rencontre)
    return render(
        request,
        "workshops/debrief/settings.html",
        {
            "rencontre": rencontre,
            "form": form,
            "logo_form": logo_form or LogoForm(rencontre=rencontre),
            "logos": list(rencontre.logos.all()),
            "suggested": suggested,
            "edited": bool(debrief.debrief_settings(rencontre).key_messages),
            "with_content": {str(section["step"].pk) for section in context["sections"]},
            "debrief_job": tasks.debrief_job_active(rencontre),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@facilitator_required
def restitution_settings(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The PDF's key messages (prefilled from the synthesis) and its sections, then the
    logos of its cover. A refused form is shown again with what was typed."""
    if request.method == "GET":
        return _settings_page(request, rencontre)
    form = DebriefSettingsForm(request.POST, rencontre=rencontre)
    if not form.is_valid():
        return _settings_page(request, rencontre, form=form, status=400)
    services.debrief_settings_save(
        rencontre=rencontre,
        key_messages=form.key_messages(),
        hidden_steps=form.hidden_steps(),
        **{name: form.cleaned_data[name] for name in DebriefSettingsForm.SWITCHES},
    )
    messages.success(request, _("Réglages de la restitution enregistrés."))
    return redirect("workshops:restitution_settings", code=rencontre.code)


@require_POST
@facilitator_required
def restitution_messages_reset(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """Go back to the key messages the synthesis suggests (the sections stay as chosen)."""
    choices = debrief.debrief_settings(rencontre)
    services.debrief_settings_save(
        rencontre=rencontre,
        key_messages=[],
        hidden_steps=choices.hidden_steps,
        **{name: getattr(choices, name) for name in DebriefSettingsForm.SWITCHES},
    )
    messages.success(request, _("Messages clés proposés par la synthèse rétablis."))
    return redirect("workshops:restitution_settings", code=rencontre.code)


@require_POST
@facilitator_required
def restitution_logo_add(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """Upload a logo for the PDF's cover (PNG or JPEG, 1 MB at most, checked by decoding it)."""
    form = LogoForm(request.POST, request.FILES, rencontre=rencontre)
    if not form.is_valid():
        return _settings_page(request, rencontre, logo_form=form, status=400)
    image = form.cleaned_data["image"]
    services.debrief_logo_add(
        rencontre=rencontre,
        role=form.cleaned_data["role"],
        name=form.cleaned_data["name"],
        content=image.content,
        extension=image.extension,
        width=image.width,
        height=image.height,
    )
    messages.success(request, _("Logo ajouté."))
    return redirect("workshops:restitution_settings", code=rencontre.code)


@require_POST
@facilitator_required
def restitution_logo_remove(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """Take a logo off the PDF's cover."""
    form = LogoChoiceForm(request.POST, rencontre=rencontre)
    if form.is_valid():
        services.debrief_logo_remove(logo=form.cleaned_data["logo"])
        messages.success(request, _("Logo retiré."))
    else:
        messages.error(request, _("Ce logo n'existe plus."))
    return redirect("workshops:restitution_settings", code=rencontre.code)


@require_GET
@facilitator_required
def restitution_logo(request: HttpRequest, rencontre: Rencontre, logo_id: int) -> HttpResponse:
    """A logo of the rencontre, for its preview on the settings page."""
    logo = DebriefLogo.objects.filter(pk=logo_id, rencontre=rencontre).first()
    if logo is None or not logo.path.is_file():
        raise Http404
    kind = "image/png" if logo.filename.endswith(".png") else "image/jpeg"
    response = HttpResponse(logo.path.read_bytes(), content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


EXPORT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _export_job(rencontre: Rencontre, job_id: str | int, what: str | None = None) -> DebriefJob:
    """One export job of the rencontre (of that export when `what` is given); 404 otherwise."""
    jobs = DebriefJob.objects.filter(rencontre=rencontre).exclude(what=DebriefJob.PDF)
    if what is not None:
        jobs = jobs.filter(what=what)
    try:
        return jobs.get(pk=int(job_id))
    except (ValueError, OverflowError, DebriefJob.DoesNotExist):
        raise Http404 from None


def _export_url(rencontre: Rencontre, job: DebriefJob) -> str:
    """The address that serves the job's file."""
    if job.export_name:
        url = reverse("workshops:export_csv", args=[rencontre.code, job.export_name])
    else:
        url = reverse("workshops:export_json", args=[rencontre.code])
    return f"{url}?{urlencode({'tache': job.pk})}"


def _export_file(rencontre: Rencontre, job: DebriefJob) -> HttpResponse | None:
    path = tasks.debrief_path(job)
    if path is None:
        return None
    name = (
        f"{rencontre.code}-{job.export_name}.csv" if job.export_name else f"{rencontre.code}.json"
    )
    return _job_file(path, EXPORT_TYPES[path.suffix.removeprefix(".")], name, "attachment")


def _export_job_page(request: HttpRequest, rencontre: Rencontre, job: DebriefJob):
    return render(
        request,
        "workshops/debrief/export_wait.html",
        {"rencontre": rencontre, "job": job, "follow": True},
    )


def _export_download(request: HttpRequest, rencontre: Rencontre, what: str) -> HttpResponse:
    """An export's address: `?tache=<id>` serves that job's file once ready; otherwise the
    export is queued for the background worker (or the one under way is found) and the page
    waiting for it answers, going to the file when ready. Never builds an export here."""
    if "tache" in request.GET:
        job = _export_job(rencontre, request.GET["tache"], what)
        ready = _export_file(rencontre, job)
        if ready is not None:
            return ready
        if job.status != DebriefJob.Status.DONE:  # under way or failed: say so
            return _export_job_page(request, rencontre, job)
        # done, but its file was replaced by a newer one: make the current one
    job = tasks.debrief_job_start(
        rencontre=rencontre, user=request.user, language=get_language() or "fr", what=what
    )
    ready = _export_file(rencontre, job)  # only with the immediate backend (tests)
    return ready if ready is not None else _export_job_page(request, rencontre, job)


@never_cache
@require_GET
@facilitator_required
def export_csv(request: HttpRequest, rencontre: Rencontre, name: str) -> HttpResponse:
    """One table of the rencontre as CSV (UTF-8 with BOM and semicolons, as French spreadsheet
    software expects), made by the background worker (see `_export_download`)."""
    what = debrief.export_what(name)
    if what is None or what == DebriefJob.JSON:
        raise Http404
    return _export_download(request, rencontre, what)


@never_cache
@require_GET
@facilitator_required
def export_json(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The whole rencontre as one JSON document (its description, agenda and every table),
    made by the background worker (see `_export_download`)."""
    return _export_download(request, rencontre, DebriefJob.JSON)


@require_POST
@facilitator_required
def export_prepare(request: HtmxHttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The panel's export buttons: queue the export chosen (`quoi`: a table's name or
    "json"); the panel then shows its progress. An unknown choice is said, nothing queued."""
    form = ExportChoiceForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, _("Cet export n'existe pas."))
            return redirect("workshops:control", code=rencontre.code)
        return render(
            request,
            "workshops/debrief/_export_job.html",
            {"rencontre": rencontre, "job": None, "refused": True},
        )
    job = tasks.debrief_job_start(
        rencontre=rencontre,
        user=request.user,
        language=get_language() or "fr",
        what=form.cleaned_data["quoi"],
    )
    if not request.htmx:
        return redirect("workshops:export_job", code=rencontre.code, job_id=job.pk)
    return render(
        request, "workshops/debrief/_export_job.html", {"rencontre": rencontre, "job": job}
    )


@never_cache
@require_GET
@facilitator_required
def export_job(request: HtmxHttpRequest, rencontre: Rencontre, job_id: int) -> HttpResponse:
    """One export job's progress (polled every second while it runs), then its link. The
    waiting page (`?suivre=1`) goes to the file as soon as it is ready."""
    tasks.debrief_jobs_fail_stale()
    job = _export_job(rencontre, job_id)
    follow = request.GET.get("suivre") == "1"
    if not request.htmx:
        return _export_job_page(request, rencontre, job)
    if follow and tasks.debrief_path(job) is not None:
        return HttpResponseClientRedirect(_export_url(rencontre, job))
    return render(
        request,
        "workshops/debrief/_export_job.html",
        {"rencontre": rencontre, "job": job, "follow": follow},
    )


# ---------------------------------------------------------------- the personal page


def _participant_by_token(token: str) -> Participant:
    participant = Participant.objects.filter(token=token).select_related("rencontre").first()
    if participant is None:
        raise Http404
    return participant


def personal_link(view):
    """A request on a personal link: the participant of the token, 404 for an unknown token,
    a French "expired" page (410) once the retention period is over."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        participant = _participant_by_token(token)
        if personal_data.link_expired(participant.rencontre):
            return render(
                request,
                "workshops/phone/expired.html",
                {"rencontre": participant.rencontre},
                status=410,
            )
        return view(request, participant, *args, **kwargs)

    return wrapped


@never_cache
@require_GET
@personal_link
def personal(request: HttpRequest, participant: Participant) -> HttpResponse:
    """A participant's page after the event (secret link): what each kind keeps of them, and
    what is kept about them, to download or delete."""
    return render(
        request,
        "workshops/phone/personal.html",
        {
            "participant": participant,
            "rencontre": participant.rencontre,
            "personal_parts": debrief.personal_parts(participant),
            "kept": personal_data.kept_records(participant),
            "kept_until": personal_data.retention_end(participant.rencontre),
            "contact_form": ContactForm.for_participant(participant),
        },
    )


@never_cache
@require_POST
@personal_link
def personal_contact(request: HtmxHttpRequest, participant: Participant) -> HttpResponse:
    """The participant's optional e-mail and contact, each with its consent (from the phone's
    debrief or the personal page). htmx gets the form back; a plain post the page."""
    form = ContactForm(request.POST, auto_id="id_contact_%s")
    saved = form.is_valid()
    if saved:
        services.participant_contact_set(participant=participant, **form.cleaned_data)
        form = ContactForm.for_participant(participant)
    if request.htmx:
        return render(
            request,
            "workshops/phone/_contact.html",
            {"participant": participant, "contact_form": form, "contact_saved": saved},
        )
    if saved:
        messages.success(request, _("Vos coordonnées sont enregistrées."))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect(reverse("workshops:personal", args=[participant.token]) + "#coordonnees")


def _sheet_file(participant: Participant, path: str) -> HttpResponse | None:
    """The participant's sheet written by the worker at `path`, if it is theirs and there."""
    expected = tasks.sheet_file_path(participant)
    if path != str(expected) or not expected.is_file():
        return None
    response = HttpResponse(expected.read_bytes(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{sheet.sheet_filename(participant)}"'
    return response


@never_cache
@require_GET
@personal_link
def personal_sheet(request: HttpRequest, participant: Participant) -> HttpResponse:
    """The participant's one-page sheet (PDF), made by the background worker: the page that
    answers waits for it (it reloads itself, `?tache=<id>`) and gives the file when ready.
    Never lays out a PDF in this process, which serves phones."""
    if "tache" in request.GET:
        try:
            result = tasks.sheet_file_task.get_result(request.GET["tache"][:64])
        except Exception:  # unknown id, or a backend that keeps no results
            raise Http404 from None
        if result.args[:1] != [participant.pk]:
            raise Http404
        if result.status == TaskResultStatus.SUCCESSFUL:
            ready = _sheet_file(participant, result.return_value)
            if ready is not None:
                return ready
        failed = result.status == TaskResultStatus.FAILED
        return _sheet_wait(request, participant, result.id, failed=failed)
    result = tasks.sheet_file_task.enqueue(
        participant.pk, settings.SITE_URL or _absolute(request, "/")
    )
    if result.status == TaskResultStatus.SUCCESSFUL:  # the immediate backend (tests)
        ready = _sheet_file(participant, result.return_value)
        if ready is not None:
            return ready
    return _sheet_wait(request, participant, result.id, failed=False)


def _sheet_wait(request, participant: Participant, result_id, *, failed: bool) -> HttpResponse:
    return render(
        request,
        "workshops/phone/sheet_wait.html",
        {
            "participant": participant,
            "rencontre": participant.rencontre,
            "failed": failed,
            "next": f"{reverse('workshops:personal_sheet', args=[participant.token])}?"
            + urlencode({"tache": result_id}),
        },
    )


@require_POST
@personal_link
def personal_command(
    request: HttpRequest, participant: Participant, kind: str, command: str
) -> HttpResponse:
    """One of a kind's commands on the personal page (an action marked done...)."""
    token = participant.token
    cmd = kinds.get(kind).command("personal", command) if kinds.is_registered(kind) else None
    if cmd is None:
        raise Http404
    form = cmd.form(request.POST, activity=None, participant=participant)
    if form.is_valid():
        try:
            cmd.run(participant=participant, **form.cleaned_data)
        except tuple(cmd.refusals) as exc:
            messages.error(request, _refusal(cmd, exc))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("workshops:personal", token=token)


@never_cache
@require_GET
@personal_link
def personal_export(request: HttpRequest, participant: Participant) -> HttpResponse:
    """Everything kept about the participant, as one JSON file."""
    response = HttpResponse(
        json.dumps(
            personal_data.personal_document(participant), ensure_ascii=False, indent=1, default=str
        ),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@personal_link
def personal_delete(request: HttpRequest, participant: Participant) -> HttpResponse:
    """GET: what would be deleted, and a button to confirm. POST: delete it all, then say
    what was deleted (the link stops working)."""
    rencontre = participant.rencontre
    if request.method == "POST":
        participant_id = participant.pk
        deleted = services.participant_erase(participant=participant)
        tasks.sheet_files_delete(rencontre_id=rencontre.pk, participant_id=participant_id)
        response = render(
            request,
            "workshops/phone/personal_deleted.html",
            {"rencontre": rencontre, "deleted": deleted},
        )
        response.delete_cookie(access.participant_cookie_name(rencontre))
        return response
    return render(
        request,
        "workshops/phone/personal_delete.html",
        {
            "participant": participant,
            "rencontre": rencontre,
            "kept": personal_data.kept_records(participant),
        },
    )
