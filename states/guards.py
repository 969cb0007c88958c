"""Guards: plain functions of a Check that return every rule they find unmet (DOMAIN.md section 3).

Requirements look only at the candidate and the date, so `allowed_steps` can say what is still missing;
checks also read the step's fields.
"""

from collections.abc import Callable
from typing import Any

from states import labels, votes
from states.catalogue import violation
from states.dates import add_months, age_months
from states.errors import Violation
from states.fields import BARRED_REASONS, Education, PreviousMembership
from states.labels import Said
from states.stages import Stage
from states.step import BRANCH_LEVELS, Check

Guard = Callable[[Check], list[Violation]]


def _f(k: Check) -> Any:
    assert k.f is not None, "a field check ran without validated fields"
    return k.f


def _date_not_in_future(k: Check, name: str, value: Any) -> list[Violation]:
    if value is not None and value > k.today:
        return [violation("date_in_future", k.rules, field=name, value=value, today=k.today)]
    return []


# --- every step -------------------------------------------------------------------------------------------

def on_not_in_future(k: Check) -> list[Violation]:
    return _date_not_in_future(k, "on", k.on)


def on_not_before_identified(k: Check) -> list[Violation]:
    if k.c.identified_on and k.on < k.c.identified_on:
        return [violation("date_before_identified", k.rules, field="on", value=k.on,
                          identified_on=k.c.identified_on)]
    return []


# --- identification and training --------------------------------------------------------------------------

def org_is_branch(k: Check) -> list[Violation]:
    """S0: candidates are put on a branch's (or a grassroots organisation's) list."""
    f = _f(k)
    org = getattr(f, "org", None) or getattr(f, "to_org", None)
    field = "org" if hasattr(f, "org") else "to_org"
    level = k.step.facts.org_level
    if level is None:
        return [violation("org_not_found", k.rules, field=field, org=org)]
    if level not in BRANCH_LEVELS:
        return [violation("org_not_branch", k.rules, field=field, org=org, level=labels.level(level))]
    if field == "to_org" and org == k.c.org:
        return [violation("transfer_same_org", k.rules, field=field, org=org)]
    return []


def birth_date_in_past(k: Check) -> list[Violation]:
    return _date_not_in_future(k, "birth_date", _f(k).birth_date)


def issued_not_in_future(k: Check) -> list[Violation]:
    f = _f(k)
    if f.issued_on > k.today:
        return [violation("certificate_issued_in_future", k.rules, field="issued_on", issued_on=f.issued_on)]
    return []


def application_submitted(k: Check) -> list[Violation]:
    """DOMAIN.md S3, S4: under HD 06/2025 §3 the application letter comes before the personal history (not
    required earlier). The guidance's value, so from HD 06's own date, 09/06/2025, under QĐ 232 as under QĐ 294
    (DOMAIN.md section 7 caveat)."""
    if k.c.application_on or not k.rules.application_before_history:
        return []
    return [violation("history_before_application", k.rules)]


def dossier_ready_for_vetting(k: Check) -> list[Violation]:
    found = []
    if not k.c.certificate_issued_on:
        found.append(violation("vetting_needs_certificate", k.rules))
    if not k.c.application_on:
        found.append(violation("vetting_needs_application", k.rules))
    if not k.c.history_on:
        found.append(violation("vetting_needs_history", k.rules))
    return found


def vetting_cleared(k: Check) -> list[Violation]:
    if _f(k).conclusion != "cleared":
        return [violation("vetting_not_cleared", k.rules, field="conclusion")]
    return []


# --- introducers (G6, G6a, G7, D5) ------------------------------------------------------------------------

def _is_youth_age(k: Check) -> bool:
    birth = k.c.birth_date
    return birth is not None and age_months(birth, k.on) <= k.rules.youth_age_max_months


