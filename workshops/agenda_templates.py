"""Ready half-days as data: reading, checking and listing agenda templates.

A template is a JSON object (a shipped file of `settings.AGENDA_LIBRARY_DIR`, or an
organiser's own saved from one of their rencontres):

    {"name": "...", "description": "...", "theme": "...", "language": "fr", "position": 2,
     "filieres": ["Infrastructures numériques", ...], "sources": ["...", ...],
     "steps": [{"title": "Accueil", "minutes": 20,
                "activities": [{"kind": "words", "title": "...", "body": "...",
                                "minutes": 8, "config": {...}}]}]}

`steps` is the agenda `services.rencontre_create` instantiates; each activity's `config` is the
kind's own settings, exactly as `Activity.config` holds them. A template is checked before it
is stored and again before a rencontre is made from it: every kind must be registered and every
config must pass the kind's own settings form (the agenda editor's), so what the organiser gets
is what the editor would have let them build. A refusal is a list of French messages naming the
step and the activity; nothing here raises on bad data.

The engine names no kind: it asks the registry for each kind's settings form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from workshops import kinds
from workshops.models import Activity, AgendaTemplate, Rencontre

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

MAX_STEPS = 20
MAX_ACTIVITIES = 30
MAX_FILE_BYTES = 512 * 1024
TEXT_LIMITS = {"name": 200, "theme": 120, "description": 2000}


@dataclass
class Checked:
    """A template read and checked: its fields ready to store, or the reasons it is refused."""

    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _minutes(value: Any, upper: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        return None
    return value


def _text(value: Any, limit: int, *, required: bool) -> str | None:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        return None
    if required and not value.strip():
        return None
    return value.strip()


def _form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label} : {text}" if label else text)
    return " ; ".join(parts)


def check_config(kind_key: str, config: Any) -> tuple[dict, str]:
    """The activity's settings as the kind's settings form would store them, or ({}, reason).
    What is not a setting (state the kind keeps in `config` while the rencontre runs, such as
    the priority projected full screen) is left out.

    The form gets an activity that is never saved (pk 0: no answers point to it), so a
    settings form that looks up answers already given finds none."""
    if not isinstance(config, dict):
        return {}, _("les réglages doivent être un objet JSON.")
    kind = kinds.get(kind_key)
    form_class = kind.config_form
    if form_class is None:  # nothing to set: a template carries no state of the activity's
        return kind.initial_config(), ""
    probe = Activity(pk=0, kind=kind_key, config=config)
    try:
        form = form_class(form_class.initial_from(config), activity=probe)
        if not form.is_valid():
            return {}, _form_errors(form)
        return form.to_config(), ""
    except (KeyError, TypeError, ValueError, AttributeError, ObjectDoesNotExist):
        return {}, _("réglages illisibles pour ce type d'activité.")


def check_steps(steps: Any) -> tuple[list[dict], list[str]]:
    """The agenda with each activity's settings normalised, and the reasons it is refused."""
    errors: list[str] = []
    if not isinstance(steps, list) or not steps:
        return [], [_("Le déroulé doit compter au moins une étape (« steps »).")]
    if len(steps) > MAX_STEPS:
        return [], [_("Le déroulé compte plus de %(n)d étapes.") % {"n": MAX_STEPS}]
    clean: list[dict] = []
    for s, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            errors.append(_("Étape %(s)d : ce n'est pas un objet JSON.") % {"s": s})
            continue
        title = _text(step.get("title"), 200, required=True)
        where = _("Étape %(s)d") % {"s": s} + (f" « {title} »" if title else "")
        if title is None:
            errors.append(where + _(" : titre manquant ou trop long (200 caractères au plus)."))
        minutes = _minutes(step.get("minutes", 30), 480)
        if minutes is None:
            errors.append(where + _(" : durée invalide (un nombre de minutes de 1 à 480)."))
        activities = step.get("activities", [])
        if not isinstance(activities, list) or len(activities) > MAX_ACTIVITIES:
            errors.append(
                where
                + _(" : « activities » doit être une liste de %(n)d activités au plus.")
                % {"n": MAX_ACTIVITIES}
            )
            activities = []
        clean_activities = []
        for a, activity in enumerate(activities, start=1):
            checked, problems = _check_activity(
                activity, f"{where}, " + _("activité %(a)d") % {"a": a}
            )
            errors += problems
            if checked is not None:
                clean_activities.append(checked)
        clean.append({"title": title, "minutes": minutes, "activities": clean_activities})
    return clean, errors


def _check_activity(activity: Any, where: str) -> tuple[dict | None, list[str]]:
    if not isinstance(activity, dict):
        return None, [where + _(" : ce n'est pas un objet JSON.")]
    errors = []
    title = _text(activity.get("title"), 200, required=True)
    if title:
        where += f" « {title} »"
    else:
        errors.append(where + _(" : titre manquant ou trop long (200 caractères au plus)."))
    body = _text(activity.get("body"), 5000, required=False)
    if body is None:
        errors.append(where + _(" : texte invalide (5 000 caractères au plus)."))
    minutes = _minutes(activity.get("minutes", 5), 240)
    if minutes is None:
        errors.append(where + _(" : durée invalide (un nombre de minutes de 1 à 240)."))
    key = activity.get("kind")
    if not isinstance(key, str) or not kinds.is_registered(key):
        shown = key if isinstance(key, str) else json.dumps(key)[:40]
        errors.append(
            where
            + _(" : type d'activité inconnu « %(kind)s » (types possibles : %(known)s).")
            % {"kind": shown, "known": ", ".join(k.key for k in kinds.registered())}
        )
        return None, errors
    config, problem = check_config(key, activity.get("config", {}))
    if problem:
        errors.append(where + _(" : réglages refusés — %(why)s") % {"why": problem})
    if errors:
        return None, errors
    return {"kind": key, "title": title, "body": body, "minutes": minutes, "config": config}, []


