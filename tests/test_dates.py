"""The dates component: formats, ranges, inferred years, exclusions, OCR damage, bad input, speed."""

from __future__ import annotations

import re
import time

import pytest
import spacy

import kommunnlp
from kommunnlp.components.dates import _ISO_REST, DateRecognizer, _windows
from kommunnlp.records import DateMention
from kommunnlp.text import fold


@pytest.fixture(scope="module")
def dates() -> DateRecognizer:
    return DateRecognizer(spacy.blank("sv"), "kommunnlp_dates", spans_key="dates")


def values(found: list[dict]) -> list[str]:
    return [m["value"] for m in found]


# (text, values found in order). Invented lines in the real formats.
FORMATS = [
    ("Sammanträde 2018-11-13 kl. 13.00", ["2018-11-13"]),
    ("Justering torsdagen den 9 juni 2016 kl 17:00", ["2016-06-09"]),
    ("Tid: Måndag 21 januari 2019 klockan 13:15", ["2019-01-21"]),
    ("KOMMUNFULLMÄKTIGES SAMMANTRÄDE DEN 31 MAJ 2018", ["2018-05-31"]),
    ("Justeras 18/1 2016 på kansliet", ["2016-01-18"]),
    ("Protokollet justerades 13/11/2018 och anslogs 14.11.2018", ["2018-11-13", "2018-11-14"]),
    ("Uppdraget ska delredovisas i december 2023.", ["2023-12"]),
    ("Lagen trädde i kraft 1 juli 2023.", ["2023-07-01"]),
    ("Justeringen sker den 30november 2011.", ["2011-11-30"]),
    ("från och med den 1:a januari 2020", ["2020-01-01"]),
    ("Maj 2022\n\nBelys grusvägen", ["2022-05"]),
    ("I november 2021 inkom ett förslag", ["2021-11"]),
    ("Dag och tid Onsdag den 10 oktober 2012 kl. 14.00", ["2012-10-10"]),
    # Lines broken inside a date by PDF text extraction.
    ("Beslutet fattades den 26\noktober 2018 och redovisas i december\n2019.", ["2018-10-26", "2019-12"]),
    ("Tisdagen den\n3 mars 2015", ["2015-03-03"]),
    # A number at the end of a line is no day of the month named on the next.
    ("Sammanträde 2019-05-02. Punkt 6\njuli", ["2019-05-02", "2019-07"]),
]


@pytest.mark.parametrize(("text", "expected"), FORMATS)
def test_dates_finds_formats(dates: DateRecognizer, text: str, expected: list[str]) -> None:
    assert values(dates.find(text)) == expected


RANGES = [
    ("Redovisning för perioden januari - augusti 2016", ["2016-01", "2016-08"]),
    ("Synpunkter januari-december 2014", ["2014-01", "2014-12"]),
    ("National Forum 20 - 22 maj 2015", ["2015-05-20", "2015-05-22"]),
    ("utbildning den 5-6 oktober 2011", ["2011-10-05", "2011-10-06"]),
    ("konferens 4-6 nov 2014, Malmö", ["2014-11-04", "2014-11-06"]),
    ("perioden 2019-02-05 – 2019-02-27", ["2019-02-05", "2019-02-27"]),
    ("Anslaget 2019-06-20--2019-07-12", ["2019-06-20", "2019-07-12"]),
    ("perioden 2019-01-01-2019-12-31", ["2019-01-01", "2019-12-31"]),
    ("mässan 20 maj - 3 juni 2015", ["2015-05-20", "2015-06-03"]),
    ("utbildningen den 17 och 18 juni 2019", ["2019-06-17", "2019-06-18"]),
]


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_dates_ranges_give_both_ends(dates: DateRecognizer, text: str, expected: list[str]) -> None:
    assert values(dates.find(text)) == expected


# (text, [(value, year_inferred)]): yearless dates take the year a careful reader infers.
INFERRED = [
    ("Sammanträde 2018-11-13\n\nÄrendet behandlades den 7 november.", [("2018-11-13", False), ("2018-11-07", True)]),
    ("Protokoll 2017-03-01. Frågan återkommer till fullmäktige i juni.", [("2017-03-01", False), ("2017-06", True)]),
    (
        "Tid: Måndag 21 januari 2019 kl 13. Kansliet 22 januari klockan 13:15",
        [("2019-01-21", False), ("2019-01-22", True)],
    ),
    # The weekday fixes the year: 27 February was a Monday in 2017, not in 2018.
    ("Sammanträde måndagen den 27 februari. Mål och strategier för 2018.", [("2017-02-27", True)]),
    ("Tid: Tisdagen den 3 mars klockan 9. Dnr 2015/12", [("2015-03-03", True)]),
    # A year written before the date, with no full date: the heading's year.
    ("Beslut i korthet 2020\n\nKommunstyrelsen i korthet den 10 mars", [("2020-03-10", True)]),
    # No clue to the year at all, or only a year mentioned later in passing: left out.
    ("Kommunstyrelsen i korthet den 10 mars och i juni", []),
    ("Vid sammanträdet den 31 oktober behandlades underskottet för 2015.", []),
]


