"""The web's one call into the read-access log: who is asking (role, client address), from a request."""

from fastapi import Request

from workflow import access_log
from workflow.access import Principal
from workflow.web.context import state_of


def viewed(request: Request, who: Principal, view: str, candidate_id: str) -> None:
    """Record that `who` saw `candidate_id`'s file through `view` (pages: "web", /api/...: "api"). The address is
    the peer's, as the sign-in throttle takes it: behind a proxy, the proxy's unless the server is told otherwise."""
    via = "api" if request.url.path.startswith("/api/") else "web"
    address = request.client.host if request.client else None
    access_log.viewed(state_of(request).ketnap, access_log.user_viewer(who, via, address), view, candidate_id)
