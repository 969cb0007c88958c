"""Delivery errors a channel raises; the dispatcher retries the first kind and gives up on the second."""


class DeliveryError(Exception):
    """A message could not be delivered through one channel."""

    def __init__(self, channel: str, target: str, reason: str) -> None:
        super().__init__(f"{channel} to {target}: {reason}")
        self.channel, self.target, self.reason = channel, target, reason


class TransientDeliveryError(DeliveryError):
    """Worth trying again later: a timeout, a refused connection, a 4xx SMTP reply, an HTTP 5xx or 429."""


class PermanentDeliveryError(DeliveryError):
    """Trying again will not help until someone acts: a rejected address, bad credentials, an HTTP 4xx."""
