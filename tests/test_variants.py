"""Prompt templates: {a|b} choices, CSV {column}s, errors with positions, and both prices of a set."""

from __future__ import annotations

import pytest

from studio.core.errors import RefusedError
from studio.core.request import ImageRequest
from studio.core.set_quote import batch_quote, quote_set
from studio.core.validation import validate
from studio.core.variants import MAX_VARIANTS, TemplateError, count, expand, is_template, read_rows


def prompts(template, rows=None):
    return [v.prompt for v in expand(template, rows)]


def test_choices_give_every_combination_in_reading_order():
    assert prompts("a {red|blue} kite over {dunes|sea}") == [
        "a red kite over dunes",
        "a red kite over sea",
        "a blue kite over dunes",
        "a blue kite over sea",
    ]
    assert count("{a|b|c} {1|2|3|4}") == 12
    assert expand("{ red | blue } kite")[1].choices == {"{1}": "blue"}


def test_an_empty_choice_leaves_no_double_space_and_literal_braces_stay():
    assert prompts("a {|big} kite") == ["a kite", "a big kite"]
    assert prompts('a sign reading {{"OPEN"}}, {day|night}') == [
        'a sign reading {"OPEN"}, day',
        'a sign reading {"OPEN"}, night',
    ]
    assert not is_template("plain {{braces}} only")
    assert is_template("{a|b}")


def test_csv_rows_fill_columns_row_by_row_with_quoted_fields_and_utf8():
    rows = read_rows('\ufeffname,colour\n"Mara, 25",purple\n\nJosé,"green ""forest"""\n')
    assert prompts("{name} in a {colour} hoodie, {day|night}", rows) == [
        "Mara, 25 in a purple hoodie, day",
        "Mara, 25 in a purple hoodie, night",
        'José in a green "forest" hoodie, day',
        'José in a green "forest" hoodie, night',
    ]
    assert expand("{name}", rows)[0].choices["colour"] == "purple"  # every cell travels with the variant


@pytest.mark.parametrize(
    ("template", "position", "words"),
    [
        ("a {red|blue kite", 3, "never closed"),
        ("a red} kite", 6, "without a matching"),
        ("a {red|{blue}}", 8, "nested"),
        ("a {} kite", 3, "empty"),
        ("a {colour} kite", 3, "no CSV file"),
    ],
)
def test_template_errors_name_the_position(template, position, words):
    with pytest.raises(TemplateError) as caught:
        expand(template)
    assert caught.value.position == position - 1
    assert words in str(caught.value)
    assert f"at character {position}" in str(caught.value)


def test_an_unknown_column_lists_the_columns():
    rows = read_rows("name,colour\nMara,purple\n")
    with pytest.raises(
        TemplateError, match=r"\{size\} is not a column of the CSV file \(columns: colour, name\)"
    ):
        expand("{size} kite", rows)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("name,,colour\nA,B,C\n", "column 2 has no name"),
        ("name,name\nA,B\n", "appears twice"),
        ("name\nA,B\n", "row 2 has 2 fields"),
    ],
)
def test_bad_csv_files_are_refused(text, words):
    with pytest.raises(TemplateError, match=words):
        read_rows(text)


def test_a_header_without_rows_makes_nothing_and_says_so():
    with pytest.raises(TemplateError, match="no rows"):
        expand("{name}", read_rows("name\n"))


def test_an_explosion_is_refused_before_anything_is_built():
    template = "{a|b}" * 18  # 262,144 combinations
    assert count(template) > MAX_VARIANTS
    with pytest.raises(TemplateError, match="262,144 requests"):
        expand(template)


def test_a_set_is_quoted_both_ways_and_the_batch_bound_is_half(registry):
    checked = [
        validate(ImageRequest(p, size="1024x1024", quality="low"), registry) for p in prompts("{a|b|c}")
    ]
    both = quote_set(checked, registry)
    assert both.requests == 3
    assert both.batch_max is not None and both.batch_estimate is not None
    assert both.batch_max * 2 == both.now_max  # gpt-image-2: every Batch rate is half the standard one
    assert both.batch_estimate < both.now_estimate
    assert both.to_json(batch=True)["total_usd_max"] == str(both.batch_max)


def test_a_model_whose_batch_support_is_unknown_is_bounded_at_standard_prices(registry):
    checked = [
        validate(ImageRequest("x", model="gpt-image-2.6-sunburst", size="1024x1024", quality="low"), registry)
    ]
    both = quote_set(checked, registry)
    assert both.batch_max == both.now_max  # never under-stated: no Batch price is published
    assert any("Batch API support is not published" in n for n in both.notes)


def test_a_model_without_batch_support_is_refused_as_a_batch(registry):
    import dataclasses

    base = validate(ImageRequest("x", size="1024x1024", quality="low"), registry)
    no_batch = dataclasses.replace(base, spec=dataclasses.replace(base.spec, batch="no"))
    with pytest.raises(RefusedError, match="does not support the Batch API"):
        batch_quote(no_batch, registry)
    assert "does not support" in (quote_set([no_batch], registry).batch_refusal or "")
