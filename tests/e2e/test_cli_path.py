"""A secretary takes a candidate from identification to official membership with the CLI, and reads back what
is due, who is where, and the history as of a date or as known at a moment."""

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from storage import migrate
from storage.engine import make_engine
from tests.e2e.conftest import FULL_PATH, Cli, assignments, vietnam_today

# The steps of PROCEDURE.md (its public vocabulary), in the order of its table.
PROCEDURE_STEPS = ["identify", "assign_helper", "enrol_training", "certify_training", "submit_application",
                   "declare_history", "conclude_vetting", "introduce", "collect_comments", "branch_vote",
                   "committee_vote", "decide_admission", "hold_ceremony", "submit_member_history",
                   "certify_new_member_course", "review_vote", "committee_review_vote", "recognise_official",
                   "extend_deadline", "drop", "transfer", "transfer_probationary", "transfer_received", "correct"]


def test_init_creates_the_schema_and_running_it_again_is_harmless(cli: Cli) -> None:
    candidate_id = cli.add_candidate()

    again = cli.run("init")

    assert again["revision"] == migrate.head_revision()
    assert cli.run("show", candidate_id)["version"] == 1
    engine = make_engine(cli.db_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_a_command_before_init_asks_for_init(tmp_path: Path) -> None:
    fresh = Cli(f"sqlite:///{tmp_path / 'new.db'}", CliRunner())

    refused = fresh.run("org", "list", expect=2)

    assert refused["error"] == "database_not_ready" and "ketnap init" in refused["message"]


def test_organisations_are_added_and_listed(cli: Cli) -> None:
    orgs = {o["code"]: o for o in cli.run("org", "list")}

    assert set(orgs) == {"DU-XA", "DU-CS", "CB-01", "CB-02"}
    assert orgs["CB-01"] == {"code": "CB-01", "name": "Chi bộ Giáo viên", "level": "branch", "parent_code": "DU-CS",
                             "admits": False, "founded_on": None, "ended_on": None, "ended_by": None,
                             "successors": [], "predecessors": [], "org_type": None}
    assert orgs["DU-XA"]["parent_code"] is None


def test_a_bad_level_a_duplicate_and_a_missing_parent_are_refused(cli: Cli) -> None:
    bad_level = cli.run("org", "add", "CB-03", "--name", "Chi bộ 3", "--level", "cell", "--parent", "DU-CS",
                        expect=2)
    duplicate = cli.run("org", "add", "CB-01", "--name", "Chi bộ khác", "--level", "branch", expect=2)
    orphan = cli.run("org", "add", "CB-04", "--name", "Chi bộ 4", "--level", "branch", "--parent", "KHONG",
                     expect=2)

    assert "level" in bad_level["message"] and "branch" in bad_level["message"]
    assert "CB-01" in duplicate["message"] and duplicate["violations"][0]["rule"] == "org_exists"
    assert "KHONG" in orphan["violations"][0]["message_en"]
    assert len(cli.run("org", "list")) == 4


def test_candidate_add_prints_the_new_id(cli: Cli) -> None:
    doc = cli.run("candidate", "add", "--org", "CB-01", "--name", "Hồ Văn Khải", "--birth-date", "2005-07-30",
                  "--sex", "M", "--education", "upper_secondary", "--youth-union", "--category", "student",
                  "--ethnicity", "Tày", "--on", "2024-01-10")

    shown = cli.run("show", doc["id"])
    assert (doc["stage"], doc["version"]) == ("identified", 1)
    assert (shown["id"], shown["full_name"], shown["ethnicity"]) == (doc["id"], "Hồ Văn Khải", "Tày")
    assert (shown["youth_union"], shown["categories"], shown["identified_on"]) == (True, ["student"], "2024-01-10")


def test_from_identification_to_official_through_the_cli(cli: Cli) -> None:
    candidate_id = cli.add_candidate()
    stages = []
    for name, on, fields in FULL_PATH[1:]:
        doc = cli.step(candidate_id, name, on, fields)
        stages.append(doc["stage"])
        assert [e["type"] for e in doc["events"]] == [name]

    shown = cli.run("show", candidate_id)

    assert stages[-1] == "official" and "probationary" in stages and "admitted" in stages
    assert shown["stage"] == "official" and shown["version"] == len(FULL_PATH)
    assert shown["probation_ends_on"] == "2025-08-20"  # the ceremony on 2024-08-20 + 12 months (D10)
    assert shown["official_on"] == shown["probation_ends_on"]  # D13
    assert shown["party_age_from"] == "2024-08-01"  # the date of the admission decision (D14)
    history = cli.run("history", candidate_id)
    introduce = next(e for e in history["events"] if e["type"] == "introduce")
    assert [i["months_together"] for i in introduce["payload"]["introducers"]] == [18, 18]
    assert introduce["payload"]["introducers"][0]["name"] == "Lê Văn Cường"


def test_show_gives_key_dates_deadlines_and_what_is_missing(cli: Cli) -> None:
    candidate_id = cli.add_candidate()
    cli.walk(candidate_id, FULL_PATH[1:7])  # vetted, no introducers, no comments yet

    shown = cli.run("show", candidate_id)

    assert shown["stage"] == "vetted" and shown["version"] == 7
    assert shown["probation_ends_on"] is None and shown["official_on"] is None and shown["party_age_from"] is None
    assert [(d["kind"], d["due_on"]) for d in shown["deadlines"]] == [("certificate_expiry", "2029-03-15")]
    allowed = {a["step"]: a for a in shown["allowed_steps"]}
    assert {"introduce", "collect_comments", "branch_vote", "decide_admission", "drop"} <= set(allowed)
    assert allowed["introduce"]["ready"] is True and allowed["introduce"]["missing"] == []
    assert {m["rule"] for m in allowed["branch_vote"]["missing"]} == {"vote_needs_introducers",
                                                                     "vote_needs_comments"}
    assert allowed["branch_vote"]["ready"] is False
    assert all(m["message_vi"] and m["message_en"] and m["ref"] for m in allowed["branch_vote"]["missing"])
    assert allowed["decide_admission"]["moves_to"] == "admitted"


def test_the_next_lines_leave_out_the_steps_on_record(cli: Cli) -> None:
    """Issue 17, item 8: after the certificate, the letter and the history form, `show` no longer offers them
    (nor the introduction once recorded); the steps that may repeat stay."""
    candidate_id = cli.add_candidate()
    cli.walk(candidate_id, FULL_PATH[1:8])  # introducers recorded

    text = cli.run("show", candidate_id, as_json=False).stdout
    offered = {line.split("next: ")[1].split(" ")[0] for line in text.splitlines() if "next: " in line}

    assert not offered & {"certify_training", "submit_application", "declare_history", "introduce"}, text
    assert {"collect_comments", "branch_vote", "transfer", "correct"} <= offered, text


def test_history_as_of_a_date_and_as_known_at_a_moment(cli: Cli) -> None:
    candidate_id = cli.add_candidate()
    cli.walk(candidate_id, FULL_PATH[1:9])  # introducers on 2024-06-10, comments on 2024-06-15
    before_vote = datetime.now(UTC)
    cli.step(candidate_id, "branch_vote", "2024-07-01", {"official_members": 20, "in_favour": 18})
    # back-dated: a renewed certificate dated before the vote, entered after it
    cli.step(candidate_id, "certify_training", "2024-06-20", {"certificate_no": "CN-200", "issued_on": "2024-06-18"})
    before_correction = datetime.now(UTC)
    cli.step(candidate_id, "correct", vietnam_today(), {"corrects": 7, "fields": {"on": "2024-05-20"},
                                                        "reason": "biên bản ghi nhầm ngày"})

    by_date = cli.run("history", candidate_id, "--as-of", "2024-06-25")
    vetting_day = cli.run("history", candidate_id, "--as-of", "2024-05-25")
    known_then = cli.run("history", candidate_id, "--known-at", before_vote.isoformat())
    then_on_vetting_day = cli.run("history", candidate_id, "--as-of", "2024-05-25",
                                  "--known-at", before_correction.isoformat())
    everything = cli.run("history", candidate_id)

    assert by_date["stage"] == "vetted"
    assert [e["type"] for e in by_date["events"]][-2:] == ["certify_training", "correct"]
    assert "branch_vote" not in [e["type"] for e in by_date["events"]]
    assert by_date["candidate"]["deadlines"][0]["due_on"] == "2029-06-18"  # from the back-dated certificate
    assert vetting_day["stage"] == "vetted"  # conclude_vetting (v7) corrected from 2024-06-01 to 2024-05-20
    assert then_on_vetting_day["stage"] == "training_class"  # before the correction it was still June
    assert known_then["stage"] == "vetted" and [e["version"] for e in known_then["events"]] == list(range(1, 10))
    assert {e["rule_set"] for e in everything["events"] if e["on"] < "2025-01-20"} == {"qd24-2021"}
    assert everything["events"][-1]["type"] == "correct" and everything["events"][-1]["rule_set"] == "qd294-2025"
    assert all(e["rule_set"] for doc in (by_date, known_then, everything) for e in doc["events"])


def test_deadlines_by_org_date_and_overdue(cli: Cli) -> None:
    late = cli.add_candidate("CB-01", "Lê Quốc Đạt")
    cli.walk(late, FULL_PATH[1:10])  # passed branch vote on 2024-07-01: the admission decision is long overdue
    recent_day = vietnam_today() - timedelta(days=30)
    fresh = cli.add_candidate("CB-02", "Trần Ngọc Ánh", on=str(recent_day - timedelta(days=5)))
    cli.step(fresh, "assign_helper", recent_day - timedelta(days=4), {"helper": "Phạm Văn Bình"})
    cli.step(fresh, "certify_training", recent_day, {"certificate_no": "CN-9", "issued_on": str(recent_day)})

    every = cli.run("deadlines")["items"]
    in_cb02 = cli.run("deadlines", "--org", "CB-02")["items"]
    in_grassroots = cli.run("deadlines", "--org", "DU-CS")["items"]
    overdue = cli.run("deadlines", "--overdue")["items"]
    until = cli.run("deadlines", "--until", "2025-01-01")["items"]
    unknown = cli.run("deadlines", "--org", "KHONG", expect=2)

    today = vietnam_today().isoformat()
    shown = {c: {d["kind"]: d["due_on"] for d in cli.run("show", c)["deadlines"]} for c in (late, fresh)}
    assert {(r["stream_id"], r["kind"], r["due_on"]) for r in every} == {
        (c, kind, due) for c, kinds in shown.items() for kind, due in kinds.items()}
    assert [r["due_on"] for r in every] == sorted(r["due_on"] for r in every)
    assert {r["stream_id"] for r in in_cb02} == {fresh} and {r["org"] for r in in_cb02} == {"CB-02"}
    assert len(in_grassroots) == len(every)
    assert {(r["stream_id"], r["kind"]) for r in overdue} == {
        (r["stream_id"], r["kind"]) for r in every if r["due_on"] < today}
    assert (late, "admission_decision") in {(r["stream_id"], r["kind"]) for r in overdue}
    assert fresh not in {r["stream_id"] for r in overdue}
    assert all(r["overdue"] and r["working_days_left"] < 0 for r in overdue)
    assert {(r["stream_id"], r["kind"]) for r in until} == {(late, "admission_decision")}
    assert all(r["full_name"] for r in every)
    assert "KHONG" in unknown["message"]


def test_candidate_list_by_org_and_stage(cli: Cli) -> None:
    first = cli.add_candidate("CB-01", "Phan Thị Thuỷ")
    cli.walk(first, FULL_PATH[1:7])  # vetted
    second = cli.add_candidate("CB-02", "Võ Minh Tuấn")
    third = cli.add_candidate("CB-01", "Đặng Thu Hương")
    cli.step(third, "assign_helper", "2024-01-20", {"helper": "Phạm Văn Bình"})

    def ids(*options: str) -> set[str]:
        return {r["id"] for r in cli.run("candidate", "list", *options)["items"]}

    assert ids() == {first, second, third}
    assert ids("--org", "CB-01") == {first, third}
    assert ids("--org", "DU-CS") == {first, second, third}
    assert ids("--stage", "vetted") == {first}
    assert ids("--org", "CB-01", "--stage", "identified") == set()
    assert ids("--org", "CB-02", "--stage", "identified") == {second}
    rows = {r["id"]: r for r in cli.run("candidate", "list")["items"]}
    assert (rows[third]["stage"], rows[third]["full_name"], rows[third]["org"]) == ("mentored", "Đặng Thu Hương",
                                                                                    "CB-01")


def test_steps_lists_every_step_with_its_fields_and_stages(cli: Cli) -> None:
    steps = {s["step"]: s for s in cli.run("steps")}

    assert list(steps) == PROCEDURE_STEPS
    vote = steps["branch_vote"]
    assert vote["allowed_in"] == ["vetted"] and vote["moves_to"] is None and vote["form"] == "6-KNĐ"
    assert {k: f["required"] for k, f in vote["fields"].items()} == {"official_members": True, "in_favour": True,
                                                                     "resolution_no": False, "present": False,
                                                                     "against": False, "chair": False,
                                                                     "secretary": False,  # issue 12: optional
                                                                     "temporarily_elsewhere": False,  # 13, V1
                                                                     "exempted_absent": False, "convened": False}
    assert steps["identify"]["allowed_in"] == ["(new)"] and steps["identify"]["moves_to"] == "identified"
    assert steps["hold_ceremony"]["moves_to"] == "probationary"
    extension = steps["extend_deadline"]  # D6, D12
    assert extension["allowed_in"] == ["vetted", "probationary"] and extension["moves_to"] is None
    assert extension["fields"]["deadline"]["values"] == ["admission_decision", "recognition_decision"]
    assert all(f["required"] for f in extension["fields"].values())
    assert all(s["summary"] for s in steps.values())


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_vietnamese_given_decomposed_comes_back_composed(cli: Cli) -> None:
    name, helper, org_name = "Nguyễn Thị Hoà", "Phạm Văn Bình", "Chi bộ thôn Khe Sanh"
    assert nfd(name) != name

    cli.run("org", "add", "CB-05", "--name", nfd(org_name), "--level", "branch", "--parent", "DU-CS")
    candidate_id = cli.add_candidate("CB-05", nfd(name))
    cli.run("step", candidate_id, "assign_helper", "--on", "2024-01-20", *assignments({"helper": nfd(helper)}))

    shown = cli.run("show", candidate_id)
    listed = cli.run("candidate", "list", "--org", "CB-05")["items"]
    history = cli.run("history", candidate_id)
    orgs = {o["code"]: o["name"] for o in cli.run("org", "list")}
    assert shown["full_name"] == name and listed[0]["full_name"] == name
    assert history["events"][0]["payload"]["full_name"] == name
    assert history["events"][1]["payload"]["helper"] == helper
    assert orgs["CB-05"] == org_name
    text = cli.run("show", candidate_id, as_json=False).stdout
    assert name in text and nfd(name) not in text
