from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, make_rencontre
from workshops import qr
from workshops.models import Activity, Participant, Rencontre

pytestmark = pytest.mark.django_db

JOIN = {"name": "Claire Martin", "organisation": "CCI", "actor_type": "chambre", "listed": "on"}


def join(client, rencontre, data=JOIN):
    return client.post(reverse("workshops:join", args=[rencontre.code]), data)


def test_join_creates_one_participant_and_remembers_the_phone(client):
    rencontre = make_rencontre()
    response = join(client, rencontre)
    assert response.status_code == 303
    assert Participant.objects.filter(rencontre=rencontre).count() == 1
    page = client.get(reverse("workshops:join", args=[rencontre.code]))
    assert page.status_code == 200
    assert f'ws-connect="/ws/p/{rencontre.code}/"' in page.content.decode()
    assert "Claire Martin" in page.content.decode()
    # posting the form again from the same phone (back button) never duplicates
    join(client, rencontre)
    assert Participant.objects.filter(rencontre=rencontre).count() == 1


def test_join_form_keeps_what_was_typed_when_a_field_is_missing(client):
    rencontre = make_rencontre()
    response = join(client, rencontre, {**JOIN, "organisation": "   "})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Claire Martin"' in html
    assert "Indiquez votre organisation." in html
    assert Participant.objects.count() == 0


