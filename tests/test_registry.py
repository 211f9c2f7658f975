import datetime as dt
import tomllib
from decimal import Decimal

import pytest

from studio.core import clock
from studio.core.errors import ModelUnavailableError
from studio.core.registry import Lifecycle, Registry, load_registry
from studio.core.resources import resource_path

from .registries import lifecycle_registry

# The lifecycle tests run on two dates: the suite's pinned day and half a year later. Their models are
# built relative to the clock (tests/registries.py), so they pass on any date: the suite is calendar-proof.
DAYS = [dt.date(2026, 12, 1), dt.date(2027, 6, 1)]


@pytest.fixture(params=DAYS, ids=[d.isoformat() for d in DAYS])
def day(request, pinned_clock):
    pinned_clock.at = dt.datetime(
        request.param.year, request.param.month, request.param.day, 12, tzinfo=dt.UTC
    )
    return request.param


def test_the_clock_decides_today(day):
    assert clock.today() == day
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == dt.timedelta(0)


def test_every_model_of_the_lifecycle_table_is_there(registry):
    ids = set(registry.model_ids())
    assert {
        "gpt-image-2",
        "gpt-image-2-2026-04-21",
        "gpt-image-1.5",
        "gpt-image-1.5-2025-12-16",
        "gpt-image-1-mini",
        "chatgpt-image-latest",
        "gpt-image-1",
        "dall-e-2",
        "dall-e-3",
    } <= ids


@pytest.mark.parametrize(
    "model, state",
    [
        ("test-active", Lifecycle.ACTIVE),
        ("test-deprecated", Lifecycle.DEPRECATED),
        ("test-shutdown", Lifecycle.SHUTDOWN),
        ("test-retired", Lifecycle.RETIRED),
    ],
)
def test_status_follows_the_clock(day, model, state):
    registry = lifecycle_registry()
    assert registry.get(model).lifecycle() is state  # no date passed: the app's clock decides
    assert registry.get(model).is_usable() is (state in (Lifecycle.ACTIVE, Lifecycle.DEPRECATED))
    assert (model in {m.id for m in registry.usable_models()}) is registry.get(model).is_usable()


def test_deprecated_model_warns_before_shutdown_and_is_refused_from_that_day(day, pinned_clock):
    registry = lifecycle_registry()
    shutdown = (day + dt.timedelta(days=10)).isoformat()
    warning = registry.lifecycle_warning("test-deprecated")
    assert shutdown in warning and "10 days" in warning
    pinned_clock.advance(dt.timedelta(days=9))
    registry.require_usable("test-deprecated")
    assert "1 day)" in registry.lifecycle_warning("test-deprecated")
    pinned_clock.advance(dt.timedelta(days=1))
    with pytest.raises(ModelUnavailableError) as err:
        registry.require_usable("test-deprecated")
    assert f"shut down on {shutdown}" in str(err.value)


def test_validation_takes_today_from_the_clock(day, pinned_clock):
    from studio.core.request import ImageRequest
    from studio.core.validation import validate

    registry = lifecycle_registry()
    request = ImageRequest(prompt="a fox", model="test-deprecated", size="1024x1024", quality="low")
    assert any("deprecated" in w for w in validate(request, registry).warnings)
    pinned_clock.advance(dt.timedelta(days=10))
    with pytest.raises(ModelUnavailableError, match="shut down"):
        validate(request, registry)


@pytest.mark.parametrize("model", ["test-shutdown", "test-retired"])
def test_retired_and_shut_down_models_are_refused_naming_the_date(day, model):
    registry = lifecycle_registry()
    with pytest.raises(ModelUnavailableError) as err:
        registry.require_usable(model)
    assert registry.get(model).shutdown.isoformat() in str(err.value) and "use " in str(err.value)


def test_the_shipped_shutdowns_hold_on_the_pinned_day(registry):
    """December 1, 2026: gpt-image-1.5, -1-mini and chatgpt-image-latest are shut down (the suite's pinned
    day)."""
    assert clock.today() == dt.date(2026, 12, 1)
    for model in (
        "gpt-image-1.5",
        "gpt-image-1.5-2025-12-16",
        "gpt-image-1-mini",
        "chatgpt-image-latest",
        "gpt-image-1",
    ):
        assert registry.get(model).lifecycle() is Lifecycle.SHUTDOWN, model
    for model in ("dall-e-2", "dall-e-3"):
        assert registry.get(model).lifecycle() is Lifecycle.RETIRED
    assert registry.get("gpt-image-2").lifecycle() is Lifecycle.ACTIVE


def test_unknown_model_lists_usable_ones(registry):
    with pytest.raises(ModelUnavailableError) as err:
        registry.get("gpt-image-9")
    assert "gpt-image-2" in str(err.value)


def test_snapshot_pins_the_alias_spec(registry):
    snap, alias = registry.get("gpt-image-2-2026-04-21"), registry.get("gpt-image-2")
    assert (
        snap.base_id == "gpt-image-2" and snap.prices == alias.prices and snap.size_rules == alias.size_rules
    )


def test_prices_are_decimals_from_data(registry):
    p = registry.get("gpt-image-2").prices
    assert (p.text_in, p.cached_text_in, p.image_in, p.cached_image_in, p.image_out) == tuple(
        Decimal(x) for x in ("5", "1.25", "8", "2", "30")
    )
    assert registry.get("gpt-image-2").batch_prices.image_out == Decimal("15")
    assert registry.get("gpt-image-1.5").prices.text_out == Decimal("10")  # data kept after the shutdown


def test_registry_is_data_driven():
    """Changing the data file changes the app: nothing is hard-coded."""
    data = tomllib.loads(resource_path("models.toml").read_text())
    next(m for m in data["models"] if m["id"] == "gpt-image-2")["prices"]["image_out"] = "99"
    data["size_rules"]["gpt-image-2"]["max_edge"] = 4096
    changed = Registry(data)
    assert changed.get("gpt-image-2").prices.image_out == Decimal("99")
    assert changed.get("gpt-image-2").size_rules.max_edge == 4096
    assert load_registry().get("gpt-image-2").prices.image_out == Decimal("30")


def test_rate_tiers(registry):
    assert registry.tier(1).images_per_minute == 5 and registry.tier(2).images_per_minute == 20
    assert registry.tier(5).tokens_per_minute == 8_000_000