def _string_list(value: Any, limit: int = 300) -> list[str] | None:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 40:
        return None
    if not all(isinstance(v, str) and 0 < len(v) <= limit and "\x00" not in v for v in value):
        return None
    return [v.strip() for v in value]


def check_template(data: Any) -> Checked:
    """Check a whole template (the decoded JSON): its texts, its lists and its agenda."""
    if not isinstance(data, dict):
        return Checked(errors=[_("Le modèle doit être un objet JSON.")])
    result = Checked()
    for name, limit in TEXT_LIMITS.items():
        value = _text(data.get(name), limit, required=name == "name")
        if value is None:
            result.errors.append(
                _("Champ « %(name)s » manquant ou trop long (%(n)d caractères au plus).")
                % {"name": name, "n": limit}
            )
        result.fields[name] = value
    language = data.get("language", "fr")
    if language not in {code for code, _label in settings.LANGUAGES}:
        result.errors.append(_("Langue « %(l)s » non proposée.") % {"l": str(language)[:10]})
    result.fields["language"] = language
    position = data.get("position", 100)
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 10000:
        result.errors.append(_("« position » doit être un entier de 0 à 9 999."))
    result.fields["position"] = position
    for name in ("filieres", "sources"):
        values = _string_list(data.get(name))
        if values is None:
            result.errors.append(
                _("« %(name)s » doit être une liste de textes courts.") % {"name": name}
            )
        result.fields[name] = values or []
    steps, errors = check_steps(data.get("steps"))
    result.errors += errors
    result.fields["agenda"] = steps
    return result


def read_file(path: Path) -> Checked:
    """Read and check one JSON file; a file that is not JSON is refused, never raised."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Checked(errors=[_("Fichier trop volumineux.")])
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return Checked(errors=[_("Fichier illisible : il n'est pas encodé en UTF-8.")])
    except json.JSONDecodeError as error:
        return Checked(
            errors=[
                _("Fichier illisible : JSON invalide (ligne %(l)d, colonne %(c)d).")
                % {"l": error.lineno, "c": error.colno}
            ]
        )
    except OSError:
        return Checked(errors=[_("Fichier introuvable ou illisible.")])
    return check_template(data)


def library_dir() -> Path:
    return Path(settings.AGENDA_LIBRARY_DIR)


def shipped_files() -> list[Path]:
    """The shipped templates' files, by name; a file's stem is its template's slug."""
    return sorted(library_dir().glob("*.json"))


def shipped_agenda(slug: str) -> list[dict]:
    """The agenda of a shipped file, each activity's settings normalised by its kind as at the
    load at `migrate` (an activity refused there is left out here too): what
    `settings.DEFAULT_AGENDA` reads. Raises ValueError on a file that is not a template."""
    path = library_dir() / f"{slug}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        raise ValueError(f"{path}: not an agenda template")
    steps, _errors = check_steps(data["steps"])
    return steps


# ---------------------------------------------------------------- reads


def visible_to(user: AbstractBaseUser) -> QuerySet[AgendaTemplate]:
    """The shipped templates and the user's own, shipped first."""
    return AgendaTemplate.objects.filter(Q(owner__isnull=True) | Q(owner=user)).order_by(
        "owner_id", "position", "name", "id"
    )


def template_for(user: AbstractBaseUser, pk: Any) -> AgendaTemplate | None:
    """A template the user may use (shipped or their own), or None (also for an id that is
    not one)."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < value < 2**63:
        return None
    return visible_to(user).filter(pk=value).first()


def agenda_of(rencontre: Rencontre) -> list[dict]:
    """A rencontre's agenda as template data: steps and activities with their settings and
    planned durations, nothing of what happened (participants, answers, times)."""
    steps = []
    for step in rencontre.steps.order_by("position").prefetch_related("activities"):
        steps.append(
            {
                "title": step.title,
                "minutes": step.planned_minutes,
                "activities": [
                    {
                        "kind": activity.kind,
                        "title": activity.title,
                        "body": activity.body,
                        "minutes": activity.planned_minutes,
                        "config": activity.config,
                    }
                    for activity in sorted(step.activities.all(), key=lambda a: a.position)
                ],
            }
        )
    return steps


def settings_only(agenda: list[dict]) -> list[dict]:
    """A rencontre's agenda (`agenda_of`) with each activity's config reduced to its settings
    where the kind's settings form accepts it; an activity the form refuses (left incomplete)
    keeps its config as it is, to be completed in the copy."""
    steps = []
    for step in agenda:
        activities = []
        for activity in step["activities"]:
            config, problem = check_config(activity["kind"], activity["config"])
            activities.append({**activity, "config": activity["config"] if problem else config})
        steps.append({**step, "activities": activities})
    return steps


def duration_label(minutes: int) -> str:
    """ "3 h 30", "2 h", "45 min": how long a half-day lasts, French style."""
    hours, rest = divmod(int(minutes or 0), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@dataclass(frozen=True)
class Summary:
    """What the organiser reads of a template before choosing it."""

    duration: str
    steps: list[str]
    n_activities: int


def summary(agenda: list[dict]) -> Summary:
    steps = [step for step in agenda if isinstance(step, dict)]
    return Summary(
        duration=duration_label(sum(step.get("minutes", 0) for step in steps)),
        steps=[str(step.get("title", "")) for step in steps],
        n_activities=sum(len(step.get("activities", [])) for step in steps),
    )
