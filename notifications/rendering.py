"""Render a notification from its Jinja2 templates: `<language>/<template>.subject.j2` and `.txt.j2`.

Templates are files, never strings in code (STYLE.md section 4). Output is NFC, so Vietnamese compares and
displays the same everywhere; a subject is one line.
"""

import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notifications.message import Notification, RenderedMessage

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("vi", "en")


def format_date(value: str | date, language: str) -> str:
    """dd/mm/yyyy in Vietnamese documents; ISO in English."""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return d.strftime("%d/%m/%Y") if language == "vi" else d.isoformat()


@cache
def environment() -> "Environment":
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # loads with the first message (issue 14)

    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["vi_date"] = lambda v: format_date(v, "vi")
    env.filters["en_date"] = lambda v: format_date(v, "en")
    return env


def _render(name: str, context: dict[str, Any]) -> str:
    return unicodedata.normalize("NFC", environment().get_template(name).render(**context))


def render(n: Notification) -> RenderedMessage:
    """Raises: jinja2.TemplateNotFound for an unknown language or template; UndefinedError for a missing value."""
    language = n.language if n.language in LANGUAGES else "vi"
    context = {**n.context, "key": n.key}
    subject = " ".join(_render(f"{language}/{n.template}.subject.j2", context).split())
    body = _render(f"{language}/{n.template}.txt.j2", context)
    data = {"idempotency_key": n.key, "template": n.template, "language": language, **n.context,
            "subject": subject, "body": body}
    return RenderedMessage(key=n.key, language=language, subject=subject, body=body, data=data,
                           late=bool(n.context.get("late")))
