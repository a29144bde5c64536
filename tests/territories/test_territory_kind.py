from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from territories.models import Establishment, Territory
from tests.factories import UserFactory
from workshops import kinds, selectors, services, sheet
from workshops.management.commands.demo import DEMO_TITLE
from workshops.models import Activity, Rencontre

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", "--json", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_territory", stdout=out)
    rencontre = Rencontre.objects.get(title=DEMO_TITLE)
    client = Client()
    client.force_login(rencontre.facilitators.get())
    return rencontre, client, out.getvalue()


def test_demo_territory_is_fictional_in_sirene_format_and_idempotent(demo):
    _rencontre, _client, out = demo
    territory = Territory.objects.get(slug="vallee-de-l-arve-fictif")
    assert "territoire fictif" in territory.name
    kept = Establishment.objects.filter(territory=territory).count()
    assert out.strip() == f"{territory.name} : {kept} établissements"
    assert all("fictif" in name for name in Establishment.objects.values_list("name", flat=True))
    call_command("demo_territory", stdout=io.StringIO())
    assert Establishment.objects.count() == kept
    assert Activity.objects.filter(kind="territory").count() == 1


def test_the_wall_shows_the_dynamics_and_the_facilitator_picks_a_filiere(demo):
    rencontre, client, _out = demo
    activity = Activity.objects.get(kind="territory")
    client.post(
        reverse("workshops:activity_goto", args=[rencontre.code]),
        {"activity": activity.pk},
    )
    screen = client.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "Ouvertures et fermetures de sites par année — Ensemble du territoire" in screen
    assert "Source : SIRENE, INSEE" in screen
    moderate = reverse("workshops:kind_command", args=[rencontre.code, activity.pk, "filiere"])
    client.post(moderate, {"filiere": "Mines et métallurgie"})
    screen = client.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "Ouvertures et fermetures de sites par année — Mines et métallurgie" in screen
    activity.refresh_from_db()
    assert activity.config["filiere"] == "Mines et métallurgie"


def test_territory_activity_without_a_territory_says_so(client):
    user = UserFactory()
    from tests.factories import make_rencontre
    from workshops import services

    rencontre = make_rencontre(facilitator=user)
    step = rencontre.steps.get(position=2)
    activity = services.activity_create(step=step, kind="territory", title="Dynamique")
    services.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    client.force_login(user)
    screen = client.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "Aucun territoire choisi pour cette activité" in screen
    assert selectors.rencontre_by_code(rencontre.code) == rencontre


def test_extensions_are_drawn_and_a_territory_without_communes_is_refused(demo, tmp_path):
    import datetime as dt

    from territories.models import SiteEvent
    from territories.services import TerritoryError, territory_resolve
    from territories.sirene import SireneFormatError, sirene_import

    rencontre, client, _out = demo
    territory = Territory.objects.get(slug="vallee-de-l-arve-fictif")
    SiteEvent.objects.create(
        territory=territory, kind="extension", date=dt.date(2025, 5, 1), name="Atelier", jobs=30
    )
    activity = Activity.objects.get(kind="territory")
    client.post(
        reverse("workshops:activity_goto", args=[rencontre.code]),
        {"activity": activity.pk},
    )
    screen = client.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert 'class="dyn__ext"' in screen
    assert "1 extension," in screen
    empty = Territory.objects.create(name="Vide", slug="vide", kind="custom", communes=[])
    with pytest.raises(SireneFormatError, match="Ce territoire ne compte aucune commune"):
        sirene_import(territory=empty, path=tmp_path / "x.csv")
    with pytest.raises(TerritoryError, match="Ce territoire ne compte aucune commune"):
        territory_resolve(spec=" , ")


def test_a_participants_sheet_shows_three_key_figures_of_the_territory(demo):
    rencontre, _client, _out = demo
    activity = Activity.objects.get(kind="territory")
    results = kinds.get("territory").results(activity)
    whole = results["current"]  # the whole territory: no filière chosen
    assert [value for _label, value in results.figures] == [
        whole["active_sites"],
        round(whole["estimated_jobs"]),
        round(whole["top5_share"]),
    ]
    participant = services.participant_join(
        rencontre=rencontre, name="Léa", organisation="Région", actor_type="etat", listed=False
    )
    context = sheet.sheet_context(participant)
    assert context["figures"] == results.figures
    assert context["figures"][0][1] > 0
    html = sheet.sheet_html(context)
    assert f"{whole['active_sites']}</span> sites industriels actifs" in html
