"""Message templates with merge fields: "Hello {first_name}, see you on {date}."

A field is a name in braces, as the columns are called on the Recipients step.
Write {{ and }} for a brace that should appear in the message itself.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping

__all__ = ["TemplateError", "fields_in", "check_template", "render", "compile_template",
           "template_parts"]

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateError(ValueError):
    """The template cannot be used; the message names the field or brace at fault."""


def _tokens(template: str) -> Iterator[re.Match[str]]:
    yield from _TOKEN.finditer(template)


def fields_in(template: str) -> list[str]:
    """The merge fields of `template`, in order of first use. Raises TemplateError."""
    names: list[str] = []
    for match in _tokens(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if token in ("{", "}"):
            raise TemplateError(
                f"Message: the '{token}' at character {match.start() + 1} does not belong to a "
                "merge field. Write merge fields like {first_name}; for a brace in the message "
                f"itself write it twice ({token * 2}).")
        name = match.group(1).strip()
        if not _NAME.fullmatch(name):
            raise TemplateError(
                f"Message: '{token}' is not a merge field name. Use the column names shown on "
                "the Recipients step, for example {first_name} (letters, digits and _ only).")
        if name not in names:
            names.append(name)
    return names


def check_template(template: str, columns: Iterable[str]) -> list[str]:
    """The fields used; TemplateError naming any field that is not one of `columns`."""
    available = list(columns)
    used = fields_in(template)
    unknown = [name for name in used if name not in available]
    if unknown:
        listed = ", ".join("{" + c + "}" for c in available) or "none (choose the columns first)"
        which = ", ".join("{" + n + "}" for n in unknown)
        noun = "field" if len(unknown) == 1 else "fields"
        raise TemplateError(
            f"Message: the merge {noun} {which} {'is' if len(unknown) == 1 else 'are'} not a column "
            f"of the recipients. The columns are: {listed}.")
    return used


def render(template: str, values: Mapping[str, str]) -> str:
    """`template` with each field replaced by its value. KeyError-free: unknown fields raise TemplateError."""
    out: list[str] = []
    last = 0
    for match in _tokens(template):
        out.append(template[last:match.start()])
        last = match.end()
        token = match.group(0)
        if token == "{{":
            out.append("{")
        elif token == "}}":
            out.append("}")
        elif token in ("{", "}"):
            fields_in(template)  # raises with the explanation
        else:
            name = match.group(1).strip()
            if name not in values:
                raise TemplateError(f"Message: the merge field {{{name}}} is not a column of the recipients.")
            out.append(values[name])
    out.append(template[last:])
    return "".join(out)


def template_parts(template: str) -> list[tuple[bool, str]]:
    """The template as (is a field, literal text or field name) parts, neighbouring
    literals joined. Raises TemplateError like fields_in()."""
    fields_in(template)  # refuses stray braces and bad names, with their explanation
    parts: list[tuple[bool, str]] = []  # (is a field, text or field name)
    last = 0
    for match in _tokens(template):
        parts.append((False, template[last:match.start()]))
        last = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append((False, token[0]))
        else:
            parts.append((True, match.group(1).strip()))
    parts.append((False, template[last:]))
    merged: list[tuple[bool, str]] = []
    for is_field, text in parts:
        if not is_field and merged and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + text)
        elif is_field or text:
            merged.append((is_field, text))
    return merged


def compile_template(template: str) -> Callable[[Mapping[str, str]], str]:
    """render() for many rows: the template is parsed once. Raises TemplateError like fields_in()."""
    merged = template_parts(template)
    if not any(is_field for is_field, _ in merged):
        constant = "".join(text for _, text in merged)
        return lambda _values: constant

    def fill(values: Mapping[str, str]) -> str:
        try:
            return "".join(values[text] if is_field else text for is_field, text in merged)
        except KeyError as err:
            raise TemplateError(f"Message: the merge field {{{err.args[0]}}} is not a column of "
                                "the recipients.") from None

    return fill
