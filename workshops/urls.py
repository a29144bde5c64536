from __future__ import annotations

from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    # participants
    path("j/", views.join_code, name="join_code"),
    path("j/<str:code>", views.join, name="join"),
    path("j/<str:code>/a/<int:activity_id>/", views.phone_part, name="phone_part"),
    path(
        "j/<str:code>/a/<int:activity_id>/<slug:command>/",
        views.phone_command,
        name="phone_command",
    ),
    path("j/<str:code>/etat", views.phone_state, name="phone_state"),
    path("moi/<str:token>/", views.personal, name="personal"),
    path("moi/<str:token>/donnees.json", views.personal_export, name="personal_export"),
    path("moi/<str:token>/supprimer/", views.personal_delete, name="personal_delete"),
    path("moi/<str:token>/coordonnees/", views.personal_contact, name="personal_contact"),
    path("moi/<str:token>/fiche.pdf", views.personal_sheet, name="personal_sheet"),
    path(
        "moi/<str:token>/<slug:kind>/<slug:command>/",
        views.personal_command,
        name="personal_command",
    ),
    # facilitators
    path("animer/", views.home, name="home"),
    path("animer/nouvelle/", views.rencontre_new, name="rencontre_new"),
    path("animer/modeles/", views.agenda_templates_list, name="agenda_templates"),
    path(
        "animer/modeles/<int:template_id>/supprimer/",
        views.agenda_template_delete,
        name="agenda_template_delete",
    ),
    path("animer/<str:code>/modele/", views.agenda_template_create, name="agenda_template_create"),
    path("animer/<str:code>/", views.control, name="control"),
    path("animer/<str:code>/ecran/", views.screen, name="screen"),
    path("animer/<str:code>/ecran/etat", views.screen_state, name="screen_state"),
    path("animer/<str:code>/etat", views.control_state, name="control_state"),
    path("ecran/<str:code>/<str:secret>/", views.screen_link, name="screen_link"),
    path("animer/<str:code>/restitution.pdf", views.restitution_pdf, name="restitution_pdf"),
    path(
        "animer/<str:code>/restitution/preparer/",
        views.restitution_prepare,
        name="restitution_prepare",
    ),
    path(
        "animer/<str:code>/restitution/<int:job_id>/",
        views.restitution_job,
        name="restitution_job",
    ),
    path(
        "animer/<str:code>/restitution/reglages/",
        views.restitution_settings,
        name="restitution_settings",
    ),
    path(
        "animer/<str:code>/restitution/reglages/messages-proposes/",
        views.restitution_messages_reset,
        name="restitution_messages_reset",
    ),
    path(
        "animer/<str:code>/restitution/logos/ajouter/",
        views.restitution_logo_add,
        name="restitution_logo_add",
    ),
    path(
        "animer/<str:code>/restitution/logos/retirer/",
        views.restitution_logo_remove,
        name="restitution_logo_remove",
    ),
    path(
        "animer/<str:code>/restitution/logos/<int:logo_id>/",
        views.restitution_logo,
        name="restitution_logo",
    ),
    path("animer/<str:code>/export/<slug:name>.csv", views.export_csv, name="export_csv"),
    path("animer/<str:code>/export.json", views.export_json, name="export_json"),
    path("animer/<str:code>/export/preparer/", views.export_prepare, name="export_prepare"),
    path("animer/<str:code>/export/<int:job_id>/", views.export_job, name="export_job"),
    # control-panel commands, one URL each
    path("animer/<str:code>/suivante/", views.activity_next, name="activity_next"),
    path("animer/<str:code>/precedente/", views.activity_previous, name="activity_previous"),
    path("animer/<str:code>/aller/", views.activity_goto, name="activity_goto"),
    path("animer/<str:code>/reponses/ouvrir/", views.answers_open, name="answers_open"),
    path("animer/<str:code>/reponses/fermer/", views.answers_close, name="answers_close"),
    path("animer/<str:code>/qr/afficher/", views.qr_show, name="qr_show"),
    path("animer/<str:code>/qr/masquer/", views.qr_hide, name="qr_hide"),
    path("animer/<str:code>/resultats/afficher/", views.results_show, name="results_show"),
    path("animer/<str:code>/resultats/masquer/", views.results_hide, name="results_hide"),
    path("animer/<str:code>/ecarts/afficher/", views.split_on, name="split_on"),
    path("animer/<str:code>/ecarts/masquer/", views.split_off, name="split_off"),
    path("animer/<str:code>/terminer/", views.rencontre_end, name="rencontre_end"),
    path("animer/<str:code>/minuteur/demarrer/", views.timer_start, name="timer_start"),
    path("animer/<str:code>/minuteur/pause/", views.timer_pause, name="timer_pause"),
    path("animer/<str:code>/minuteur/ajouter/", views.timer_extend, name="timer_extend"),
    path("animer/<str:code>/minuteur/effacer/", views.timer_reset, name="timer_reset"),
    path("animer/<str:code>/ecran/noir/", views.screen_blank, name="screen_blank"),
    path("animer/<str:code>/ecran/rallumer/", views.screen_unblank, name="screen_unblank"),
    path(
        "animer/<str:code>/ecran/lien/creer/", views.screen_link_create, name="screen_link_create"
    ),
    path(
        "animer/<str:code>/ecran/lien/revoquer/",
        views.screen_link_revoke,
        name="screen_link_revoke",
    ),
    path(
        "animer/<str:code>/participants/absent/",
        views.participant_absent,
        name="participant_absent",
    ),
    path(
        "animer/<str:code>/participants/present/",
        views.participant_present,
        name="participant_present",
    ),
    path(
        "animer/<str:code>/participants/retirer/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "animer/<str:code>/a/<int:activity_id>/<slug:command>/",
        views.kind_command,
        name="kind_command",
    ),
    # the agenda editor, one URL per command
    path("animer/<str:code>/deroule/", views.agenda_edit, name="agenda_edit"),
    path("animer/<str:code>/deroule/etape/ajouter/", views.step_create, name="step_create"),
    path("animer/<str:code>/deroule/etape/modifier/", views.step_update, name="step_update"),
    path("animer/<str:code>/deroule/etape/monter/", views.step_up, name="step_up"),
    path("animer/<str:code>/deroule/etape/descendre/", views.step_down, name="step_down"),
    path("animer/<str:code>/deroule/etape/supprimer/", views.step_delete, name="step_delete"),
    path(
        "animer/<str:code>/deroule/activite/ajouter/",
        views.activity_create,
        name="activity_create",
    ),
    path("animer/<str:code>/deroule/activite/monter/", views.activity_up, name="activity_up"),
    path(
        "animer/<str:code>/deroule/activite/descendre/",
        views.activity_down,
        name="activity_down",
    ),
    path(
        "animer/<str:code>/deroule/activite/supprimer/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "animer/<str:code>/activite/<int:activity_id>/",
        views.activity_edit,
        name="activity_edit",
    ),
    path("healthz", views.healthz, name="healthz"),
]