def introducers_qualified(k: Check) -> list[Violation]:
    f = _f(k)
    found: list[Violation] = []
    resolution = f.union_resolution
    needed = 1 if resolution else 2
    if len(f.introducers) != needed and not (resolution and len(f.introducers) == 2):
        found.append(violation("introducer_count", k.rules, field="introducers", count=len(f.introducers),
                               resolution=labels.option(resolution.body) if resolution
                               else Said("không có", "-")))
    for i, person in enumerate(f.introducers):
        if person.official_since > k.on:
            found.append(violation("introducer_not_official", k.rules, field=f"introducers[{i}].official_since",
                                   name=person.name, on=k.on, since=person.official_since))
        if person.months_together < k.rules.introducer_months_together:
            found.append(violation("introducer_months_together", k.rules,
                                   field=f"introducers[{i}].months_together", name=person.name,
                                   months=person.months_together, minimum=k.rules.introducer_months_together))
    if resolution is not None:
        found += _date_not_in_future(k, "union_resolution.on", resolution.on)
    if k.c.youth_union and _is_youth_age(k) and (resolution is None or resolution.body != "youth_union"):
        found.append(violation("youth_union_resolution_required", k.rules, field="union_resolution"))
    return found


# --- votes (V1, V2, V5) -------------------------------------------------------------------------------------

def _members(k: Check) -> tuple[int, Said]:
    """The number a vote's counts are measured against, and what it is called: a committee's members (V2), or a
    branch's official members, those convened under the rule sets that count them (V1, V5; states/votes.py)."""
    f = _f(k)
    if not hasattr(f, "official_members"):
        return f.committee_members, Said("số cấp ủy viên", "committee members")
    if k.rules.vote_denominator == "convened":
        return votes.denominator(f, k.rules), Said("số đảng viên chính thức được triệu tập",
                                                   "official members convened")
    return f.official_members, Said("số đảng viên chính thức", "official members")


def vote_counts(k: Check) -> list[Violation]:
    f = _f(k)
    members, label = _members(k)
    if f.in_favour > members:
        return [violation("vote_counts", k.rules, field="in_favour", in_favour=f.in_favour, members=members,
                          denominator=label)]
    return []


def vote_convened(k: Check) -> list[Violation]:
    """V1, V5 (QĐ294 §9.3.2): the members left out of a branch vote are fewer than its official members, and a
    stated number convened is the official members less those left out."""
    f = _f(k)
    left_out = votes.not_convened(f)
    if left_out >= f.official_members:
        return [violation("vote_none_convened", k.rules, field="temporarily_elsewhere",
                          elsewhere=f.temporarily_elsewhere or 0, exempted_absent=f.exempted_absent or 0,
                          members=f.official_members)]
    if f.convened is not None and f.convened != votes.convened(f):
        return [violation("vote_convened", k.rules, field="convened", convened=f.convened,
                          members=f.official_members, elsewhere=f.temporarily_elsewhere or 0,
                          exempted_absent=f.exempted_absent or 0, expected=votes.convened(f))]
    return []


def vote_attendance(k: Check) -> list[Violation]:
    """Issue 12: the optional counts of a meeting agree with its vote: present <= members (those convened, under
    the rule sets that count them: V1), and in favour plus against <= present (or <= members when the number
    present is not recorded)."""
    f = _f(k)
    members, _ = _members(k)
    present, against = getattr(f, "present", None), getattr(f, "against", None)
    if present is not None and present > members:
        return [violation("vote_present", k.rules, field="present", present=present, members=members)]
    if present is None and against is None:
        return []
    room = members if present is None else present
    if f.in_favour + (against or 0) > room:
        return [violation("vote_attendance", k.rules, field="against" if against is not None else "in_favour",
                          in_favour=f.in_favour, against=against or 0, room=room)]
    return []


def introducers_recorded(k: Check) -> list[Violation]:
    return [] if k.c.introducers else [violation("vote_needs_introducers", k.rules)]


def comments_collected(k: Check) -> list[Violation]:
    missing = sorted({"residence", "mass_organisations"} - k.c.comment_sources)
    return [violation("vote_needs_comments", k.rules, missing=[labels.option(m) for m in missing])] if missing else []


