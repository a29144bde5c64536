"""Who may see what: participants recognised by a signed cookie, facilitators by account.

Shared by views and consumers so the page and its socket always agree.
"""

from __future__ import annotations

import re
import secrets
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from django.conf import settings
from django.core import signing
from django.utils import translation

from workshops import selectors
from workshops.models import Participant, Rencontre

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

COOKIE_SALT = "rencontres.participant"


def participant_cookie_name(rencontre: Rencontre | int) -> str:
    rencontre_id = rencontre if isinstance(rencontre, int) else rencontre.pk
    return f"rp{rencontre_id}"


def _signer(cookie_name: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{COOKIE_SALT}.{cookie_name}")


def remember_participant(response: HttpResponse, participant: Participant) -> None:
    name = participant_cookie_name(participant.rencontre_id)
    response.set_cookie(
        name,
        _signer(name).sign(participant.token),
        max_age=settings.PARTICIPANT_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def _token(cookie_name: str, signed: str | None) -> str | None:
    if not signed:
        return None
    try:
        return _signer(cookie_name).unsign(signed, max_age=settings.PARTICIPANT_COOKIE_MAX_AGE)
    except signing.BadSignature:  # tampered or expired: treated as not joined
        return None


def _participant_from_signed(rencontre: Rencontre, signed: str | None) -> Participant | None:
    token = _token(participant_cookie_name(rencontre), signed)
    if token is None:
        return None
    return Participant.objects.filter(rencontre=rencontre, token=token).first()


PARTICIPANT_COOKIE = re.compile(r"rp([0-9]{1,18})")


def participant_tokens(request: HttpRequest) -> dict[int, str]:
    """The participant tokens this phone holds, by rencontre id: its participant cookies
    whose signature is valid (a phone may have joined several rencontres)."""
    tokens = {}
    for name, signed in request.COOKIES.items():
        match = PARTICIPANT_COOKIE.fullmatch(name)
        if match is not None and (token := _token(name, signed)) is not None:
            tokens[int(match.group(1))] = token
    return tokens


def participant_from_request(request: HttpRequest, rencontre: Rencontre) -> Participant | None:
    return _participant_from_signed(
        rencontre, request.COOKIES.get(participant_cookie_name(rencontre))
    )


def _scope_cookies(scope: dict) -> dict[str, str]:
    cookies = scope.get("cookies")
    if cookies is None:  # without CookieMiddleware, read the raw header
        raw = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie")
        parsed = SimpleCookie(raw.decode("latin-1"))
        cookies = {k: m.value for k, m in parsed.items()}
    return cookies


def participant_from_scope(scope: dict, code: str) -> Participant | None:
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None:
        return None
    cookies = _scope_cookies(scope)
    return _participant_from_signed(rencontre, cookies.get(participant_cookie_name(rencontre)))


def language_from_scope(scope: dict) -> str:
    """The language a socket's page was rendered in: Django's own choice for a request (the
    language cookie set by the page's switch, else Accept-Language, else the default), read
    from the socket's handshake."""
    accept = b", ".join(v for k, v in scope.get("headers", []) if k == b"accept-language")
    handshake = SimpleNamespace(
        COOKIES=_scope_cookies(scope),
        META={"HTTP_ACCEPT_LANGUAGE": accept.decode("latin-1")},
        path_info="/",
    )
    return translation.get_language_from_request(handshake)


def rencontre_for_facilitator(user, code: str) -> Rencontre | None:
    if user is None or not user.is_authenticated:
        return None
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None or not selectors.is_facilitator(user, rencontre):
        return None
    return rencontre


# The query parameter that carries the read-only wall link's secret (`?cle=` on the page and
# on its socket).
SCREEN_KEY_PARAM = "cle"


def rencontre_for_screen_secret(code: str, secret: str | None) -> Rencontre | None:
    """The rencontre whose read-only wall link has this secret; None for no secret, a wrong
    one or a revoked link. Opens the projector page and its socket only."""
    if not secret:
        return None
    rencontre = selectors.rencontre_by_code(code)
    if rencontre is None or not rencontre.screen_secret:
        return None
    if not secrets.compare_digest(rencontre.screen_secret.encode(), secret.encode()):
        return None
    return rencontre


def screen_secret_from_scope(scope: dict) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get(SCREEN_KEY_PARAM)
    return values[0] if values else None
