"""The auditor's verification on screen and over the API: `workflow.audit.verify`, limited to the user's scope.

An auditor scoped to several organisations gets one report per organisation, merged; findings keep their
stream and version, so nothing is lost in the merge.
"""

from workflow.audit.findings import Report
from workflow.audit.verify import Scope, verify
from workflow.scoped import ScopedKetnap


def verify_in_scope(scoped: ScopedKetnap, candidate_id: str | None = None, org: str | None = None) -> Report:
    """Raises: CandidateNotFound (also outside the scope), OutOfScope."""
    app = scoped.app
    if candidate_id:
        scoped.require_candidate(candidate_id)
        scopes = [Scope(candidate=candidate_id)]
    elif org:
        scoped.who.require_org(org)
        scopes = [Scope(org=org)]
    else:
        scopes = [Scope(org=root) for root in scoped.who.user.orgs]
    merged = Report()
    for scope in scopes:
        report = verify(app.engine, app.rulebook, app.calendar, scope)
        merged.streams += report.streams
        merged.events += report.events
        merged.add(report.findings)
    return merged