def test_join_with_an_unknown_actor_type_is_refused_in_french(client):
    rencontre = make_rencontre()
    response = join(client, rencontre, {**JOIN, "actor_type": "pirate"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_lower_case_code_redirects_to_the_canonical_address(client):
    rencontre = make_rencontre()
    response = client.get(f"/j/{rencontre.code.lower()}")
    assert response.status_code == 302
    assert response["Location"] == f"/j/{rencontre.code}"


def test_unknown_code_says_so_in_french_with_the_code_form(client):
    response = client.get("/j/ZZZZZZ")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Aucune rencontre ne porte le code « ZZZZZZ »" in html
    assert 'name="code"' in html


def test_code_form_redirects_and_explains_a_short_code(client):
    make_rencontre()
    assert client.get("/j/", {"code": "ab c23 4"})["Location"] == "/j/ABC234"
    response = client.get("/j/", {"code": "AB"})
    assert "Le code compte 6 caractères" in response.content.decode()


def test_closed_rencontre_refuses_new_participants_with_a_message(client):
    rencontre = make_rencontre()
    Rencontre.objects.filter(pk=rencontre.pk).update(status=Rencontre.Status.CLOSED)
    response = join(client, rencontre)
    assert "Cette rencontre est terminée" in response.content.decode()
    assert Participant.objects.count() == 0


def test_tampered_participant_cookie_is_treated_as_not_joined(client):
    rencontre = make_rencontre()
    join(client, rencontre)
    name = f"rp{rencontre.pk}"
    value = client.cookies[name].value
    client.cookies[name] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    page = client.get(reverse("workshops:join", args=[rencontre.code]))
    assert page.status_code == 200
    assert 'name="organisation"' in page.content.decode()


def test_a_cookie_of_one_rencontre_does_not_open_another(client):
    first, second = make_rencontre(), make_rencontre()
    join(client, first)
    page = client.get(reverse("workshops:join", args=[second.code]))
    assert 'name="organisation"' in page.content.decode()


def test_control_and_screen_require_login(client):
    rencontre = make_rencontre()
    for name in ("control", "screen"):
        response = client.get(reverse(f"workshops:{name}", args=[rencontre.code]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_control_is_forbidden_to_another_facilitator(client):
    rencontre = make_rencontre()
    client.force_login(UserFactory())
    for name in ("control", "screen"):
        assert client.get(reverse(f"workshops:{name}", args=[rencontre.code])).status_code == 403
    response = client.post(reverse("workshops:activity_next", args=[rencontre.code]))
    assert response.status_code == 403


def test_participant_cookie_does_not_open_the_control_panel(client):
    rencontre = make_rencontre()
    join(client, rencontre)
    response = client.get(reverse("workshops:control", args=[rencontre.code]))
    assert response.status_code == 302


def test_screen_shows_the_qr_code_of_the_absolute_join_url(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    html = client.get(reverse("workshops:screen", args=[rencontre.code])).content.decode()
    assert "<svg" in html
    assert str(qr.svg_for(f"http://testserver/j/{rencontre.code}")) in html
    assert f'<p class="qr-panel__big code">{rencontre.code}</p>' in html
    assert 'id="qr-flag" data-visible="1"' in html


def test_control_action_next_twice_with_same_expected_moves_once(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    url = reverse("workshops:activity_next", args=[rencontre.code])
    first = rencontre.current_activity_id
    client.post(url, {"expected": first}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"expected": first}, HTTP_HX_REQUEST="true")
    rencontre.refresh_from_db()
    second = Activity.objects.filter(step__rencontre=rencontre)[1]
    assert rencontre.current_activity_id == second.pk
    assert (
        'id="current" class="panel panel--current" hx-swap-oob="true"' in response.content.decode()
    )


def test_control_action_with_garbage_is_harmless(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    before = rencontre.current_activity_id
    other = make_rencontre().current_activity_id
    for command, data in (
        ("activity_next", {"expected": "abc"}),
        ("activity_goto", {"activity": "abc"}),
        ("activity_goto", {"activity": other}),
        ("timer_extend", {"minutes": "-3"}),
        ("timer_start", {"minutes": "x"}),
    ):
        url = reverse(f"workshops:{command}", args=[rencontre.code])
        assert client.post(url, data).status_code == 302
    rencontre.refresh_from_db()
    assert rencontre.current_activity_id == before


def test_create_rencontre_from_the_form(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("workshops:rencontre_new"),
        {
            "title": "Rencontres de l'Arve",
            "date": "2027-02-04",
            "place": "Cluses",
            "territory_name": "CC Arve",
        },
    )
    rencontre = Rencontre.objects.get(title="Rencontres de l'Arve")
    assert response["Location"] == reverse("workshops:control", args=[rencontre.code])
    assert rencontre.steps.count() == 6
    home = client.get(reverse("workshops:home")).content.decode()
    assert "Rencontres de l&#x27;Arve" in home


def test_create_rencontre_with_a_bad_date_keeps_the_title(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("workshops:rencontre_new"), {"title": "Ma rencontre", "date": "31/02/2027"}
    )
    html = response.content.decode()
    assert 'value="Ma rencontre"' in html
    assert "Saisissez une date valide." in html
    assert Rencontre.objects.count() == 0


def test_login_page_is_in_french(client):
    html = client.get(reverse("login")).content.decode()
    assert "Se connecter" in html
    assert "Nom d’utilisateur" in html


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_healthz_names_the_failing_channel_layer(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert (response.status_code, response.json()["failing"]) == (503, ["channel_layer"])


def test_phone_activity_of_another_rencontre_is_not_found(client):
    rencontre, other = make_rencontre(), make_rencontre()
    join(client, rencontre)
    foreign = Activity.objects.filter(step__rencontre=other).first()
    url = reverse("workshops:phone_command", args=[rencontre.code, foreign.pk, "repondre"])
    assert client.post(url, {"choice": "c1"}).status_code == 404
    url = reverse("workshops:phone_part", args=[rencontre.code, foreign.pk])
    assert client.get(url).status_code == 404


def test_expired_session_on_an_htmx_click_redirects_the_whole_page_to_login(client):
    rencontre = make_rencontre()
    url = reverse("workshops:activity_next", args=[rencontre.code])
    control = reverse("workshops:control", args=[rencontre.code])
    response = client.post(
        url,
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{control}",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/comptes/connexion/?next={control.replace('/', '%2F')}"


@pytest.fixture
def answering_kind():
    """A kind that takes input, registered as any app would register one: its one phone
    command records nothing and says who sent it."""
    from django import forms

    from workshops import kinds

    class NoteForm(kinds.KindForm):
        note = forms.CharField(max_length=10)

    received = []

    class AnsweringKind(kinds.ActivityKind):
        key = "test_answer"
        takes_input = True
        phone_commands = (
            kinds.Command(
                "noter",
                NoteForm,
                lambda *, activity, participant, note: received.append((participant.name, note)),
            ),
        )

    kind = kinds.register(AnsweringKind())
    yield received
    kinds._registry.pop(kind.key)


def test_posting_to_an_activity_that_is_no_longer_open_is_refused_in_french(client, answering_kind):
    rencontre = make_rencontre()
    join(client, rencontre)
    activity = rencontre.current_activity
    Activity.objects.filter(pk=activity.pk).update(kind="test_answer")
    url = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "noter"])
    assert client.post(url, {"note": "1"}).status_code == 200
    assert answering_kind == [("Claire Martin", "1")]
    Activity.objects.filter(pk=activity.pk).update(is_open=False)
    response = client.post(url, {"note": "2"})
    assert response.status_code == 409
    assert "n'accepte plus de réponses" in response.content.decode()
    # an activity that is open but no longer current is refused too
    Activity.objects.filter(pk=activity.pk).update(is_open=True)
    services_next = Activity.objects.filter(step__rencontre=rencontre)[1]
    from workshops import services

    services.activity_goto(rencontre=rencontre, activity_id=services_next.pk)
    assert client.post(url, {"note": "3"}).status_code == 409
    assert answering_kind == [("Claire Martin", "1")]
    # a command the kind does not have is not found
    unknown = reverse("workshops:phone_command", args=[rencontre.code, activity.pk, "effacer"])
    assert client.post(unknown, {"note": "4"}).status_code == 404


def test_qr_code_shown_and_hidden_from_the_panel(client):
    user = UserFactory()
    rencontre = make_rencontre(facilitator=user)
    client.force_login(user)
    screen = reverse("workshops:screen", args=[rencontre.code])
    client.post(reverse("workshops:qr_hide", args=[rencontre.code]))
    assert 'id="qr-flag" data-visible="0"' in client.get(screen).content.decode()
    response = client.post(
        reverse("workshops:qr_show", args=[rencontre.code]), HTTP_HX_REQUEST="true"
    )
    hide = reverse("workshops:qr_hide", args=[rencontre.code])
    assert f'hx-post="{hide}"' in response.content.decode()  # the panel offers to hide it now
    assert 'id="qr-flag" data-visible="1"' in client.get(screen).content.decode()
