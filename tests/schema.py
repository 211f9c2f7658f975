"""Validate sandbox answers against OpenAI's own schemas (tests/data/openai-images-schemas.yaml)."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

DATA = Path(__file__).with_name("data") / "openai-images-schemas.yaml"
URI = "urn:openai-images"
_ANY_SIZE = {"type": "string", "pattern": r"^(auto|\d+x\d+)$"}


@lru_cache(maxsize=1)
def _registry() -> Registry:
    doc = copy.deepcopy(yaml.safe_load(DATA.read_text()))
    schemas = doc["components"]["schemas"]
    # The only relaxation: gpt-image-2 answers with any WxH size, the spec's enums list three.
    for name in (
        "ImagesResponse",
        "ImageGenPartialImageEvent",
        "ImageGenCompletedEvent",
        "ImageEditPartialImageEvent",
        "ImageEditCompletedEvent",
        "EditImageBodyJsonParam",
    ):
        schemas[name]["properties"]["size"] = dict(_ANY_SIZE)
    return Registry().with_resource(URI, Resource.from_contents(doc, default_specification=_spec()))


def _spec():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def validate(instance: Any, schema_name: str) -> None:
    """Raise jsonschema.ValidationError if `instance` does not match components/schemas/<schema_name>."""
    schema = {"$ref": f"{URI}#/components/schemas/{schema_name}"}
    validator = Draft202012Validator(schema, registry=_registry())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        raise errors[0]
