"""`ketnap org ...` as a committee office runs it: changes dated by their decision, refused with every reason
and nothing written, and the candidate's `show`, `history` and dossier naming the organisations as they were."""

from tests.e2e.conftest import FULL_PATH, Cli


def test_renames_moves_and_a_merge_are_dated_history(cli: Cli) -> None:
    cli.run("org", "add", "DU-XB", "--name", "Đảng ủy xã Tân Hòa", "--level", "commune", "--on", "2025-07-01",
            "--decision", "1234-QĐ/TU", "--issuer", "Tỉnh ủy")
    cli.run("org", "rename", "CB-01", "--name", "Chi bộ Giáo viên Tự nhiên", "--on", "2025-03-01",
            "--decision", "12-QĐ/ĐU")
    cli.run("org", "move", "DU-CS", "--parent", "DU-XB", "--on", "2025-07-01", "--decision", "1235-QĐ/TU")
    cli.run("org", "merge", "DU-XA", "--into", "DU-XB", "--on", "2025-07-01", "--decision", "1236-QĐ/TU")

    before = {o["code"]: o for o in cli.run("org", "list", "--as-of", "2025-06-30")}
    after = {o["code"]: o for o in cli.run("org", "list", "--as-of", "2025-07-01")}
    shown = cli.run("org", "show", "CB-01", "--as-of", "2025-02-01")
    history = cli.run("org", "history", "DU-XB")

    assert "DU-XB" not in before and before["DU-CS"]["parent_code"] == "DU-XA"
    assert after["DU-CS"]["parent_code"] == "DU-XB"
    assert (after["DU-XA"]["ended_by"], after["DU-XA"]["successors"]) == ("merged", ["DU-XB"])
    assert after["DU-XB"]["predecessors"] == ["DU-XA"]
    assert shown["name"] == "Chi bộ Giáo viên" and shown["deciding_committee"] == "DU-XA"
    assert [(c["change"], c["code"]) for c in history["changes"]] == [("created", "DU-XB"), ("merged", "DU-XA")]
    assert history["changes"][0]["decision"] == "1234-QĐ/TU"


def test_a_refused_change_names_the_organisation_and_the_rule_and_writes_nothing(cli: Cli) -> None:
    before = cli.run("org", "list")

    cycle = cli.run("org", "move", "DU-XA", "--parent", "CB-01", "--on", "2025-07-01", expect=2)
    dissolve = cli.run("org", "dissolve", "DU-CS", "--on", "2025-07-01", expect=2)
    into_nothing = cli.run("org", "merge", "CB-01", "--into", "NOWHERE", "--on", "2025-07-01", expect=2)
    split = cli.run("org", "split", "DU-CS", "--part", "CB-01=DU-XA", "--on", "2025-07-01", expect=2)

    assert [v["rule"] for v in cycle["violations"]] == ["org_move_cycle"]
    assert [v["rule"] for v in dissolve["violations"]] == ["org_dissolve_has_children"]
    assert [v["rule"] for v in into_nothing["violations"]] == ["org_successor_not_living"]
    assert [v["rule"] for v in split["violations"]] == ["org_split_part_missing"]
    assert "CB-02" in split["violations"][0]["message_en"]
    assert cli.run("org", "list") == before


def test_a_change_dated_before_creation_or_after_the_end_is_refused(cli: Cli) -> None:
    cli.run("org", "add", "CB-09", "--name", "Chi bộ 9", "--level", "branch", "--parent", "DU-CS",
            "--on", "2025-01-01")
    cli.run("org", "merge", "CB-02", "--into", "CB-01", "--on", "2025-07-01")

    early = cli.run("org", "rename", "CB-09", "--name", "Chi bộ Chín", "--on", "2024-12-31", expect=2)
    late = cli.run("org", "rename", "CB-02", "--name", "Chi bộ Hai", "--on", "2025-08-01", expect=2)
    into_ended = cli.run("org", "merge", "CB-09", "--into", "CB-02", "--on", "2025-08-01", expect=2)

    assert [v["rule"] for v in early["violations"]] == ["org_change_before_founded"]
    assert [v["rule"] for v in late["violations"]] == ["org_change_after_end"]
    assert [v["rule"] for v in into_ended["violations"]] == ["org_successor_not_living"]


def test_show_history_and_dossier_name_the_branch_as_it_was(cli: Cli) -> None:
    cid = cli.add_candidate(on=str(FULL_PATH[0][1]))
    cli.walk(cid, FULL_PATH[1:4])
    cli.run("org", "rename", "CB-01", "--name", "Chi bộ Giáo viên Tự nhiên", "--on", "2024-03-10")
    cli.run("org", "merge", "CB-01", "--into", "CB-02", "--on", "2024-03-15")

    shown = cli.run("show", cid)
    history = cli.run("history", cid)
    dossier = cli.run("export", "dossier", cid)

    assert (shown["org"], shown["org_now"], shown["org_now_name"]) == ("CB-01", "CB-02", "Chi bộ Học sinh")
    names = [(e["type"], e["org"], e["org_name"]) for e in history["events"]]
    assert names[:3] == [("identify", "CB-01", "Chi bộ Giáo viên"), ("assign_helper", "CB-01", "Chi bộ Giáo viên"),
                         ("enrol_training", "CB-01", "Chi bộ Giáo viên")]
    assert names[3] == ("certify_training", "CB-02", "Chi bộ Học sinh")  # 20/03/2024, after the merge
    assert [row["org_name"] for row in dossier["timeline"]] == [n for _, _, n in names]
    assert cli.run("candidate", "list", "--org", "CB-02")["items"][0]["id"] == cid
