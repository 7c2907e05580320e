"""A team's own narratives: add, validate, build, and score with them."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from vnmisinfo.cli import main
from vnmisinfo.narratives import (
    CatalogueError,
    NarrativeIndex,
    add_narratives,
    default_catalogue_path,
    entries_from_reviewed,
    load_index,
    new_entry,
    team_index,
)

CLAIM = "Uống nước dừa pha muối chữa khỏi sốt xuất huyết trong một ngày."
REWORDED = "Bị sốt xuất huyết thì cứ uống nước dừa pha thêm muối, một ngày là khỏi hẳn."
ADD = ["narratives", "add", "--id", "local-001", "--claim", CLAIM,
       "--rebuttal-vi", "Không có bằng chứng nào cho thấy nước dừa pha muối chữa khỏi sốt "
       "xuất huyết; người bệnh cần đến cơ sở y tế.",
       "--source", "https://example.org/kiem-chung/nuoc-dua", "--category", "health",
       "--variant", "ae ơi sốt xuất huyết uống nước dừa pha muối là 1 ngày khỏi luôn nha"]


@pytest.fixture()
def shipped_digest():
    path = default_catalogue_path()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    yield
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def _add(team: Path, *extra: str) -> int:
    return main([*ADD[:2], "--catalogue", str(team), *ADD[2:], *extra])


def _best(index: NarrativeIndex, text: str):
    return index.match([text], k=1)[0][0]


def test_added_narrative_is_matched_after_build(tmp_path, shipped_digest, capsys):
    team = tmp_path / "team.jsonl"
    before = _best(NarrativeIndex.from_catalogue(), REWORDED)
    assert not (before.matched and before.narrative_id == "local-001")
    assert _add(team) == 0
    entry = json.loads(team.read_text(encoding="utf-8"))
    assert entry["id"] == "local-001" and len(entry["variants"]) == 3
    assert entry["rebuttal"]["en"] == entry["rebuttal"]["vi"]
    out = tmp_path / "index.skops"
    code = main(["narratives", "build", "--catalogue", str(team), "-o", str(out),
                 "--data-dir", str(tmp_path / "none")])
    assert code == 0 and "similarity threshold" in capsys.readouterr().err
    after = _best(load_index(out), REWORDED)
    assert after.narrative_id == "local-001" and after.matched
    assert main(["narratives", "validate", str(team)]) == 0


@pytest.mark.parametrize(("flags", "field"), [
    (["--source", "not-a-url"], "'url'"),
    (["--source-date", "2024-13-40"], "'date'"),
    (["--source-date", "2024-02-30"], "'date' must be a real date YYYY, YYYY-MM or YYYY-MM-DD"),
    (["--source-date", "2999-01-01"], "'date' must not be in the future"),
    (["--first-seen", "yesterday"], "'first_seen'"),
    (["--first-seen", "2023-02-29"], "'first_seen' must be a real date"),
    (["--first-seen", "2999"], "'first_seen' must not be in the future (today is "),
    (["--id", "bad id!"], "'id'"),
], ids=["url", "source-date", "source-date-feb-30", "source-date-future", "first-seen",
        "first-seen-feb-29", "first-seen-future", "id"])
def test_bad_field_is_named_and_nothing_written(tmp_path, flags, field, capsys):
    team = tmp_path / "team.jsonl"
    assert _add(team, *flags) == 1
    err = capsys.readouterr().err
    assert field in err and "new entry 1" in err and "nothing added" in err
    assert not team.exists()


def test_missing_option_is_a_usage_error(tmp_path, capsys):
    assert main(["narratives", "add", "--catalogue", str(tmp_path / "t.jsonl"),
                 "--id", "local-9"]) == 2
    assert "--claim" in capsys.readouterr().err


def test_validate_names_file_and_line(tmp_path, capsys):
    team = tmp_path / "team.jsonl"
    good = new_entry(id="local-1", claim=CLAIM, rebuttal_vi="Sai.",
                     source_url="https://example.org/a", category="health")
    bad = dict(good, id="local-2", verdict="true")
    team.write_text(json.dumps(good, ensure_ascii=False) + "\n" + json.dumps(bad) + "\n",
                    encoding="utf-8")
    assert main(["narratives", "validate", str(team)]) == 1
    assert "team.jsonl line 2 (id 'local-2'): field 'verdict'" in capsys.readouterr().err
    with pytest.raises(CatalogueError, match="fix the team catalogue first"):
        add_narratives(team, [dict(good, id="local-3")])


def test_shipped_catalogue_is_refused(shipped_digest, capsys):
    assert _add(default_catalogue_path()) == 1
    assert "shipped catalogue, which is never written" in capsys.readouterr().err


def test_validate_reads_the_shipped_catalogue_alone_and_names_a_copy(tmp_path, capsys):
    # the shipped file itself: checked on its own, not against itself (72 duplicate ids)
    assert main(["narratives", "validate", str(default_catalogue_path())]) == 0
    err = capsys.readouterr().err
    assert "duplicate id" not in err and "checked on its own" in err
    copy = tmp_path / "catalogue.jsonl"
    lines = default_catalogue_path().read_text(encoding="utf-8").splitlines()
    copy.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    assert main(["narratives", "validate", str(copy)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("duplicate id") == 3 and "a copy of it?" in err
    assert _add(team := tmp_path / "team.jsonl") == 0  # one own entry, one copied: no hint
    with team.open("a", encoding="utf-8") as out:
        out.write(lines[0] + "\n")
    assert main(["narratives", "validate", str(team)]) == 1
    err = capsys.readouterr().err
    assert err.count("duplicate id") == 1 and "a copy of it?" not in err


@pytest.mark.parametrize("nid", ["health-001", "local-001"], ids=["shipped-id", "team-id"])
def test_duplicate_id_is_refused(tmp_path, nid, capsys):
    team = tmp_path / "team.jsonl"
    assert _add(team) == 0
    size = team.stat().st_size
    assert _add(team, "--id", nid) == 1
    assert "field 'id' is already used" in capsys.readouterr().err
    assert team.stat().st_size == size


def _reviewed(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = ["text", "verdict", "narrative_id", "note", "claim", "rebuttal_vi",
               "source_url", "category"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows([{c: r.get(c, "") for c in columns} for r in rows])
    return path


NEW = {"text": REWORDED, "verdict": "Misinformation", "narrative_id": "local-042",
       "claim": CLAIM, "rebuttal_vi": "Không có bằng chứng nào.",
       "source_url": "https://example.org/b", "category": "health"}


def test_from_reviewed_adds_new_findings(tmp_path, shipped_digest, capsys):
    reviewed = _reviewed(tmp_path / "reviewed.csv", [
        {"text": "Tin khác", "verdict": "Misinformation", "narrative_id": "health-001"},
        {"text": "Tin thường", "verdict": "reliable"},
        NEW,
        dict(NEW, narrative_id="local-043", rebuttal_vi=""),
    ])
    team = tmp_path / "team.jsonl"
    args = ["narratives", "add", "--catalogue", str(team), "--from-reviewed", str(reviewed)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "reviewed.csv line 5 (id 'local-043'): missing column(s) rebuttal_vi" in err
    assert not team.exists()
    assert main([*args, "--skip-invalid"]) == 0
    entries = [json.loads(line) for line in team.read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in entries] == ["local-042"]
    assert entries[0]["variants"][0] == REWORDED and entries[0]["verdict"] == "false"
    again, _, problems = entries_from_reviewed(reviewed, team)
    assert again == [] and len(problems) == 1  # local-042 is known now


def test_from_reviewed_reads_a_formula_cell_without_the_quote_the_queue_wrote(tmp_path):
    """A variant '=... (written so for a spreadsheet) kept the ' in the catalogue."""
    reviewed = _reviewed(tmp_path / "reviewed.csv", [dict(NEW, text="'=" + REWORDED)])
    entries, _, problems = entries_from_reviewed(reviewed, tmp_path / "team.jsonl")
    assert problems == [] and entries[0]["variants"][0] == "=" + REWORDED


def test_score_with_team_narratives(tmp_path, capsys):
    team = tmp_path / "team.jsonl"
    assert _add(team) == 0
    posts = tmp_path / "posts.csv"
    with open(posts, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "text"], ["1", REWORDED], ["2", "Hà Nội nắng nhẹ"]])
    scored = tmp_path / "scored.csv"
    assert main(["score", str(posts), "-o", str(scored), "--workers", "1", "-q",
                 "--narratives", str(team)]) == 0
    with open(scored, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    column = next(c for c in rows[0] if c.endswith("narrative_id"))
    assert rows[0][column] == "local-001"
    assert rows[1][column] != "local-001"
    # vnm_model names the catalogue the rows were matched against, not the model's alone
    digest = hashlib.sha256(team.read_bytes()).hexdigest()
    assert rows[0]["vnm_model"].endswith(f" + narratives team.jsonl sha256:{digest}")
    capsys.readouterr()
    assert main(["score", str(posts), "-o", str(tmp_path / "d"), "--engine", "dask",
                 "--narratives", str(team)]) == 2
    assert "--narratives is not supported with --engine dask" in capsys.readouterr().err


def test_team_index_from_jsonl(tmp_path):
    team = tmp_path / "team.jsonl"
    fields = {"id": "local-7", "claim": CLAIM, "rebuttal_vi": "Sai.",
              "source_url": "https://example.org/c", "category": "health"}
    with pytest.raises(CatalogueError, match="field 'variants' needs at least 3"):
        add_narratives(team, [new_entry(**fields)])  # the claim gives two forms only
    add_narratives(team, [new_entry(**fields, variants=[REWORDED])])
    index = team_index(team)
    assert "local-7" in {n["id"] for n in index.narratives_}
    assert team_index(index) is index