@pytest.mark.parametrize(("text", "expected"), INFERRED)
def test_dates_infer_missing_year(dates: DateRecognizer, text: str, expected: list[tuple[str, bool]]) -> None:
    assert [(m["value"], m["year_inferred"]) for m in dates.find(text)] == expected


# Textual days are scanned only in windows around a day number before a month; parts of a date
# far from it (long blank runs, a weekday well before) must still count. (text, [(start, value)])
WINDOW_EDGES = [
    ("Torsdagen" + " " * 100 + "den 9 juni 2016", [(0, "2016-06-09")]),
    ("den\n\n\n\n" + " " * 80 + "9 juni 2016", [(0, "2016-06-09")]),
    ("den 9 juni," + " " * 80 + "2016", [(0, "2016-06-09")]),
    ("Sammanträde i maj" + " " * 80 + "2019", [(14, "2019-05")]),
    ("9 -" + " " * 70 + "12 juni 2016", [(0, "2016-06-09"), (73, "2016-06-12")]),
    ("Mötet " + "x" * 300 + " den 3 och 4 mars 2020", [(307, "2020-03-03"), (317, "2020-03-04")]),
    ("Mötet " + "x" * 200 + " torsdagen" + " " * 300 + "den 9 juni 2016", [(207, "2016-06-09")]),
    ("Mötet " + "x" * 200 + " torsdagen ," + " ," * 150 + "den 9 juni 2016", [(207, "2016-06-09")]),
]


@pytest.mark.parametrize(("text", "expected"), WINDOW_EDGES)
def test_dates_window_edges(dates: DateRecognizer, text: str, expected: list[tuple[int, str]]) -> None:
    assert [(m["start"], m["value"]) for m in dates.find(text)] == expected


# The longest textual days (every optional part at its longest), packed in non-blank text: the
# windows must reach just as far as these read, so they match as in a scan of the whole text.
LONGEST = [
    "torsdagens, den 31:a t.o.m. den 30:e september, 2016-12-",
    "torsdagens den 31:e till den 30:a sept. 2016-12-",
    "torsdagens den 31:a t o m den 30:e september 2016-12-01",
    "lördagens,den 1:a och den 2:a december\n2019-11-",
]


@pytest.mark.parametrize("core", LONGEST)
@pytest.mark.parametrize("pad", ["", "x", "x1x", "x" * 40 + " ", "a,b.c:d-1 ", "2019 "])
def test_dates_windows_hold_whole_days(dates: DateRecognizer, core: str, pad: str) -> None:
    folded = fold(pad + core + pad[::-1] + " 1 maj 2020")
    triggers = dates._at_heads(folded, dates._head_hits(folded))[0]
    windowed = [
        m.span()
        for s, e, _ in _windows(triggers, folded, dates._reach_back, dates._reach_ahead)
        for m in dates._day.finditer(folded, s, e)
    ]
    assert windowed == [m.span() for m in dates._day.finditer(folded)]


