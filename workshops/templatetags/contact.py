"""`{% contact_form participant as form %}`: the participant's e-mail and contact form, for
the pages that show it without a view of their own (the debrief on the phone)."""

from __future__ import annotations

from django import template

from workshops.forms import ContactForm
from workshops.models import Participant

register = template.Library()


@register.simple_tag
def contact_form(participant: Participant) -> ContactForm:
    return ContactForm.for_participant(participant)