def vote_after_dossier(k: Check) -> list[Violation]:
    """S6, S7 before S8 (ĐL Art. 4(3): before the branch considers the case the chi ủy collects the comments):
    a branch vote is not dated before the introduction or the comments it considers. Only for votes entered
    since the rule set's `vote_after_dossier_from`, so that the audit judges earlier entries as they were."""
    since = k.rules.vote_after_dossier_from
    if since is None or k.today < since:
        return []
    found = []
    for previous, previous_on in (("introduce", k.c.introduced_on), ("collect_comments", k.c.comments_on)):
        if previous_on is not None and k.on < previous_on:
            vi, en = _DOSSIER[previous]
            found.append(violation("vote_before_dossier", k.rules, field="on", on=k.on, previous=labels.step(previous),
                                   previous_on=previous_on, what_vi=vi, what_en=en))
    return found


_DOSSIER = {"introduce": ("giới thiệu người vào Đảng (mẫu 3-KNĐ)", "the introduction (form 3-KNĐ)"),
            "collect_comments": ("tổng hợp nhận xét (mẫu 5-KNĐ)", "the summary of comments (form 5-KNĐ)")}


def _age_at_least_minimum(k: Check, on: Any) -> list[Violation]:
    birth = k.c.birth_date
    if birth is None:
        return []
    months = age_months(birth, on)
    if months < k.rules.min_age_months:
        return [violation("age_minimum", k.rules, field="birth_date", on=on, years=months // 12,
                          months=months % 12, minimum=k.rules.min_age_months // 12)]
    return []


def _certificate_valid(k: Check, on: Any) -> list[Violation]:
    issued = k.c.certificate_issued_on
    if issued is None:
        return [violation("certificate_missing", k.rules, field="certificate")]
    expires = add_months(issued, k.rules.certificate_valid_months)
    if on > expires:
        return [violation("certificate_expired", k.rules, field="certificate", issued_on=issued,
                          valid=k.rules.certificate_valid_months, expires=expires, on=on)]
    return []


def age_at_vote(k: Check) -> list[Violation]:
    """G1: at least 18 full years, counted in months, on the day the branch considers the case."""
    return _age_at_least_minimum(k, k.on)


def certificate_valid_at_vote(k: Check) -> list[Violation]:
    """G5, D2: the awareness-course certificate is valid 60 months at the branch vote."""
    return _certificate_valid(k, k.on)


def branch_vote_passed(k: Check) -> list[Violation]:
    vote = k.c.last_passed_branch_vote
    if vote is None:
        return [violation("committee_vote_needs_branch_vote" if k.step.name == "committee_vote"
                          else "branch_vote_not_passed", k.rules, threshold=k.rules.vote_threshold)]
    if k.on < vote.on:
        return [violation("vote_before_previous", k.rules, field="on", on=k.on, previous=labels.step("branch_vote"),
                          previous_on=vote.on)]
    return []


# --- the admission decision (S10) --------------------------------------------------------------------------

def qualified_at_branch_vote(k: Check) -> list[Violation]:
    """G1 and G5 are measured on the date of the passed branch vote, whatever the decision's date."""
    vote = k.c.last_passed_branch_vote
    if vote is None:
        return []
    return _age_at_least_minimum(k, vote.on) + _certificate_valid(k, vote.on)


def committee_vote_passed(k: Check) -> list[Violation]:
    """V2; not required when the branch's own authorised grassroots committee decides (V3)."""
    if not k.step.facts.committee_vote_required:
        return []
    passed = [v.on for v in k.c.committee_votes if v.passed]
    if not passed:
        return [violation("committee_vote_not_passed", k.rules, threshold=k.rules.committee_threshold)]
    return _not_before(k, "committee_vote", min(passed))


def _not_before(k: Check, previous: str, previous_on: Any) -> list[Violation]:
    """A decision cannot be dated before the resolution it rests on."""
    if k.on < previous_on:
        return [violation("vote_before_previous", k.rules, field="on", on=k.on, previous=labels.step(previous),
                          previous_on=previous_on)]
    return []


def introducers_present(k: Check) -> list[Violation]:
    return [] if k.c.introducers else [violation("introducers_missing", k.rules)]


def comments_present(k: Check) -> list[Violation]:
    missing = sorted({"residence", "mass_organisations"} - k.c.comment_sources)
    return [violation("comments_missing", k.rules, missing=[labels.option(m) for m in missing])] if missing else []


def age_within_maximum(k: Check) -> list[Violation]:
    """G2: over 60 (in months) only with the provincial standing committee's written consent."""
    vote, birth = k.c.last_passed_branch_vote, k.c.birth_date
    if vote is None or birth is None:
        return []
    if age_months(birth, vote.on) > k.rules.max_age_months and not _f(k).consent_ref:
        return [violation("age_maximum", k.rules, field="consent_ref", on=vote.on,
                          maximum=k.rules.max_age_months // 12)]
    return []


def education_sufficient(k: Check) -> list[Violation]:
    """G3: lower secondary; G3a: primary in remote areas; G3b: village elders literate, with consent."""
    education = Education(k.c.education)
    minimum = Education(k.rules.education_minimum_remote if k.c.remote_area else k.rules.education_minimum)
    if education.rank >= minimum.rank:
        return []
    if k.c.remote_area and k.c.village_elder:
        if _f(k).consent_ref:
            return []
        return [violation("village_elder_consent", k.rules, field="consent_ref")]
    return [violation("education_minimum", k.rules, field="education", education=labels.option(education.value),
                      minimum=labels.option(minimum.value))]


def decision_dates(k: Check) -> list[Violation]:
    f = _f(k)
    found = _date_not_in_future(k, "received_on", f.received_on)
    if f.received_on is not None and f.received_on < k.on:
        found.append(violation("received_before_decision", k.rules, field="received_on",
                               received_on=f.received_on, on=k.on))
    return found


def decided_by_competent(k: Check) -> list[Violation]:
    competent, f = k.step.facts.competent_body, _f(k)
    if competent is not None and f.decided_by != competent:
        return [violation("decided_by_not_competent", k.rules, field="decided_by", decided_by=f.decided_by,
                          competent=competent)]
    return []


def decision_vote(k: Check) -> list[Violation]:
    """V3 (HD06 §3.7a): a grassroots committee authorised to admit decides only with at least `committee_threshold`
    of ALL its committee members in favour, so its decision records that vote; required for decisions entered
    since the rule set's `decision_vote_from`, judged whenever recorded. An upper committee's decision may record
    a vote; then only its counts must agree."""
    f = _f(k)
    members, in_favour = f.committee_members, f.in_favour
    if (members is None) != (in_favour is None):
        return [violation("decision_vote_incomplete", k.rules,
                          field="in_favour" if in_favour is None else "committee_members")]
    if members is not None and in_favour is not None and in_favour > members:
        return [violation("vote_counts", k.rules, field="in_favour", in_favour=in_favour, members=members,
                          denominator=Said("số cấp ủy viên", "committee members"))]
    if not k.step.facts.decides_as_grassroots:
        return []
    if members is None or in_favour is None:
        since = k.rules.decision_vote_from
        return [] if since is None or k.today < since else [
            violation("decision_needs_vote", k.rules, field="committee_members",
                      threshold=k.rules.committee_threshold)]
    if not k.rules.committee_threshold.reached(in_favour, members):
        return [violation("decision_vote_not_passed", k.rules, field="in_favour", in_favour=in_favour,
                          members=members, threshold=k.rules.committee_threshold)]
    return []


# --- re-admission (DOMAIN.md R1-R3, D15, G12) -----------------------------------------------------------------

def previous_membership_valid(k: Check) -> list[Violation]:
    """Identify with a previous membership: its dates agree with each other and with today, and R2/R3 are
    judged at once (nothing later can lift them), so such a person is refused before any work starts."""
    pm: PreviousMembership | None = getattr(_f(k), "previous_membership", None)
    if pm is None:
        return []
    found: list[Violation] = []
    for name in ("admitted_on", "left_on", "record_cleared_on"):
        found += _date_not_in_future(k, f"previous_membership.{name}", getattr(pm, name))
    if pm.left_on < pm.admitted_on:
        found.append(violation("previous_membership_dates", k.rules, field="previous_membership.left_on",
                               left_on=pm.left_on, admitted_on=pm.admitted_on))
    if pm.record_cleared_on is not None and pm.record_cleared_on < pm.admitted_on:
        found.append(violation("record_cleared_before_admission", k.rules,
                               field="previous_membership.record_cleared_on",
                               record_cleared_on=pm.record_cleared_on, admitted_on=pm.admitted_on))
    return found + _readmission_barred(k, pm)


def _previous(k: Check) -> PreviousMembership | None:
    stored = k.c.previous_membership
    return None if stored is None else PreviousMembership.model_validate(stored)


def _readmission_barred(k: Check, pm: PreviousMembership) -> list[Violation]:
    """R2 (QĐ294 3.5.2): never re-admitted for the five reasons; R3 (QĐ29, QĐ294 3.5.3): only once; and only
    under a rule set that has re-admission rules at all (DOMAIN.md section 7: QĐ29 onwards)."""
    if k.rules.readmission is None:
        return [violation("readmission_not_in_rules", k.rules, field="previous_membership")]
    found = []
    if pm.left_reason in BARRED_REASONS:
        found.append(violation("readmission_barred", k.rules, field="previous_membership.left_reason",
                               reason=labels.option(pm.left_reason.value)))
    if pm.readmitted_before:
        found.append(violation("readmission_once", k.rules, field="previous_membership.readmitted_before"))
    return found


def readmission_allowed(k: Check) -> list[Violation]:
    """R2, R3 again at the decision (a correction may have changed the previous membership since identify)."""
    pm = _previous(k)
    return [] if pm is None else _readmission_barred(k, pm)


def readmission_waited(k: Check) -> list[Violation]:
    """R1 (QĐ29 3.5.1b, QĐ294 3.5.1; D15): at least 36 months from leaving to the decision, and 60 months from
    the day a criminal record for a less serious crime is cleared; counted in months to the decision's date."""
    pm, wait = _previous(k), k.rules.readmission
    if pm is None or wait is None:
        return []
    found = []
    eligible = add_months(pm.left_on, wait.months_since_leaving)
    if k.on < eligible:
        found.append(violation("readmission_too_soon", k.rules, field="previous_membership.left_on",
                               left_on=pm.left_on, on=k.on, months=age_months(pm.left_on, k.on),
                               minimum=wait.months_since_leaving, eligible_on=eligible))
    if pm.convicted and pm.record_cleared_on is None:
        found.append(violation("readmission_record_not_cleared", k.rules,
                               field="previous_membership.record_cleared_on"))
    elif pm.convicted and pm.record_cleared_on is not None:
        after = add_months(pm.record_cleared_on, wait.months_after_record_cleared)
        if k.on < after:
            found.append(violation("readmission_too_soon_after_record", k.rules,
                                   field="previous_membership.record_cleared_on",
                                   record_cleared_on=pm.record_cleared_on, on=k.on,
                                   months=age_months(pm.record_cleared_on, k.on),
                                   minimum=wait.months_after_record_cleared, eligible_on=after))
    return found


def readmission_consented(k: Check) -> list[Violation]:
    """R1: the provincial standing committee's written consent, given before the decision."""
    if k.c.previous_membership is None:
        return []
    consent = _f(k).readmission_consent
    if consent is None:
        return [violation("readmission_consent_missing", k.rules, field="readmission_consent")]
    if consent.signed_on > k.on:
        return [violation("readmission_consent_after_decision", k.rules, field="readmission_consent.signed_on",
                          signed_on=consent.signed_on, on=k.on)]
    return []


# --- ceremony and probation ---------------------------------------------------------------------------------

def ceremony_after_receipt(k: Check) -> list[Violation]:
    received = k.c.decision_received_on
    if received is not None and k.on < received:
        return [violation("ceremony_before_decision", k.rules, field="on", on=k.on, received_on=received)]
    return []


def deadline_extendable(k: Check) -> list[Violation]:
    """D6, D12: the competent committee may extend its open decision deadline once, by at most the rule set's
    working days (config.yaml working_days.*_extension; the rule set of the extension's date)."""
    f = _f(k)
    kind = f.deadline.value
    said = labels.option(kind)
    d = k.c.deadlines.get(kind)
    if d is None or not d.is_open:
        return [violation("extension_deadline_not_open", k.rules, field="deadline", deadline=said)]
    if d.extended_on is not None:
        return [violation("extension_once", k.rules, field="deadline", deadline=said, extended_on=d.extended_on,
                          due_on=d.due_on)]
    maximum = getattr(k.rules.working_days, f"{kind}_extension")
    if f.extra_working_days > maximum:
        return [violation("extension_too_long", k.rules, field="extra_working_days", days=f.extra_working_days,
                          deadline=said, maximum=maximum)]
    return []


def after_probation(k: Check) -> list[Violation]:
    """G10: the review resolution is dated after the 12 months of probation end."""
    ends = k.c.probation_ends_on
    if ends is not None and k.on <= ends:
        return [violation("review_before_probation_end", k.rules, field="on", on=k.on, ends_on=ends)]
    return []


def review_vote_passed(k: Check) -> list[Violation]:
    vote = next((v for v in reversed(k.c.review_votes) if v.passed), None)
    if vote is None:
        return [violation("committee_review_needs_review_vote", k.rules)]
    if k.on < vote.on:
        return [violation("vote_before_previous", k.rules, field="on", on=k.on, previous=labels.step("review_vote"),
                          previous_on=vote.on)]
    return []


def recognition_ready(k: Check) -> list[Violation]:
    """S14, S15, G11: a passed recommendation, the new-member course, the committee's resolution."""
    found = []
    review = k.c.passed_review("recognise")
    if review is None:
        found.append(violation("recognition_needs_review_vote", k.rules, threshold=k.rules.vote_threshold))
    else:
        found += _not_before(k, "review_vote", review.on)
    if not k.c.new_member_certificate_no:
        found.append(violation("new_member_course_missing", k.rules))
    if k.step.facts.committee_vote_required:
        reviewed = [v.on for v in k.c.committee_review_votes if v.passed and v.on >= (review or v).on]
        if not reviewed:
            found.append(violation("recognition_needs_committee_review", k.rules,
                                   threshold=k.rules.committee_threshold))
        else:
            found += _not_before(k, "committee_review_vote", min(reviewed))
    return found


# --- a probationary member's transfer (issue 13 item 6; DOMAIN.md D16, P9) -------------------------------------

def no_transfer_pending(k: Check) -> list[Violation]:
    """D16: one transfer at a time; a transfer sent is received (or the member dropped) before another one."""
    pending = k.c.pending_transfer
    if pending is None:
        return []
    return [violation("transfer_pending", k.rules, field="to_org", org=pending["to_org"], on=pending["on"])]


def transfer_sent(k: Check) -> list[Violation]:
    """D16: the receiving branch records a transfer that was sent, on or after the day it took effect."""
    pending = k.c.pending_transfer
    if pending is None:
        return [violation("transfer_not_sent", k.rules)]
    if k.on < pending["on"]:
        return [violation("transfer_received_before_sent", k.rules, field="on", on=k.on, sent_on=pending["on"])]
    return []


def received_where_sent(k: Check) -> list[Violation]:
    """D16: the transfer is received by the branch it names, not by another."""
    pending, org = k.c.pending_transfer, _f(k).to_org
    if pending is not None and org != pending["to_org"]:
        return [violation("transfer_received_elsewhere", k.rules, field="to_org", org=org, to_org=pending["to_org"])]
    return []


def review_by_transfer_branch(k: Check) -> list[Violation]:
    """P9 (UNVERIFIED, config.yaml recognition_vote_by): which branch votes on the recognition of a member
    transferred during probation. receiving: not while the transfer waits to be received; sending: not after
    another branch received the member."""
    if k.rules.recognition_vote_by == "receiving":
        pending = k.c.pending_transfer
        if pending is not None:
            return [violation("review_transfer_pending", k.rules, org=pending["to_org"], on=pending["on"])]
        return []
    if k.c.received_from is not None:
        return [violation("review_by_sending_branch", k.rules, org=k.c.received_from, to_org=k.c.org)]
    return []


def removal_allowed(k: Check) -> list[Violation]:
    """P7, V7: striking a probationary member off needs a passed vote to remove, and the decision."""
    f = _f(k)
    if k.c.stage is not Stage.PROBATIONARY or f.reason != "removed_from_probation":
        return []
    found = []
    if k.c.passed_review("remove") is None:
        found.append(violation("removal_needs_vote", k.rules, field="reason", threshold=k.rules.vote_threshold))
    if not f.decision_no:
        found.append(violation("removal_needs_decision", k.rules, field="decision_no"))
    return found
