"""What the dispatcher hands to the renderer and the channels."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class Address(BaseModel):
    """One way to reach a recipient: `channel` names a channel (email, webhook), `target` its address."""

    model_config = ConfigDict(frozen=True)
    channel: str
    target: str


class Notification(BaseModel):
    """A reminder, escalation or digest resolved for sending: recipients and everything the template says."""

    model_config = ConfigDict(frozen=True)
    key: str  # the idempotency key; receivers drop a second message with the same key
    template: str  # reminder, escalation, digest: a file stem in notifications/templates/<language>/
    language: str
    recipients: tuple[Address, ...]
    context: dict[str, Any]


class RenderedMessage(BaseModel):
    model_config = ConfigDict(frozen=True)
    key: str
    language: str
    subject: str
    body: str
    data: dict[str, Any]  # structured content for machine receivers (webhook payload)
    late: bool = False
