"""Settings from config.yaml, validated; a wrong key or value is reported with its path and line.

Only entry points call `load_settings`; tests build `Settings` directly (STYLE.md section 3).
"""

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from notifications.settings import NotificationSettings, ReminderSettings
from states.calendar import WorkingCalendar
from states.rules import GUIDED, Guidance, Regulation, RuleBook, RuleSet, periods
from storage.failures import BusyRetry
from workflow.reports.categories import HEADINGS
from workflow.reports.settings import ReportSettings


class ConfigError(Exception):
    """config.yaml could not be used; the message names the file, the key and the line."""


class SessionSecretMissing(Exception):
    """Production needs a fixed session secret from the environment (KETNAP_SESSION_SECRET, read by
    workflow/web/sessions.py); defined here, beside ConfigError, so the table of refusals needs no web module."""


class CalendarSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str = "VN"
    extra_days_off: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)

    def build(self) -> WorkingCalendar:
        return WorkingCalendar(frozenset(self.extra_days_off), frozenset(self.extra_working_days), self.country)


class SignInSettings(BaseModel):
    """Throttling of sign-ins (issue 11): after `*_delay_after` failures each further attempt waits, the wait
    doubling from `first_delay_seconds` up to `max_delay_seconds`; `*_lockout_after` failures refuse every
    attempt, even with the right password, for `lockout_minutes`. Counts older than that are forgotten."""

    model_config = ConfigDict(extra="forbid")
    account_delay_after: int = Field(default=3, ge=1, le=1000)
    account_lockout_after: int = Field(default=10, ge=1, le=1000)
    address_delay_after: int = Field(default=10, ge=1, le=10_000)  # an office may sign in from one address
    address_lockout_after: int = Field(default=30, ge=1, le=10_000)
    first_delay_seconds: int = Field(default=1, ge=1, le=3600)
    max_delay_seconds: int = Field(default=60, ge=1, le=3600)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _delay_before_lockout(self) -> "SignInSettings":
        if self.account_delay_after > self.account_lockout_after:
            raise ValueError("account_delay_after must not exceed account_lockout_after")
        if self.address_delay_after > self.address_lockout_after:
            raise ValueError("address_delay_after must not exceed address_lockout_after")
        return self


class WebSettings(BaseModel):
    """The web interface and HTTP API (issue 5). The session secret is not here: it comes from
    KETNAP_SESSION_SECRET (see workflow/web/sessions.py)."""

    model_config = ConfigDict(extra="forbid")
    dashboard_days: int = Field(default=30, ge=1, le=366)  # "due in the next 30 days" on the dashboard
    session_hours: int = Field(default=12, ge=1, le=24 * 30)  # absolute: a session ends this long after sign-in
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)  # a session unused this long ends
    session_touch_seconds: int = Field(default=60, ge=1, le=3600)  # last_seen_at is written at most this often
    token_days: int = Field(default=90, ge=1, le=3650)  # an API token's lifetime unless `--days` says otherwise
    secure_cookies: bool = False  # set true behind HTTPS so cookies are never sent in clear
    page_size: int = Field(default=50, ge=1, le=500)  # candidates per page in lists and in the API
    reports_at_once: int = Field(default=2, ge=1, le=64)  # reports one server process builds at once (memory)
    min_password_length: int = Field(default=12, ge=8, le=200)  # wherever a password is set (issue 11)
    sign_in: SignInSettings = Field(default_factory=SignInSettings)


class DatabaseSettings(BaseModel):
    """Waiting for a busy database (issue 11, item 6): how long one statement waits for another writer's lock,
    how often the web step path and the scheduler try again, and what a refused client is told to wait."""

    model_config = ConfigDict(extra="forbid")
    busy_timeout_ms: int = Field(default=10_000, ge=1, le=600_000)  # SQLite busy_timeout, PostgreSQL lock_timeout
    retry_attempts: int = Field(default=3, ge=1, le=10)  # tries of one step or scheduler job on a busy database
    retry_backoff_ms: int = Field(default=200, ge=0, le=60_000)  # the first pause between tries, then doubled
    retry_after_seconds: int = Field(default=5, ge=1, le=3600)  # `Retry-After` when it stays busy
    full_retry_after_seconds: int = Field(default=300, ge=1, le=86_400)  # `Retry-After` on a full disk
    write_slice_rows: int = Field(default=200, ge=1, le=100_000)  # imports and class certifications: rows per commit
    write_slice_pause_ms: int = Field(default=100, ge=0, le=10_000)  # between two slices: a waiting writer goes first
    pool_size: int = Field(default=8, ge=1, le=200)  # PostgreSQL connections one process keeps (issue 14)...
    max_overflow: int = Field(default=8, ge=0, le=200)  # ...and may open beyond them under load

    def retry(self) -> BusyRetry:
        """The retry of the web step path and the scheduler's jobs."""
        return BusyRetry(self.retry_attempts, self.retry_backoff_ms / 1000)

    def engine_options(self) -> dict[str, int]:
        """The keyword arguments of storage.engine.make_engine."""
        return {"busy_timeout_ms": self.busy_timeout_ms, "retry_after_seconds": self.retry_after_seconds,
                "full_retry_after_seconds": self.full_retry_after_seconds, "pool_size": self.pool_size,
                "max_overflow": self.max_overflow}


