"""Ask first: an irreversible or disruptive action says its consequence before it is done.

The plain button posts once; the view, seeing no ``confirmed=1``, answers with a page that
names what will happen and carries the same fields back with a danger-styled button. No
JavaScript is involved, so it works on any phone; the second post is checked for CSRF like
any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request

#: The field the confirmation page adds to the form it posts back.
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Question:
    """What the confirmation page says."""

    title: str
    button: str
    back: str
    consequences: list[str] = field(default_factory=list)


def confirmed() -> bool:
    """Whether this post comes from the confirmation page."""
    return request.form.get(CONFIRMED) == "1"


def ask(question: Question) -> str:
    """The confirmation page: the consequences, the same fields, a danger button, a way back."""
    hidden = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", CONFIRMED)]
    return render_template("confirm.html", question=question, action=request.path,
                           hidden=hidden)
