"""A talk's slides: uploads checked by their bytes, PDFs made into slides by the worker,
images served only to the rencontre's facilitators and wall, paging, notes on the panel only,
a one-line summary on the phones."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from plenary import services as plenary_services
from plenary import slides
from plenary.models import Slide, SlideJob
from plenary.tasks import slide_files_sweep, slide_job_run
from tests.factories import UserFactory, make_rencontre
from workshops import services
from workshops.models import Activity

pytestmark = pytest.mark.django_db

NOTES = "Rappeler le chiffre des 12 fermetures"


def png(size=(160, 90), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(160, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf(pages: int) -> bytes:
    images = [Image.new("RGB", (320, 180), (10 * i % 255, 80, 120)) for i in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def room():
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    step = rencontre.steps.order_by("position").first()
    talk = services.activity_create(step=step, kind="talk", title="La méthode")
    facilitator = Client()
    facilitator.force_login(user)
    phone = Client()
    phone.post(
        f"/j/{rencontre.code}",
        {"name": "Nadia", "organisation": "Ville", "actor_type": "collectivite"},
    )
    return rencontre, talk, facilitator, phone


def add_slides(talk: Activity, n: int) -> list[Slide]:
    return [
        plenary_services.slide_add_image(
            activity=talk,
            image=slides.check_image(png(color=(i * 40, 0, 0)), declared="PNG"),
        )
        for i in range(n)
    ]


def post_files(client, rencontre, talk, *files):
    url = reverse("plenary:slide_upload", args=[rencontre.code, talk.pk])
    return client.post(url, {"fichiers": list(files)}, follow=True)


# ---------------------------------------------------------------- checking uploads


def test_an_upload_over_20_mb_is_refused():
    big = upload("deck.png", b"\x89PNG" + b"0" * slides.MAX_UPLOAD_BYTES)
    with pytest.raises(slides.SlideRefused, match="20 Mo"):
        slides.check_upload(big)


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(slides.SlideRefused, match="pas une image lisible"):
        slides.check_upload(upload("slide.png", b"just some text, not pixels"))


def test_a_jpeg_named_png_is_refused():
    with pytest.raises(slides.SlideRefused, match="ne correspond pas"):
        slides.check_upload(upload("slide.png", jpeg()))


def test_a_pdf_named_png_is_refused():
    with pytest.raises(slides.SlideRefused, match="ne correspond pas"):
        slides.check_upload(upload("slide.png", pdf(1)))


def test_an_image_named_pdf_is_refused():
    with pytest.raises(slides.SlideRefused, match="pas un PDF"):
        slides.check_upload(upload("deck.pdf", png()))


def test_svg_is_refused_with_a_way_out():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name in ("slide.svg", "slide.png"):
        with pytest.raises(slides.SlideRefused, match="SVG"):
            slides.check_upload(upload(name, svg))


def test_a_truncated_png_is_refused():
    with pytest.raises(slides.SlideRefused, match="pas une image lisible"):
        slides.check_upload(upload("slide.png", png()[:60]))


def test_a_pdf_of_more_than_60_pages_is_refused():
    with pytest.raises(slides.SlideRefused, match="61 pages"):
        slides.check_upload(upload("deck.pdf", pdf(61)))


def test_png_and_jpeg_are_read_from_their_bytes():
    checked = slides.check_upload(upload("a.JPG", jpeg((300, 200))))
    assert (checked.kind, checked.image.content_type, checked.image.width) == (
        "image",
        "image/jpeg",
        300,
    )
    checked = slides.check_upload(upload("b.png", png()))
    assert (checked.image.content_type, checked.image.extension) == ("image/png", "png")


# ---------------------------------------------------------------- the upload page


def test_images_uploaded_become_slides_in_order_and_refused_files_are_named(room):
    rencontre, talk, facilitator, _ = room
    response = post_files(
        facilitator,
        rencontre,
        talk,
        upload("un.png", png(color=(1, 1, 1))),
        upload("faux.png", b"pas une image"),
        upload("deux.jpg", jpeg()),
    )
    page = response.content.decode()
    assert "faux.png : Ce fichier n&#x27;est pas une image lisible" in page
    assert "2 diapositives ajoutées." in page
    stored = list(talk.slides.values_list("content_type", "position"))
    assert stored == [("image/png", 1), ("image/jpeg", 2)]
    for slide in talk.slides.all():
        assert len(slide.filename) > 20  # random, not the uploaded name
        assert (Path(settings.SLIDES_DIR) / slide.filename).is_file()


def test_a_pdf_is_split_into_pages_by_the_worker(room):
    rencontre, talk, facilitator, _ = room
    response = post_files(facilitator, rencontre, talk, upload("methode.pdf", pdf(3)))
    assert "PDF reçu" in response.content.decode()
    job = SlideJob.objects.get(activity=talk)
    assert (job.status, job.pages_done, job.pages_total, job.error) == ("done", 3, 3, "")
    deck = list(talk.slides.all())
    assert [s.position for s in deck] == [1, 2, 3]
    for slide in deck:
        with Image.open(Path(settings.SLIDES_DIR) / slide.filename) as image:
            assert (image.format, image.size) == ("PNG", (1920, 1080))
        assert (slide.width, slide.height) == (1920, 1080)
    assert list(Path(settings.SLIDES_DIR).glob("*.pdf")) == []  # the PDF is not kept


def test_a_pdf_job_that_cannot_render_fails_with_a_message(room):
    _, talk, _, _ = room
    source = slides.store(b"%PDF-1.4 broken", "pdf")
    job = SlideJob.objects.create(activity=talk, source=source, pages_total=2)
    slide_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.pages_done) == ("failed", 0)
    assert job.error
    assert not talk.slides.exists()


# ---------------------------------------------------------------- serving the images


def test_a_slide_is_served_to_facilitators_and_the_wall_link_only(room):
    rencontre, talk, facilitator, phone = room
    (slide,) = add_slides(talk, 1)
    url = reverse("plenary:slide_image", args=[rencontre.code, slide.filename])
    response = facilitator.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    assert (
        b"".join(response.streaming_content)
        == (Path(settings.SLIDES_DIR) / slide.filename).read_bytes()
    )
    secret = services.screen_link_create(rencontre=rencontre)
    assert Client().get(url, {"cle": secret}).status_code == 200
    assert Client().get(url, {"cle": "faux"}).status_code == 404
    assert Client().get(url).status_code == 404
    assert phone.get(url).status_code == 404
    other = Client()
    other.force_login(UserFactory())
    assert other.get(url).status_code == 403


# ---------------------------------------------------------------- order, notes, removal


def test_slides_move_up_and_down_and_are_removed_with_their_file(
    room, django_capture_on_commit_callbacks
):
    rencontre, talk, facilitator, _ = room
    a, b, c = add_slides(talk, 3)
    args = [rencontre.code, talk.pk]
    facilitator.post(reverse("plenary:slide_up", args=args), {"slide": c.pk})
    assert list(talk.slides.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    facilitator.post(reverse("plenary:slide_down", args=args), {"slide": a.pk})
    assert list(talk.slides.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    facilitator.post(reverse("plenary:slide_up", args=args), {"slide": c.pk})  # already first
    assert list(talk.slides.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    path = Path(settings.SLIDES_DIR) / a.filename
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        facilitator.post(reverse("plenary:slide_remove", args=args), {"slide": a.pk})
    assert list(talk.slides.values_list("pk", flat=True)) == [c.pk, b.pk]
    assert not path.exists()


def test_notes_are_saved_and_too_long_notes_are_refused(room):
    rencontre, talk, facilitator, _ = room
    (slide,) = add_slides(talk, 1)
    url = reverse("plenary:slide_notes", args=[rencontre.code, talk.pk])
    facilitator.post(url, {"slide": slide.pk, "notes": f"  {NOTES}  "})
    slide.refresh_from_db()
    assert slide.notes == NOTES
    response = facilitator.post(url, {"slide": slide.pk, "notes": "x" * 4001}, follow=True)
    assert "4000 caractères au plus" in response.content.decode()
    slide.refresh_from_db()
    assert slide.notes == NOTES


# ---------------------------------------------------------------- on the wall, panel, phones


def test_paging_moves_once_per_click_and_stays_in_the_deck(room):
    rencontre, talk, facilitator, _ = room
    add_slides(talk, 3)
    services.activity_goto(rencontre=rencontre, activity_id=talk.pk)
    url = reverse("workshops:kind_command", args=[rencontre.code, talk.pk, "diapo-suivante"])
    back = reverse("workshops:kind_command", args=[rencontre.code, talk.pk, "diapo-precedente"])

    def shown() -> int:
        talk.refresh_from_db()
        return talk.config["slide"]

    facilitator.post(url, {"index": 0})
    facilitator.post(url, {"index": 0})  # a double click: the panel still showed slide 1
    assert shown() == 1
    facilitator.post(url, {"index": 1})
    facilitator.post(url, {"index": 2})  # past the last: stays
    assert shown() == 2
    facilitator.post(back, {"index": 2})
    assert shown() == 1


def test_notes_show_on_the_panel_never_on_the_wall_nor_the_phones(room):
    rencontre, talk, facilitator, phone = room
    first, second = add_slides(talk, 2)
    plenary_services.slide_notes_set(activity=talk, slide=first, notes=NOTES)
    services.activity_update(
        activity=talk,
        title=talk.title,
        body="Le texte long de l'intervention",
        planned_minutes=20,
        config={"summary": "La méthode d'analyse du patrimoine industriel"},
    )
    services.activity_goto(rencontre=rencontre, activity_id=talk.pk)
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    panel = facilitator.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    screen = phone.get(f"/j/{rencontre.code}").content.decode()
    assert NOTES in panel
    assert NOTES not in wall
    assert NOTES not in screen
    assert first.filename in wall
    assert second.filename not in wall
    assert first.filename in panel
    assert second.filename in panel
    assert "La méthode d&#x27;analyse du patrimoine industriel" in screen
    assert first.filename not in screen
    assert "Le texte long" not in screen


def test_files_of_deleted_talks_are_swept_and_the_others_kept(room):
    _, talk, _, _ = room
    kept, gone = add_slides(talk, 2)
    Slide.objects.filter(pk=gone.pk).delete()  # as when its talk is deleted
    folder = Path(settings.SLIDES_DIR)
    assert slide_files_sweep() == 0  # written less than an hour ago
    later = timezone.now() + dt.timedelta(hours=2)
    assert slide_files_sweep(now=later) == 1
    assert sorted(p.name for p in folder.iterdir()) == [kept.filename]


def test_the_panel_shows_the_progress_of_a_pdf_being_converted(room):
    rencontre, talk, facilitator, _ = room
    SlideJob.objects.create(
        activity=talk, source="x.pdf", pages_total=12, pages_done=5, status="running"
    )
    services.activity_goto(rencontre=rencontre, activity_id=talk.pk)
    panel = facilitator.get(reverse("workshops:control", args=[rencontre.code])).content.decode()
    assert "Conversion du PDF : 5 / 12 pages" in panel
    page = facilitator.get(reverse("plenary:slides", args=[rencontre.code, talk.pk]))
    assert "5 / 12 pages converties" in page.content.decode()
