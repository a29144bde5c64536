"""Word normalisation for word clouds: "Énergie", "energie" and "énergies " count as one.

The key folds case and accents, trims surrounding spaces and punctuation, collapses inner
spaces and removes simple French plurals (final -s or -x; -aux to -al; -eaux to -eau).
The entry is displayed in its most common typed form.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter

MIN_PLURAL_LENGTH = 4  # "bus", "gaz", "pas" keep their final letter


def clean(text: str) -> str:
    """The typed form, tidied for display: no surrounding punctuation, single spaces."""
    text = " ".join(text.split())
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _singular(token: str) -> str:
    if len(token) < MIN_PLURAL_LENGTH:
        return token
    if token.endswith("eaux"):
        return token[:-1]
    if token.endswith("aux"):
        return token[:-3] + "al"
    if token.endswith("ss"):
        return token
    if token.endswith(("s", "x")):
        return token[:-1]
    return token


def normalize(text: str) -> str:
    """The counting key of a word or short phrase ('' when nothing is left)."""
    folded = _fold(clean(text)).replace("’", "'")
    return " ".join(_singular(token) for token in folded.split())


def bounded_key(key: str, max_length: int) -> str:
    """A key that fits a column of `max_length`: folding can lengthen a word ("ﬃ" gives
    "ffi", "ß" gives "ss"), so a longer key keeps its start and ends with a short hash of the
    whole, which keeps different long keys apart and equal ones together."""
    if len(key) <= max_length:
        return key
    digest = hashlib.blake2s(key.encode(), digest_size=4).hexdigest()
    return f"{key[: max_length - len(digest) - 1]}~{digest}"


def display_forms(texts_by_key: dict[str, list[str]]) -> dict[str, str]:
    """For each key, its most common typed form (the first typed wins a tie)."""
    result = {}
    for key, texts in texts_by_key.items():
        counts = Counter(texts)
        best = max(counts.values())
        result[key] = next(t for t in texts if counts[t] == best)
    return result
