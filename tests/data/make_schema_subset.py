"""Regenerate openai-images-schemas.yaml from ../shared/openai-images-openapi.yaml (verbatim subset).

Run from the repository root: python tests/data/make_schema_subset.py
"""

from pathlib import Path

import yaml

SOURCE = Path(__file__).resolve().parents[2].parent / "shared" / "openai-images-openapi.yaml"
TARGET = Path(__file__).with_name("openai-images-schemas.yaml")
KEEP = [
    "CreateImageRequest",
    "PartialImages",
    "Image",
    "ImagesResponse",
    "ImageGenUsage",
    "ImageGenInputUsageDetails",
    "ImageGenOutputTokensDetails",
    "ImagesUsage",
    "ImageGenPartialImageEvent",
    "ImageGenCompletedEvent",
    "ImageGenStreamEvent",
    "ImageEditPartialImageEvent",
    "ImageEditCompletedEvent",
    "ImageEditStreamEvent",
    "EditImageBodyJsonParam",
    "ImageRefParam",
]
HEADER = """\
# Trimmed copy of OpenAI's OpenAPI schemas for the image endpoints, for the test suite.
# Origin: openai/openai-openapi, openapi.yaml at commit f85dbe223d40e1a31cba812ab2d755c7e98a92a3
# (2026-08-21), via shared/openai-images-openapi.yaml. MIT licence (OpenAI).
# The schemas below are copied verbatim (descriptions included); regenerate with make_schema_subset.py.
# Known lag (see shared/docs/openai-image-api.md section 2): the `size` enums list only the three
# standard sizes while gpt-image-2 answers with any WxH; tests/schema.py relaxes exactly that.
"""


def main() -> None:
    doc = yaml.safe_load(SOURCE.read_text())
    schemas = doc["components"]["schemas"]
    subset = {"components": {"schemas": {name: schemas[name] for name in KEEP}}}
    TARGET.write_text(HEADER + yaml.safe_dump(subset, sort_keys=False, allow_unicode=True, width=100))


if __name__ == "__main__":
    main()