NOT_DATES = [
    "Budget för år 2017 och planperioden 2019-2022",
    "Mötet börjar kl. 13.00 och slutar 16.30",
    "idag, igår och nästa år",
    "under våren 2018 och hösten 2019",
    "tertial 2 2016 och kvartal 3",
    "barn 0-6 år och ungdomar 13-19 år",
    "Sida 1 (3) och 2(42)",
    "Dnr 2017-00427 100 och MB 2011-000958, 287-2010-1.5.2, 2019-05-06-001",
    "Paragrafer 62-69, § 12",
    "Majoriteten röstade ja. Marschen gick i mars-",
    "Maj Karlsson (S) och Maj-Britt Svensson (M), 2 Jan Andersson",
    "Felaktigt: 31 april 2020 och 29 februari 2019 och 2019-13-45",
    "Kiruna 12/30 och 11/896",
    "Protokoll 2019. Punkt 5\nMaj Karlsson (S)",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_dates_not_dates(dates: DateRecognizer, text: str) -> None:
    assert dates.find(text) == []


# OCR damage as in the scanned seeds: å/ä/ö read as a, o, é, d, i, &, 6; I/l as | or 1.
OCR = [
    ("ett tjansteutlatande daterat\n25 oktober 2018.", ["2018-10-25"]),
    ("har behandlat drendet den 16 september 2020.", ["2020-09-16"]),
    ("| oktober 2019 startade projektet", ["2019-10"]),
    ("sammantrade m&ndagen den 27 februari. Mal for 2018.", ["2017-02-27"]),
    ("sammantrade m6ndagen den 27 februari. Mal for 2018.", ["2017-02-27"]),
    ("den 5 apri| 2016 och den 3 ju|i 2016 samt ju1i 2016", ["2016-04-05", "2016-07-03", "2016-07"]),
    ("Justerat 2018-11-13\nOrdforande", ["2018-11-13"]),
    ("l6rdagen den 2 mars 2019", ["2019-03-02"]),
]


@pytest.mark.parametrize(("text", "expected"), OCR)
def test_dates_ocr_damage(dates: DateRecognizer, text: str, expected: list[str]) -> None:
    assert values(dates.find(text)) == expected


def test_dates_mention_fields_and_offsets(dates: DateRecognizer) -> None:
    text = "Justering torsdagen den 9 juni 2016. Rapport för december 2016."
    found = dates.find(text)
    assert [(m["text"], m["precision"]) for m in found] == [
        ("torsdagen den 9 juni 2016", "day"),
        ("december 2016", "month"),
    ]
    for m in found:
        assert text[m["start"] : m["end"]] == m["text"]
        DateMention.model_validate(m)


def test_dates_in_extract_record() -> None:
    record = kommunnlp.extract("Sammanträde 2019-06-18\nJustering den 20 juni")
    assert [(m.value, m.precision.value, m.year_inferred) for m in record.dates] == [
        ("2019-06-18", "day", False),
        ("2019-06-20", "day", True),
    ]


def test_dates_data_round_trip(dates: DateRecognizer) -> None:
    text = "Sammanträde 2019-06-18, nästa möte 3 juni"
    copy = DateRecognizer(spacy.blank("sv"), "copy", spans_key="dates").from_bytes(dates.to_bytes())
    assert copy.find(text) == dates.find(text)


BAD_INPUT = [
    "",
    "   \n\t ",
    "\x00den\x00 5 maj\x00 2019\x00",
    "\x01\x02 2019-01-01 \x7f",
    "中文 ٣ maj ٢٠١٨ кириллица den 3 maj 2018",
    "den " * 1000,
    "-" * 1000 + "/" * 1000,
]


@pytest.mark.parametrize("text", BAD_INPUT)
def test_dates_bad_input_never_raises(dates: DateRecognizer, text: str) -> None:
    for m in dates.find(text):
        assert text[m["start"] : m["end"]] == m["text"]
        DateMention.model_validate(m)


def test_dates_five_megabytes(dates: DateRecognizer) -> None:
    page = "Ärendet gäller detaljplan för kvarteret, 1 500 kr per år och telefon 08-508 43 112.\n" * 9
    text = ((page + "Sammanträde den 3 maj 2019\n") * 6_000)[:5_000_000]
    found = dates.find(text)
    assert len(found) == text.count("den 3 maj 2019")


def best_time(dates: DateRecognizer, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        dates.find(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("fragment", ["den 26 oktober 2018 ", "den 26 ok 18/1 ", "2019-01-01 den 5 maj ", "20 - 22 - "])
def test_dates_linear_time(dates: DateRecognizer, fragment: str) -> None:
    small = best_time(dates, fragment * 10_000, repeats=3)
    large = best_time(dates, fragment * 100_000, repeats=1)
    # A floor on the small time keeps scheduler noise on tiny timings from failing the test;
    # a quadratic blow-up would still be far over the bound.
    assert large / max(small, 0.05) < 40, (fragment, small, large)


@pytest.mark.parametrize(
    "text",
    [
        "den 5 maj 2019, 6:e juni och 3\n \tjuli; 7 ju1i 8 apri| 2 jan. 9jun 31 dec 2018-11-13 4 Maj Karlsson",
        "1/12/2019 18/1 2016 13.11.2018 1/1-2020 18/1 20161 2019-06-20--2019-07-12 287-2010-1.5.2 19-1-1",
        "majoritet juridisk i juni, mars 2020 januari - april 2018 20 - 22 maj 2015 :a maj 5:e\n\nmaj",
        "",
    ],
)
def test_dates_trigger_scans_same_as_full_scan(dates: DateRecognizer, text: str) -> None:
    """The scans led by month heads and by years find exactly what a full scan finds."""

    folded = fold(text)
    heads = dates._head_hits(folded)
    triggers, months = dates._at_heads(folded, heads)
    all_triggers, all_months = dates._at_heads(folded, None)
    assert triggers == all_triggers
    assert [m.span() for m in months] == [m.span() for m in all_months]
    isos, dmys = dates._year_dates(folded)
    assert [m.span() for m in dmys] == [m.span() for m in dates._dmy.finditer(folded)]
    iso = re.compile(r"(?:19|20)" + _ISO_REST)
    assert [m.span() for m in isos] == [m.span() for m in iso.finditer(folded)]
