"""The programmes component: definitions, trigger names, compounds, gazetteer, exclusions, resolution."""

from __future__ import annotations

import re
import time

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

import kommunnlp
from kommunnlp.components.programmes import (
    _LONG_FORM_BARRIER,
    _LOOSE,
    _SKELETON,
    ProgrammeRecognizer,
    _fit,
    _in_order,
    _loose,
    _skeleton_of_folded,
)
from kommunnlp.text import fold


@pytest.fixture(scope="module")
def recognizer() -> ProgrammeRecognizer:
    return ProgrammeRecognizer(spacy.blank("sv"), "kommunnlp_programmes", spans_key="programmes")


def triples(mentions: list[dict]) -> list[tuple[str, str, str | None]]:
    return [(m["text"], m["name"], m["acronym"]) for m in mentions]


MVP = "Mentorer i våldsprevention"
SSP_OCR = "samverkan mellan socialtjanst, skola och polis"
STIS = "Stärkt tidigt stöd i samverkan"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Acronym definitions; a later acronym resolves to the long form.
        (
            "Skolan deltar i Mentorer i våldsprevention (MVP) sedan 2017. MVP når alla elever.",
            [(MVP, MVP, "MVP"), ("MVP", MVP, "MVP"), ("MVP", MVP, "MVP")],
        ),
        # A trigger word introduces the name: a word that ends unit names (hem, team) does not
        # reject it, and an adverb after the name is no part of it.
        (
            "Vi driver projektet Trygga vägar hem (TVH) tillsammans med skolan. TVH utvärderas.",
            [
                ("Trygga vägar hem", "Trygga vägar hem", "TVH"),
                ("TVH", "Trygga vägar hem", "TVH"),
                ("TVH", "Trygga vägar hem", "TVH"),
            ],
        ),
        (
            "Vi driver projektet Trygga vägar hem tillsammans med skolan.",
            [("Trygga vägar hem", "Trygga vägar hem", None)],
        ),
        # The reverse order, ``ACR (long form)``.
        (
            "Utredningen görs med ASI (Addiction Severity Index) och SIG (sociala insatsgrupper).",
            [
                ("ASI", "Addiction Severity Index", "ASI"),
                ("Addiction Severity Index", "Addiction Severity Index", "ASI"),
                ("SIG", "sociala insatsgrupper", "SIG"),
                ("sociala insatsgrupper", "sociala insatsgrupper", "SIG"),
            ],
        ),
        # An acronym used before its definition takes the same long form.
        (
            "Arbetet med STIS fortsätter. Förvaltningen driver projektet\n\n"
            "Stärkt tidigt stöd i samverkan (STIS) som är ett familjearbete.",
            [("STIS", STIS, "STIS"), (STIS, STIS, "STIS"), ("STIS", STIS, "STIS")],
        ),
        # OCR'd seed forms: lost diacritics, a line break before the acronym, I read as 1.
        (
            "I omradet pagar samverkan mellan socialtjanst, skola och polis\n(SSP). Dessutom",
            [(SSP_OCR, SSP_OCR, "SSP"), ("SSP", SSP_OCR, "SSP")],
        ),
        (
            "arbetet sker genom sociala insatsgrupper\n(SIG) for unga. SIG vuxna",
            [
                ("sociala insatsgrupper", "sociala insatsgrupper", "SIG"),
                ("SIG", "sociala insatsgrupper", "SIG"),
                ("SIG", "sociala insatsgrupper", "SIG"),
            ],
        ),
        (
            "i stadsdelen anvands sociala insatsgrupper (S1G) sedan 2015",
            [
                ("sociala insatsgrupper", "sociala insatsgrupper", "SIG"),
                ("S1G", "sociala insatsgrupper", "SIG"),
            ],
        ),
        (
            "| mars 2021 startade projektet Trefas — forstarkt samverkan i omradet.",
            [("Trefas", "Trefas", None)],
        ),
        (
            "Skolorna inférde det valdsférebyggande programmet\nMentorer i Valdsprevention (MVP) i host.",
            [
                ("Mentorer i Valdsprevention", "Mentorer i Valdsprevention", "MVP"),
                ("MVP", "Mentorer i Valdsprevention", "MVP"),
            ],
        ),
        # A lower-case long form backed by a trigger word.
        (
            "Inom projektet tidiga och samordnade insatser (TSI) samverkar skola och socialtjänst.",
            [
                ("tidiga och samordnade insatser", "tidiga och samordnade insatser", "TSI"),
                ("TSI", "tidiga och samordnade insatser", "TSI"),
            ],
        ),
        # Names after trigger words: capitalised, quoted, over a line break, with a qualifier.
        (
            "9 Medel för projektet Barnens Torg - tredje året",
            [("Barnens Torg", "Barnens Torg", None)],
        ),
        (
            '7 Slutrapport från projekt "Äldre i gemenskap"',
            [("Äldre i gemenskap", "Äldre i gemenskap", None)],
        ),
        (
            "Ansökan om medel till projektet Norden som\nmarknad\nAnsökan om bidrag",
            [("Norden som\nmarknad", "Norden som marknad", None)],
        ),
        ("Nämnden följer upp metoden Lilla Hjärtat i förskolan.", [("Lilla Hjärtat", "Lilla Hjärtat", None)]),
        ("Projektet Kulturkraft startade 2019 i tre stadsdelar.", [("Kulturkraft", "Kulturkraft", None)]),
        ("Kommunen stöttar projektet Nova bioeconomy etablering.", [("Nova bioeconomy etablering",) * 2 + (None,)]),
        # Capitalised compounds ending in a programme word.
        (
            "Avgifterna ingår i Göteborgsförsöket under hösten.",
            [("Göteborgsförsöket", "Göteborgsförsöket", None)],
        ),
        ("4 Yttrande över Vision Kista 2040 (Kistalyftet)", [("Kistalyftet", "Kistalyftet", None)]),
        ("12 Malmömodellen - rapport", [("Malmömodellen", "Malmömodellen", None)]),
        # A compound of a name found elsewhere is that programme; ``EU-projektet`` is no name.
        (
            "Skolan deltar i Mentorer i våldsprevention (MVP). Sedan dess når MVP-projektet alla klasser.",
            [(MVP, MVP, "MVP"), ("MVP", MVP, "MVP"), ("MVP", MVP, "MVP")],
        ),
        ("Utvärdering av Barnahusmodellen och EU-projektet i Lund.", [("Barnahusmodellen", "Barnahus", None)]),
        # Gazetteer: names, acronyms, upper case, inflection, OCR damage.
        ("Inom förvaltningen finns också Barnahus som är en trygg miljö.", [("Barnahus", "Barnahus", None)]),
        ("Barnahuset i Lund tar emot barn.", [("Barnahus", "Barnahus", None)]),
        ("5 TEMA-BBIC\n6 Delegationsbeslut", [("BBIC", "BBIC", "BBIC")]),
        (
            "12. VÅGA VISA Rapport Ekskolan 13. VÅGA VISA enkät",
            [("VÅGA VISA", "Våga Visa", None)] * 2,
        ),
        ("Remiss om V&stbus riktlinjer", [("V&stbus", "Västbus", None)]),
        ("Socialtjänsten arbetar med BBlC och SlG.", [("BBlC", "BBIC", "BBIC"), ("SlG", "SIG", "SIG")]),
        (
            "6 Dnr 00123/2019 Plan för Heltid som norm... 4",
            [("Heltid som norm", "Heltid som norm", None)],
        ),
        # An apposition that calls the name a method or instrument.
        ("8 Kompassen – ett instrument för bedömning av behov", [("Kompassen", "Kompassen", None)]),
    ],
)
def test_programmes_finds(recognizer: ProgrammeRecognizer, text: str, expected: list[tuple]) -> None:
    mentions = recognizer.find(text)
    assert triples(mentions) == expected
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]


