from __future__ import annotations

import pytest

from console.domain.broadcast.template import TemplateError, check_template, fields_in, render


@pytest.mark.parametrize(("template", "fields"), [
    ("Hello", []),
    ("Hi {first_name}, see you {date} at {time}. Bye {first_name}",
     ["first_name", "date", "time"]),
    ("Braces {{like this}} and {name}", ["name"]),
    ("{ name }", ["name"]),
])
def test_fields_in(template, fields):
    assert fields_in(template) == fields


@pytest.mark.parametrize(("template", "words"), [
    ("Hi {first name}", "'{first name}' is not a merge field name"),
    ("Hi {first_name", "the '{' at character 4"),
    ("Hi first_name}", "the '}' at character 14"),
    ("Hi {}", "'{}' is not a merge field name"),
])
def test_fields_in_refuses(template, words):
    with pytest.raises(TemplateError) as err:
        fields_in(template)
    assert words in str(err.value)


@pytest.mark.parametrize(("template", "values", "text"), [
    ("Hi {first_name}!", {"first_name": "Zoë"}, "Hi Zoë!"),
    ("{a}{b}", {"a": "1", "b": "2"}, "12"),
    ("{{a}} {a}", {"a": "x"}, "{a} x"),
    ("No fields", {}, "No fields"),
])
def test_render(template, values, text):
    assert render(template, values) == text


def test_unknown_field_is_named_with_the_columns():
    with pytest.raises(TemplateError) as err:
        check_template("Hi {frist_name}", ["first_name", "phone"])
    assert str(err.value) == ("Message: the merge field {frist_name} is not a column of the "
                              "recipients. The columns are: {first_name}, {phone}.")


def test_render_unknown_field():
    with pytest.raises(TemplateError, match=r"\{nope\}"):
        render("Hi {nope}", {"first_name": "A"})
