"""The `reminders:` and `notifications:` blocks of config.yaml, validated. No secrets here: only the names of
the environment variables that hold them."""

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from states.derive import ALL_KINDS

Role = Literal["secretary", "office"]
Language = Literal["vi", "en"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KindPolicy(_Frozen):
    """When to remind about one deadline kind (PROCEDURE.md, Deadlines: "reminders are derived from deadlines by
    policies in config.yaml")."""

    before_days: tuple[int, ...] = (30, 7, 1)  # calendar days before the due date
    on_the_day: bool = True
    overdue_every_days: int = Field(default=7, ge=0)  # 0: no repeats once overdue
    escalate_after_working_days: int | None = Field(default=5, ge=0)  # None: never escalate
    notify: tuple[Role, ...] = ("secretary",)

    @field_validator("before_days")
    @classmethod
    def _positive_and_sorted(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d <= 0 for d in value):
            raise ValueError("offsets before the due date are positive numbers of days")
        return tuple(sorted(set(value), reverse=True))

    @field_validator("notify")
    @classmethod
    def _someone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("name at least one role to notify (secretary, office)")
        return tuple(dict.fromkeys(value))


class DeliverySettings(_Frozen):
    """Retries with exponential backoff; a claimed row is leased so a crashed process's rows come back."""

    batch_size: int = Field(default=20, gt=0)
    max_attempts: int = Field(default=6, gt=0)
    backoff_seconds: float = Field(default=60, gt=0)
    backoff_max_seconds: float = Field(default=3600, gt=0)
    lease_seconds: float = Field(default=300, gt=0)
    max_per_run: int = Field(default=1000, gt=0)  # one dispatch job sends at most this many, then yields


class DigestSettings(_Frozen):
    enabled: bool = True
    at: time = time(7, 0)  # local time in Vietnam
    days_ahead: int = Field(default=7, ge=0)


class SchedulerSettings(_Frozen):
    sweep_every_seconds: float = Field(default=300, gt=0)
    dispatch_every_seconds: float = Field(default=30, gt=0)
    heartbeat_seconds: float = Field(default=10, gt=0)
    lock_ttl_seconds: float = Field(default=60, gt=0)  # SQLite: a silent holder loses the lock after this

    @model_validator(mode="after")
    def _ttl_covers_heartbeats(self) -> "SchedulerSettings":
        if self.lock_ttl_seconds <= 2 * self.heartbeat_seconds:
            raise ValueError("lock_ttl_seconds must exceed two heartbeats")
        return self


class ReminderSettings(_Frozen):
    send_at: time = time(7, 0)  # local time at which a day's reminders become due
    late_after_minutes: float = Field(default=60, ge=0)  # sent later than this after its moment: marked late
    default: KindPolicy = Field(default_factory=KindPolicy)
    kinds: dict[str, KindPolicy] = Field(default_factory=dict)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: dict[str, KindPolicy]) -> dict[str, KindPolicy]:
        unknown = sorted(set(value) - set(ALL_KINDS))
        if unknown:
            raise ValueError(f"unknown deadline kind(s) {', '.join(unknown)}; known: {', '.join(ALL_KINDS)}")
        return value

    def policy(self, kind: str) -> KindPolicy:
        return self.kinds.get(kind, self.default)

    @property
    def horizon_days(self) -> int:
        """How far ahead of a due date the earliest reminder of any kind fires."""
        policies = [self.default, *self.kinds.values()]
        return max((max(p.before_days, default=0) for p in policies), default=0)


class EmailSettings(_Frozen):
    """`transport: log` writes e-mails to the log channel (development); `smtp` sends them."""

    transport: Literal["smtp", "log"] = "log"
    host: str = "localhost"
    port: int = Field(default=587, gt=0, lt=65536)
    security: Literal["starttls", "tls", "none"] = "starttls"
    from_address: str = "ketnap@localhost"
    from_name: str = "ketnap"
    username_env: str = "KETNAP_SMTP_USERNAME"
    password_env: str = "KETNAP_SMTP_PASSWORD"
    ca_file: str | None = None  # a private CA for the SMTP server's certificate
    timeout_seconds: float = Field(default=30, gt=0)


class WebhookSettings(_Frozen):
    transport: Literal["http", "log"] = "log"
    secret_env: str = "KETNAP_WEBHOOK_SECRET"
    timeout_seconds: float = Field(default=10, gt=0)


class LogChannelSettings(_Frozen):
    path: str | None = None  # JSON lines; None: the Python log only


class ChannelSettings(_Frozen):
    email: EmailSettings = Field(default_factory=EmailSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    log: LogChannelSettings = Field(default_factory=LogChannelSettings)


class NotificationSettings(_Frozen):
    language: Language = "vi"
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
