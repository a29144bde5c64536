"""HTTP hardening: a Content-Security-Policy on every response, and throttles on the doors a
script would hammer (facilitators' login, participants' join codes).

Throttles count in Django's cache, over a window opened by the first attempt: in memory (one process, the default)
or in Redis when REDIS_URL is set (shared by every process). A throttled request gets a
French 429 page and leaves a line in the log. If the cache itself fails, requests go through:
a throttle must never lock the room out.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

logger = logging.getLogger("rencontres.security")


class ContentSecurityPolicyMiddleware:
    """Set `settings.CONTENT_SECURITY_POLICY` on every response, with the page's own socket
    origin added to connect-src."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        directives = {k: list(v) for k, v in settings.CONTENT_SECURITY_POLICY.items()}
        try:
            host = request.get_host()
        except DisallowedHost:
            host = ""
        if host:
            scheme = "wss" if request.is_secure() else "ws"
            directives.setdefault("connect-src", []).append(f"{scheme}://{host}")
        response.headers["Content-Security-Policy"] = "; ".join(
            " ".join([name, *values]) for name, values in directives.items()
        )
        return response


@dataclass(frozen=True)
class Limit:
    name: str
    count: int  # attempts allowed per window
    seconds: int  # window length


# Failed logins: per account (guessing one password) and per address (trying many accounts).
LOGIN_PER_ACCOUNT = Limit("login-account", 10, 15 * 60)
LOGIN_PER_IP = Limit("login-ip", 50, 15 * 60)
# Codes that match no rencontre, per address: enumerating codes means mostly misses, while a
# room behind one venue address mistypes a handful.
UNKNOWN_CODES_PER_IP = Limit("join-unknown-code-ip", 30, 10 * 60)


def joins_per_ip() -> Limit:
    """Joins per address: generous (THROTTLE_JOINS_PER_IP), as a whole room may share one
    public address; it stops a script filling a rencontre with fake participants."""
    return Limit("join-ip", settings.THROTTLE_JOINS_PER_IP, 10 * 60)


JOIN_PATH = re.compile(r"^/j/[^/]+$")


def client_ip(request: HttpRequest) -> str:
    """The address of the client: the last X-Forwarded-For hop when a proxy is declared in
    front (BEHIND_PROXY), else the socket's peer. Never a header a client could forge."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(limit: Limit, subject: str) -> str:
    # The window starts at the first attempt: `add` sets the expiry, `incr` keeps it.
    return f"throttle:{limit.name}:{subject}"


def _count(limit: Limit, subject: str) -> int:
    try:
        return int(cache.get(_key(limit, subject), 0))
    except Exception:
        logger.exception("Throttle cache unreadable; request allowed")
        return 0


def _hit(limit: Limit, subject: str) -> None:
    key = _key(limit, subject)
    try:
        if not cache.add(key, 1, timeout=limit.seconds):
            cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds)
    except Exception:
        logger.exception("Throttle cache unwritable; attempt not counted")


def _reset(limit: Limit, subject: str) -> None:
    try:
        cache.delete(_key(limit, subject))
    except Exception:
        logger.exception("Throttle cache unwritable")


def too_many(request: HttpRequest, limit: Limit, subject: str) -> HttpResponse:
    logger.warning(
        "Throttled %s: %s from %s (%s attempts in %s s)",
        limit.name,
        subject,
        client_ip(request),
        limit.count,
        limit.seconds,
    )
    response = render(request, "429.html", {"minutes": max(1, limit.seconds // 60)}, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response


class ThrottleMiddleware:
    """Throttle failed logins (per account and per address), lookups of unknown join codes and
    joins (per address)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.login_path = reverse("login")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == self.login_path:
            return self.login(request)
        if JOIN_PATH.match(request.path):
            return self.join(request)
        return self.get_response(request)

    def login(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        account = str(request.POST.get("username", "")).strip().lower()[:150]
        if _count(LOGIN_PER_IP, ip) >= LOGIN_PER_IP.count:
            return too_many(request, LOGIN_PER_IP, ip)
        if account and _count(LOGIN_PER_ACCOUNT, account) >= LOGIN_PER_ACCOUNT.count:
            return too_many(request, LOGIN_PER_ACCOUNT, account)
        response = self.get_response(request)
        if response.status_code == 200:  # the form again: the credentials were refused
            _hit(LOGIN_PER_IP, ip)
            if account:
                _hit(LOGIN_PER_ACCOUNT, account)
        elif response.status_code in (301, 302, 303) and account:
            _reset(LOGIN_PER_ACCOUNT, account)
        return response

    def join(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        if _count(UNKNOWN_CODES_PER_IP, ip) >= UNKNOWN_CODES_PER_IP.count:
            return too_many(request, UNKNOWN_CODES_PER_IP, ip)
        if request.method == "POST":
            limit = joins_per_ip()
            if _count(limit, ip) >= limit.count:
                return too_many(request, limit, ip)
            _hit(limit, ip)
        response = self.get_response(request)
        if response.status_code == 404:
            _hit(UNKNOWN_CODES_PER_IP, ip)
        return response
