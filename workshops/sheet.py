"""A participant's sheet: one A4 page they take home, made of their own content only.

It shows what each kind used in the rencontre keeps of the participant (their `personal()`
parts: the priority with its precision, their table, their actions with dates and partners,
the contacts they agreed to exchange), the rencontre's first three key figures (the
territory's, when the rencontre showed its dynamics) and the link to their personal page.
The same renderer, fonts and stylesheet as the PDF debrief (`debrief.pdf_from_html`'s
WeasyPrint with the shipped files only, `static/css/pdf.css`), plus a few rules of its own.

The sheet always fits one page: it is laid out at a normal density, then denser ones, until
it does; at the densest, the lists of actions are shortened and the sheet says how many are
left out (they stay on the personal page). Always made by the background worker: for the
e-mails (`tasks.sheet_mail_task`) and for the download (`tasks.sheet_file_task`).
"""

from __future__ import annotations

import warnings
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workshops import debrief
from workshops.models import MailSent, Participant, Rencontre

# Densities tried in turn until the sheet fits one page (sheet.css): the densest also keeps
# six items a list.
DENSITIES = ("normal", "compact", "tight")

SHEET_CSS = settings.BASE_DIR / "static" / "css" / "sheet.css"


# The key figures read every activity's results (a second for 300 participants): a sheet
# made within this many seconds of another of the same rencontre reuses them.
FIGURES_CACHE_SECONDS = 60


def sheet_figures(rencontre: Rencontre) -> list[tuple[str, int]]:
    """The three key figures a sheet shows: the first of the rencontre's (the territory's
    come first when the rencontre showed its dynamics), in the current language."""
    key = f"sheet-figures:{rencontre.pk}:{rencontre.created_at.timestamp()}:{get_language()}"
    cached = cache.get(key)
    if cached is None:
        cached = [(str(label), value) for label, value in debrief.debrief_figures(rencontre)[:3]]
        cache.set(key, cached, FIGURES_CACHE_SECONDS)
    return cached


def personal_url(participant: Participant, *, base_url: str = "") -> str:
    """The absolute address of the participant's personal page (`base_url`, else
    settings.SITE_URL; only its path when neither is known)."""
    base = base_url or settings.SITE_URL
    return base.rstrip("/") + reverse("workshops:personal", args=[participant.token])


def _css() -> str:
    fonts = (settings.BASE_DIR / "static" / "fonts" / "source-sans-3").resolve().as_uri()
    pdf = (settings.BASE_DIR / "static" / "css" / "pdf.css").read_text()
    return (pdf + "\n" + SHEET_CSS.read_text()).replace("FONTS", fonts)


def sheet_context(
    participant: Participant,
    *,
    figures: list[tuple[str, int]] | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """What the sheet shows, read from the kinds' personal parts. Side effects: none."""
    rencontre = participant.rencontre
    return {
        "participant": participant,
        "rencontre": rencontre,
        "parts": debrief.personal_parts(participant),
        "figures": sheet_figures(rencontre) if figures is None else figures,
        "personal_url": personal_url(participant, base_url=base_url),
        "generated_at": timezone.localtime(),
    }


def sheet_html(context: dict[str, Any], *, density: str = "normal") -> str:
    """The sheet's HTML at one density (see sheet.css)."""
    with warnings.catch_warnings():
        # The parts carry their page's forms (sheet.css hides them): paper has no CSRF token.
        warnings.filterwarnings("ignore", message=r"A \{% csrf_token %\} was used")
        return render_to_string(
            "workshops/pdf/sheet.html", {**context, "css": mark_safe(_css()), "density": density}
        )


def _document(html: str):
    """WeasyPrint's laid-out document (imported here: slow, needed by the worker only)."""
    from weasyprint import HTML

    return HTML(
        string=html,
        base_url=str(settings.BASE_DIR),
        url_fetcher=debrief._shipped_files_fetcher(),
    ).render()


def sheet_pdf(
    participant: Participant,
    *,
    figures: list[tuple[str, int]] | None = None,
    base_url: str = "",
) -> bytes:
    """The participant's sheet as the bytes of a one-page PDF. Side effects: none."""
    context = sheet_context(participant, figures=figures, base_url=base_url)
    document = None
    for density in DENSITIES:
        document = _document(sheet_html(context, density=density))
        if len(document.pages) == 1:
            break
    else:  # even the densest layout overflows: keep its first page only
        document = document.copy(document.pages[:1])
    return document.write_pdf()


def sheet_filename(participant: Participant) -> str:
    rencontre = participant.rencontre
    return f"fiche-{slugify(rencontre.title)[:50]}-{rencontre.date:%Y-%m-%d}.pdf"


def sheet_mail(participant: Participant, *, pdf: bytes, base_url: str) -> EmailMessage:
    """The e-mail carrying a participant's sheet and their personal link (not sent here)."""
    rencontre = participant.rencontre
    context = {
        "participant": participant,
        "rencontre": rencontre,
        "personal_url": personal_url(participant, base_url=base_url),
    }
    message = EmailMessage(
        subject=_("Votre fiche — %(title)s") % {"title": rencontre.title},
        body=render_to_string("workshops/mail/sheet.txt", context),
        to=[participant.email],
    )
    message.attach(sheet_filename(participant), pdf, "application/pdf")
    return message


def mail_once(participant: Participant, *, key: str, message: EmailMessage) -> bool:
    """Send `message` unless the mail `key` was already sent to the participant; returns
    whether it was sent now. The record is written before sending (two runs at once send
    once) and removed if sending fails, so a retry sends it.
    Side effects: one e-mail through settings.EMAIL_BACKEND; a `MailSent` row."""
    try:
        with transaction.atomic():
            record = MailSent.objects.create(participant=participant, key=key)
    except IntegrityError:
        return False
    try:
        message.send()
    except Exception:
        record.delete()
        raise
    return True