@pytest.mark.parametrize(
    "text",
    [
        # Authorities, laws, units, councils, unions, services: defined with acronyms, not programmes.
        "Ärendet har remitterats till Inspektionen för vård och omsorg (IVO).",
        "Insatser enligt lag om stöd och service till vissa funktionshindrade, LSS, och SoL.",
        "Beslut enligt lag om stöd och service till vissa funktionshindrade (LSS) fattas.",
        "Socialförvaltningen (SOF) har tagit fram en handlingsplan.",
        "Barn- och ungdomsnämnden (BUN) föreslår kommunstyrelsen (KS) att besluta.",
        "Kostnaden för ekonomiskt bistånd (EB) ökade under året.",
        "Eva Berg Lärarnas riksförbund (LR) deltog.",
        "Europeiska socialfonden (ESF) finansierar delar av arbetet.",
        "Sveriges Kommuner och Regioner (SKR) har yttrat sig.",
        "Ett skolsocialt team (SST) har inrättats i området.",
        "Ärendet gäller KS (kommunstyrelsen) och IVO (Inspektionen för vård och omsorg).",
        "Förvaltningen redovisar utfallet av Medarbetarenkäten (MEK) för 2019.",
        # Lower-case long forms without support, one word fitting two letters.
        "Arbetet med barn och unga (BoU) fortsätter.",
        "Internkontroll (IK) ska genomföras varje år.",
        # Party codes, local parties, dnr, page markers, file links.
        "Anna Svensson (S), Kim Berg (SD), Stig Dahlberg (SD) och Ola Bo (BP) deltog.",
        "Remiss från kommunstyrelsen (KS 2020/123) och (TEF/2021:45)",
        "Sida 1 (3) Sammanträdesprotokoll 2 (11)",
        "Ärendedokument\nLäs dokument (PDF)",
        # Triggers without a proper name, generic compounds, generic models.
        "Projektet handlar om riktad samverkan. I projektet deltar tre skolor.",
        "Utvecklingsprojektet avslutas i juni. Modellen ska utvärderas.",
        "Budgeten fördelas enligt Resursfördelningsmodellen i bilaga 2.",
        "Botkyrka kommuns modell lyfts fram som ett exempel.",
        "Information om projektet av integrationsstrateg Anna Berg.",
        "RAPPORT OM KULTURPROJEKTET",
        "PROJEKTET BESLUTAR OM FORTSATT ARBETE",
        "Projekt Kommunens nya webbplats och Nämndens Trygghetsprogram (NTP).",
        "Bilaga 1 – en modell för resursfördelning",
        # A single-word gazetteer name in lower case is a common noun.
        "Kommunen vill inrätta ett barnahus tillsammans med grannkommunerna.",
    ],
)
def test_programmes_excludes(recognizer: ProgrammeRecognizer, text: str) -> None:
    assert recognizer.find(text) == []


