"""The participant's one-page sheet, the e-mails that carry it, the actions' reminders, and
what the purge and the personal page do with the e-mail and the contact."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from priorities import services as priorities
from priorities import tasks as reminders
from priorities.models import Action, Priority
from tests.factories import UserFactory, make_rencontre
from workshops import personal_data, services, sheet, tasks
from workshops.models import Activity, MailSent, Participant

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class FailingBackend:
    """An SMTP server that is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise ConnectionRefusedError("SMTP down")


def person(rencontre, name, organisation, *, listed, email="", contact="", exchange=False):
    participant = services.participant_join(
        rencontre=rencontre,
        name=name,
        organisation=organisation,
        actor_type="entreprise",
        listed=listed,
    )
    return services.participant_contact_set(
        participant=participant,
        email=email,
        email_consent=bool(email),
        contact=contact,
        contact_consent=exchange,
    )


def priority(activity, participant, statement):
    return priorities.priority_save(
        activity=activity,
        participant=participant,
        rank=1,
        values={"statement": statement, "indicator": "nombre d'embauches", "horizon": "3y"},
    )


def act(activity, participant, text, days):
    return priorities.action_create(
        activity=activity,
        participant=participant,
        text=text,
        kind=Action.Kind.START,
        owner=participant.name,
        due=timezone.localdate() + dt.timedelta(days=days),
        priority=Priority.objects.filter(participant=participant).first(),
    )


@pytest.fixture
def room():
    """Léa (listed) wrote an action; Karim (not listed) and Zoé joined it. Léa and Karim
    agreed to exchange contacts, Zoé did not; Marc agreed too but carries nothing with them."""
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    activities = {a.kind: a for a in Activity.objects.filter(step__rencontre=rencontre)}
    lea = person(
        rencontre,
        "Léa Martin",
        "Région",
        listed=True,
        email="lea@example.org",
        contact="lea.martin@region.example",
        exchange=True,
    )
    karim = person(
        rencontre,
        "Karim Benali",
        "Atelier Benali",
        listed=False,
        email="karim@example.org",
        contact="06 12 34 56 78",
        exchange=True,
    )
    zoe = person(rencontre, "Zoé Durand", "CCI", listed=True, contact="zoe@cci.example")
    marc = person(
        rencontre, "Marc Petit", "Banque", listed=True, contact="07 00 00 00 01", exchange=True
    )
    priority(activities["priority"], lea, "Former 40 soudeurs par an d'ici 2028")
    priority(activities["priority"], karim, "Doubler la sous-traitance locale en décolletage")
    priority(activities["priority"], marc, "Financer trois reprises d'ateliers")
    priorities.tables_form(rencontre=rencontre, mode="mixed", size=4, seed=1)
    shared = act(activities["actions"], lea, "Réunir les DRH du décolletage", 7)
    act(activities["actions"], marc, "Ouvrir un guichet unique pour les reprises", 14)
    priorities.partnership_set(participant=karim, action=shared, joined=True)
    priorities.partnership_set(participant=zoe, action=shared, joined=True)
    for p in (lea, karim, zoe, marc):
        p.refresh_from_db()
    return {
        "rencontre": rencontre,
        "user": user,
        "lea": lea,
        "karim": karim,
        "zoe": zoe,
        "marc": marc,
        "shared": shared,
        "activities": activities,
    }


