"""The dnr component: formats, labels, lists of cases, exclusions, OCR damage, bad input, speed."""

from __future__ import annotations

import time

import pytest
import spacy

import kommunnlp
from kommunnlp.components.dnr import DnrRecognizer, normalize_dnr, parse_dnr
from kommunnlp.records import DnrMention


@pytest.fixture(scope="module")
def dnr() -> DnrRecognizer:
    return DnrRecognizer(spacy.blank("sv"), "kommunnlp_dnr", spans_key="dnr")


def texts(found: list[dict]) -> list[str]:
    return [m["text"] for m in found]


def key(ref: str) -> str:
    """The scorer's comparison key: letters and digits, upper-cased, in order."""
    return "".join(ch for ch in ref.upper() if ch.isalnum())


# (text, the references found, as written). Invented lines in the real formats.
FORMATS = [
    ("Remiss från kommunstyrelsen (KS 2018/906)", ["KS 2018/906"]),
    ("Dnr KS 2019:1899 Svar på motion", ["KS 2019:1899"]),
    ("Ärendenummer: SON 2023/273\n\nArbetsutskottets förslag", ["SON 2023/273"]),
    ("Dnr 1.7.1-310/2018\nSida 1 (3)", ["1.7.1-310/2018"]),
    ("remiss från kommunstyrelsen Dnr: 2018:906\n", ["2018:906"]),
    ("Dnr 2016/KS 0065 001 Motion om cykelbanor", ["2016/KS 0065 001"]),
    ("Ärende 2016KSM1221.042 Beslut", ["2016KSM1221.042"]),
    ("Dnr SÄN/2012:3 Bostadsanpassning", ["SÄN/2012:3"]),
    ("Dnr 31/16 Val av ersättare", ["31/16"]),
    ("Delårsrapport 1 (KS/2020:123)\n\nBeslut", ["KS/2020:123"]),
    ("Skolskjuts BUN 2021/45-600 Ärendet", ["BUN 2021/45-600"]),
    ("Dnr 2023/KS 0362 Taxor", ["2023/KS 0362"]),
    ("Kf 131 Dnr KS03/243 739 Motion om införande", ["KS03/243 739"]),
    (
        "PROTOKOLL 3 (18) 38 SBN 2012/101 21 MB 2011-000958 Detaljplan för Kvarnen",
        ["SBN 2012/101 21", "MB 2011-000958"],
    ),
    ("Dnr SN 2015/0014.11.03\nÄrendet utgår.", ["SN 2015/0014.11.03"]),
    ("Sammanträdesdag 2018-03-22 58 Dnr 2017-00427 100 Svar på motion", ["2017-00427 100"]),
    ("Socialnämnden Dnr Son 2015/203, Kst 2015/85 Svar på motion", ["Son 2015/203", "Kst 2015/85"]),
    ("KSAU 1 Informationer Änr KS 2018/9 Kommundirektör", ["KS 2018/9"]),
    ("Ärende 1 Diarienummer KS 2017/0996 Kommunstyrelsen", ["KS 2017/0996"]),
    ("Vårt dnr 2019/45", ["2019/45"]),
    ("Er beteckning 2019:12", ["2019:12"]),
    ("Beteckning: KS 2019/3", ["KS 2019/3"]),
    ("Ärende nr AVN 2014/476 Nämndstatistik", ["AVN 2014/476"]),
    ("Svar på motion (KS 2019/1899 av Anna Berg", ["KS 2019/1899"]),
    ("Investeringsplan, dnr 006/687-2008.", ["006/687-2008"]),
    ("Dnr 07-003/2439\nÄrendedokument", ["07-003/2439"]),
    ("Dnr 287-2010-1.5.2\n", ["287-2010-1.5.2"]),
    ("Dnr 142-2013-1.5.1.\nFörslag till beslut", ["142-2013-1.5.1"]),
    ("Dnr AMN 2012-0167-2.9\nOmedelbar justering", ["AMN 2012-0167-2.9"]),
    ("1 KS.2021.3 - Fastställande av föredragningslista", ["KS.2021.3"]),
    ("4 KS-HR.2021.272 - Information", ["KS-HR.2021.272"]),
    ("Internkontrollplan 2020 SOCN/2020:5 16\n\n10 Verksamhet", ["SOCN/2020:5"]),
    ("§90 Visionsarbetet\n\nDnr SN2004/0096  7\n\nÄrendet", ["SN2004/0096  7"]),
    ("INNEHÅLL 1 Dnr 00010/2018 Aktuella personalfrågor", ["00010/2018"]),
    ("Dnr G 255/81, om parkering", ["G 255/81"]),
    ("Lund, Dnr KS 2016/1193 Kultur- och fritidsnämnden", ["KS 2016/1193"]),
    ("Svar på remiss Ks 2019/123 om taxor", ["Ks 2019/123"]),
    ("Ärende KS 123/2019 om taxor", ["KS 123/2019"]),
    ("Enligt Nr 2019/12 i förteckningen", ["2019/12"]),
]


