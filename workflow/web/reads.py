"""One read transaction per page or API read (GET, HEAD): the session, the user's scope and the page's reads
share it (storage/unit_of_work.py `RequestReads`), so a page pays one pool checkout, one BEGIN/COMMIT and one
check of the organisation log, not one per read (issue 14)."""

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from storage.unit_of_work import share_reads, unshare_reads

READ_METHODS = frozenset({"GET", "HEAD"})


class SharedReads:
    """ASGI middleware: a GET or HEAD request's reads share one transaction, closed when the answer is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READ_METHODS:
            await self.app(scope, receive, send)
            return
        reads, token = share_reads()
        try:
            await self.app(scope, receive, send)
        finally:
            unshare_reads(token)
            if reads.open:  # a COMMIT is a round trip to PostgreSQL: not on the event loop
                await run_in_threadpool(reads.close)
