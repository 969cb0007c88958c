"""What templates may call: labels in the reader's language and dates written the Vietnamese way.

Jinja2 escapes every value (autoescape is on for .html), so a name like `<script>` is shown, never run.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from states.steps import STEPS
from workflow.clock import VIETNAM
from workflow.refusals import MESSAGES_VI
from workflow.web import i18n

if TYPE_CHECKING:
    import jinja2

INDEX = re.compile(r"\[(\d+)\]")


def field_key(name: str | None) -> str:
    """Violations name list items both as `introducers[0].x` (guards) and `introducers.0.x` (pydantic)."""
    return INDEX.sub(r".\1", name or "")


@dataclass(frozen=True)
class Labels:
    lang: str

    def t(self, key: str, **params: Any) -> str:
        text = i18n.pick(i18n.TEXT, key, self.lang)
        return text.format(**params) if params else text

    def stage(self, value: str | None) -> str:
        return i18n.pick(i18n.STAGES, value or "", self.lang) if value else "—"

    def step(self, value: str) -> str:
        return i18n.pick(i18n.STEPS, value, self.lang)

    def field(self, value: str) -> str:
        return i18n.pick(i18n.FIELDS, value, self.lang)

    def option(self, value: str) -> str:
        return i18n.pick(i18n.OPTIONS, value, self.lang)

    def finding(self, value: str) -> str:
        return i18n.pick(i18n.FINDINGS, value, self.lang)

    def deadline(self, value: str) -> str:
        return i18n.pick(i18n.DEADLINES, value, self.lang)

    def change(self, value: str) -> str:
        return i18n.pick(i18n.CHANGES, value, self.lang)

    def ended(self, value: str | None) -> str:
        return i18n.pick(i18n.ENDED, value or "", self.lang) if value else self.t("active")

    def level(self, value: str | None) -> str:
        return i18n.pick(i18n.LEVELS, value or "", self.lang) if value else "—"

    def role(self, value: str) -> str:
        return i18n.pick(i18n.ROLES, value, self.lang)

    def roles(self, values: list[str]) -> str:
        return ", ".join(self.role(v) for v in values)

    def date(self, value: date | str | None) -> str:
        """dd/mm/yyyy in Vietnamese, ISO in English."""
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return str(value)
        return value.strftime("%d/%m/%Y") if self.lang == "vi" else value.isoformat()

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        local = value.astimezone(VIETNAM) if value.tzinfo else value
        return local.strftime("%d/%m/%Y %H:%M") if self.lang == "vi" else local.strftime("%Y-%m-%d %H:%M")

    def value(self, key: str, value: Any) -> str:
        """A recorded value as a reader says it: labels for codes, dates the local way, yes/no for flags."""
        if isinstance(value, bool):
            return self.t("yes") if value else self.t("no")
        if isinstance(value, dict):
            return self._record(key, value)
        if isinstance(value, list):
            return "; ".join(self.value(key, v) for v in value) or "—"
        if isinstance(value, str) and (key.endswith("_on") or key.endswith("_date") or key.endswith("_since")
                                       or key == "on"):
            return self.date(value)
        if isinstance(value, str) and value in i18n.OPTIONS and key not in ("org", "to_org", "decided_by"):
            return self.option(value)
        return str(value)

    def _record(self, key: str, value: dict[str, Any]) -> str:
        """An introducer or a union resolution as a phrase ("Nguyễn Văn A, cùng công tác 24 tháng, ..."); any
        other group as its labelled values in the model's order."""
        vi = self.lang == "vi"
        if key == "introducers" and "name" in value:
            months, since = value.get("months_together"), value.get("official_since")
            parts = [str(value["name"]),
                     (f"cùng công tác {months} tháng" if vi else f"{months} months together") if months is not None
                     else "",
                     (f"đảng viên chính thức từ {self.date(since)}" if vi else f"official since {self.date(since)}")
                     if since else ""]
            return ", ".join(p for p in parts if p)
        if key == "union_resolution" and "body" in value:
            parts = [self.option(str(value["body"])),
                     (f"số {value['number']}" if vi else f"no. {value['number']}") if value.get("number") else "",
                     (f"ngày {self.date(value['on'])}" if vi else f"on {self.date(value['on'])}")
                     if value.get("on") else ""]
            return ", ".join(p for p in parts if p)
        return "; ".join(f"{self.field(k)}: {self.value(k, v)}" for k, v in value.items())

    def payload(self, step: str, values: dict[str, Any]) -> list[tuple[str, Any]]:
        """A step's recorded values in the order of its form (Họ và tên before Ngày sinh), not the log's order."""
        spec = STEPS.get(step)
        order = list(spec.fields.model_fields) if spec else []
        return sorted(values.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))

    def refusal(self, code: str, message: str) -> str:
        """A refusal without reasons of its own: in Vietnamese from its code, in English its own message."""
        return MESSAGES_VI.get(code, message) if self.lang == "vi" else message

    def message(self, violation: dict[str, Any]) -> str:
        return str(violation.get("message_vi") if self.lang == "vi" else violation.get("message_en"))


def new_form_token() -> str:
    """A step form's one-time token: its first submit records the step, a repeat gets the first answer."""
    return secrets.token_urlsafe(16)


def install_filters(env: "jinja2.Environment") -> None:
    from workflow.web import forms  # the web's form helpers (starlette): not for the CLI's `Labels` (issue 14)

    env.trim_blocks = True
    env.lstrip_blocks = True
    env.globals["field_key"] = field_key
    env.globals["form_token"] = new_form_token
    env.globals["shown_date"] = forms.shown_date
    env.globals["rows_of"] = forms.rows_of
