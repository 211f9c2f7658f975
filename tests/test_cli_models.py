"""The command line's new contract: 2.5 / 2.6 options, refusals before sending, `models`, quote kinds."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from studio.core.registry import load_registry

from .test_cli import LOW, SECRET, cli

S26 = ("--model", "gpt-image-2.6-sunburst")


@pytest.fixture
def images(tmp_path):
    src, markup, opaque, mask = (tmp_path / n for n in ("src.png", "markup.png", "opaque.png", "mask.png"))
    Image.new("RGB", (1024, 1024), (30, 60, 90)).save(src)
    m = Image.new("RGBA", (1024, 1024), (0, 0, 0, 0))
    m.paste((255, 0, 0, 255), (100, 100, 300, 300))
    m.save(markup)
    Image.new("RGBA", (1024, 1024), (255, 0, 0, 255)).save(opaque)
    hole = Image.new("RGBA", (1024, 1024), (0, 0, 0, 255))
    hole.paste((0, 0, 0, 0), (0, 0, 200, 200))
    hole.save(mask)
    small = tmp_path / "small.png"
    m.resize((512, 512)).save(small)
    return {
        "src": str(src),
        "markup": str(markup),
        "opaque": str(opaque),
        "mask": str(mask),
        "small": str(small),
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("generate", "--prompt", "x", *S26, "--format", "svg", "--n", "2"),
            "n 2: SVG output makes 1 image per call",
        ),
        (
            ("generate", "--prompt", "x", *S26, "--format", "gif", "--size", "512x512", "--frames", "20"),
            "frame_count 20: must be",
        ),
        (("generate", "--prompt", "x", "--complexity", "low"), "gpt-image-2 has no complexity control"),
        (("generate", "--prompt", "x", "--quality", "max"), "quality max: is not offered by gpt-image-2"),
        (
            ("generate", "--prompt", "x", *S26, "--format", "gif", "--size", "1024x1024", "--frames", "6"),
            "6 frames of 1024x1024 make a 4x2 sheet of 4096x2048; a sheet's edges must be at most 3840",
        ),
        (
            (
                "generate",
                "--prompt",
                "x",
                *S26,
                "--format",
                "gif",
                "--size",
                "512x512",
                "--partial-images",
                "1",
            ),
            "GIF output cannot be streamed",
        ),
        (
            ("generate", "--prompt", "x", *S26, "--svg-effort", "high", "--format", "svg"),
            "needs an SVG author model",
        ),
        (("quote", "--model", "gpt-image-1.5"), "gpt-image-2.6-sunburst or gpt-image-2.6-flare"),
        (
            ("quote", *S26, "--batch"),
            "may not support the Batch API (reported unsupported; OpenAI's flag is unknown)",
        ),
    ],
)
def test_conflicts_are_refused_before_sending(args, message):
    r = cli(*args)
    assert r.returncode == 2 and message in r.stderr, r.stderr


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--markup", "{markup}", "--mask", "{mask}"), "cannot be combined with a mask"),
        (("--markup", "{opaque}"), "has no transparent pixels"),
        (("--markup", "{small}"), "it must be exactly the first image's 1024x1024"),
    ],
)
def test_markup_refusals(images, extra, message):
    args = [a.format(**images) for a in extra]
    r = cli("edit", "--image", images["src"], "--prompt", "circle it", *S26, *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_quote_json_answers_with_its_kind_for_every_listed_model():
    registry = load_registry()
    for spec in registry.picker_models():
        r = cli("quote", "--model", spec.id, *LOW, "--json")
        assert r.returncode == 0, r.stderr
        q = json.loads(r.stdout)
        assert q["kind"] == (
            "exact" if spec.id.startswith("gpt-image-2-") or spec.id == "gpt-image-2" else "estimate"
        ), spec.id
        assert float(q["total_usd_max"]) >= float(q["total_usd_estimate"]) > 0


def test_quote_text_says_estimate_and_svg_author(tmp_path):
    r = cli(
        "quote",
        *S26,
        "--size",
        "1024x1024",
        "--quality",
        "high",
        "--format",
        "svg",
        "--svg-author",
        "gpt-5.4",
    )
    assert r.returncode == 0 and "estimate (no published formula; bound holds)" in r.stdout
    assert "SVG author       gpt-5.4" in r.stdout


def test_markup_edit_and_gif_from_the_cli(tmp_path, images):
    out = tmp_path / "out"
    r = cli(
        "edit",
        "--image",
        images["src"],
        "--markup",
        images["markup"],
        "--prompt",
        "a sun here",
        *S26,
        "--quality",
        "low",
        "--out",
        str(out),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["files"] and any("may change anything" in w for w in report["warnings"])
    r = cli(
        "generate",
        "--prompt",
        "a ball",
        *S26,
        "--format",
        "gif",
        "--size",
        "512x512",
        "--frames",
        "4",
        "--frame-ms",
        "95",
        "--quality",
        "low",
        "--out",
        str(out),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    with Image.open(json.loads(r.stdout)["files"][0]) as gif:
        assert gif.n_frames == 4 and gif.info["duration"] == 100


def test_models_lists_sources_and_the_endpoints_shutdown_dates(served):
    base = served("--shutdown", "gpt-image-2.6-flare=2027-01-15", "--gif-access", "off")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": SECRET}
    r = cli("models", "--json", env=env)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    rows = {m["id"]: m for m in report["models"]}
    flare = rows["gpt-image-2.6-flare"]
    assert (
        flare["shutdown_date"] == "2027-01-15"
        and flare["status"] == "deprecated"
        and "/v1/models" in flare["lifecycle_source"]
    )
    assert rows["gpt-image-2"]["quote"] == "exact" and rows["gpt-image-2.6-sunburst"]["quote"] == "estimate"
    assert (
        rows["gpt-image-1.5"]["status"] == "shutdown"
        and rows["gpt-image-1.5"]["lifecycle_source"] == "bundled"
    )
    assert "qualities.xhigh" in rows["gpt-image-2.6-sunburst"]["reported_by_third_parties"]
    assert report["read_at"] and SECRET not in r.stdout + r.stderr
    warned = cli("quote", "--model", "gpt-image-2.6-flare", "--size", "1024x1024", "--json", env=env)
    assert warned.returncode == 0
    gif = cli(
        "generate", "--prompt", "x", *S26, "--format", "gif", "--size", "512x512", "--out", "/tmp", env=env
    )
    assert gif.returncode == 1 and "needs access to the GIF preview on your OpenAI project" in gif.stderr, (
        gif.stderr
    )
    assert "Nothing was billed or retried" in gif.stderr
    text = cli("models", "--offline", env=env)
    assert "gpt-image-2.6-flare" in text.stdout and "2027-01-15" in text.stdout


def test_an_unlisted_model_the_endpoint_lists_can_be_used_after_opting_in(served, tmp_path):
    base = served("--extra-model", "gpt-image-2.7-nova")
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": SECRET}
    args = ("--model", "gpt-image-2.7-nova", *LOW)
    refused = cli("generate", "--prompt", "x", *args, "--out", str(tmp_path), env=env)
    assert refused.returncode == 2 and "is not a known image model" in refused.stderr
    listed = json.loads(cli("models", "--json", env=env).stdout)
    assert "gpt-image-2.7-nova" in listed["listed_not_in_this_version"]
    assert (
        cli("models", "--use", "gpt-image-9-unlisted", env=env).returncode == 2
    )  # the endpoint does not list it
    assert cli("models", "--use", "gpt-image-2.7-nova", env=env).returncode == 0
    q = json.loads(cli("quote", *args, "--json", env=env).stdout)
    assert q["kind"] == "estimate" and any("not in this version's model list" in n for n in q["notes"])
    made = cli("generate", "--prompt", "x", *args, "--out", str(tmp_path), "--json", env=env)
    assert made.returncode == 0, made.stderr
    rows = {m["id"]: m for m in json.loads(cli("models", "--json", env=env).stdout)["models"]}
    assert rows["gpt-image-2.7-nova"]["in_this_version"] is False and rows["gpt-image-2.7-nova"]["why"]
