"""The look back: adding items, supports, moderation, bad input, the wall's share, the phone's
own part after a reload, the export and the PDF part."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plenary import selectors, services
from plenary.lookback import LookbackConfigForm, LookbackItemForm
from plenary.models import LookbackItem, LookbackSupport
from tests.factories import ParticipantFactory, UserFactory, make_rencontre
from workshops import kinds
from workshops import services as engine
from workshops.models import Activity, Participant

pytestmark = pytest.mark.django_db

WORKED, BLOCKED = LookbackItem.Column.WORKED, LookbackItem.Column.BLOCKED


@pytest.fixture
def lookback():
    rencontre = make_rencontre()
    activity = Activity.objects.get(step__rencontre=rencontre, kind="lookback")
    engine.activity_goto(rencontre=rencontre, activity_id=activity.pk)
    activity.refresh_from_db()
    return activity


def person(activity, name: str = "Léa") -> Participant:
    return ParticipantFactory(rencontre=activity.step.rencontre, name=name)


def add(activity, participant, text, column=WORKED, theme=""):
    return services.lookback_item_add(
        activity=activity, participant=participant, column=column, text=text, theme=theme
    )


def test_the_default_half_day_has_the_look_back_in_the_constat_since_2018(lookback):
    assert lookback.step.title == "S'aligner sur le constat"
    assert lookback.config == {"since": 2018}
    kinds_in_step = list(lookback.step.activities.values_list("kind", flat=True))
    assert kinds_in_step == ["talk", "scale", "poll", "poll", "lookback", "question", "ranking"]


def test_add_stores_the_item_in_its_column_with_its_theme(lookback):
    lea = person(lookback)
    item = add(lookback, lea, "  La reprise   de la fonderie ", BLOCKED, "foncier")
    assert (item.column, item.theme, item.text, item.hidden) == (
        BLOCKED,
        "foncier",
        "La reprise de la fonderie",
        False,
    )


def test_the_same_item_sent_twice_is_stored_once(lookback):
    lea = person(lookback)
    first = add(lookback, lea, "Le campus des métiers")
    again = add(lookback, lea, "le campus  des MÉTIERS")
    assert again.pk == first.pk
    assert LookbackItem.objects.count() == 1
    # The same words in the other column are another item.
    add(lookback, lea, "Le campus des métiers", BLOCKED)
    assert LookbackItem.objects.count() == 2


def test_a_participant_gives_at_most_the_limit(lookback):
    lea = person(lookback)
    for n in range(services.LOOKBACK_MAX_ITEMS):
        add(lookback, lea, f"Élément {n}")
    with pytest.raises(services.LookbackLimitError):
        add(lookback, lea, "Un de trop")
    assert LookbackItem.objects.count() == services.LOOKBACK_MAX_ITEMS


def test_support_is_set_and_withdrawn_and_counts_once(lookback):
    lea, karim = person(lookback), person(lookback, "Karim")
    item = add(lookback, lea, "Le réseau des DRH")
    services.lookback_support_set(participant=karim, item=item, supported=True)
    services.lookback_support_set(participant=karim, item=item, supported=True)
    assert LookbackSupport.objects.filter(item=item).count() == 1
    services.lookback_support_set(participant=karim, item=item, supported=False)
    services.lookback_support_set(participant=karim, item=item, supported=False)
    assert LookbackSupport.objects.filter(item=item).count() == 0


def test_one_cannot_support_ones_own_item_a_hidden_one_or_another_rencontres(lookback):
    lea, karim = person(lookback), person(lookback, "Karim")
    own = add(lookback, lea, "Mon idée")
    with pytest.raises(services.LookbackNotAllowedError):
        services.lookback_support_set(participant=lea, item=own, supported=True)
    services.lookback_item_set_hidden(activity=lookback, item=own, hidden=True)
    own.refresh_from_db()
    with pytest.raises(services.LookbackNotAllowedError):
        services.lookback_support_set(participant=karim, item=own, supported=True)
    stranger = ParticipantFactory(rencontre=make_rencontre())
    own.hidden = False
    with pytest.raises(services.LookbackNotAllowedError):
        services.lookback_support_set(participant=stranger, item=own, supported=True)
    assert LookbackSupport.objects.count() == 0


def test_moderation_hides_and_shows_an_item_keeping_it_and_its_supports(lookback):
    lea, karim = person(lookback), person(lookback, "Karim")
    item = add(lookback, lea, "Un texte à masquer")
    add(lookback, karim, "Un autre")
    services.lookback_support_set(participant=karim, item=item, supported=True)
    assert services.lookback_item_set_hidden(activity=lookback, item=item, hidden=True)
    results = selectors.lookback_results(lookback)
    assert [i.text for i in results["columns"][0]["items"]] == ["Un autre"]
    assert (results.n_hidden, results.n_answers) == (1, 1)
    assert LookbackSupport.objects.filter(item=item).count() == 1
    services.lookback_item_set_hidden(activity=lookback, item=item, hidden=False)
    results = selectors.lookback_results(lookback)
    assert [i.text for i in results["columns"][0]["items"]] == ["Un texte à masquer", "Un autre"]


def test_moderation_of_another_activitys_item_changes_nothing(lookback):
    item = add(lookback, person(lookback), "Ailleurs")
    other = engine.activity_create(step=lookback.step, kind="lookback", title="Autre")
    assert not services.lookback_item_set_hidden(activity=other, item=item, hidden=True)
    item.refresh_from_db()
    assert item.hidden is False


def test_columns_are_ordered_by_supports_then_age(lookback):
    people = [person(lookback, f"P{n}") for n in range(4)]
    a = add(lookback, people[0], "A")
    b = add(lookback, people[0], "B")
    c = add(lookback, people[0], "C", BLOCKED, "energie")
    for supporter in people[1:3]:
        services.lookback_support_set(participant=supporter, item=b, supported=True)
    services.lookback_support_set(participant=people[3], item=a, supported=True)
    results = selectors.lookback_results(lookback)
    worked, blocked = results["columns"]
    assert [(i.text, i.n_supports) for i in worked["items"]] == [("B", 2), ("A", 1)]
    assert [i.text for i in blocked["items"]] == [c.text]
    assert results.highlight == {"worked": worked["items"][0], "blocked": blocked["items"][0]}
    assert results["themes"] == [{"key": "energie", "label": "Énergie", "counts": [0, 1]}]


def test_the_wall_shows_what_fits_and_counts_the_rest():
    class Item:
        def __init__(self, text: str, theme: str = "") -> None:
            self.text, self.theme = text, theme

        def get_theme_display(self) -> str:
            return "Foncier"

    short = [Item("x" * 10) for _ in range(30)]
    shown, more = selectors.wall_fit(short, lines=15, chars_per_line=40, extra=0.8, limit=10)
    assert (len(shown), more) == (8, 22)  # 8 × 1.8 = 14.4 lines
    long = [Item("x" * 140, "foncier") for _ in range(5)]  # 140 + 10 chars: 4 lines + 0.8
    shown, more = selectors.wall_fit(long, lines=15, chars_per_line=40, extra=0.8, limit=10)
    assert (len(shown), more) == (3, 2)
    huge = [Item("x" * 1000)]
    assert selectors.wall_fit(huge, lines=15) == (huge, 0)  # at least one item


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "", "column": WORKED}, "text", "Écrivez quelques mots avant d'ajouter."),
        ({"text": "   ", "column": WORKED}, "text", "Écrivez quelques mots avant d'ajouter."),
        (
            {"text": "x" * 141, "column": WORKED},
            "text",
            "140 caractères au plus : raccourcissez (vous en avez tapé 141).",
        ),
        (
            {"text": "Bien", "column": "ailleurs"},
            "column",
            "Choisissez : ce qui a marché, ou ce qui a bloqué.",
        ),
        ({"text": "Bien"}, "column", "Choisissez : ce qui a marché, ou ce qui a bloqué."),
        (
            {"text": "Bien", "column": WORKED, "theme": "meteo"},
            "theme",
            "Ce thème n'est pas dans la liste.",
        ),
    ],
)
def test_bad_input_is_refused_in_french(lookback, data, field, message):
    form = LookbackItemForm(data, activity=lookback, participant=person(lookback))
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_the_config_form_takes_a_past_year():
    assert LookbackConfigForm({"since": "2015"}).is_valid()
    late = LookbackConfigForm({"since": "2999"})
    assert not late.is_valid()
    assert late.errors["since"]


# ---------------------------------------------------------------- through the phone's URLs


@pytest.fixture
def phones(lookback):
    rencontre = lookback.step.rencontre
    clients = []
    for name, actor in (("Léa", "collectivite"), ("Karim", "entreprise")):
        client = Client()
        client.post(
            f"/j/{rencontre.code}", {"name": name, "organisation": "Org", "actor_type": actor}
        )
        clients.append(client)
    return clients


def command(activity, name: str) -> str:
    return reverse(
        "workshops:phone_command", args=[activity.step.rencontre.code, activity.pk, name]
    )


def test_a_refused_item_keeps_the_text_and_says_why(lookback, phones):
    response = phones[0].post(command(lookback, "ajouter"), {"text": "y" * 150, "column": WORKED})
    html = response.content.decode()
    assert response.status_code == 200
    assert "140 caractères au plus" in html
    assert "y" * 150 in html  # kept in the field
    assert LookbackItem.objects.count() == 0


def test_the_phone_finds_its_items_and_supports_after_a_reload(lookback, phones):
    lea_phone, karim_phone = phones
    rencontre = lookback.step.rencontre
    html = lea_phone.post(
        command(lookback, "ajouter"),
        {"text": "Le club des industriels", "column": WORKED, "theme": "competences"},
    ).content.decode()
    assert "Ajouté." in html
    item = LookbackItem.objects.get()
    # Karim supports it, then reloads: the button says he supports it.
    karim_phone.post(command(lookback, "soutenir"), {"item": item.pk})
    page = karim_phone.get(f"/j/{rencontre.code}").content.decode()
    assert 'aria-pressed="true"' in page
    assert "✓ Je soutiens · 1" in page
    # Léa reloads: her item is in her own list with its support, no support button on it.
    page = lea_phone.get(f"/j/{rencontre.code}").content.decode()
    assert "Mon élément" in page
    assert "1 soutien" in page
    assert f'name="item" value="{item.pk}"><button class="support' not in page
    karim = Participant.objects.get(name="Karim")
    lea = Participant.objects.get(name="Léa")
    assert kinds.get("lookback").participants_with_own_part(lookback) == {lea.pk, karim.pk}


def test_supporting_ones_own_item_by_url_is_refused_with_a_message(lookback, phones):
    phones[0].post(command(lookback, "ajouter"), {"text": "À moi", "column": BLOCKED})
    item = LookbackItem.objects.get()
    html = phones[0].post(command(lookback, "soutenir"), {"item": item.pk}).content.decode()
    assert "Vous ne pouvez soutenir que les éléments publiés par les autres" in html
    assert LookbackSupport.objects.count() == 0


def test_the_panel_hides_an_item_and_the_wall_drops_it(lookback, phones):
    rencontre = lookback.step.rencontre
    phones[0].post(command(lookback, "ajouter"), {"text": "Texte déplacé", "column": WORKED})
    item = LookbackItem.objects.get()
    facilitator = Client()
    facilitator.force_login(rencontre.facilitators.first())
    url = reverse("workshops:kind_command", args=[rencontre.code, lookback.pk, "masquer"])
    facilitator.post(url, {"item": item.pk})
    item.refresh_from_db()
    assert item.hidden
    wall = facilitator.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "Texte déplacé" not in wall
    assert "1 masqué par l'animateur" in wall


def test_export_rows_and_pdf_part(lookback):
    lea, karim = person(lookback), person(lookback, "Karim")
    item = add(lookback, lea, "=1+1 la formule", BLOCKED, "financement")
    services.lookback_support_set(participant=karim, item=item, supported=True)
    rows = selectors.lookback_rows(lookback.step.rencontre)
    assert rows == [
        [
            lookback.title,
            f"P{lea.pk}",
            "Ce qui a bloqué",
            "Financement",
            "=1+1 la formule",
            1,
            "non",
        ]
    ]
    html = render_to_string(
        kinds.get("lookback").pdf,
        {"activity": lookback, "results": selectors.lookback_results(lookback)},
    )
    assert "Ce qui a bloqué" in html
    assert "=1+1 la formule" in html
    assert '<span class="theme-chip theme-chip--financement">Financement</span>' in html


def test_personal_part_lists_the_participants_items(lookback):
    lea = person(lookback)
    add(lookback, lea, "Mon souvenir", WORKED, "energie")
    part = kinds.get("lookback").personal(lea)
    html = render_to_string(part.template, part.context)
    assert "Mon souvenir" in html
    assert "Énergie" in html
    assert "0 soutien" in html
    assert kinds.get("lookback").personal(person(lookback, "Vide")) is None


def test_a_new_facilitator_page_renders_with_the_kind(lookback):
    user = UserFactory()
    rencontre = lookback.step.rencontre
    rencontre.facilitators.add(user)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("workshops:control", args=[rencontre.code])).status_code == 200


def test_results_and_the_phone_part_stay_flat_as_the_room_grows(
    lookback, django_assert_max_num_queries
):
    people = [person(lookback, f"P{n}") for n in range(40)]
    for n, someone in enumerate(people):
        item = add(lookback, someone, f"Élément {n}", BLOCKED if n % 2 else WORKED, "autre")
        for supporter in people[: n % 5]:
            if supporter != someone:
                services.lookback_support_set(participant=supporter, item=item, supported=True)
    kind = kinds.get("lookback")
    with django_assert_max_num_queries(3):
        results = kind.results(lookback)
        render_to_string(kind.screen, {"activity": lookback, "results": results})
    with django_assert_max_num_queries(3):
        context = kind.phone_context(lookback, people[0])
        render_to_string(kind.partial("mine"), context)


def test_the_purge_scrubs_the_author_from_items_even_when_two_become_one(settings):
    settings.RETENTION_DAYS = 365
    rencontre = make_rencontre(date=timezone.localdate() - dt.timedelta(days=400))
    activity = Activity.objects.get(step__rencontre=rencontre, kind="lookback")
    lea = ParticipantFactory(
        rencontre=rencontre, name="Léa Martin", organisation="Mairie", actor_type="collectivite"
    )
    add(activity, lea, "Le projet porté par Léa Martin")
    add(activity, lea, "Le projet porté par Collectivité")
    engine.rencontres_purge(now=timezone.now())
    texts = list(LookbackItem.objects.filter(activity=activity).values_list("text", flat=True))
    assert texts == ["Le projet porté par Collectivité", "Le projet porté par Collectivité"]


def test_removing_someone_elses_item_is_refused_and_keeps_it(lookback, phones):
    phones[1].post(command(lookback, "ajouter"), {"text": "À Karim", "column": WORKED})
    item = LookbackItem.objects.get()
    html = phones[0].post(command(lookback, "retirer"), {"item": item.pk}).content.decode()
    assert "Cet élément n&#x27;existe pas dans l&#x27;activité." in html
    assert LookbackItem.objects.count() == 1
    phones[1].post(command(lookback, "retirer"), {"item": item.pk})
    assert LookbackItem.objects.count() == 0
