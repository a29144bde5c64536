"""A territory's industrial base. For now: the filières, one list shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Filiere(models.Model):
    """A value chain pulled by locomotive firms (not a NAF sector)."""

    class Source(models.TextChoices):
        CNI = "cni", _("Comité stratégique de filière (Conseil national de l'industrie)")
        NEW = "new", _("Nouvelle filière")
        LOCAL = "local", _("Filière ajoutée localement")

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("filière")

    def __str__(self) -> str:
        """The name in the reader's language (a shipped filière's; a local one as typed)."""
        return gettext(self.name)


class Territory(models.Model):
    """A set of communes (INSEE codes): an EPCI, a département, or codes typed by hand."""

    class Kind(models.TextChoices):
        EPCI = "epci", _("Intercommunalité (EPCI)")
        DEPARTEMENT = "departement", _("Département")
        CUSTOM = "custom", _("Liste de communes")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=12, blank=True)  # EPCI SIREN or département
    communes = models.JSONField(_("communes"), default=list)
    # NAF code prefix -> filière name, over the defaults of territories.filieres.
    filiere_overrides = models.JSONField(
        _("correspondances NAF → filière"), default=dict, blank=True
    )
    # The organisers who edit it and import into it: its creator through the import page, and
    # those staff add (admin). A territory without owners is edited by staff only.
    owners = models.ManyToManyField("auth.User", blank=True, related_name="territories")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territoire")

    def __str__(self) -> str:
        return self.name


class Establishment(models.Model):
    """A production site of the territory, from SIRENE (one row per SIRET)."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="establishments"
    )
    siret = models.CharField(max_length=14)
    siren = models.CharField(max_length=9)
    name = models.CharField(max_length=200, blank=True)  # enseigne or denomination usuelle
    naf = models.CharField(max_length=6, blank=True)  # NAF rév. 2, e.g. "25.62B"
    commune = models.CharField(max_length=5)
    created_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    headcount_band = models.CharField(max_length=2, blank=True)  # INSEE tranche code
    headcount_year = models.PositiveSmallIntegerField(null=True, blank=True)
    diffusible = models.BooleanField(default=True)
    stock_date = models.DateField(null=True, blank=True)
    # WGS 84, from the géolocalised SIRENE extracts or the API Recherche d'entreprises.
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["siret"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "siret"], name="one_siret_per_territory")
        ]

    def __str__(self) -> str:
        return f"{self.siret} {self.name}"


class MapNode(models.Model):
    """A firm on the live filière map: a locomotive or one of its local partners. One node per
    firm and activity (merged by SIRET, else by normalised name); its place on the map is fixed
    when it first appears, so the map grows without moving."""

    class Role(models.TextChoices):
        LOCOMOTIVE = "locomotive", _("Locomotive")
        PARTNER = "partner", _("Partenaire")

    activity = models.ForeignKey(
        "workshops.Activity", on_delete=models.CASCADE, related_name="map_nodes"
    )
    key = models.CharField(max_length=140)
    name = models.CharField(max_length=120)
    siret = models.CharField(max_length=14, blank=True)
    filiere = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=12, choices=Role.choices)
    x = models.FloatField()
    y = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "key"], name="one_node_per_firm")
        ]

    def __str__(self) -> str:
        return self.name


class MapLink(models.Model):
    class Relation(models.TextChoices):
        SUBCONTRACTOR = "subcontractor", _("Sous-traitant")
        SUPPLIER = "supplier", _("Fournisseur")
        CUSTOMER = "customer", _("Donneur d'ordres")
        RESEARCH = "research", _("Partenaire R&D")
        TRAINING = "training", _("Formation")

    activity = models.ForeignKey(
        "workshops.Activity", on_delete=models.CASCADE, related_name="map_links"
    )
    locomotive = models.ForeignKey(MapNode, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(MapNode, on_delete=models.CASCADE, related_name="locomotive_links")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    participant = models.ForeignKey(
        "workshops.Participant", on_delete=models.CASCADE, related_name="map_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["locomotive", "partner", "relation"], name="one_link_per_relation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.locomotive_id} → {self.partner_id}"


class SiteEvent(models.Model):
    """What SIRENE cannot tell: an announced opening, extension or closure, as observatories
    collect them from the press and the field."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Ouverture")
        EXTENSION = "extension", _("Extension")
        REDUCTION = "reduction", _("Réduction")
        CLOSURE = "closure", _("Fermeture")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    siret = models.CharField(max_length=14, blank=True)
    name = models.CharField(_("entreprise"), max_length=200)
    jobs = models.IntegerField(_("emplois"), default=0)
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "kind", "date", "name"], name="one_event_per_firm_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} {self.date}"


class ImportJob(models.Model):
    """An import started from the organisers' page, run by the background worker, with its
    progress and its report (so any server process can show them)."""

    class Kind(models.TextChoices):
        STOCK = "stock", _("Établissements (StockEtablissement ou geo_siret)")
        HISTORIQUE = "historique", _("Historique des établissements (StockEtablissementHistorique)")
        EVENTS = "events", _("Événements locaux (CSV)")
        API = "api", _("API Recherche d'entreprises (par commune)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(max_length=200)
    path = models.CharField(max_length=500, blank=True)  # empty for an API import
    size = models.BigIntegerField(default=0)
    rows_read = models.BigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The background task running it (django-tasks result id), for the logs.
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at least every few seconds while the job runs (a heartbeat).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def staging_key(self) -> str:
        return f"job-{self.pk}"


class StagedEstablishment(models.Model):
    """A stock import's rows, written in small batches while the file is read, each with what
    applying it will do (compared with the territory's sites when staged), then applied to the
    territory by three set-based statements in one short transaction: a file that fails
    halfway, or a worker that dies, leaves the territory as it was."""

    class Action(models.TextChoices):
        CREATE = "create", _("créé")
        UPDATE = "update", _("mis à jour")
        NONE = "none", _("inchangé")

    run = models.CharField(max_length=40)
    siret = models.CharField(max_length=14)
    siren = models.CharField(max_length=9)
    name = models.CharField(max_length=200, blank=True)
    naf = models.CharField(max_length=6, blank=True)
    commune = models.CharField(max_length=5)
    created_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    headcount_band = models.CharField(max_length=2, blank=True)
    headcount_year = models.PositiveSmallIntegerField(null=True, blank=True)
    diffusible = models.BooleanField(default=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    action = models.CharField(max_length=6, choices=Action.choices, default=Action.CREATE)
    # A headcount change against the older stock: the SiteEvent the apply step creates.
    event_kind = models.CharField(max_length=10, blank=True)
    event_jobs = models.IntegerField(default=0)
    event_name = models.CharField(max_length=200, blank=True)
    event_source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "siret"], name="one_staged_siret_per_run")
        ]
        indexes = [models.Index(fields=["run", "action"], name="staged_run_action")]

    def __str__(self) -> str:
        return f"{self.run} {self.siret}"
