from __future__ import annotations

import asyncio
import csv
import functools
import io
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from workshops import access, debrief, kinds, qr, rendering, results, selectors, services
from workshops.forms import (
    ActivityForm,
    ChoicesConfigForm,
    CodeForm,
    ControlForm,
    JoinForm,
    NewActivityForm,
    PollAnswerForm,
    QuestionAnswerForm,
    RencontreForm,
    ScaleAnswerForm,
    StepForm,
    WordsAnswerForm,
)
from workshops.models import Activity, Answer, Participant, Rencontre


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
        return _phone_page(request, rencontre, participant)
    closed = rencontre.status == Rencontre.Status.CLOSED
    form = JoinForm(request.POST if request.method == "POST" and not closed else None)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            participant = services.participant_join(rencontre=rencontre, **form.cleaned_data)
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


def _phone_page(request: HttpRequest, rencontre: Rencontre, participant: Participant):
    context = selectors.phone_context(rencontre)
    context.update({"participant": participant, "oob": False})
    return render(request, "workshops/phone/page.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def phone_activity(request: HttpRequest, code: str, activity_id: int) -> HttpResponse:
    """The phone's personal part of an activity (its own answer); POST records an answer."""
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None:
        raise Http404
    participant = access.participant_from_request(request, rencontre)
    if participant is None:
        return HttpResponseClientRedirect(reverse("workshops:join", args=[rencontre.code]))
    activity = (
        Activity.objects.filter(pk=activity_id, step__rencontre=rencontre)
        .select_related("step")
        .first()
    )
    if activity is None:
        raise Http404
    activity.step.rencontre = rencontre  # already loaded: spare the kind a query
    kind = kinds.get(activity.kind)
    if kind.phone_view is None:
        return HttpResponse("")
    if request.method == "POST" and not _accepts_answers(rencontre, activity):
        # What was typed stays in the form on the phone; only this message is swapped in.
        response = render(request, "workshops/phone/closed.html", {"activity": activity})
        response.status_code = 409
        response["HX-Retarget"] = f"#answer-status-{activity.pk}"
        response["HX-Reswap"] = "innerHTML"
        return response
    return kind.phone_view(request, activity, participant)


def _accepts_answers(rencontre: Rencontre, activity: Activity) -> bool:
    return (
        activity.is_open
        and rencontre.current_activity_id == activity.pk
        and rencontre.status != Rencontre.Status.CLOSED
    )


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
    form = RencontreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rencontre = services.rencontre_create(facilitator=request.user, **form.cleaned_data)
        messages.success(request, _("Rencontre créée. Code : %(code)s") % {"code": rencontre.code})
        return redirect("workshops:control", code=rencontre.code)
    return render(request, "workshops/control/new.html", {"form": form})


@never_cache
@require_GET
@facilitator_required
def control(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    context = selectors.control_context(rencontre)
    context.update(
        {
            "oob": False,
            "join_url": _join_url(request, rencontre),
            "figures": debrief.debrief_figures(rencontre),
            "exports": sorted(_all_exports()),
        }
    )
    return render(request, "workshops/control/page.html", context)


@never_cache
@require_GET
@facilitator_required
def screen(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    context = selectors.screen_context(rencontre)
    join_url = _join_url(request, rencontre)
    context.update(
        {
            "oob": False,
            "join_url": join_url,
            "join_base": request.build_absolute_uri("/j/"),
            "qr_svg": qr.svg_for(join_url),
        }
    )
    return render(request, "workshops/screen/page.html", context)


def _join_url(request: HttpRequest, rencontre: Rencontre) -> str:
    return request.build_absolute_uri(reverse("workshops:join", args=[rencontre.code]))


@require_POST
@facilitator_required
def control_action(request: HtmxHttpRequest, rencontre: Rencontre) -> HttpResponse:
    """One command of the control panel; answers with the panel's fresh state (OOB)."""
    form = ControlForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        op = data["op"]
        if op in ("next", "previous"):
            services.activity_step(
                rencontre=rencontre,
                expected_id=data["expected"],
                offset=1 if op == "next" else -1,
            )
        elif op == "goto" and data["activity"] is not None:
            services.activity_goto(rencontre=rencontre, activity_id=data["activity"])
        elif op in ("open", "close"):
            services.activity_set_open(rencontre=rencontre, is_open=op == "open")
        elif op in ("qr_show", "qr_hide"):
            services.qr_set_visible(rencontre=rencontre, visible=op == "qr_show")
        elif op == "timer_start":
            minutes = data["minutes"]
            services.timer_start(
                rencontre=rencontre, seconds=minutes * 60 if minutes is not None else None
            )
        elif op == "timer_pause":
            services.timer_pause(rencontre=rencontre)
        elif op == "timer_extend":
            services.timer_extend(rencontre=rencontre, seconds=(data["minutes"] or 1) * 60)
        elif op == "timer_reset":
            services.timer_reset(rencontre=rencontre)
        elif op in ("results_show", "results_hide"):
            services.activity_display_set(rencontre=rencontre, results_hidden=op == "results_hide")
        elif op in ("split_on", "split_off"):
            services.activity_display_set(rencontre=rencontre, by_actor_type=op == "split_on")
    if not request.htmx:
        return redirect("workshops:control", code=rencontre.code)
    return _control_state(rencontre)


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


# ---------------------------------------------------------------- answering kinds


def _answer_of(activity: Activity, participant: Participant) -> Answer | None:
    return Answer.objects.filter(activity=activity, participant=participant).first()


def _answer_phone(
    request, activity, participant, *, template, make_form, submit, initial=None, extra=None
):
    """The phone's own part of an answering activity. A valid POST records the answer and shows
    it saved; an invalid one shows the form with what was typed and the errors in French.
    `make_form(data, initial)` builds the kind's form, `submit(cleaned_data)` saves and returns
    the answer, `initial(data)` prefills the form from a saved answer, `extra(data)` adds the
    kind's own context."""
    saved, answer = False, None
    if request.method == "POST":
        form = make_form(request.POST, None)
        if form.is_valid():
            answer, saved = submit(form.cleaned_data), True
    if answer is None:
        answer = _answer_of(activity, participant)
    data = answer.data if answer else {}
    if saved or request.method != "POST":
        form = make_form(None, initial(data) if initial and answer else None)
    context = {
        "activity": activity,
        "rencontre": activity.step.rencontre,
        "participant": participant,
        "form": form,
        "saved": saved,
        "answered": answer is not None,
        "data": data,
        **(extra(data) if extra else {}),
    }
    return render(request, f"workshops/kinds/{template}.html#mine", context)


def poll_phone(request: HttpRequest, activity: Activity, participant: Participant):
    choices = activity.config.get("choices", [])
    return _answer_phone(
        request,
        activity,
        participant,
        template="poll",
        make_form=lambda data, _initial: PollAnswerForm(
            data, choice_ids=[c["id"] for c in choices]
        ),
        submit=lambda cleaned: services.poll_answer_submit(
            activity=activity,
            participant=participant,
            choice=cleaned["choice"],
            other=cleaned["other"],
        ),
        extra=lambda data: {
            "choices": choices,
            "chosen": set(data.get("choices", [])),
            "other": data.get("other", ""),
        },
    )


def scale_phone(request: HttpRequest, activity: Activity, participant: Participant):
    statements = results.scale_statements(activity)
    ids = [s["id"] for s in statements]
    return _answer_phone(
        request,
        activity,
        participant,
        template="scale",
        make_form=lambda data, _initial: ScaleAnswerForm(data, statement_ids=ids),
        submit=lambda cleaned: services.scale_answer_submit(
            activity=activity,
            participant=participant,
            statement=cleaned["statement"],
            value=cleaned["value"],
        ),
        extra=lambda data: {
            "statements": [{**s, "value": data.get("values", {}).get(s["id"])} for s in statements],
            "levels": results.SCALE_LEVELS,
        },
    )


def _words_form(activity: Activity, data=None, initial=None) -> WordsAnswerForm:
    return WordsAnswerForm(
        data,
        initial=initial,
        max_words=int(activity.config.get("max_words", 3)),
        max_length=int(activity.config.get("max_length", 40)),
    )


def words_phone(request: HttpRequest, activity: Activity, participant: Participant):
    return _answer_phone(
        request,
        activity,
        participant,
        template="words",
        make_form=lambda data, initial: _words_form(activity, data, initial),
        submit=lambda cleaned: services.words_answer_submit(
            activity=activity, participant=participant, words=cleaned["words"]
        ),
        initial=lambda data: {f"word{i}": w for i, w in enumerate(data.get("words", []))},
    )


def question_phone(request: HttpRequest, activity: Activity, participant: Participant):
    max_length = int(activity.config.get("max_length", 280))
    return _answer_phone(
        request,
        activity,
        participant,
        template="question",
        make_form=lambda data, initial: QuestionAnswerForm(
            data, initial=initial, max_length=max_length
        ),
        submit=lambda cleaned: services.question_answer_submit(
            activity=activity, participant=participant, text=cleaned["text"]
        ),
        initial=lambda data: {"text": data.get("text", "")},
    )


def moderation_control(request: HttpRequest, activity: Activity) -> None:
    """Hide or show again a word (by its normalised key) or an answer."""
    op = request.POST.get("op", "")
    if op in ("hide_word", "show_word"):
        services.word_set_hidden(
            activity=activity, key=request.POST.get("key", "")[:60], hidden=op == "hide_word"
        )
    elif op in ("hide_answer", "show_answer"):
        try:
            answer_id = int(request.POST.get("answer", ""))
        except ValueError:
            return
        services.answer_set_hidden(
            activity=activity, answer_id=answer_id, hidden=op == "hide_answer"
        )


@require_POST
@facilitator_required
def control_activity(request: HtmxHttpRequest, rencontre: Rencontre, activity_id: int):
    """A kind's own command from the control panel (moderation...); answers with the
    panel's fresh state."""
    activity = (
        Activity.objects.filter(pk=activity_id, step__rencontre=rencontre)
        .select_related("step")
        .first()
    )
    if activity is None:
        raise Http404
    kind = kinds.get(activity.kind)
    if kind.control_view is not None:
        kind.control_view(request, activity)
    if not request.htmx:
        return redirect("workshops:control", code=rencontre.code)
    return _control_state(rencontre)


def _control_state(rencontre: Rencontre) -> HttpResponse:
    rencontre.refresh_from_db()
    return HttpResponse(
        rendering.render_parts(
            rencontre=rencontre, role="control", parts=rendering.STATE_PARTS["control"]
        )
    )


# ---------------------------------------------------------------- agenda editing


def _answered_items(activity: Activity) -> dict[str, int]:
    """How many visible answers each poll choice or scale statement has."""
    counts: dict[str, int] = {}
    for data in Answer.objects.filter(activity=activity).values_list("data", flat=True):
        for item in [*data.get("choices", []), *data.get("values", {}).keys()]:
            counts[item] = counts.get(item, 0) + 1
    return counts


@never_cache
@require_http_methods(["GET", "POST"])
@facilitator_required
def agenda_edit(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """Reorder, retitle, retime, add and remove steps and activities."""
    if request.method == "POST":
        target = _agenda_command(request, rencontre)
        return redirect(target or reverse("workshops:agenda_edit", args=[rencontre.code]))
    steps = selectors.agenda(rencontre)
    return render(
        request,
        "workshops/control/agenda.html",
        {
            "rencontre": rencontre,
            "steps": steps,
            "new_activity": NewActivityForm(),
            "kind_labels": dict(kinds.choices()),
        },
    )


def _agenda_command(request: HttpRequest, rencontre: Rencontre) -> str | None:
    """Apply one agenda command; returns where to go next when not back to the agenda."""
    op = request.POST.get("op", "")
    step = rencontre.steps.filter(pk=request.POST.get("step") or 0).first()
    activity = (
        Activity.objects.filter(step__rencontre=rencontre, pk=request.POST.get("activity") or 0)
        .select_related("step")
        .first()
    )
    if op == "step_update" and step:
        form = StepForm(request.POST)
        if form.is_valid():
            services.step_update(step=step, **form.cleaned_data)
        else:
            messages.error(request, _("Étape non modifiée : titre et durée (1 à 480 min) requis."))
    elif op == "step_create":
        form = StepForm(request.POST)
        if form.is_valid():
            services.step_create(rencontre=rencontre, **form.cleaned_data)
        else:
            messages.error(request, _("Étape non ajoutée : titre et durée (1 à 480 min) requis."))
    elif op in ("step_up", "step_down") and step:
        services.step_move(step=step, offset=-1 if op == "step_up" else 1)
    elif op == "step_delete" and step:
        try:
            services.step_delete(step=step)
        except ValueError:
            messages.error(request, _("L'étape en cours ne peut pas être supprimée."))
    elif op == "activity_create" and step:
        form = NewActivityForm(request.POST)
        if form.is_valid():
            created = services.activity_create(step=step, **form.cleaned_data)
            messages.success(request, _("Activité ajoutée : complétez-la ci-dessous."))
            return reverse("workshops:activity_edit", args=[rencontre.code, created.pk])
        messages.error(request, _("Activité non ajoutée : choisissez un type et un titre."))
    elif op in ("activity_up", "activity_down") and activity:
        services.activity_move(activity=activity, offset=-1 if op == "activity_up" else 1)
    elif op == "activity_delete" and activity:
        try:
            services.activity_delete(activity=activity)
        except ValueError:
            messages.error(request, _("L'activité en cours ne peut pas être supprimée."))
    return None


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
    config_kwargs = {}
    if config_class is not None and issubclass(config_class, ChoicesConfigForm):
        config_kwargs = {
            "existing": activity.config.get(config_class.config_key, []),
            "answered": _answered_items(activity),
        }
    if request.method == "POST":
        form = ActivityForm(request.POST)
        config_form = config_class(request.POST, **config_kwargs) if config_class else None
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
            config_class(initial=config_class.initial_from(activity.config), **config_kwargs)
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
            "answers": Answer.objects.filter(activity=activity).count(),
        },
    )


# ---------------------------------------------------------------- debrief


def render_debrief_pdf(rencontre: Rencontre) -> bytes:
    """The debrief as PDF bytes. Side effects: none (WeasyPrint imported here: it is slow to
    import and only this path needs it)."""
    from django.conf import settings
    from weasyprint import HTML

    fonts = (settings.BASE_DIR / "static" / "fonts" / "source-sans-3").as_uri()
    css = (settings.BASE_DIR / "static" / "css" / "pdf.css").read_text().replace("FONTS", fonts)
    context = debrief.debrief_context(rencontre)
    context["css"] = mark_safe(css)
    html = render_to_string("workshops/pdf/debrief.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


@never_cache
@require_GET
@facilitator_required
def restitution_pdf(request: HttpRequest, rencontre: Rencontre) -> HttpResponse:
    """The PDF debrief, for the facilitators and organisers of the rencontre. A sync view:
    Django runs it in a worker thread, so the event loop keeps serving sockets."""
    response = HttpResponse(render_debrief_pdf(rencontre), content_type="application/pdf")
    name = f"restitution-{slugify(rencontre.title)[:60]}-{rencontre.date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _personal_fragments(request: HttpRequest, participant: Participant) -> list[str]:
    """Each kind used in the rencontre contributes the participant's own part."""
    used = (
        Activity.objects.filter(step__rencontre_id=participant.rencontre_id)
        .values_list("kind", flat=True)
        .distinct()
    )
    fragments = []
    for key in sorted(
        set(used),
        key=lambda k: [c[0] for c in kinds.choices()].index(k) if kinds.is_registered(k) else 99,
    ):
        kind = kinds.get(key)
        if kinds.is_registered(key) and kind.personal is not None:
            fragments.append(kind.personal(request, participant))
    return [f for f in fragments if f]


def _personal_url(request: HttpRequest, participant: Participant) -> str:
    return request.build_absolute_uri(reverse("workshops:personal", args=[participant.token]))


def debrief_phone(request: HttpRequest, activity: Activity, participant: Participant):
    """On the phone during the debrief: one's own priority and actions, and the personal
    link to find them again."""
    return render(
        request,
        "workshops/kinds/debrief.html#mine",
        {
            "activity": activity,
            "fragments": [mark_safe(f) for f in _personal_fragments(request, participant)],
            "personal_url": _personal_url(request, participant),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def personal(request: HttpRequest, token: str) -> HttpResponse:
    """A participant's page after the event (secret link): their priority and actions, which
    they can mark done."""
    participant = Participant.objects.filter(token=token).select_related("rencontre").first()
    if participant is None:
        raise Http404
    fragments = _personal_fragments(request, participant)
    if request.method == "POST":
        return redirect("workshops:personal", token=token)
    return render(
        request,
        "workshops/phone/personal.html",
        {
            "participant": participant,
            "rencontre": participant.rencontre,
            "fragments": [mark_safe(f) for f in fragments],
        },
    )


# ---------------------------------------------------------------- exports


def _engine_exports() -> dict[str, object]:
    return {"participants": debrief.export_participants, "reponses": debrief.export_answers}


def _all_exports() -> dict[str, object]:
    exports = dict(_engine_exports())
    for key, _label in kinds.choices():
        exports.update(kinds.get(key).exports or {})
    return exports


@never_cache
@require_GET
@facilitator_required
def export_csv(request: HttpRequest, rencontre: Rencontre, name: str) -> HttpResponse:
    """One table of the rencontre as CSV (UTF-8 with BOM and semicolons, as French spreadsheet
    software expects)."""
    export = _all_exports().get(name)
    if export is None:
        raise Http404
    header, rows = export(rencontre)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{rencontre.code}-{name}.csv"'
    return response


@never_cache
@require_GET
@facilitator_required
def export_json(request: HttpRequest, rencontre: Rencontre) -> JsonResponse:
    """The whole rencontre as one JSON document: its description, agenda and every table."""
    data = {
        "rencontre": {
            "title": rencontre.title,
            "date": rencontre.date.isoformat(),
            "place": rencontre.place,
            "territory": rencontre.territory_name,
            "code": rencontre.code,
        },
        "agenda": [
            {
                "step": step.title,
                "planned_minutes": step.planned_minutes,
                "started_at": step.started_at.isoformat() if step.started_at else None,
                "activities": [
                    {"kind": a.kind, "title": a.title, "config": a.config}
                    for a in step.activities.all()
                ],
            }
            for step in selectors.agenda(rencontre)
        ],
    }
    for name, export in _all_exports().items():
        header, rows = export(rencontre)
        data[name] = [dict(zip(header, row, strict=True)) for row in rows]
    response = JsonResponse(
        data, json_dumps_params={"ensure_ascii": False, "indent": 1, "default": str}
    )
    response["Content-Disposition"] = f'attachment; filename="{rencontre.code}.json"'
    return response