@pytest.mark.parametrize(
    ("acronym", "long_form", "start"),
    [
        ("ssp", "pagar samverkan mellan socialtjanst skola och polis", 1),
        ("stis", "socialforvaltningen projektet starkt tidigt stod i samverkan", 2),
        ("rvcvast", "relationsvaldscentrum vasterort", 0),
        ("mvp", "kallat mentorer i valdsprevention", 1),
        ("sig", "med sociala insatsgrupper", 1),
        ("ivo", "inspektionen for vard och omsorg", 0),
        ("xyz", "mentorer i valdsprevention", None),
        ("sd", "reservation kim fredriksson", None),
    ],
)
def test_programmes_acronym_fit(acronym: str, long_form: str, start: int | None) -> None:
    function_words = {"i", "for", "och", "mellan", "med"}
    assert _fit(list(acronym), long_form.split(), function_words) == start


def _plain_fit(letters: list[str], words: list[str], function_words: set[str]) -> int | None:
    """``_fit`` as first written: the alignment table filled position by position."""
    s = " ".join(words)
    n, m = len(s), len(letters)
    initial = [i == 0 or s[i - 1] == " " for i in range(n)]
    last_start = n - len(words[-1])
    neg = -(10**6)
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    best[m] = [0] * (n + 1)
    for j in range(m - 1, 0, -1):
        row, nxt, ch, floor = best[j], best[j + 1], letters[j], last_start if j == m - 1 else 0
        for p in range(n - 1, -1, -1):
            row[p] = row[p + 1]
            if s[p] == ch and p >= floor and nxt[p + 1] > neg:
                row[p] = max(row[p], int(initial[p]) + nxt[p + 1])
    choice, choice_score = None, neg
    pos = 0
    for k, w in enumerate(words):
        if w[:1] == letters[0] and best[1][pos + 1] > neg:
            score = 1 + best[1][pos + 1]
            if score > choice_score:
                hits, p = [pos], pos + 1
                for j in range(1, m):
                    target, floor = best[j][p], last_start if j == m - 1 else 0
                    while p < n and not (
                        s[p] == letters[j] and p >= floor and int(initial[p]) + best[j + 1][p + 1] == target
                    ):
                        p += 1
                    hits.append(p)
                    p += 1
                uncovered, at = 0, pos
                for word in s[pos:].split(" "):
                    if word not in function_words and not any(at <= h < at + len(word) for h in hits):
                        uncovered += 1
                    at += len(word) + 1
                if uncovered <= 1:
                    choice, choice_score = k, score
        pos += len(w) + 1
    return choice


