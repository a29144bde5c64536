"""Control-panel command of the `territory` kind (called by the engine, which has checked
the facilitator)."""

from __future__ import annotations

from django.http import HttpRequest

from territories.selectors import TOTAL
from workshops import services as workshop_services
from workshops.models import Activity


def territory_control(request: HttpRequest, activity: Activity) -> None:
    """Show the dynamics of one filière (or of the whole territory) on the wall."""
    filiere = request.POST.get("filiere", "")[:120]
    workshop_services.activity_config_set(
        activity=activity, filiere=None if filiere == TOTAL else filiere or None
    )
