"""Agenda templates: the shipped half-days, creating from a template, duplicating a
rencontre, saving one as a template, and who may see, use and delete a template."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from territories.filieres import CNI_FILIERES, NEW_FILIERES
from tests.factories import UserFactory, make_rencontre
from workshops import agenda_templates, kinds, services
from workshops.models import Activity, AgendaTemplate, Answer, Participant, Rencontre

pytestmark = pytest.mark.django_db

SHIPPED_FR = {
    "reindustrialisation",
    "centre-de-donnees",
    "mobilites-sous-traitance-automobile",
    "france-2030-start-up-industrielles",
    "made-in-france-achats-locaux",
}
# Each half-day in English too, with the same steps, kinds and settings keys.
SHIPPED = SHIPPED_FR | {f"{slug}-en" for slug in SHIPPED_FR}
NEW = {
    "title": "Rencontres 2027",
    "date": "2027-03-12",
    "place": "Cluses",
    "territory_name": "Arve",
}


def poll(title: str = "Un sondage", choices=("Oui", "Non")) -> dict:
    return {
        "kind": "poll",
        "title": title,
        "minutes": 5,
        "config": {
            "choices": [{"id": f"c{i}", "label": c} for i, c in enumerate(choices, 1)],
            "multiple": False,
            "allow_other": False,
        },
    }


def template_data(*activities: dict, name: str = "Essai") -> dict:
    return {
        "name": name,
        "description": "Pour essayer.",
        "steps": [{"title": "Constat", "minutes": 30, "activities": list(activities)}],
    }


def snapshot(rencontre: Rencontre) -> list:
    return agenda_templates.agenda_of(rencontre)


# ---------------------------------------------------------------- the shipped half-days


def test_the_shipped_files_are_stored_as_templates_at_migrate():
    shipped = AgendaTemplate.objects.filter(owner=None)
    assert set(shipped.values_list("slug", flat=True)) == SHIPPED
    assert shipped.order_by("position").first().slug == "reindustrialisation"


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_every_shipped_template_builds_a_valid_agenda(slug):
    checked = agenda_templates.read_file(agenda_templates.library_dir() / f"{slug}.json")
    assert checked.errors == []
    assert checked.fields["description"]
    template = AgendaTemplate.objects.get(owner=None, slug=slug)
    rencontre = services.rencontre_create_from_template(
        template=template, title="T", date=dt.date(2027, 1, 5), facilitator=UserFactory()
    )
    activities = list(Activity.objects.filter(step__rencontre=rencontre))
    assert len(activities) == sum(len(s["activities"]) for s in template.agenda)
    # Every activity passes its kind's settings form, as the agenda editor would save it.
    for activity in activities:
        assert kinds.is_registered(activity.kind), activity.kind
        form_class = kinds.get(activity.kind).config_form
        if form_class is not None:
            form = form_class(form_class.initial_from(activity.config), activity=activity)
            assert form.is_valid(), (slug, activity.title, form.errors)
            assert form.to_config() == activity.config
    # The themed half-days end with the peer exchange and the debrief, like the method.
    kinds_used = [a.kind for a in activities]
    assert {"priority", "tables", "actions", "debrief"} <= set(kinds_used)
    assert rencontre.current_activity == activities[0]


@pytest.mark.parametrize("slug", sorted(SHIPPED_FR))
def test_the_filieres_a_template_names_are_in_the_filiere_list(slug):
    template = AgendaTemplate.objects.get(owner=None, slug=slug)
    assert template.filieres
    assert set(template.filieres) <= set(CNI_FILIERES + NEW_FILIERES)


def _shape(agenda: list[dict]) -> list:
    """What must not change in translation: the steps' durations, each activity's kind,
    duration and settings keys."""
    return [
        (
            step.get("minutes"),
            [
                (a["kind"], a.get("minutes"), sorted(a.get("config", {})))
                for a in step["activities"]
            ],
        )
        for step in agenda
    ]


@pytest.mark.parametrize("slug", sorted(SHIPPED_FR))
def test_every_half_day_exists_in_english_with_the_same_shape(slug):
    french = AgendaTemplate.objects.get(owner=None, slug=slug)
    english = AgendaTemplate.objects.get(owner=None, slug=f"{slug}-en")
    assert (french.language, english.language) == ("fr", "en")
    assert _shape(english.agenda) == _shape(french.agenda)
    assert len(english.filieres) == len(french.filieres)
    assert english.name != french.name
    assert [s["title"] for s in english.agenda] != [s["title"] for s in french.agenda]


def test_the_default_agenda_is_the_reindustrialisation_file():
    rencontre = make_rencontre()
    shipped = AgendaTemplate.objects.get(owner=None, slug="reindustrialisation")
    assert [s["title"] for s in snapshot(rencontre)] == [s["title"] for s in shipped.agenda]
    assert snapshot(rencontre) == shipped.agenda


# ---------------------------------------------------------------- refusals at load time


def test_an_unknown_kind_is_refused_with_a_french_message():
    checked = agenda_templates.check_template(
        template_data({"kind": "sondage-inconnu", "title": "Voter"})
    )
    assert checked.errors == [
        "Étape 1 « Constat », activité 1 « Voter » : type d'activité inconnu « sondage-inconnu » (types "
        f"possibles : {', '.join(k.key for k in kinds.registered())})."
    ]


def test_a_bad_config_is_refused_with_the_kinds_own_message():
    checked = agenda_templates.check_template(template_data(poll(choices=("Seul",))))
    assert checked.errors == [
        "Étape 1 « Constat », activité 1 « Un sondage » : réglages refusés — "
        "Choix (un par ligne) : Entre 2 et 12 lignes."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "Le modèle doit être un objet JSON."),
        ({"name": "X", "steps": []}, "Le déroulé doit compter au moins une étape"),
        ({"name": "", "steps": [{"title": "A", "activities": []}]}, "Champ « name »"),
        ({"name": "X", "steps": [{"title": "A", "minutes": True}]}, "durée invalide"),
        ({"name": "X", "steps": ["A"]}, "Étape 1 : ce n'est pas un objet JSON."),
        ({"name": "X", "steps": [{"title": "A", "activities": "x"}]}, "« activities »"),
        (
            {"name": "X", "steps": [{"title": "A", "activities": [{"kind": "poll"}]}]},
            "titre manquant",
        ),
        (template_data({**poll(), "config": "x"}), "les réglages doivent être un objet JSON"),
        (template_data({**poll(), "config": {"choices": "x"}}), "réglages illisibles"),
        (template_data({**poll(), "config": {"choices": [1, 2]}}), "réglages illisibles"),
        (template_data({**poll(), "minutes": 9999}), "durée invalide"),
        ({**template_data(poll()), "language": "xx"}, "Langue « xx » non proposée."),
        ({**template_data(poll()), "filieres": "Bois"}, "« filieres »"),
        ({**template_data(poll()), "position": "1"}, "« position »"),
    ],
)
def test_a_malformed_template_is_refused_never_raised(data, message):
    checked = agenda_templates.check_template(data)
    assert not checked.ok
    assert any(message in error for error in checked.errors), checked.errors


def test_the_load_keeps_the_good_files_and_reports_the_bad(settings, tmp_path):
    (tmp_path / "bon.json").write_text(json.dumps(template_data(poll(), name="Bon")))
    (tmp_path / "inconnu.json").write_text(
        json.dumps(template_data({"kind": "sondage-inconnu", "title": "V"}))
    )
    (tmp_path / "casse.json").write_text('{"name": "Cassé",')
    (tmp_path / "latin1.json").write_bytes('{"name": "Été"}'.encode("latin-1"))
    settings.AGENDA_LIBRARY_DIR = tmp_path
    problems = services.agenda_templates_sync()
    assert problems == [
        "casse.json : Fichier illisible : JSON invalide (ligne 1, colonne 18).",
        "inconnu.json : Étape 1 « Constat », activité 1 « V » : type d'activité inconnu « sondage-inconnu » "
        f"(types possibles : {', '.join(k.key for k in kinds.registered())}).",
        "latin1.json : Fichier illisible : il n'est pas encodé en UTF-8.",
    ]
    # The good file is a template; the shipped ones whose file is gone are removed.
    assert list(AgendaTemplate.objects.filter(owner=None).values_list("slug", flat=True)) == ["bon"]
    # Loading again changes nothing.
    assert len(services.agenda_templates_sync()) == 3
    assert AgendaTemplate.objects.filter(owner=None).count() == 1


# ---------------------------------------------------------------- the new-rencontre page


def test_the_new_page_offers_every_template_with_its_description(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("workshops:rencontre_new")).content.decode()
    for template in AgendaTemplate.objects.filter(owner=None):
        assert escape(template.name) in page
        assert escape(template.description) in page
    # French page: the French half-days first, the first of them chosen.
    first = AgendaTemplate.objects.filter(owner=None, language="fr").order_by("position").first()
    assert f'value="modele-{first.pk}" checked' in page
    english = AgendaTemplate.objects.filter(owner=None, language="en")
    assert page.index(escape(first.name)) < min(page.index(escape(t.name)) for t in english)


def test_creating_from_a_template_builds_its_agenda(client):
    user = UserFactory()
    client.force_login(user)
    template = AgendaTemplate.objects.get(owner=None, slug="centre-de-donnees")
    response = client.post(
        reverse("workshops:rencontre_new"), {**NEW, "source": f"modele-{template.pk}"}
    )
    rencontre = Rencontre.objects.get(facilitators=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:control", args=[rencontre.code])
    assert snapshot(rencontre) == template.agenda
    assert (rencontre.title, rencontre.place, rencontre.territory_name) == (
        "Rencontres 2027",
        "Cluses",
        "Arve",
    )


def test_a_template_that_no_longer_passes_is_refused_at_creation(client):
    user = UserFactory()
    client.force_login(user)
    template = AgendaTemplate.objects.create(
        owner=user,
        name="Ancien",
        agenda=template_data({"kind": "sondage-inconnu", "title": "V"})["steps"],
    )
    response = client.post(
        reverse("workshops:rencontre_new"), {**NEW, "source": f"modele-{template.pk}"}
    )
    assert response.status_code == 200
    assert "Ce modèle ne peut plus servir" in response.content.decode()
    assert "type d&#x27;activité inconnu « sondage-inconnu »" in response.content.decode()
    assert not Rencontre.objects.exists()


# ---------------------------------------------------------------- duplicating


def test_duplicating_copies_the_agenda_not_the_participants(client):
    user = UserFactory()
    source = make_rencontre(facilitator=user, title="Édition 2026", place="Cluses")
    source.facilitators.add(UserFactory())
    activity = Activity.objects.filter(step__rencontre=source, kind="poll").first()
    services.activity_update(
        activity=activity,
        title="Nos filières",
        body="",
        planned_minutes=12,
        config={**activity.config, "multiple": False},
    )
    people = [
        services.participant_join(
            rencontre=source,
            name="Léa",
            organisation="Mairie",
            actor_type="collectivite",
            listed=True,
        )
    ]
    Answer.objects.create(activity=activity, participant=people[0], data={"choices": ["c1"]})
    client.force_login(user)
    prefill = client.get(
        reverse("workshops:rencontre_new"), {"depuis": source.code}
    ).content.decode()
    assert f'value="rencontre-{source.code}" checked' in prefill
    assert 'value="Édition 2026"' in prefill
    response = client.post(
        reverse("workshops:rencontre_new"),
        {**NEW, "title": "Édition 2027", "source": f"rencontre-{source.code}"},
    )
    copy = Rencontre.objects.get(title="Édition 2027")
    assert response.status_code == 302
    assert snapshot(copy) == snapshot(source)
    assert Activity.objects.get(step__rencontre=copy, title="Nos filières").planned_minutes == 12
    assert Participant.objects.filter(rencontre=copy).count() == 0
    assert Answer.objects.filter(activity__step__rencontre=copy).count() == 0
    assert list(copy.facilitators.all()) == [user]
    assert copy.code != source.code
    assert copy.status == Rencontre.Status.DRAFT


def test_someone_elses_rencontre_cannot_be_duplicated(client):
    source = make_rencontre(title="Pas à moi")
    client.force_login(UserFactory())
    page = client.get(reverse("workshops:rencontre_new"), {"depuis": source.code}).content.decode()
    assert "Pas à moi" not in page
    response = client.post(
        reverse("workshops:rencontre_new"), {**NEW, "source": f"rencontre-{source.code}"}
    )
    assert response.status_code == 200
    assert "Ce modèle ou cette rencontre ne vous est pas accessible." in response.content.decode()
    assert Rencontre.objects.count() == 1


# ---------------------------------------------------------------- saving as a template


def test_save_as_template_then_create_from_it_gives_the_same_agenda(client):
    user = UserFactory()
    source = make_rencontre(facilitator=user, title="Notre demi-journée")
    step = source.steps.order_by("position").first()
    services.step_update(step=step, title="Café d'accueil", planned_minutes=25)
    client.force_login(user)
    form = client.get(reverse("workshops:agenda_template_create", args=[source.code]))
    assert 'value="Notre demi-journée"' in form.content.decode()
    response = client.post(
        reverse("workshops:agenda_template_create", args=[source.code]),
        {"name": "Mon format", "description": "Avec un café plus long."},
    )
    assert response.status_code == 302
    template = AgendaTemplate.objects.get(owner=user)
    assert (template.name, template.description) == ("Mon format", "Avec un café plus long.")
    response = client.post(
        reverse("workshops:rencontre_new"), {**NEW, "source": f"modele-{template.pk}"}
    )
    created = Rencontre.objects.get(title="Rencontres 2027")
    assert snapshot(created) == snapshot(source)
    assert snapshot(created)[0]["title"] == "Café d'accueil"


def test_an_incomplete_activity_keeps_the_rencontre_from_being_saved_as_a_template(client):
    user = UserFactory()
    source = make_rencontre(facilitator=user)
    activity = Activity.objects.filter(step__rencontre=source, kind="poll").first()
    Activity.objects.filter(pk=activity.pk).update(config={"choices": []})
    client.force_login(user)
    response = client.post(
        reverse("workshops:agenda_template_create", args=[source.code]), {"name": "Mon format"}
    )
    assert response.status_code == 200
    assert "Modèle non enregistré" in response.content.decode()
    assert f"« {activity.title} » : réglages refusés".replace("'", "&#x27;") in (
        response.content.decode()
    )
    assert not AgendaTemplate.objects.filter(owner=user).exists()


# ---------------------------------------------------------------- whose templates


def test_a_template_is_seen_used_and_deleted_by_its_owner_only(client):
    owner, other = UserFactory(), UserFactory()
    source = make_rencontre(facilitator=owner)
    template = services.agenda_template_save(rencontre=source, owner=owner, name="Format secret")
    client.force_login(other)
    assert "Format secret" not in client.get(reverse("workshops:agenda_templates")).content.decode()
    assert "Format secret" not in client.get(reverse("workshops:rencontre_new")).content.decode()
    page = client.get(reverse("workshops:rencontre_new"), {"modele": template.pk}).content.decode()
    assert f'value="modele-{template.pk}"' not in page
    response = client.post(
        reverse("workshops:rencontre_new"), {**NEW, "source": f"modele-{template.pk}"}
    )
    assert response.status_code == 200
    assert not Rencontre.objects.filter(facilitators=other).exists()
    delete = reverse("workshops:agenda_template_delete", args=[template.pk])
    assert client.post(delete).status_code == 404
    assert AgendaTemplate.objects.filter(pk=template.pk).exists()
    # The owner sees it, preselects it, and deletes it.
    client.force_login(owner)
    assert "Format secret" in client.get(reverse("workshops:agenda_templates")).content.decode()
    page = client.get(reverse("workshops:rencontre_new"), {"modele": template.pk}).content.decode()
    assert f'value="modele-{template.pk}" checked' in page
    assert client.post(delete).status_code == 302
    assert not AgendaTemplate.objects.filter(pk=template.pk).exists()
    assert Rencontre.objects.filter(pk=source.pk).exists()


def test_a_shipped_template_cannot_be_deleted_from_the_site(client):
    shipped = AgendaTemplate.objects.filter(owner=None).first()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(reverse("workshops:agenda_template_delete", args=[shipped.pk]))
    assert response.status_code == 404
    assert AgendaTemplate.objects.filter(pk=shipped.pk).exists()


def test_a_duplicate_leaves_behind_what_an_activity_kept_while_it_ran(client):
    user = UserFactory()
    source = make_rencontre(facilitator=user)
    activity = Activity.objects.get(step__rencontre=source, kind="priority")
    Activity.objects.filter(pk=activity.pk).update(config={"max_priorities": 2, "spotlight": 41})
    copy = services.rencontre_duplicate(
        source=source, title="Copie", date=dt.date(2027, 1, 5), facilitator=user
    )
    assert Activity.objects.get(step__rencontre=copy, kind="priority").config == {
        "max_priorities": 2
    }


@pytest.mark.parametrize(
    "query", [{"modele": "9" * 30}, {"modele": "-1"}, {"modele": "x"}, {"depuis": "<b>"}]
)
def test_a_malformed_preselection_is_ignored(client, query):
    client.force_login(UserFactory())
    response = client.get(reverse("workshops:rencontre_new"), query)
    assert response.status_code == 200
    first = AgendaTemplate.objects.filter(owner=None).order_by("position").first()
    assert f'value="modele-{first.pk}" checked' in response.content.decode()


def test_the_load_command_lists_the_refused_files(settings, tmp_path):
    (tmp_path / "bon.json").write_text(json.dumps(template_data(poll(), name="Bon")))
    (tmp_path / "inconnu.json").write_text(
        json.dumps(template_data({"kind": "sondage-inconnu", "title": "V"}))
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("load_agendas", stdout=out, stderr=err)  # the shipped files: all good
    assert "refusé" not in err.getvalue()
    assert "ok       centre-de-donnees.json" in out.getvalue()
    settings.AGENDA_LIBRARY_DIR = tmp_path
    with pytest.raises(CommandError, match="1 fichier"):
        call_command("load_agendas", stdout=out, stderr=err)
    assert "refusé   inconnu.json : Étape 1 « Constat », activité 1 « V » : type" in err.getvalue()
