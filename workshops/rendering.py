"""One renderer for page loads and pushes: the role's state template and its partials.

A state template (`workshops/<role>/state.html`) holds one {% partialdef %} per live part,
each an element with a stable id. A page includes them in place; a push sends them with
`hx-swap-oob` so htmx replaces each element by id.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from workshops import selectors
from workshops.models import Rencontre

STATE_PARTS = {
    "phone": ("stage", "timer"),
    "screen": ("stage", "timer", "presence", "qr_flag"),
    "control": ("current", "agenda", "timer", "presence"),
}
# Names a sender may use for "whatever shows results" in every role.
ALIASES = {"results": {"screen": ("stage",), "control": ("current",), "phone": ()}}
CONTEXTS = {
    "phone": selectors.phone_context,
    "screen": selectors.screen_context,
    "control": selectors.control_context,
}


class _HeaderCsrf:
    """The CSRF token of a render without a request (a push, rendered once for a whole role).

    Forms in pushed parts post with the CSRF header htmx puts on <body> (`hx-headers`): their
    hidden field renders empty, and Django then reads the header. Without it, {% csrf_token %}
    would warn at every push that no request provided a token."""

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return ""


def render_parts(*, rencontre: Rencontre, role: str, parts: tuple[str, ...] | list[str]) -> str:
    expanded: list[str] = []
    for part in parts:
        for name in ALIASES.get(part, {}).get(role, (part,)):
            if name in STATE_PARTS[role] and name not in expanded:
                expanded.append(name)
    if not expanded:
        return ""
    # The wall speaks the rencontre's language whoever renders it; the other roles, the
    # language active (the request's, or the one a push is rendered for).
    language = rencontre.language if role == "screen" else translation.get_language()
    with translation.override(language):
        context = CONTEXTS[role](rencontre)
        context["oob"] = True
        context["csrf_token"] = _HeaderCsrf()
        return "".join(
            render_to_string(f"workshops/{role}/state.html#{part}", context) for part in expanded
        )


def render_parts_by_id(
    *,
    rencontre_id: int,
    role: str,
    parts: tuple[str, ...] | list[str],
    language: str | None = None,
) -> str:
    """The named parts for `role`, ready for an out-of-band swap ('' if the rencontre is gone),
    in `language` (the active one if None)."""
    rencontre = Rencontre.objects.filter(pk=rencontre_id).first()
    if rencontre is None:
        return ""
    with translation.override(language or translation.get_language()):
        return render_parts(rencontre=rencontre, role=role, parts=parts)


def render_state_for_role(*, rencontre_id: int, role: str, language: str | None = None) -> str:
    """Everything live for `role`: what a (re)connecting client needs to catch up."""
    return render_parts_by_id(
        rencontre_id=rencontre_id, role=role, parts=STATE_PARTS[role], language=language
    )
