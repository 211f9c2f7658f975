"""`asset-studio quote`: the price before anything is sent (of one request, or of a template's set)."""

from __future__ import annotations

import argparse

from studio.core.errors import RefusedError
from studio.core.pricing import format_usd, quote
from studio.core.set_quote import quote_set
from studio.core.validation import validate

from .build import checked_request, local_registry, template_requests
from .output import emit_json, quote_lines, refuse, warn


def run(args: argparse.Namespace) -> int:
    registry, learned = local_registry(learned=True)
    try:
        requests, notices = template_requests(args, registry, prompt_required=False)
        if len(requests) > 1 or args.rows:
            return _quote_set(args, registry, learned, requests, notices)
        checked, notices = checked_request(args, registry, prompt_required=False)
        q = quote(checked, registry, batch=args.batch, learned_output=learned)
    except (RefusedError, ValueError) as exc:
        return refuse(str(exc))
    for notice in notices:
        warn(notice)
    if args.json:
        emit_json({**q.to_json(), "warnings": notices})
    else:
        print("\n".join(quote_lines(q)))
    return 0


def _quote_set(args, registry, learned, requests, notices) -> int:
    checked = [validate(r, registry, prompt_required=False) for r in requests]
    both = quote_set(checked, registry, learned_output=learned)
    if args.batch and both.batch_max is None:
        return refuse(both.batch_refusal or "these requests cannot go as a batch")
    for notice in notices:
        warn(notice)
    if args.json:
        emit_json({**both.to_json(batch=args.batch), "prompts": [r.prompt for r in requests][:50]})
        return 0
    print(f"requests         {both.requests:,} (from the template)")
    for r in requests[:5]:
        print(f"  {r.prompt}")
    if len(requests) > 5:
        print(f"  … and {len(requests) - 5:,} more")
    print(f"sent now         ~{format_usd(both.now_estimate)}, at most {format_usd(both.now_max)}")
    if both.batch_max is not None and both.batch_estimate is not None:
        print(f"as a batch       ~{format_usd(both.batch_estimate)}, at most {format_usd(both.batch_max)}")
    else:
        print(f"as a batch       refused: {both.batch_refusal}")
    for note in both.notes:
        print(f"note             {note}")
    return 0