@pytest.mark.parametrize(("text", "expected"), FORMATS)
def test_dnr_finds_formats(dnr: DnrRecognizer, text: str, expected: list[str]) -> None:
    assert texts(dnr.find(text)) == expected


# A list of cases in a kallelse: bare numbers, and short ones only where a label opened the list.
LISTS = [
    (
        "Punkt Rubrik Ärendenr\nStipendier\nMotion\n2015/12\n2014/1148\n2015/3\n2-3\n4",
        ["2015/12", "2014/1148", "2015/3"],
    ),
    ("Ärenden Dnr nr 1 Avsägelser 1 12/30 69 2 Taxor 11/896 71 3 Avfallsplan 11/935 76", ["12/30", "11/896", "11/935"]),
    ("Bilagor: 12/30 och 11/896 utan etikett", []),
    ("Dnr 12/30 och kostnaden delas 1/3 mot 2/3", ["12/30"]),
]


@pytest.mark.parametrize(("text", "expected"), LISTS)
def test_dnr_lists_of_cases(dnr: DnrRecognizer, text: str, expected: list[str]) -> None:
    assert texts(dnr.find(text)) == expected


# The patterns scan only short windows around cheap triggers; parts of a match far from its
# trigger (long blank runs, a label split over many blanks, long lines) must still count.
WINDOW_EDGES = [
    ("Diarie" + " " * 60 + "nr 12/30 och 11/896", ["12/30", "11/896"]),
    ("Vårt" + " " * 50 + "dnr: . . . . 12/30", ["12/30"]),
    ("Ärendenr" + "." * 40 + " 2019/55", ["2019/55"]),
    ("KS 2019/123" + " " * 100 + "45 ärenden", ["KS 2019/123"]),
    ("KS 2019/123    45\tärenden", ["KS 2019/123    45"]),
    ("x" * 500 + " Dnr KS 2019/123 " + "y" * 500, ["KS 2019/123"]),
    ("Punkt 7" + " " * 300 + "SBN 2012/101 21\n", ["SBN 2012/101 21"]),
]


@pytest.mark.parametrize(("text", "expected"), WINDOW_EDGES)
def test_dnr_window_edges(dnr: DnrRecognizer, text: str, expected: list[str]) -> None:
    assert texts(dnr.find(text)) == expected


NOT_DNR = [
    "enligt SFS 2001:453 och SOU 2017:114",
    "enligt lag (2016:38) om ändring",
    "plan- och bygglagen (2010:900)",
    "förordning (EU) 2016/679 om dataskydd",
    "HSLF-FS 2016:40 och SOSFS 2011:9",
    "prop. 2015/16:45 och läsåret 2019/20 samt 2018/2019",
    "§ 132 KS § 45 SON AU § 132",
    "Protokoll 1(36) Sida 1 (3) sidan 2[42]",
    "Telefon 08-508 43 112 eller 0150-569 90",
    "Postadress 123 45 Stockholm, belopp 1 500 000 kr",
    "Fastigheterna Örja 2:2 och Sturestaden 3:1, Fastighetsbeteckning: Örja 2:2",
    "Sammanträde 2018-11-13 kl 13.00-16.30",
    "Planperioden 2016-2018 och 2019-2022, §§ 12-15",
    "BUDGET 2019-2022 och PLAN 2019/2020, PROTOKOLL 2019-06-18",
    "Dnr KS och Dnr 2015/ALN",
    "Motion (2011:54) av Anna Berg",
    "kostnaden 1/3 och 18/10 2016",
    "VECKA 12/2019 och SFS 1998/808",
]


