"""Territory ownership is explicit: staff grant it, an import never claims an existing
territory, lists show an account its own territories, and only owners and staff edit one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from territories.models import ImportJob, SiteEvent, Territory
from tests.factories import UserFactory
from tests.territories.sirene_files import COLUMNS_54, row, write

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def territories():
    owner = UserFactory()
    owned = Territory.objects.create(name="Owned", slug="owned", kind="custom", communes=["74081"])
    owned.owners.add(owner)
    # Made by a command: nobody owns it.
    ownerless = Territory.objects.create(
        name="Ownerless", slug="ownerless", kind="custom", communes=["74011"]
    )
    return owner, owned, ownerless


def test_lists_show_an_account_its_own_territories_and_staff_all(territories):
    owner, _owned, _ownerless = territories
    names = lambda client: [  # noqa: E731
        t.name for t in client.get(reverse("territories:list")).context["territories"]
    ]
    assert names(client_of(owner)) == ["Owned"]
    assert names(client_of(UserFactory())) == []
    assert names(client_of(UserFactory(is_staff=True))) == ["Owned", "Ownerless"]


@pytest.mark.parametrize("slug", ["owned", "ownerless"])
def test_a_facilitator_who_is_not_an_owner_cannot_edit(territories, slug):
    stranger = client_of(UserFactory())
    filieres = reverse("territories:filiere_table", args=[slug])
    events = reverse("territories:event_form", args=[slug])
    assert stranger.get(filieres).status_code == 403
    assert stranger.post(filieres, {"lines": "25.62 = Automobile"}).status_code == 403
    assert stranger.get(events).status_code == 403
    response = stranger.post(
        events, {"type": "ouverture", "date": "2026-01-01", "entreprise": "Fausse usine"}
    )
    assert response.status_code == 403
    assert SiteEvent.objects.count() == 0
    assert Territory.objects.get(slug=slug).filiere_overrides == {}


@pytest.mark.parametrize("slug", ["owned", "ownerless"])
def test_an_import_never_claims_a_territory_of_others(territories, slug, tmp_path, settings):
    settings.IMPORT_DIR = str(tmp_path / "imports")
    stranger = UserFactory()
    path = write(tmp_path / "s.csv", COLUMNS_54, [row(COLUMNS_54, siret="12345678900011")])
    response = client_of(stranger).post(
        reverse("territories:import"),
        {
            "territory": slug,
            "kind": "events",
            "sections": "C",
            "file": SimpleUploadedFile(path.name, path.read_bytes()),
        },
    )
    assert response.status_code == 400
    assert "Ce territoire appartient à d&#x27;autres organisateurs" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert stranger not in Territory.objects.get(slug=slug).owners.all()


def test_owners_and_staff_edit(territories):
    owner, _owned, _ownerless = territories
    for client, slug in (
        (client_of(owner), "owned"),
        (client_of(UserFactory(is_staff=True)), "ownerless"),
    ):
        response = client.post(
            reverse("territories:filiere_table", args=[slug]), {"lines": "25.62 = Automobile"}
        )
        assert response.status_code == 302
        assert Territory.objects.get(slug=slug).filiere_overrides == {"25.62": "Automobile"}


def test_staff_grant_a_territory_in_the_admin(territories):
    _owner, _owned, ownerless = territories
    organiser = UserFactory()
    admin = client_of(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:territories_territory_change", args=[ownerless.pk])
    response = admin.post(url, {"name": "Ownerless", "owners": [organiser.pk]})
    assert response.status_code == 302
    assert list(ownerless.owners.all()) == [organiser]
    assert [t.name for t in client_of(organiser).get("/territoires/").context["territories"]] == [
        "Ownerless"
    ]
