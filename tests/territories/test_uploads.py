"""Uploads are read within bounds: size, decompressed size, compression ratio and line length,
each refused with a French message, in bounded memory (measured in this process)."""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from territories.events import EventsFormatError, events_import
from territories.files import UploadRefused
from territories.models import Establishment, ImportJob, SiteEvent, Territory
from territories.sirene import COLUMNS_54, SireneFormatError, historique_import, sirene_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
CLUSES = "200033116"


@pytest.fixture
def organiser(settings, tmp_path):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    client = Client()
    user = UserFactory()
    client.force_login(user)
    return client


@pytest.fixture
def territory():
    return Territory.objects.create(name="T", slug="t", kind="custom", communes=["74081"])


def peak_mib(action) -> tuple[float, object]:
    """Peak memory allocated by Python while `action()` runs, in MiB, and what it raised."""
    tracemalloc.start()
    raised = None
    try:
        action()
    except Exception as error:  # the refusal under test
        raised = error
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak / MIB, raised


def zeros_zip(path: Path, size: int) -> Path:
    chunk = bytes(MIB)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("StockEtablissement_utf8.csv", "w", force_zip64=True) as member,
    ):
        for _ in range(size // MIB):
            member.write(chunk)
    return path


def lines_gzip(path: Path, size: int) -> Path:
    """`size` bytes of 1 KiB lines of zeros, gzipped (compresses about 1,000 times)."""
    chunk = (b"0" * 1023 + b"\n") * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    with path.open("wb") as out:
        out.write(compressor.compress(",".join(COLUMNS_54).encode() + b"\n"))
        for _ in range(size // MIB):
            out.write(compressor.compress(chunk))
        out.write(compressor.flush())
    return path


def test_a_zip_bomb_is_refused_at_upload_without_decompressing(organiser, tmp_path):
    bomb = zeros_zip(tmp_path / "StockEtablissement_utf8.zip", 1024 * MIB)  # 1 GiB of zeros
    content = bomb.read_bytes()
    assert len(content) < 2 * MIB
    responses = []

    def post() -> None:
        responses.append(
            organiser.post(
                reverse("territories:import"),
                {
                    "territory": CLUSES,
                    "kind": "stock",
                    "sections": "C",
                    "file": SimpleUploadedFile(bomb.name, content),
                },
            )
        )

    peak, raised = peak_mib(post)
    assert raised is None
    html = responses[0].content.decode()
    assert responses[0].status_code == 400
    assert "Une fois décompressé, le fichier dépasse" in html or "se décompresse plus de" in html
    assert ImportJob.objects.count() == 0
    assert peak < 32  # the upload itself is ~1 MB; nothing near the 1 GiB it holds


def test_a_gzip_bomb_is_refused_while_streaming_in_bounded_memory(territory, tmp_path):
    bomb = lines_gzip(tmp_path / "stock.csv.gz", 512 * MIB)
    assert bomb.stat().st_size < 2 * MIB
    peak, raised = peak_mib(lambda: sirene_import(territory=territory, path=bomb))
    assert isinstance(raised, UploadRefused)
    assert "se décompresse plus de 30 fois" in str(raised)
    assert peak < 32
    assert Establishment.objects.count() == 0


def test_the_decompressed_size_is_capped(territory, tmp_path, settings):
    settings.IMPORT_MAX_DECOMPRESSED_BYTES = 4 * MIB
    settings.IMPORT_MAX_RATIO = 10_000  # let the total, not the ratio, refuse it
    bomb = lines_gzip(tmp_path / "stock.csv.gz", 16 * MIB)
    with pytest.raises(UploadRefused, match="Une fois décompressé, le fichier dépasse 4 Mio"):
        sirene_import(territory=territory, path=bomb)


def test_a_50_mb_line_is_refused_without_reading_it_whole(territory, tmp_path):
    path = tmp_path / "stock.csv"
    with path.open("wb") as out:
        out.write(",".join(COLUMNS_54).encode() + b"\n")
        for _ in range(50):
            out.write(b"x" * MIB)
        out.write(b"\n")
    peak, raised = peak_mib(lambda: sirene_import(territory=territory, path=path))
    assert isinstance(raised, UploadRefused)
    assert str(raised) == (
        "Ligne 2 trop longue (plus de 64 Kio) : ce n'est pas un fichier CSV attendu."
    )
    assert peak < 8


def test_an_oversize_request_is_refused_with_a_french_message(organiser, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100 * 1024
    response = organiser.post(
        reverse("territories:import"),
        {
            "territory": CLUSES,
            "kind": "stock",
            "sections": "C",
            "file": SimpleUploadedFile("stock.csv", b"x" * (300 * 1024)),
        },
    )
    assert response.status_code == 400
    assert "Fichier trop volumineux (300 Kio) : la limite est de 100 Kio." in (
        response.content.decode()
    )
    assert ImportJob.objects.count() == 0


def test_the_form_refuses_a_file_over_the_size_limit(organiser, settings):
    # Under the request limit (the form's fields count), over the file limit.
    settings.IMPORT_MAX_UPLOAD_BYTES = 100 * 1024
    response = organiser.post(
        reverse("territories:import"),
        {
            "territory": CLUSES,
            "kind": "stock",
            "sections": "C",
            "file": SimpleUploadedFile("stock.csv", b"x" * (120 * 1024)),
        },
    )
    assert response.status_code == 400
    assert "Fichier trop volumineux (120 Kio) : la limite est de 100 Kio." in (
        response.content.decode()
    )


def test_a_field_over_128_kib_in_the_events_is_a_french_error(territory, tmp_path):
    path = tmp_path / "evenements.csv"
    huge = "\n".join(["x" * 1000] * 200)  # 200 KB in one quoted field, short lines
    path.write_text(
        "type;date;entreprise;note\n"
        f'ouverture;2026-05-01;Usine A;"{huge}"\n'
        "ouverture;2026-06-01;Usine B;\n",
        encoding="utf-8",
    )
    with pytest.raises(EventsFormatError) as refused:
        events_import(territory=territory, path=path)
    assert str(refused.value) == (
        "Ligne 2 : un champ dépasse 128 Kio ; rien n'a été importé. "
        "Vérifiez les guillemets du fichier."
    )
    assert SiteEvent.objects.count() == 0


def test_a_field_over_the_limit_in_the_history_is_a_french_error(territory, tmp_path):
    path = tmp_path / "historique.csv"
    huge = "\n".join(["x" * 1000] * 200)
    path.write_text(
        "siret,dateDebut,etatAdministratifEtablissement,changementEtatAdministratifEtablissement\n"
        f'12345678900011,2020-01-01,F,"{huge}"\n',
        encoding="utf-8",
    )
    with pytest.raises(SireneFormatError, match="un champ dépasse 128 Kio"):
        historique_import(territory=territory, path=path)


def test_a_single_long_line_in_the_events_is_refused_in_french(organiser, tmp_path):
    path = tmp_path / "evenements.csv"
    path.write_text("type;date;entreprise;note\n" + "x" * (200 * 1024) + "\n", encoding="utf-8")
    organiser.post(
        reverse("territories:import"),
        {
            "territory": "74081",
            "kind": "events",
            "sections": "C",
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
        },
    )
    job = ImportJob.objects.get()
    assert (job.status, job.error) == (
        "failed",
        "Ligne 2 trop longue (plus de 64 Kio) : ce n'est pas un fichier CSV attendu.",
    )


def test_a_damaged_gzip_is_refused_in_french(territory, tmp_path):
    path = tmp_path / "stock.csv.gz"
    rows = ",".join(COLUMNS_54).encode() + b"\n" + b"1," * 53 + b"1\n"
    whole = gzip.compress(rows * 20_000)
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UploadRefused, match="L'archive est endommagée ou tronquée"):
        sirene_import(territory=territory, path=path)