@pytest.mark.parametrize("text", NOT_DNR)
def test_dnr_not_dnr(dnr: DnrRecognizer, text: str) -> None:
    assert dnr.find(text) == []


# OCR damage as in the scanned seeds: å/ä/ö read as a, o, é, d, i, &, 6; I as | or 1.
OCR = [
    ("Remiss fran kommunstyrelsen Dnr: 2018:906", ["2018:906"]),
    ("Remiss fran kommunstyrelsen (KS 2018/906)", ["KS 2018/906"]),
    ("Svar pa remiss fran kommunstyrelsen KS 2019/1899", ["KS 2019/1899"]),
    ("Arendenummer: SON 2023/273", ["SON 2023/273"]),
    ("&rendenummer SON 2023/273", ["SON 2023/273"]),
    ("6rende nr SON 2023/273", ["SON 2023/273"]),
    ("D1arienummer KS 2017/0996", ["KS 2017/0996"]),
    ("Diar|enr: 2019:45", ["2019:45"]),
    ("Vart dnr 2019/45", ["2019/45"]),
    ("Dnr. 1.7.1-310/2018", ["1.7.1-310/2018"]),
    ("Dnr S&N/2012:3 Bostadsanpassning", ["S&N/2012:3"]),
    ("Remiss fran socialnamnden (S&N 2012/45)", ["S&N 2012/45"]),
]


@pytest.mark.parametrize(("text", "expected"), OCR)
def test_dnr_ocr_damage(dnr: DnrRecognizer, text: str, expected: list[str]) -> None:
    assert texts(dnr.find(text)) == expected


# (reference, normalized, series, number, year)
FIELDS = [
    ("KS 2019:1899", "KS 2019/1899", "KS", "1899", 2019),
    ("KS/2020:123", "KS 2020/123", "KS", "123", 2020),
    ("2018:906", "2018/906", None, "906", 2018),
    ("1.7.1-310/2018", "1.7.1-310/2018", None, "310", 2018),
    ("2016/KS 0065 001", "2016/KS 0065 001", "KS", "0065", 2016),
    ("2016KSM1221.042", "2016KSM1221.042", "KSM", "1221", 2016),
    ("KS03/243 739", "KS 03/243 739", "KS", "243", 2003),
    ("12/30", "12/30", None, "30", 2012),
    ("31/16", "31/16", None, "31", 2016),
    ("Son 2015/203", "SON 2015/203", "SON", "203", 2015),
    ("SN2004/0096  7", "SN 2004/0096 7", "SN", "0096", 2004),
    ("287-2010-1.5.2", "287-2010-1.5.2", None, "287", 2010),
    ("G 255/81", "G 255/81", "G", "255", 1981),
]


@pytest.mark.parametrize(("ref", "normalized", "series", "number", "year"), FIELDS)
def test_dnr_normalise_and_parse(ref: str, normalized: str, series: str | None, number: str, year: int | None) -> None:
    assert normalize_dnr(ref) == normalized
    assert key(normalize_dnr(ref)) == key(ref)  # separators only: the scorer's key is unchanged
    assert parse_dnr(ref) == {"series": series, "number": number, "year": year}


@pytest.mark.parametrize(("a", "b"), [("KS 2019/1899", "KS 2019:1899"), ("KS/2019:1899", "ks 2019-1899")])
def test_dnr_spellings_normalise_alike(a: str, b: str) -> None:
    assert key(normalize_dnr(a)) == key(normalize_dnr(b))
    assert normalize_dnr("KS 2019/1899") == normalize_dnr("KS 2019:1899")


