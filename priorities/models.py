"""Priorities, peer tables, actions and supports. Writes go through `priorities.services`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.models import Filiere
from workshops.models import Activity, Participant, Rencontre


class Benefit(models.TextChoices):
    JOBS = "jobs", _("Emplois locaux")
    SUBCONTRACTING = "subcontracting", _("Sous-traitance locale")
    TRAINING = "training", _("Formation")
    LAND = "land", _("Usage du foncier")
    TAX = "tax", _("Recettes fiscales")
    ENERGY = "energy", _("Énergie")
    OTHER = "other", _("Autre")


class Origin(models.TextChoices):
    ENDOGENOUS = "endogenous", _("Développement des entreprises locales (endogène)")
    EXOGENOUS = "exogenous", _("Attraction de projets extérieurs (exogène)")
    CREATION = "creation", _("Création d'entreprises")


class Horizon(models.TextChoices):
    ONE = "1y", _("Dans l'année")
    THREE = "3y", _("D'ici 3 ans")
    FIVE = "5y", _("D'ici 5 ans")
    LONGER = "10y", _("Au-delà")


class PlanningDocument(models.TextChoices):
    """The strategy or planning document a priority asks to change."""

    SRDEII = "srdeii", _("SRDEII (schéma régional)")
    EPCI = "epci", _("Stratégie économique de l'EPCI")
    SCOT = "scot", _("SCoT")
    PLUI = "plui", _("PLUi")
    TI = "ti", _("Contrat Territoires d'industrie")
    OTHER = "other", _("Autre document")


class Priority(models.Model):
    """One participant's priority, made precise dimension by dimension."""

    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="priorities")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="priorities"
    )
    rank = models.PositiveSmallIntegerField(default=1)  # 1, or 2 when two are allowed
    statement = models.CharField(_("priorité"), max_length=300, blank=True)
    filiere = models.ForeignKey(
        Filiere, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("filière")
    )
    filiere_other = models.CharField(_("autre filière"), max_length=120, blank=True)
    jobs_count = models.PositiveIntegerField(_("nombre d'emplois"), null=True, blank=True)
    jobs_kinds = models.CharField(_("quels emplois"), max_length=200, blank=True)
    benefits = models.JSONField(_("retombées locales"), default=list, blank=True)
    benefits_note = models.CharField(_("précision sur les retombées"), max_length=300, blank=True)
    origin = models.CharField(_("origine"), max_length=12, choices=Origin.choices, blank=True)
    horizon = models.CharField(_("horizon"), max_length=4, choices=Horizon.choices, blank=True)
    indicator = models.CharField(_("indicateur de réussite"), max_length=200, blank=True)
    document = models.CharField(
        _("document à faire évoluer"), max_length=8, choices=PlanningDocument.choices, blank=True
    )
    document_change = models.CharField(_("ce qui doit y changer"), max_length=200, blank=True)
    precision = models.PositiveSmallIntegerField(default=0)  # 0-6, from the coach
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "rank"], name="one_priority_per_rank")
        ]
        verbose_name = _("priorité")

    def __str__(self) -> str:
        return self.statement or f"#{self.pk}"

    @property
    def filiere_label(self) -> str:
        return str(self.filiere) if self.filiere_id else self.filiere_other

    @property
    def benefit_labels(self) -> list[str]:
        return [str(Benefit(b).label) for b in self.benefits if b in Benefit.values]


class PeerGroup(models.Model):
    """A table of peers for the exchange step."""

    class Mode(models.TextChoices):
        FILIERE = "filiere", _("Par filière")
        MIXED = "mixed", _("Mixte")

    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveIntegerField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.MIXED)
    members = models.ManyToManyField(Participant, through="Seat", related_name="tables")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["rencontre", "number"], name="one_table_number")
        ]
        verbose_name = _("table")

    def __str__(self) -> str:
        return f"Table {self.number}"


class Seat(models.Model):
    table = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="seats")
    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="seat")

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.table_id}"


class Action(models.Model):
    """An operational action to change or start the very next day."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("Changer une pratique")
        START = "start", _("Lancer quelque chose")

    rencontre = models.ForeignKey(Rencontre, on_delete=models.CASCADE, related_name="actions")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="actions")
    activity = models.ForeignKey(Activity, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(_("action"), max_length=300)
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.START)
    owner = models.CharField(_("porteur"), max_length=160)
    due = models.DateField(_("échéance"))
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    done = models.BooleanField(_("faite"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("action")

    def __str__(self) -> str:
        return self.text


class Support(models.Model):
    """'Je soutiens': a participant backs another's action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="supports")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "participant"], name="one_support_each")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.action_id}"


class TableConclusion(models.Model):
    """What a table concludes: its rapporteur, the findings it shares (1-3 lines) and its one
    joint proposal. One per table; re-forming the tables starts afresh."""

    table = models.OneToOneField(PeerGroup, on_delete=models.CASCADE, related_name="conclusion")
    reporter = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    findings = models.TextField(_("constats partagés"), max_length=400, blank=True)
    proposal = models.CharField(_("proposition commune"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conclusion de table")

    def __str__(self) -> str:
        return self.proposal or f"#{self.pk}"

    @property
    def written(self) -> bool:
        return bool(self.findings or self.proposal)


class VotePoints(models.Model):
    """The points a participant gives one option of a vote (`t<table id>`: a table's joint
    proposal, `a<action id>`: an action). A row with 0 points is removed."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="vote_points"
    )
    option = models.CharField(max_length=20)
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "participant", "option"], name="one_line_per_option"
            )
        ]
        verbose_name = _("points de vote")
        verbose_name_plural = _("points de vote")

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.option}: {self.points}"


class Partnership(models.Model):
    """'Je m'associe': a participant joins another's action and carries it with its author."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partnerships")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="partnerships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "participant"], name="one_partnership_each")
        ]
        verbose_name = _("action portée ensemble")
        verbose_name_plural = _("actions portées ensemble")

    def __str__(self) -> str:
        return f"{self.participant_id} + {self.action_id}"