class DocumentSettings(BaseModel):
    """The paperwork made from the log (issue 12, `ketnap document`): where a province's own templates are, and
    the place name of the place-and-date line, which the organisation tree does not hold."""

    model_config = ConfigDict(extra="forbid")
    templates_dir: Path | None = None  # <dir>/<rule_set or default>/<form>.docx|.html.j2 replace the shipped ones
    place: str | None = None  # "Tân Lập": the place name when no organisation of the issuer's chain has one
    places: dict[str, str] = Field(default_factory=dict)  # organisation code -> place name, nearest one wins


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    database_url: str = "sqlite:///ketnap.db"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    timezone: str = "Asia/Ho_Chi_Minh"
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    org_types: dict[str, str] = Field(default_factory=dict)  # issue 20: type code -> Vietnamese name
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)  # issue 3
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)  # issue 3
    documents: DocumentSettings = Field(default_factory=DocumentSettings)  # issue 12
    rule_sets: dict[str, Regulation]  # the implementing regulations (DOMAIN.md section 7)
    guidance: dict[str, Guidance]  # the Secretariat's guidance, each in force from its own date (section 7 caveat)

    _periods: tuple[RuleSet, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _combine(self) -> "Settings":
        """A first regulation without a guidance in force is refused here, with the other problems."""
        self._periods = tuple(periods(self.rule_sets.values(), self.guidance.values()))
        return self

    @model_validator(mode="after")
    def _groups_known(self) -> "Settings":
        """A group names only known categories and configured types, and no group hides a category."""
        for key, group in self.reports.groups.items():
            if key in HEADINGS:
                raise ValueError(f"reports.groups.{key}: a group cannot reuse a category's name")
            unknown = [c for c in group.categories if c not in HEADINGS]
            unknown += [t for t in group.org_types if t not in self.org_types]
            if unknown:
                raise ValueError(f"reports.groups.{key}: unknown categories or org_types {', '.join(unknown)}")
        return self

    def rulebook(self) -> RuleBook:
        """The periods in which a regulation and a guidance are in force together (states/rules.py)."""
        return RuleBook(self._periods)

    def working_calendar(self) -> WorkingCalendar:
        return self.calendar.build()


DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


BASED = ("rule_sets", "guidance")  # the sections whose blocks may name a `base`


def _resolve_bases(raw: dict[str, Any], path: str, section: str = "rule_sets") -> dict[str, Any]:
    """A rule set (or a guidance) may name a `base` and list only what changed; unknown or circular bases are
    refused, and so is a value of the guidance written in a regulation's block (DOMAIN.md section 7 caveat)."""
    sets = raw.get(section)
    if not isinstance(sets, Mapping):
        raise ConfigError(f"{path}: '{section}' must be a mapping of ids to their numbers")
    if section == "rule_sets":
        for name, block in sets.items():
            moved = [k for k in GUIDED if isinstance(block, Mapping) and k in block]
            if moved:
                raise ConfigError(f"{path}: rule_sets.{name}: {', '.join(moved)} is set by the guidance in force "
                                  f"on a step's date: move it to a block of 'guidance'")
    resolved: dict[str, dict[str, Any]] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> dict[str, Any]:
        if name in resolved:
            return resolved[name]
        if name in seen:
            raise ConfigError(f"{path}: {section}.{name}.base is circular ({' -> '.join((*seen, name))})")
        block = sets.get(name)
        if not isinstance(block, Mapping):
            raise ConfigError(f"{path}: {section}.{seen[-1]}.base names an unknown block {name!r}")
        own = {k: v for k, v in block.items() if k != "base"}
        parent = block.get("base")
        merged = _deep_merge(resolve(str(parent), (*seen, name)), own) if parent else own
        resolved[name] = {**merged, "id": name}
        return resolved[name]

    for name in sets:
        resolve(str(name), ())
    return {**raw, section: resolved}


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if k.value == key), None)


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...], depth: int = 0) -> int | None:
    """The 1-based line of the deepest key of `loc`; a rule set's inherited key is found in its `base`."""
    line, node = None, root
    for index, part in enumerate(loc):
        match = _child(node, str(part))
        if match is None:
            if index >= 2 and loc[0] in BASED and depth < 10:
                sets = _child(root, str(loc[0]))
                block = _child(sets[1], str(loc[1])) if sets else None
                parent = _child(block[1], "base") if block else None
                if parent is not None:
                    return _line_of(root, (loc[0], parent[1].value, *loc[2:]), depth + 1) or line
            break
        line, node = match[0].start_mark.line + 1, match[1]
    return line


# libyaml's safe loader when PyYAML was built with it (the same documents, the same errors): the pure-Python one
# took a third of `ketnap show`'s own time reading config.yaml (issue 14).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_settings(text: str, path: str = "config.yaml", environ: Mapping[str, str] | None = None) -> Settings:
    """Validate the text of a config file.

    Raises:
        ConfigError: naming the key and its line for every problem.
    """
    try:
        raw = yaml.load(text, Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    resolved = _resolve_bases(_resolve_bases(raw, path, "rule_sets"), path, "guidance")
    env = environ or {}
    if env.get("KETNAP_DATABASE_URL"):
        resolved["database_url"] = env["KETNAP_DATABASE_URL"]
    try:
        return Settings.model_validate(resolved)
    except ValidationError as err:
        root = yaml.compose(text)  # only now: line numbers cost a second parse
        lines = []
        for problem in err.errors():
            loc = tuple(problem["loc"])
            key = ".".join(str(p) for p in loc)
            line = _line_of(root, loc)
            where = f"{path}:{line}" if line else path
            message = "unknown key" if problem["type"] == "extra_forbidden" else problem["msg"]
            lines.append(f"{where}: {key}: {message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read config.yaml (the repository's by default).

    Raises:
        ConfigError: the file is missing or invalid.
    """
    file = path or DEFAULT_CONFIG
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read {file}: {err.strerror}") from None
    return parse_settings(text, str(file), environ)
