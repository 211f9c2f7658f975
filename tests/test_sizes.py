import pytest

from studio.core.errors import ValidationError
from studio.core.sizes import Size, check_size, nearest_valid_size, parse_size


@pytest.fixture
def rules(registry):
    return registry.get("gpt-image-2").size_rules


@pytest.mark.parametrize(
    "size",
    [
        "1024x1024",
        "1536x1024",
        "1024x1536",
        "1536x864",
        "2048x2048",
        "2560x1440",
        "3840x2160",
        "2160x3840",
        "3840x1280",
    ],
)
def test_valid_gpt_image_2_sizes(rules, size):
    assert str(check_size(size, rules)[0]) == size


@pytest.mark.parametrize(
    "size, words, nearest",
    [
        ("1000x1000", "both edges must be multiples of 16", "1008x1008"),
        ("512x512", "at least 655,360 pixels", "816x816"),
        ("4096x2160", "longest edge must be at most 3840", None),
        ("3840x1024", "ratio must be at most 3:1", None),
        ("3840x2176", "at most 8,294,400 pixels", None),
    ],
)
def test_invalid_sizes_name_the_rule_and_the_nearest_valid_size(rules, size, words, nearest):
    with pytest.raises(ValidationError) as err:
        check_size(size, rules)
    text = str(err.value)
    assert text.startswith(f"size {size}: ") and words in text and "nearest valid size" in text
    if nearest:
        assert f"({nearest} is the nearest valid size)" in text
    suggested = parse_size(text.split("(")[-1].split(" ")[0])
    check_size(str(suggested), rules)  # the suggestion is itself valid


def test_experimental_sizes_warn(rules):
    assert check_size("2560x1440", rules)[1] == []
    assert "experimental" in check_size("3840x2160", rules)[1][0]


def test_auto_and_garbage(rules):
    assert check_size("auto", rules) == (None, [])
    with pytest.raises(ValidationError, match="WIDTHxHEIGHT"):
        check_size("big", rules)


def test_fixed_size_models(registry):
    rules = registry.get("gpt-image-1.5").size_rules
    with pytest.raises(ValidationError, match="must be one of 1024x1024, 1536x1024, 1024x1536"):
        check_size("1536x864", rules)
    assert nearest_valid_size(Size(1920, 1080), rules) == Size(1536, 1024)


def test_nearest_valid_size_is_always_valid(rules):
    from studio.core.sizes import size_problem

    for w in range(100, 5000, 373):
        for h in range(100, 5000, 419):
            assert size_problem(nearest_valid_size(Size(w, h), rules), rules) is None