def test_dnr_every_occurrence_with_offsets(dnr: DnrRecognizer) -> None:
    text = "Dnr KS 2019/1899\nSvar på motion (KS 2019:1899) och KS 2018/906."
    found = dnr.find(text)
    assert [(m["start"], m["end"]) for m in found] == [(4, 16), (33, 45), (51, 62)]
    for m in found:
        assert text[m["start"] : m["end"]] == m["text"]
        DnrMention.model_validate(m)


def test_dnr_in_extract_record() -> None:
    record = kommunnlp.extract("Protokoll\nDnr: KS 2019:1899\nSvar på motion")
    assert [(m.text, m.normalized, m.series, m.number, m.year) for m in record.dnr] == [
        ("KS 2019:1899", "KS 2019/1899", "KS", "1899", 2019)
    ]


def test_dnr_data_round_trip(dnr: DnrRecognizer) -> None:
    text = "Registrering 2019:45 och Diarienummer KS 2019/3"
    copy = DnrRecognizer(spacy.blank("sv"), "copy", spans_key="dnr").from_bytes(dnr.to_bytes())
    assert copy.find(text) == dnr.find(text)
    copy.initialize(data={"labels": {"labels": ["registrering"]}})
    assert texts(copy.find(text)) == ["2019:45", "KS 2019/3"]


BAD_INPUT = [
    "",
    "   \n\t ",
    "\x00Dnr\x00 KS\x00 2019/1\x00",
    "\x01\x02\x03 Dnr KS 2019/1 \x7f",
    "中文 ١٢/٣٠ Dnr ١٢/٣٠ кириллица Dnr KS 2019/1",
    "Dnr " * 1000,
    "/" * 1000 + ":" * 1000,
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_dnr_bad_input_never_raises(dnr: DnrRecognizer, text: str) -> None:
    for m in dnr.find(text):
        assert text[m["start"] : m["end"]] == m["text"]
        DnrMention.model_validate(m)


def test_dnr_five_megabytes(dnr: DnrRecognizer) -> None:
    page = "Ärendet gäller detaljplan för kvarteret, 1 500 kr per år och telefon 08-508 43 112.\n" * 9
    text = ((page + "Dnr KS 2019/123 Detaljplan\n") * 6_000)[:5_000_000]
    found = dnr.find(text)
    assert len(found) == text.count("KS 2019/123")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Blank runs longer than the quick window around a label word: the window reads them.
        ("Diarie" + " " * 60 + "nr Son 2015/203", ["Son 2015/203"]),
        (
            "x" * 600 + " Vår\n" + " " * 70 + "beteckning\t\t\t   Kst 2015/85 och Son 2015/203",
            ["Kst 2015/85", "Son 2015/203"],
        ),
        ("é•–" * 300 + "\nDnr:\n\n\n\n\n\n\nSon 2015/203 och Kst 2015/85", ["Son 2015/203", "Kst 2015/85"]),
        ("Dnr KS 2019/1, 12/30" + "\u2028" * 40 + " KS 2019/2 ", ["KS 2019/1", "12/30", "KS 2019/2"]),
    ],
)
def test_dnr_label_windows_reach(dnr: DnrRecognizer, text: str, expected: list[str]) -> None:
    assert texts(dnr.find(text)) == expected


def best_time(dnr: DnrRecognizer, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        dnr.find(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("fragment", ["Dnr KS 2018/906 ", "KS 2018/ Dnr: 1.7.1-", "Dnr 12/30 1/", "2018/2018/2018 "])
def test_dnr_linear_time(dnr: DnrRecognizer, fragment: str) -> None:
    small = best_time(dnr, fragment * 10_000, repeats=3)
    large = best_time(dnr, fragment * 100_000, repeats=1)
    # A floor on the small time keeps scheduler noise on tiny timings from failing the test;
    # a quadratic blow-up would still be far over the bound.
    assert large / max(small, 0.05) < 40, (fragment, small, large)