@settings(max_examples=500, deadline=None)
@given(
    letters=st.lists(st.sampled_from("abcdeiorst"), min_size=1, max_size=6),
    words=st.lists(st.text(alphabet="abcdeiorst", min_size=1, max_size=8), min_size=1, max_size=7),
)
def test_programmes_fit_equals_the_plain_table(letters: list[str], words: list[str]) -> None:
    # The table is filled between the letter's places, not at every position: same choice; and a
    # fit of two letters or more needs them in order, the last in the last word (the pre-check).
    function_words = {"och", "i", "for"}
    choice = _fit(letters, words, function_words)
    assert choice == _plain_fit(letters, words, function_words)
    s = " ".join(words)
    if choice is not None and len(letters) >= 2:  # acronyms have two letters or more
        assert _in_order(s, letters, 0, len(s) - len(words[-1]), len(s))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list(".!?:;()[] \t\n-–—ab\u00a0")) | st.characters(), max_size=40))
def test_programmes_barrier_and_skeleton_by_bytes(text: str) -> None:
    # One leading class for the barrier; byte tables for the skeleton and the loose view.
    plain = re.compile(r"[.!?:;]\s|[()\[\]]|\s[-–—]\s")
    assert [m.span() for m in _LONG_FORM_BARRIER.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert _skeleton_of_folded(fold(text)) == fold(text).translate(_SKELETON)
    assert _loose(text) == fold(text).translate(_LOOSE)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01(SIG)\x00projektet \x00Trefas\x07",
        "项目 Barnahus (ПРОЕКТ) مشروع projektet Ω (ΩΩ)",
        "((((((((((((((((((",
        ")" * 50 + "(" * 50,
        "projektet",
        "Projektet Xx (XX",
        "(A)",
        "x (SIG)",
        "projektet " + "A" * 5000,
    ],
)
def test_programmes_never_raises(recognizer: ProgrammeRecognizer, text: str) -> None:
    for m in recognizer.find(text):
        assert text[m["start"] : m["end"]] == m["text"]


