from __future__ import annotations

import pytest

from console.domain.broadcast.recipients import (
    DO_NOT_CONTACT,
    DUPLICATE,
    INVALID,
    MISSING_FIELD,
    ColumnMapping,
    MappingError,
    build_recipients,
    check_names,
    guess_mapping,
    looks_like_header,
)
from console.domain.broadcast.table import Table, read_csv, read_pasted


@pytest.mark.parametrize(("rows", "header"), [
    ([["Name", "Phone"], ["Ann", "8451234567"]], True),
    ([["Ann", "8451234567"], ["Bob", "8451234568"]], False),
    ([["8451234567"], ["8451234568"]], False),
    ([["Name", "Phone"]], True),
    ([["column a", "column b"], ["x", "y"]], True),
])
def test_looks_like_header(rows, header):
    assert looks_like_header(Table(rows=rows)) is header


def test_guess_mapping_names_and_number_column():
    table = read_csv("Prénom;Nom;Téléphone\nZoë;Müller;845 123 4567\n".encode("cp1252"))
    mapping = guess_mapping(table)
    assert mapping == ColumnMapping(number_column=2, names=("prenom", "nom", "telephone"),
                                    has_header=True, name_column=0)


def test_guess_mapping_finds_the_state_time_zone_and_name_columns():
    table = read_csv(b"Customer,Phone,State,Time zone\nAnn,8451234567,NY,Eastern\n")
    mapping = guess_mapping(table)
    assert (mapping.name_column, mapping.number_column, mapping.state_column,
            mapping.zone_column) == (0, 1, 2, 3)


def test_guess_mapping_without_header_names_columns():
    mapping = guess_mapping(read_pasted("Ann\t8451234567\tTue\nBob\t8451234568\tWed"))
    assert mapping == ColumnMapping(number_column=1, names=("column_1", "number", "column_3"),
                                    has_header=False)


def test_guess_mapping_duplicate_titles_get_suffixes():
    mapping = guess_mapping(Table(rows=[["Name", "Name", "Phone"], ["a", "b", "8451234567"]]))
    assert mapping.names == ("name", "name_2", "phone")


@pytest.mark.parametrize(("names", "words"), [
    (("first name", "phone"), "Column 1: 'first name' cannot be a merge field name"),
    (("a", "a"), "Column 2: the name 'a' is used twice"),
    (("", "b"), "Column 1"),
])
def test_check_names(names, words):
    with pytest.raises(MappingError, match=words):
        check_names(names)


def test_build_recipients_reports_every_row_with_its_reason():
    table = Table(rows=[
        ["first_name", "phone"],
        ["Ann", "(845) 123-4567"],      # 2 ok
        ["Bob", "845-12"],              # 3 invalid
        ["Ann again", "+1 845 123 4567"],  # 4 duplicate of 2
        ["", "8451234568"],             # 5 missing first_name
        ["Dee", "8451234569"],          # 6 do not contact
        ["Éve", "845.123.4570"],        # 7 ok
    ])
    mapping = ColumnMapping(number_column=1, names=("first_name", "phone"), has_header=True)
    result = build_recipients(table, mapping, required_fields=["first_name"],
                              do_not_contact={"8451234569": "asked on the phone"})
    assert [(r.row, r.number, r.values["first_name"], r.values["phone"]) for r in result.recipients] == [
        (2, "8451234567", "Ann", "(845) 123-4567"),
        (7, "8451234570", "Éve", "(845) 123-4570"),
    ]
    assert [(p.row, p.kind) for p in result.problems] == [
        (3, INVALID), (4, DUPLICATE), (5, MISSING_FIELD), (6, DO_NOT_CONTACT)]
    reasons = {p.kind: p.reason for p in result.problems}
    assert reasons[DUPLICATE] == "Duplicate of row 2: left out, so the customer gets one message."
    assert "merged" not in reasons[DUPLICATE]
    assert "{first_name} is empty" in reasons[MISSING_FIELD]
    assert "asked on the phone" in reasons[DO_NOT_CONTACT]
    assert "'845-12' is not a phone number" in reasons[INVALID]
    assert result.count(INVALID) == 1


def test_build_recipients_short_rows_are_padded():
    table = Table(rows=[["8451234567"], ["8451234568", "extra"]])
    mapping = ColumnMapping(number_column=0, names=("number", "note"), has_header=False)
    result = build_recipients(table, mapping)
    assert [r.values["note"] for r in result.recipients] == ["", "extra"]
    assert [r.row for r in result.recipients] == [1, 2]
