from __future__ import annotations

from workshops.templatetags.typo import fr


def test_french_spacing_and_escaping():
    assert fr("Où en est-on ici ?") == "Où en est-on ici\u202f?"
    assert fr("« Bonjour »  : oui") == "«\u202fBonjour\u202f»\u202f: oui"
    assert fr("<b>a</b> ?") == "&lt;b&gt;a&lt;/b&gt;\u202f?"