def pdf_facts(pdf: bytes, tmp_path: Path) -> tuple[int, str]:
    """(pages, text) of a PDF, read by poppler."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages, " ".join(text.split())


# ---------------------------------------------------------------- the sheet


def test_sheet_is_one_page_of_ones_own_content(room, tmp_path):
    pages, text = pdf_facts(sheet.sheet_pdf(room["lea"], base_url="http://x"), tmp_path)
    assert pages == 1
    assert "Léa Martin · Région" in text
    assert "Former 40 soudeurs par an d'ici 2028" in text  # her priority
    assert "précision" in text
    assert "Réunir les DRH du décolletage" in text  # her action, with its partners
    assert "Partenaire : Entreprise · Atelier Benali · 06 12 34 56 78" in text
    assert "Partenaire : Zoé Durand (CCI)" in text
    assert f"http://x/moi/{room['lea'].token}/" in text
    # Nobody else's priority or action, no contact given without both consents.
    for foreign in (
        "Doubler la sous-traitance",
        "Financer trois reprises",
        "guichet unique",
        "zoe@cci.example",
        "07 00 00 00 01",
        "Marc",
        "Banque",
    ):
        assert foreign not in text


def test_sheet_of_a_partner_shows_the_author_only_as_consented(room, tmp_path):
    pages, text = pdf_facts(sheet.sheet_pdf(room["karim"]), tmp_path)
    assert pages == 1
    assert "Doubler la sous-traitance locale en décolletage" in text
    assert "Auteur : Léa Martin (Région) · lea.martin@region.example" in text
    assert "Former 40 soudeurs" not in text
    # Zoé did not agree to the exchange: her name (she is listed) but no contact.
    assert "Partenaire : Zoé Durand (CCI)" in text
    assert "zoe@cci.example" not in text


def test_sheet_without_consent_shows_no_contact_at_all(room, tmp_path):
    _pages, text = pdf_facts(sheet.sheet_pdf(room["zoe"]), tmp_path)
    assert "Auteur : Léa Martin (Région)" in text
    for contact in ("lea.martin@region.example", "06 12 34 56 78", "Atelier Benali"):
        assert contact not in text
    assert "Vous n'avez pas choisi d'échanger vos coordonnées" in text


def test_sheet_with_many_long_actions_still_fits_one_page(room, tmp_path):
    lea, activities = room["lea"], room["activities"]
    long_text = "Lancer avec les entreprises du décolletage un groupement d'employeurs " * 4
    rencontre = room["rencontre"]
    for n in range(12):
        other = person(rencontre, f"Auteur {n}", f"Entreprise {n}", listed=True)
        action = act(activities["actions"], other, f"{n} — {long_text}"[:300], 3 + n)
        priorities.partnership_set(participant=lea, action=action, joined=True)
    pages, text = pdf_facts(sheet.sheet_pdf(lea), tmp_path)
    assert pages == 1
    assert "Fiche abrégée pour tenir sur une page" in text


def test_sheet_download_from_the_personal_page(room, tmp_path):
    response = Client().get(reverse("workshops:personal_sheet", args=[room["lea"].token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages, text = pdf_facts(response.content, tmp_path)
    assert pages == 1
    assert "Réunir les DRH du décolletage" in text


def test_sheet_download_with_an_unknown_token_is_404(room):
    assert Client().get("/moi/nope/fiche.pdf").status_code == 404


# ---------------------------------------------------------------- the contact form


def test_contact_form_keeps_the_email_with_its_consent(room):
    zoe = room["zoe"]
    url = reverse("workshops:personal_contact", args=[zoe.token])
    response = Client().post(
        url,
        {"email": "zoe@example.org", "email_consent": "on", "contact": "", "contact_consent": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Enregistré" in response.content.decode()
    zoe.refresh_from_db()
    assert (zoe.email, zoe.email_consent, zoe.contact, zoe.contact_consent) == (
        "zoe@example.org",
        True,
        "",
        False,
    )


def test_contact_form_refuses_a_bad_contact_and_keeps_what_was_there(room):
    karim = room["karim"]
    url = reverse("workshops:personal_contact", args=[karim.token])
    response = Client().post(
        url,
        {"email": "", "email_consent": "on", "contact": "n'importe quoi", "contact_consent": "on"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Indiquez une adresse e-mail ou un numéro de téléphone." in html
    assert "Indiquez votre e-mail pour recevoir votre fiche." in html
    karim.refresh_from_db()
    assert (karim.email, karim.contact) == ("karim@example.org", "06 12 34 56 78")


def test_contact_form_without_htmx_goes_back_to_the_page(room):
    lea = room["lea"]
    url = reverse("workshops:personal_contact", args=[lea.token])
    response = Client().post(url, {"email": "", "contact": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/moi/{lea.token}/#coordonnees"
    lea.refresh_from_db()
    assert (lea.email, lea.email_consent, lea.contact, lea.contact_consent) == (
        "",
        False,
        "",
        False,
    )


# ---------------------------------------------------------------- e-mails at the end


def test_ending_the_rencontre_mails_each_consenting_participant_their_sheet(
    room, settings, tmp_path
):
    settings.EMAIL_BACKEND = LOCMEM
    settings.SITE_URL = ""
    facilitator = Client()
    facilitator.force_login(room["user"])
    code = room["rencontre"].code
    assert facilitator.post(f"/animer/{code}/terminer/").status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["karim@example.org", "lea@example.org"]
    by_to = {m.to[0]: m for m in mail.outbox}
    message = by_to["lea@example.org"]
    assert f"http://testserver/moi/{room['lea'].token}/" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf"
    assert filename.startswith("fiche-")
    pages, text = pdf_facts(content, tmp_path)
    assert pages == 1
    assert "Former 40 soudeurs" in text
    assert "Doubler la sous-traitance" not in text
    # Ending again (a double click) sends nothing more; the records say what was sent.
    facilitator.post(f"/animer/{code}/terminer/")
    tasks.sheet_mails_queue(rencontre=room["rencontre"], base_url="http://testserver/")
    assert len(mail.outbox) == 2
    assert MailSent.objects.filter(key=tasks.SHEET_MAIL).count() == 2


def test_a_failed_sheet_mail_is_retried_then_given_up_and_logged(room, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    # The immediate backend of the tests runs each retry at once, inside the first call.
    assert tasks.sheet_mail_task.call(room["lea"].pk, "http://x", None) == "retry"
    assert MailSent.objects.count() == 0  # a later try may send it
    failures = [r for r in caplog.records if "Sheet mail to participant" in r.getMessage()]
    assert len(failures) == tasks.MAIL_ATTEMPTS
    assert sorted(r.getMessage().split("failed ")[1] for r in failures) == [
        "(attempt 1), will retry",
        "(attempt 2), will retry",
        "(attempt 3), will retry",
        "(attempt 4), will retry",
        "(attempt 5), giving up",
    ]
    settings.EMAIL_BACKEND = LOCMEM
    assert tasks.sheet_mail_task.call(room["lea"].pk, "http://x", None) == "sent"
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- reminders


def test_reminder_is_sent_once_the_day_before(room, settings):
    settings.EMAIL_BACKEND = LOCMEM
    shared = room["shared"]
    at = reminders.reminder_time(shared)
    assert at.date() == shared.due - dt.timedelta(days=1)
    assert reminders.action_reminders_send(action_id=shared.pk, now=at - dt.timedelta(hours=1)) == 0
    # Léa (author) and Karim (partner) gave an e-mail; Zoé did not.
    assert reminders.action_reminders_send(action_id=shared.pk, now=at) == 2
    assert reminders.action_reminders_send(action_id=shared.pk, now=at) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["karim@example.org", "lea@example.org"]
    to_karim = next(m for m in mail.outbox if m.to == ["karim@example.org"])
    assert "Réunir les DRH du décolletage" in to_karim.body
    assert "Léa Martin (Région) · lea.martin@region.example" in to_karim.body
    assert "zoe@cci.example" not in to_karim.body


def test_no_reminder_for_a_done_action_or_after_its_day(room, settings):
    settings.EMAIL_BACKEND = LOCMEM
    shared = room["shared"]
    at = reminders.reminder_time(shared)
    assert reminders.action_reminders_send(action_id=shared.pk, now=at + dt.timedelta(days=2)) == 0
    Action.objects.filter(pk=shared.pk).update(done=True)
    assert reminders.action_reminders_send(action_id=shared.pk, now=at) == 0
    assert mail.outbox == []


def test_reminder_is_queued_only_when_its_time_is_ahead(room):
    activity = room["activities"]["actions"]
    tomorrow = act(activity, room["zoe"], "Appeler la DREETS", 1)
    assert reminders.action_reminder_queue(tomorrow) is False
    later = act(activity, room["zoe"], "Écrire au préfet", 10)
    # The immediate backend of the tests cannot defer: nothing runs before its time.
    assert reminders.action_reminder_queue(later) is False
    assert mail.outbox == []


# ---------------------------------------------------------------- personal data


def test_personal_export_lists_the_email_and_contact(room):
    document = personal_data.personal_document(room["karim"])
    assert document["participant"]["email"] == "karim@example.org"
    assert document["participant"]["contact"] == "06 12 34 56 78"


def test_purge_erases_the_email_and_the_contact(room, settings):
    rencontre = room["rencontre"]
    services.rencontre_end(rencontre=rencontre, now=timezone.now() - dt.timedelta(days=400))
    services.rencontres_purge(now=timezone.now())
    assert (
        list(
            Participant.objects.filter(rencontre=rencontre).exclude(
                email="", contact="", email_consent=False, contact_consent=False
            )
        )
        == []
    )


def test_erasing_oneself_removes_ones_mails_and_partnerships(room, settings):
    settings.EMAIL_BACKEND = LOCMEM
    karim = room["karim"]
    tasks.sheet_mail_send(participant_id=karim.pk, base_url="http://x")
    services.participant_erase(participant=karim)
    assert MailSent.objects.filter(participant_id=karim.pk).count() == 0
    assert room["shared"].partnerships.filter(participant_id=karim.pk).count() == 0


# ---------------------------------------------------------------- the download via the worker


def test_sheet_download_waits_for_the_worker(room, settings):
    """With a queue that runs later (the real worker), the page waits and reloads itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    lea, karim = room["lea"], room["karim"]
    url = reverse("workshops:personal_sheet", args=[lea.token])
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Votre fiche est en préparation" in html
    [result] = tasks.sheet_file_task.get_backend().results
    assert f'content="2;url={url}?tache={result.id}"' in html
    # Someone else's token with this task: not theirs.
    other = reverse("workshops:personal_sheet", args=[karim.token])
    assert Client().get(other, {"tache": result.id}).status_code == 404
    assert Client().get(url, {"tache": "nope"}).status_code == 404
    # Still queued: the same waiting page.
    assert "en préparation" in Client().get(url, {"tache": result.id}).content.decode()


def test_deleting_ones_data_deletes_ones_sheet_file(room, settings, tmp_path):
    settings.DEBRIEF_DIR = str(tmp_path)
    lea = room["lea"]
    Client().get(reverse("workshops:personal_sheet", args=[lea.token]))
    path = tasks.sheet_file_path(lea)
    assert path.is_file()
    Client().post(reverse("workshops:personal_delete", args=[lea.token]))
    assert not path.exists()
