"""``kommunnlp.evaluation`` and ``kommunnlp evaluate``: the guidelines' matching rules, equal to the
reference scorer (../shared/tools/score.py) where it is present."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kommunnlp.cli import _register, app
from kommunnlp.evaluation import (
    TYPES,
    GoldItem,
    clause_key,
    dnr_key,
    evaluate,
    gold_items,
    match,
    match_fold,
    parse_gold_line,
    predicted_keys,
    read_gold,
    same_affiliation,
    same_exact,
    same_fuzzy,
    same_programme,
    score_document,
)

from .conftest import SHARED, corpus_files

SCORER = SHARED / "tools" / "score.py"
EMPTY_GOLD = {t: [] for t in TYPES}


def _gold_line(doc_id: str = "d1", text: str = "Dnr KS 2019/12", **gold: list) -> str:
    return json.dumps({"id": doc_id, "text": text, "gold": {**EMPTY_GOLD, **gold}}, ensure_ascii=False)


def _needs_reference() -> list[Path]:
    files = corpus_files()
    if not SCORER.is_file() or not files:
        pytest.skip(f"../shared is absent (no {SCORER} or no corpus): nothing to compare with")
    return files


def _reference_module():
    spec = importlib.util.spec_from_file_location("reference_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KS 2019/1899", "KS20191899"),
        ("KS 2019:1899", "KS20191899"),
        ("ks2019-1899", "KS20191899"),
        ("Dnr: KS 2019/1899", "KS20191899"),
        ("Diarienummer SÄN/2012:3", "SAN20123"),
        ("Vårt dnr 2016/KS 0065 001", "2016KS0065001"),
        ("Ärendenummer  BUN 2021/45-600", "BUN202145600"),
    ],
)
def test_evaluate_dnr_key(text: str, expected: str) -> None:
    assert dnr_key(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. Godkänna  rapporten.", "godkanna rapporten"),
        ("2) Ärendet anses besvarat;", "arendet anses besvarat"),
        ("- Uppdraget avslutas", "uppdraget avslutas"),
        ("att godkänna avtalet", "godkanna avtalet"),
        ("Socialnämnden föreslås besluta att godkänna avtalet", "godkanna avtalet"),
        ("Kommunfullmäktige beslutar att\nanta planen.", "anta planen"),
        ("Nämnden beslutar fastställa budgeten", "faststalla budgeten"),
        ("Kommunstyrelsen föreslår kommunfullmäktige besluta att anta taxan", "anta taxan"),
    ],
)
def test_evaluate_clause_key(text: str, expected: str) -> None:
    assert clause_key(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  Åsa  Öberg\n", "asa oberg"), ("Mentorer i VÅLDSPREVENTION", "mentorer i valdsprevention"), (None, "")],
)
def test_evaluate_match_fold(text: str | None, expected: str) -> None:
    assert match_fold(text) == expected


# ---- similarity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pred", "gold", "matches"),
    [
        (("mentorer i valdsprevention", "mvp"), ("mentorer i valdsprevention", "mvp"), True),
        (("mvp",), ("mentorer i valdsprevention", "mvp"), True),  # acronym alone
        (("mentorer i valdspreventlon",), ("mentorer i valdsprevention",), True),  # OCR damage
        (("komet i forskolan",), ("komet",), True),  # trailing qualifier
        (("trefas",), ("barnahus",), False),
        (("ssp",), ("ssp i skolan",), False),  # too short for the qualifier rule
    ],
)
def test_evaluate_same_programme(pred: tuple, gold: tuple, matches: bool) -> None:
    assert (same_programme(pred, gold) > 0) is matches


@pytest.mark.parametrize(
    ("pred", "gold", "matches"),
    [
        (("anita mattsson", "s"), ("anita mattsson", "s"), True),
        (("anita matsson", "s"), ("anita mattsson", "s"), True),
        (("anita mattsson", "m"), ("anita mattsson", "s"), False),
        (("lars berg", "s"), ("anita mattsson", "s"), False),
    ],
)
def test_evaluate_same_affiliation(pred: tuple, gold: tuple, matches: bool) -> None:
    assert (same_affiliation(pred, gold) > 0) is matches


@pytest.mark.parametrize(
    ("pred", "gold", "expected"),
    [
        ([], [GoldItem("a"), GoldItem("b", optional=True)], (0, 0, 1)),
        (["a", "b"], [GoldItem("a"), GoldItem("b", optional=True)], (1, 0, 0)),  # optional: neither way
        (["a", "a"], [GoldItem("a")], (1, 1, 0)),  # one-to-one
        (["c"], [GoldItem("a")], (0, 1, 1)),
    ],
)
def test_evaluate_match_counts(pred: list, gold: list[GoldItem], expected: tuple[int, int, int]) -> None:
    res = match(pred, gold, same_exact)
    assert (res.counts.tp, res.counts.fp, res.counts.fn) == expected
    assert len(res.spurious) == res.counts.fp
    assert len(res.missed) == res.counts.fn


def test_evaluate_match_takes_best_unused() -> None:
    # The closer gold clause is taken, so the other stays free for the next prediction.
    gold = [GoldItem("godkanna avtalet om skolskjuts"), GoldItem("godkanna avtalet om skolmat")]
    res = match(["godkanna avtalet om skolmat", "godkanna avtalet om skolskjuts"], gold, same_fuzzy(85))
    assert (res.counts.tp, res.counts.fp, res.counts.fn) == (2, 0, 0)


def test_evaluate_gold_sets_deduplicate_dnr_and_dates() -> None:
    items = gold_items(
        {
            **EMPTY_GOLD,
            "dnr": [{"text": "KS 2019/1899"}, {"text": "KS 2019:1899", "optional": True}],
            "dates": [{"text": "1 juli 2023", "value": "2023-07-01"}, {"text": "2023-07-01", "value": "2023-07-01"}],
            "parties": ["S", {"party": "NP", "optional": True}],
        }
    )
    assert items["dnr"] == [GoldItem("KS20191899", False)]
    assert items["dates"] == [GoldItem("2023-07-01", False)]
    assert items["parties"] == [GoldItem("s", False), GoldItem("np", True)]


def test_evaluate_predicted_keys_from_record() -> None:
    record = {
        "dnr": [{"text": "KS 2019:1899", "normalized": "KS 2019/1899"}, {"text": "ks 2019/1899", "normalized": ""}],
        "beslutssatser": [{"text": "1. Att godkänna avtalet."}],
        "parties": [{"party": "S", "person": "Åsa Öberg"}, {"party": "M", "person": None}],
        "dates": [{"value": "2023-07-01"}, {"value": "2023-07-01"}],
        "programmes": [
            {"name": "Mentorer i våldsprevention", "acronym": "MVP", "text": "MVP"},
            {"name": "Mentorer i våldsprevention", "acronym": None, "text": "Mentorer i våldsprevention"},
        ],
    }
    assert predicted_keys(record) == {
        "dnr": ["KS20191899"],
        "beslutssatser": ["godkanna avtalet"],
        "parties": ["m", "s"],
        "affiliations": [("asa oberg", "s")],
        "dates": ["2023-07-01"],
        "programmes": [("mentorer i valdsprevention", "mvp", "mvp")],
    }


# ---- gold files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": "d1", "text": ', "invalid JSON"),
        ('["not", "an", "object"]', "Input should be a valid dictionary"),
        ('{"id": "d1", "gold": {}}', "text: Field required"),
        (json.dumps({"id": "d1", "text": "t", "gold": {"dnr": []}}), "gold.beslutssatser: Field required"),
        (_gold_line(dnr=[{"txt": "KS 2019/1"}]), "gold.dnr.0.text: Field required"),
        (_gold_line(dates=[{"text": "1 juli"}]), "gold.dates.0.value: Field required"),
    ],
)
def test_evaluate_bad_gold_line_reason(line: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_gold_line(line)


def test_evaluate_bad_gold_lines_reported_and_skipped(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    good = _gold_line("good", dnr=[{"text": "KS 2019/12"}])
    gold.write_text("\n".join([good, "{broken", "", _gold_line("nofields").replace('"dnr": [], ', "")]) + "\n")
    docs, bad = read_gold([gold])
    assert [d.id for d in docs] == ["good"]
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [(2, "invalid JSON"), (4, "gold.dnr")]
    assert all(b.path == str(gold) for b in bad)


def test_evaluate_crash_scores_as_nothing_found() -> None:
    doc = parse_gold_line(_gold_line(dnr=[{"text": "KS 2019/12"}]))

    def broken(text: str) -> dict:
        raise RuntimeError("boom")

    result = evaluate([doc], broken)
    assert result.crashed == 1
    assert result.documents[0].error == "RuntimeError: boom"
    assert (result.counts["dnr"].tp, result.counts["dnr"].fn) == (0, 1)


def test_evaluate_score_document_misses_and_spurious() -> None:
    doc = parse_gold_line(_gold_line(dnr=[{"text": "KS 2019/12"}, {"text": "KS 2019/13"}], parties=["S"]))
    score = score_document({"dnr": [{"text": "KS 2019/12"}, {"text": "BUN 2020/1"}], "parties": []}, doc)
    assert score.results["dnr"].missed == ["KS201913"]
    assert score.results["dnr"].spurious == ["BUN20201"]
    assert score.results["parties"].missed == ["s"]


# ---- the command ------------------------------------------------------------------------------


def test_evaluate_cli_table_json_and_skipped_lines(tmp_path: Path) -> None:
    _register()
    gold = tmp_path / "gold.jsonl"
    text = "Ärende Dnr KS 2019/12 behandlades."
    gold.write_text(_gold_line("g1", text, dnr=[{"text": "KS 2019/12"}]) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "figures.json"
    res = CliRunner().invoke(app, ["evaluate", str(gold), "--details", "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert f"{gold}:2: invalid JSON" in res.output
    assert "beslutssatser" in res.output and "F1" in res.output
    figures = json.loads(out.read_text())
    assert figures["documents"] == 1
    assert set(figures["types"]) == set(TYPES)
    assert figures["bad_lines"][0]["line"] == 2
    dnr = figures["types"]["dnr"]
    assert dnr["tp"] + dnr["fn"] == 1


def test_evaluate_cli_no_usable_gold_exits_1(tmp_path: Path) -> None:
    _register()
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{}\n")
    res = CliRunner().invoke(app, ["evaluate", str(gold)])
    assert res.exit_code == 1


# ---- equality with the reference scorer -------------------------------------------------------


def _perturbed_record(gold: dict, rng: random.Random) -> dict:
    """A plausible prediction made from gold: variant spellings, some items dropped, some invented."""

    def keep() -> bool:
        return rng.random() > 0.25

    def damage(s: str) -> str:
        if len(s) > 8 and rng.random() < 0.4:
            i = rng.randrange(len(s))
            return s[:i] + rng.choice("aoe1|") + s[i + 1 :]
        return s

    rec: dict = {t: [] for t in ("dnr", "beslutssatser", "parties", "dates", "programmes")}
    for x in gold["dnr"]:
        if keep():
            text = x["text"].replace("/", rng.choice(["/", ":", "-"]))
            rec["dnr"].append({"text": text, "normalized": rng.choice([text, ""])})
    rec["dnr"].append({"text": f"KS {rng.randint(1990, 2030)}/{rng.randint(1, 999)}", "normalized": ""})
    for x in gold["beslutssatser"]:
        if keep():
            prefix = rng.choice(["", "1. ", "- ", "att ", "Nämnden beslutar att "])
            rec["beslutssatser"].append({"text": prefix + damage(x["text"])})
    rec["beslutssatser"].append({"text": "Ordföranden finner bifall till förslaget."})
    for x in gold["affiliations"]:
        if keep():
            rec["parties"].append({"party": x["party"], "person": damage(x["person"])})
    for x in gold["parties"]:
        if keep():
            rec["parties"].append({"party": x if isinstance(x, str) else x["party"], "person": None})
    rec["parties"].append({"party": rng.choice(["S", "M", "XP"]), "person": rng.choice([None, "Per Persson"])})
    for x in gold["dates"]:
        if keep():
            rec["dates"].append({"value": x["value"]})
    rec["dates"].append({"value": f"20{rng.randint(10, 30)}-0{rng.randint(1, 9)}"})
    for x in gold["programmes"]:
        if keep():
            name = x.get("name") or x.get("acronym")
            rec["programmes"].append(
                {"name": damage(name) + rng.choice(["", " i skolan"]), "acronym": x.get("acronym"), "text": name}
            )
    rec["programmes"].append({"name": "Trygg i parken", "acronym": None, "text": "Trygg i parken"})
    return rec


def test_evaluate_matching_equals_reference_on_perturbed_gold() -> None:
    files = _needs_reference()
    pytest.importorskip("rapidfuzz")
    ref = _reference_module()
    rng = random.Random(6)
    compared = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            doc = parse_gold_line(line)
            for _ in range(3):
                record = _perturbed_record(raw["gold"], rng)
                ref_gold, ref_pred = ref.gold_sets(raw["gold"]), ref.pred_sets(record)
                mine = score_document(record, doc)
                for t in TYPES:
                    expected = ref.match(ref_pred[t], ref_gold[t], ref.SAME[t])
                    c = mine.results[t].counts
                    assert (c.tp, c.fp, c.fn) == expected, (raw["id"], t)
                    compared += 1
    assert compared > 0


def test_evaluate_figures_equal_reference_scorer(tmp_path: Path) -> None:
    files = _needs_reference()
    ref_json = tmp_path / "reference.json"
    proc = subprocess.run(
        [sys.executable, str(SCORER), "--json", str(ref_json), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    reference = json.loads(ref_json.read_text())

    _register()
    mine_json = tmp_path / "mine.json"
    res = CliRunner().invoke(app, ["evaluate", *map(str, files), "--json", str(mine_json)])
    assert res.exit_code == 0, res.output
    mine = json.loads(mine_json.read_text())

    assert mine["documents"] == reference["documents"]
    assert mine["crashed"] == reference["crashed"]
    for t, ref_counts in reference["types"].items():
        for k in ("tp", "fp", "fn"):
            assert mine["types"][t][k] == ref_counts[k], (t, k)
        for k in ("p", "r", "f1"):
            assert mine["types"][t][k] == pytest.approx(ref_counts[k], abs=5e-4), (t, k)


def test_evaluate_cli_unloadable_model_exits_2(tmp_path: Path) -> None:
    _register()
    gold = tmp_path / "gold.jsonl"
    gold.write_text(_gold_line() + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["evaluate", str(gold), "--model", str(tmp_path / "no-model")])
    assert res.exit_code == 2
    assert "No pipeline found" in res.output