def test_programmes_five_megabytes(recognizer: ProgrammeRecognizer) -> None:
    prose = "Nämnden godkänner rapporten och lägger den till handlingarna (bilaga 2). " * 5
    unit = prose + "Förvaltningen driver projektet Trefas med Sociala insatsgrupper (SIG) och polisen.\n"
    text = unit * (5_000_000 // len(unit))
    mentions = recognizer.find(text)
    assert len(mentions) == 3 * (len(text) // len(unit))
    assert {m["name"] for m in mentions} == {"Trefas", "Sociala insatsgrupper"}


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list('aAöÖsSiI|1 ()\n-–"projektmdlnSIGBVÅ')) | st.characters(),
        max_size=300,
    )
)
def test_programmes_offsets_property(recognizer: ProgrammeRecognizer, text: str) -> None:
    for m in recognizer.find(text):
        assert text[m["start"] : m["end"]] == m["text"]
        assert m["name"]


def _best_time(recognizer: ProgrammeRecognizer, text: str, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        recognizer.find(text)
        best = min(best, time.perf_counter() - t0)
    return best


@pytest.mark.parametrize("fragment", ["Projektet Xx (XX) ", "(", "a (ABCDEFGH) ", "Stockholmsmodellen "])
def test_programmes_linear_time(recognizer: ProgrammeRecognizer, fragment: str) -> None:
    small = _best_time(recognizer, fragment * 10_000, runs=3)
    large = _best_time(recognizer, fragment * 100_000, runs=1)
    # Ten times the text: linear is ~10x; a backtracking pattern would be ~100x. The margin is for
    # a shared, noisy machine.
    assert large < 40 * max(small, 0.005)


def test_programmes_data_files_drive_the_gazetteer(recognizer: ProgrammeRecognizer) -> None:
    custom = ProgrammeRecognizer(spacy.blank("sv"), "p", spans_key="programmes")
    text = "Skolan arbetar med Glada Ugglan i alla klasser."
    assert custom.find(text) == []
    entries = [*custom.data["gazetteer"]["entries"], {"name": "Glada Ugglan"}]
    custom.initialize(data={"gazetteer": {"entries": entries}})
    assert triples(custom.find(text)) == [("Glada Ugglan", "Glada Ugglan", None)]


def test_programmes_serialisation_round_trip(recognizer: ProgrammeRecognizer, tmp_path) -> None:
    text = "Projektet Barnfrid och Mentorer i våldsprevention (MVP) samt Barnahus. MVP fortsätter."
    expected = recognizer.find(text)
    from_bytes = ProgrammeRecognizer(spacy.blank("sv"), "p", spans_key="programmes")
    from_bytes.initialize(data={"gazetteer": {"entries": []}})
    from_bytes.from_bytes(recognizer.to_bytes())
    assert from_bytes.find(text) == expected
    recognizer.to_disk(tmp_path / "programmes")
    from_disk = ProgrammeRecognizer(spacy.blank("sv"), "p", spans_key="programmes")
    from_disk.initialize(data={"gazetteer": {"entries": []}})
    from_disk.from_disk(tmp_path / "programmes")
    assert from_disk.find(text) == expected


def test_programmes_in_the_record() -> None:
    record = kommunnlp.extract("Vi driver Sociala insatsgrupper (SIG) med polisen. SIG har gett resultat.")
    assert [(p.text, p.name, p.acronym) for p in record.programmes] == [
        ("Sociala insatsgrupper", "Sociala insatsgrupper", "SIG"),
        ("SIG", "Sociala insatsgrupper", "SIG"),
        ("SIG", "Sociala insatsgrupper", "SIG"),
    ]


def test_programmes_occurrences_of_surfaces_sharing_a_key_do_not_depend_on_set_order() -> None:
    from kommunnlp.components.programmes import _occurrences, _skeleton_of_folded
    from kommunnlp.text import fold

    text = "Projektet Trefas startar. Inom trefas ges stöd. Trefas utvärderas."
    skel = _skeleton_of_folded(fold(text))
    for surfaces in ({"Trefas", "trefas"}, {"trefas", "Trefas"}):
        starts = sorted(f.start for f in _occurrences(text, skel, surfaces))
        # Either surface's occurrences are accepted: the lower-case one too.
        assert starts == [text.index("Trefas"), text.index("trefas"), text.rindex("Trefas")]
