"""Class reports say which games were played on the class server (verified) and which were not
(played with direct database access, or imported from files)."""

from __future__ import annotations

import csv
import io

from class_helpers import SEED, small_text

from pmsim.commands.class_reports import report_from_db, report_from_files
from pmsim.engine.bots import play_game, play_round
from pmsim.reports.classreport import render_csv, render_html, render_md
from pmsim.storage.saves import SaveStore
from pmsim.storage.session import GameSession


def test_server_games_are_verified_and_files_never(tmp_path):
    with SaveStore(f"sqlite:///{tmp_path / 'v.sqlite3'}") as store:
        code = store.create_class("PM 101", small_text(), SEED).code
        [(ada, _)] = store.add_students(code, ["Ada"])
        on_server = store.start_server_game(ada)
        play_game(GameSession.resume(store, on_server), "rice")
        elsewhere = GameSession.start_class(store, code, "Grace")  # `pmsim play --class`: direct database access
        play_game(elsewhere, "hippo")
        [(bob, _)] = store.add_students(code, ["Bob"])
        playing = store.start_server_game(bob)
        play_round(GameSession.resume(store, playing), "rice")  # still playing on the server
        rep = report_from_db(store, code)
        files = [str(store.export(sid, tmp_path / f"{sid}.pmsave.json")) for sid in (on_server, elsewhere.save_id)]

    assert {e.player: e.verified for e in rep.entries} == {"Ada": True, "Grace": False}
    [bob_row] = rep.rejected  # in progress: not counted yet, but known to be played on the server
    assert (bob_row.player, bob_row.verified) == ("Bob", True) and "in progress" in bob_row.reason
    md = render_md(rep)
    assert "1 of 2 counted games verified" in md
    board = md[md.index("## Leaderboard"):md.index("## Common mistakes")]
    row = {line.split("|")[2].strip(): line.split("|")[-2].strip() for line in board.splitlines()
           if line.startswith("| ") and line.split("|")[1].strip().isdigit()}
    assert row == {"Ada": "yes", "Grace": "no"}
    rejected = md[md.index("## Rejected files"):]
    assert "| save 3 | Bob | in progress (round 2): not counted until finished | yes |" in rejected
    rows = list(csv.DictReader(io.StringIO(render_csv(rep))))
    assert {r["student"]: r["verified"] for r in rows} == {"Ada": "yes", "Grace": "no", "Bob": "yes"}
    page = render_html(rep)
    assert "<th>verified</th>" in page and page.count("<td class=verified>yes</td>") == 2
    assert "1 of 2 counted games verified" in page

    from_files, _ = report_from_files(files)
    assert sorted(e.verified for e in from_files.entries) == [False, False]  # a file proves no player
    assert "0 of 2 counted games verified" in render_md(from_files)
    assert {r["verified"] for r in csv.DictReader(io.StringIO(render_csv(from_files)))} == {"no"}
