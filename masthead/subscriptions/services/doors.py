"""The door a reader came to checkout through (a subscribe link's `?from=` and `&article=`).

Checked against the fixed list, kept on the checkout and then on its subscription for circulation's
dashboard; it is a reader's click, so it never decides a price or anything else about money.
"""

from __future__ import annotations

from dataclasses import dataclass

from masthead.subscriptions.models import DOORS

DOOR_NAMES = frozenset(name for name, _label in DOORS)
MAX_ARTICLE_ID = 2**31 - 1  # the largest id the column holds on every database


@dataclass(frozen=True)
class Door:
    name: str
    article_id: int | None = None


def door_from(name, article=None) -> Door | None:
    """The door a link names, or None when it names none on the list; an article id that is not a number is dropped."""
    if not isinstance(name, str) or name not in DOOR_NAMES:
        return None
    text = str(article or "")[:12]
    article_id = int(text) if text.isascii() and text.isdigit() else None
    if article_id is not None and not 0 < article_id <= MAX_ARTICLE_ID:
        article_id = None
    return Door(name, article_id)
