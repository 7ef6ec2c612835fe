"""Property tests: for arbitrary text, extract never raises and offsets slice the original."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kommunnlp
from kommunnlp.records import RECORD_TYPES

# Pieces of the forms the components look for, so generated text reaches their code paths.
FRAGMENTS = [
    "Dnr ",
    "Dnr: ",
    "KS 2018/906",
    "2016/KS 0065 001",
    "SÄN/2012:3",
    "1.7.1-310/2018",
    "den 26 oktober 2018",
    "18/1 2016",
    "januari - augusti 2016",
    "2019-02-05 – 2019-02-27",
    "i juni",
    "Socialnämndens beslut\n",
    "Förslag till beslut\n",
    "Kommunfullmäktige beslutar att ",
    "1. ",
    "2) ",
    "- ",
    "• ",
    "att ",
    "Lotta Edholm (L)",
    " och ",
    "(s)",
    "(-)",
    "(oberoende)",
    "Mentorer i våldsprevention (MVP)",
    "projektet ",
    "Trefas",
    "MVP",
    "§ 12",
    "\n",
    "\n\n",
    "(",
    ")",
    "/",
    ":",
]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_properties_extract_never_raises_and_offsets_slice(text: str) -> None:
    record = kommunnlp.extract(text)
    for key in RECORD_TYPES:
        for mention in getattr(record, key):
            assert 0 <= mention.start <= mention.end <= len(text)
            assert text[mention.start : mention.end] == mention.text
