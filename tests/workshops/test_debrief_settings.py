"""The organiser's debrief settings: key messages edited from the synthesis, the sections
chosen, the cover's logos (checked by decoding them), and the tagged PDF that carries them."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from tests.factories import UserFactory, make_rencontre
from tests.test_debrief import filled, text_of  # noqa: F401 (a fixture)
from workshops import debrief, services
from workshops.forms import DebriefSettingsForm, LogoForm, logo_prepare
from workshops.models import DebriefJob, DebriefLogo, DebriefSettings

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str = "PNG", size=(320, 120), color=(31, 95, 191), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **save)
    return out.getvalue()


def upload(name: str, content: bytes, kind: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=kind)


def settings_url(rencontre) -> str:
    return reverse("workshops:restitution_settings", args=[rencontre.code])


def settings_data(rencontre, **changes) -> dict:
    data = {
        "message_1": "La filière mobilité recrute : 40 soudeurs par an.",
        "message_2": "Le foncier est le premier frein.",
        "show_figures": "on",
        "show_key_messages": "on",
        "show_highlights": "on",
        "show_agenda": "on",
        "show_participants": "on",
        "steps": [str(pk) for pk in rencontre.steps.values_list("pk", flat=True)],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def pdf_of(client, rencontre) -> bytes:
    response = client.get(reverse("workshops:restitution_pdf", args=[rencontre.code]))
    assert response["Content-Type"] == "application/pdf"
    return response.content


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "restitution.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# ---------------------------------------------------------------- the settings form


def test_the_form_keeps_non_blank_messages_in_order_on_one_line_each(filled):  # noqa: F811
    rencontre, _user = filled
    form = DebriefSettingsForm(
        settings_data(
            rencontre,
            message_1="  Premier\n message\t clé ",
            message_2="   ",
            message_3="Troisième\x07",
            message_6="Dernier",
        ),
        rencontre=rencontre,
    )
    assert form.is_valid(), form.errors
    assert form.key_messages() == ["Premier message clé", "Troisième", "Dernier"]
    assert form.hidden_steps() == []


def test_the_form_refuses_a_long_message_and_a_step_of_another_rencontre(filled):  # noqa: F811
    rencontre, _user = filled
    other = make_rencontre()
    form = DebriefSettingsForm(
        settings_data(
            rencontre, message_2="x" * 301, steps=[str(other.steps.first().pk)], show_agenda=None
        ),
        rencontre=rencontre,
    )
    assert form.is_valid() is False
    assert form.errors["message_2"] == [
        "Un message clé tient en 300 caractères au plus (celui-ci en compte 301) : raccourcissez-le."
    ]
    assert form.errors["steps"] == ["Cette étape n'existe pas dans la rencontre."]


def test_unticked_steps_are_the_hidden_ones(filled):  # noqa: F811
    rencontre, _user = filled
    steps = list(rencontre.steps.order_by("position").values_list("pk", flat=True))
    form = DebriefSettingsForm(
        settings_data(rencontre, steps=[str(pk) for pk in steps[1:]]), rencontre=rencontre
    )
    assert form.is_valid(), form.errors
    assert form.hidden_steps() == [steps[0]]


def test_the_page_is_prefilled_from_the_synthesis(client, filled):  # noqa: F811
    rencontre, user = filled
    client.force_login(user)
    page = client.get(settings_url(rencontre)).content.decode()
    suggested = debrief.suggested_messages(debrief.debrief_context(rencontre))
    assert 3 <= len(suggested) <= 6
    assert suggested[0] == (
        "2 participants, 2 priorités formulées, 2 actions engagées, 1 soutien exprimé."
    )
    assert any("Foncier disponible" in line for line in suggested)
    assert "Filière la plus citée dans les priorités : Nouvelles mobilités (1 priorité)." in (
        suggested
    )
    for line in suggested:
        assert f"\n{escape(line)}</textarea>" in page


def test_saving_keeps_the_messages_and_sections(client, filled):  # noqa: F811
    rencontre, user = filled
    client.force_login(user)
    first_step = rencontre.steps.order_by("position").first()
    data = settings_data(
        rencontre,
        show_agenda=None,
        steps=[str(s.pk) for s in rencontre.steps.exclude(pk=first_step.pk)],
    )
    response = client.post(settings_url(rencontre), data, follow=True)
    assert "Réglages de la restitution enregistrés." in response.content.decode()
    saved = DebriefSettings.objects.get(rencontre=rencontre)
    assert saved.key_messages == [
        "La filière mobilité recrute : 40 soudeurs par an.",
        "Le foncier est le premier frein.",
    ]
    assert (saved.show_agenda, saved.show_figures, saved.hidden_steps) == (
        False,
        True,
        [first_step.pk],
    )
    # Back to the suggestions: the messages go, the sections stay.
    client.post(reverse("workshops:restitution_messages_reset", args=[rencontre.code]))
    saved.refresh_from_db()
    assert (saved.key_messages, saved.show_agenda) == ([], False)


def test_a_refused_form_loses_nothing_typed_and_saves_nothing(client, filled):  # noqa: F811
    rencontre, user = filled
    client.force_login(user)
    response = client.post(
        settings_url(rencontre), settings_data(rencontre, message_3="Trop long " * 40)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Réglages non enregistrés" in page
    assert "raccourcissez-le" in page
    assert "\nLa filière mobilité recrute : 40 soudeurs par an.</textarea>" in page
    assert ("Trop long " * 40).strip() in page
    assert DebriefSettings.objects.filter(rencontre=rencontre).exists() is False


# ---------------------------------------------------------------- logos


def test_a_png_logo_is_decoded_and_written_again():
    junk = image_bytes("PNG") + b"<script>alert(1)</script>"  # anything after the image goes
    logo = logo_prepare(junk)
    assert (logo.extension, logo.width, logo.height) == ("png", 320, 120)
    assert b"<script>" not in logo.content
    assert Image.open(io.BytesIO(logo.content)).format == "PNG"


def test_a_large_jpeg_is_scaled_down_and_its_name_does_not_decide():
    logo = logo_prepare(image_bytes("JPEG", size=(2400, 800)))
    assert (logo.extension, logo.width, logo.height) == ("jpg", 1200, 400)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"MZ\x90\x00 not an image at all", "Ce fichier n'est pas une image lisible"),
        ("logo.png", image_bytes("GIF"), "Ce fichier est une image GIF : seuls PNG et JPEG"),
        ("logo.jpg", image_bytes("BMP"), "Ce fichier est une image BMP : seuls PNG et JPEG"),
        (
            "logo.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "Les logos SVG ne sont pas acceptés",
        ),
        ("logo.svg", b'<svg onload="alert(1)"></svg>', "Les logos SVG ne sont pas acceptés"),
        ("logo.png", image_bytes(size=(8, 8)), "Ce logo mesure 8 × 8 pixels"),
        ("logo.png", image_bytes(size=(2000, 20)), "Ce logo (2000 × 20 pixels) est trop étiré"),
        ("logo.png", image_bytes()[:60], "Ce fichier n'est pas une image lisible"),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_logo_is_refused(name, content, message):
    rencontre = make_rencontre()
    form = LogoForm(
        {"role": "organiser", "name": "Région"},
        {"image": upload(name, content)},
        rencontre=rencontre,
    )
    assert form.is_valid() is False
    assert len(form.errors["image"]) == 1
    assert form.errors["image"][0].startswith(message), form.errors["image"]


def test_a_logo_over_one_megabyte_is_refused():
    rencontre = make_rencontre()
    big = upload("logo.png", image_bytes() + b"\x00" * (1024 * 1024))
    form = LogoForm({"role": "partner", "name": "Banque"}, {"image": big}, rencontre=rencontre)
    assert form.errors["image"] == ["Ce fichier pèse 1,0 Mo : un logo pèse 1 Mo au plus."]


def test_uploading_replacing_and_removing_logos(
    client, settings, django_capture_on_commit_callbacks
):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    add = reverse("workshops:restitution_logo_add", args=[rencontre.code])
    for name, role in (("Région", "organiser"), ("Banque", "partner"), ("Agglo", "organiser")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                add, {"role": role, "name": name, "image": upload("l.png", image_bytes())}
            )
        assert response.status_code == 302
    logos = list(rencontre.logos.order_by("role", "name"))
    assert [(logo.role, logo.name) for logo in logos] == [
        ("organiser", "Agglo"),
        ("partner", "Banque"),
    ]
    kept = sorted(p.name for p in (Path(settings.DEBRIEF_DIR) / "logos").rglob("*.png"))
    assert kept == sorted(Path(logo.filename).name for logo in logos)  # Région's file gone
    assert all(len(Path(logo.filename).stem) == 32 for logo in logos)  # random names
    preview = client.get(reverse("workshops:restitution_logo", args=[rencontre.code, logos[0].pk]))
    assert (preview["Content-Type"], preview.content) == ("image/png", logos[0].path.read_bytes())
    remove = reverse("workshops:restitution_logo_remove", args=[rencontre.code])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remove, {"logo": logos[1].pk})
    assert list(rencontre.logos.values_list("name", flat=True)) == ["Agglo"]
    assert logos[1].path.exists() is False
    other = make_rencontre()
    services.debrief_logo_add(
        rencontre=other,
        role="partner",
        name="Autre",
        content=image_bytes(),
        extension="png",
        width=320,
        height=120,
    )
    refused = client.post(remove, {"logo": other.logos.get().pk}, follow=True)
    assert "Ce logo n&#x27;existe plus." in refused.content.decode()
    assert other.logos.count() == 1


def test_a_refused_logo_says_why_and_keeps_the_settings_page(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    response = client.post(
        reverse("workshops:restitution_logo_add", args=[rencontre.code]),
        {"role": "organiser", "name": "Région", "image": upload("logo.png", b"GIF89a...")},
    )
    assert response.status_code == 400
    assert "Logo non ajouté : Ce fichier n&#x27;est pas une image lisible" in response.text
    assert rencontre.logos.count() == 0


# ---------------------------------------------------------------- the fetcher


def test_the_fetcher_reads_the_rencontre_logos_and_no_other_file(settings):
    from weasyprint.urls import FatalURLFetchingError, URLFetchingError, fetch

    mine, theirs = make_rencontre(), make_rencontre()
    logo = services.debrief_logo_add(
        rencontre=mine,
        role="organiser",
        name="R",
        content=image_bytes(),
        extension="png",
        width=320,
        height=120,
    )
    other = services.debrief_logo_add(
        rencontre=theirs,
        role="organiser",
        name="T",
        content=image_bytes(),
        extension="png",
        width=320,
        height=120,
    )
    fetcher = debrief._shipped_files_fetcher(debrief.logo_files(mine))
    with fetch(fetcher, logo.path.resolve().as_uri()) as resource:
        assert resource.read() == logo.path.read_bytes()
    stray = logo.path.parent / "stray.png"
    stray.write_bytes(image_bytes())
    folder = logo.path.parent
    refused = [
        other.path.resolve().as_uri(),  # another rencontre's logo
        stray.resolve().as_uri(),  # a file beside it
        (folder / ".." / str(mine.pk) / logo.path.name).as_uri(),
        folder.resolve().as_uri() + "/",
        logo.path.resolve().as_uri() + "?x",
        Path(settings.DEBRIEF_DIR).resolve().as_uri() + "/",
        "file:///etc/passwd",
        "http://127.0.0.1:9/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ]
    for url in refused:
        with pytest.raises((URLFetchingError, FatalURLFetchingError)), fetch(fetcher, url):
            pass


# ---------------------------------------------------------------- the PDF


def test_the_pdf_is_tagged_and_carries_the_choices(client, filled, tmp_path):  # noqa: F811
    rencontre, user = filled
    client.force_login(user)
    steps = {s.title: s.pk for s in rencontre.steps.all()}
    client.post(
        settings_url(rencontre),
        settings_data(
            rencontre,
            message_1="Former quarante soudeurs par an dès la rentrée.",
            message_2="Ouvrir les ateliers aux lycéens du bassin.",
            show_agenda=None,
            show_participants=None,
            steps=[str(pk) for title, pk in steps.items() if title != "Échanger entre pairs"],
        ),
    )
    client.post(
        reverse("workshops:restitution_logo_add", args=[rencontre.code]),
        {"role": "organiser", "name": "Région Test", "image": upload("r.png", image_bytes())},
    )
    client.post(
        reverse("workshops:restitution_logo_add", args=[rencontre.code]),
        {
            "role": "partner",
            "name": "Banque Test",
            "image": upload("b.jpg", image_bytes("JPEG", size=(200, 100)), "image/jpeg"),
        },
    )
    pdf = pdf_of(client, rencontre)
    info = poppler("pdfinfo", pdf, tmp_path)
    assert "Tagged:          yes" in info
    assert f"Title:           Restitution — {rencontre.title}" in info
    text = " ".join(poppler("pdftotext", pdf, tmp_path).split())
    assert "Les messages clés" in text
    assert "1 Former quarante soudeurs par an dès la rentrée." in text
    assert "Ouvrir les ateliers aux lycéens du bassin." in text
    assert "Le déroulé de la rencontre" not in text
    assert "Annexe" not in text
    assert "Réunir les DRH du décolletage" not in text  # "Échanger entre pairs" left out
    assert "Former 40 soudeurs par an" in text  # "Formuler sa priorité" kept
    assert "Synthèse" in text
    images = poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    sizes = sorted((int(row.split()[3]), int(row.split()[4])) for row in images)
    assert sizes == [(200, 100), (320, 120)]


def test_without_settings_the_pdf_has_every_section_and_the_suggested_messages(
    client,
    filled,  # noqa: F811
):
    rencontre, user = filled
    client.force_login(user)
    text = text_of(pdf_of(client, rencontre))
    for title in ("Les messages clés", "Synthèse", "Le déroulé de la rencontre", "Annexe"):
        assert title in text
    assert "2 participants, 2 priorités formulées" in text


def test_editing_the_messages_changes_the_fingerprint_and_makes_a_new_pdf(client, filled):  # noqa: F811
    rencontre, user = filled
    client.force_login(user)
    pdf_of(client, rencontre)
    pdf_of(client, rencontre)
    assert [job.reused for job in DebriefJob.objects.order_by("pk")] == [False, True]
    client.post(settings_url(rencontre), settings_data(rencontre, message_2="Un autre message"))
    text = text_of(pdf_of(client, rencontre))
    assert "Un autre message" in text
    services.debrief_logo_add(
        rencontre=rencontre,
        role="partner",
        name="B",
        content=image_bytes(),
        extension="png",
        width=320,
        height=120,
    )
    pdf_of(client, rencontre)
    jobs = list(DebriefJob.objects.order_by("pk"))
    assert [job.reused for job in jobs] == [False, True, False, False]
    assert len({job.fingerprint for job in jobs}) == 3


def test_only_this_rencontre_facilitators_reach_the_settings(filled):  # noqa: F811
    rencontre, _user = filled
    url = settings_url(rencontre)
    assert Client().get(url).status_code == 302
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 403
    assert other.post(url, settings_data(rencontre)).status_code == 403
    assert DebriefSettings.objects.exists() is False
    assert DebriefLogo.objects.exists() is False
