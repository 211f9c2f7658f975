import datetime as dt
import tomllib
from decimal import Decimal

import pytest

from studio.core.errors import ModelUnavailableError
from studio.core.registry import Lifecycle, Registry, load_registry
from studio.core.resources import resource_path

TODAY = dt.date(2026, 11, 21)


def test_every_model_of_the_lifecycle_table_is_there(registry):
    ids = set(registry.model_ids())
    assert {"gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1-mini",
            "chatgpt-image-latest", "gpt-image-1", "dall-e-2", "dall-e-3"} <= ids


@pytest.mark.parametrize(
    "model, state",
    [
        ("gpt-image-2", Lifecycle.ACTIVE),
        ("gpt-image-2-2026-04-21", Lifecycle.ACTIVE),
        ("gpt-image-1.5", Lifecycle.DEPRECATED),
        ("gpt-image-1-mini", Lifecycle.DEPRECATED),
        ("chatgpt-image-latest", Lifecycle.DEPRECATED),
        ("gpt-image-1", Lifecycle.SHUTDOWN),
        ("dall-e-3", Lifecycle.RETIRED),
        ("dall-e-2", Lifecycle.RETIRED),
    ],
)
def test_status_follows_the_date(registry, model, state):
    assert registry.get(model).lifecycle(TODAY) is state


def test_deprecated_model_warns_before_shutdown_and_is_refused_from_that_day(registry):
    warning = registry.lifecycle_warning("gpt-image-1.5", dt.date(2026, 11, 21))
    assert "2026-12-01" in warning and "10 days" in warning and "gpt-image-2" in warning
    registry.require_usable("gpt-image-1.5", dt.date(2026, 11, 30))
    with pytest.raises(ModelUnavailableError) as err:
        registry.require_usable("gpt-image-1.5", dt.date(2026, 12, 1))
    assert "shut down on 2026-12-01" in str(err.value) and "gpt-image-2" in str(err.value)


@pytest.mark.parametrize("model, date", [("gpt-image-1", "2026-10-23"), ("dall-e-3", "2026-05-12"), ("dall-e-2", "2026-05-12")])
def test_retired_and_shut_down_models_are_refused_naming_the_date(registry, model, date):
    with pytest.raises(ModelUnavailableError) as err:
        registry.require_usable(model, TODAY)
    assert date in str(err.value) and "use gpt-image-2" in str(err.value)


def test_unknown_model_lists_usable_ones(registry):
    with pytest.raises(ModelUnavailableError) as err:
        registry.get("gpt-image-9")
    assert "gpt-image-2" in str(err.value)


def test_snapshot_pins_the_alias_spec(registry):
    snap, alias = registry.get("gpt-image-2-2026-04-21"), registry.get("gpt-image-2")
    assert snap.base_id == "gpt-image-2" and snap.prices == alias.prices and snap.size_rules == alias.size_rules


def test_prices_are_decimals_from_data(registry):
    p = registry.get("gpt-image-2").prices
    assert (p.text_in, p.cached_text_in, p.image_in, p.cached_image_in, p.image_out) == tuple(
        Decimal(x) for x in ("5", "1.25", "8", "2", "30")
    )
    assert registry.get("gpt-image-2").batch_prices.image_out == Decimal("15")
    assert registry.get("gpt-image-1.5").prices.text_out == Decimal("10")


def test_registry_is_data_driven():
    """Changing the data file changes the app: nothing is hard-coded."""
    data = tomllib.loads(resource_path("models.toml").read_text())
    data["models"][0]["prices"]["image_out"] = "99"
    data["size_rules"]["gpt-image-2"]["max_edge"] = 4096
    changed = Registry(data)
    assert changed.get("gpt-image-2").prices.image_out == Decimal("99")
    assert changed.get("gpt-image-2").size_rules.max_edge == 4096
    assert load_registry().get("gpt-image-2").prices.image_out == Decimal("30")


def test_rate_tiers(registry):
    assert registry.tier(1).images_per_minute == 5 and registry.tier(2).images_per_minute == 20
    assert registry.tier(5).tokens_per_minute == 8_000_000
