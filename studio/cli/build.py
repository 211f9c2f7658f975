"""From parsed arguments to a validated request (everything that can be refused before sending)."""

from __future__ import annotations

import argparse

from studio.core.images import ImageFile, read_image_file
from studio.core.masks import prepare_mask
from studio.core.registry import Registry
from studio.core.request import EditRequest, ImageRequest
from studio.core.validation import Checked, validate

from .options import request_fields


def checked_request(args: argparse.Namespace, registry: Registry, *, prompt_required: bool = True) -> tuple[Checked, list[str]]:
    """The validated request and notices (resampled masks, lifecycle and size warnings)."""
    notices: list[str] = []
    fields = request_fields(args)
    paths = getattr(args, "image", None) or []
    if paths:
        images: tuple[ImageFile, ...] = tuple(read_image_file(p, role="image") for p in paths)
        mask = None
        if getattr(args, "mask", None):
            spec = registry.get(args.model)
            prepared = prepare_mask(read_image_file(args.mask, role="mask"), images[0].size, max_bytes=spec.mask_max_bytes)
            mask = prepared.mask
            notices.extend(prepared.notices)
        request: ImageRequest = EditRequest(
            prompt=args.prompt, images=images, mask=mask, input_fidelity=getattr(args, "input_fidelity", None), **fields
        )
    else:
        if getattr(args, "mask", None):
            from studio.core.errors import ImageInputError

            raise ImageInputError("mask: a mask needs an image to edit (add --image FILE)", param="mask")
        request = ImageRequest(prompt=args.prompt, **fields)
    checked = validate(request, registry, prompt_required=prompt_required)
    return checked, notices + list(checked.warnings)
