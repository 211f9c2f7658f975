"""`asset-studio cast` and a board's cast in `generate` / `batch submit`, as real processes against a
separate sandbox process: set up a cast, generate a 10-panel board that follows it, see what it cost and
what the references cost; switch an entry off; --no-cast; refusals with exit 2 that add nothing."""

from __future__ import annotations

import json

from PIL import Image

from tests.test_cli import LOW, cli


def _log(base):
    import httpx2

    return httpx2.get(base.removesuffix("/v1") + "/_sandbox/requests").json()


def _pictures(tmp_path):
    mara, shop = tmp_path / "mara.png", tmp_path / "shop.jpg"
    Image.new("RGB", (320, 320), (120, 40, 170)).save(mara)
    Image.new("RGB", (480, 320), (210, 140, 40)).save(shop, quality=90)
    return str(mara), str(shop)


def test_a_cast_then_a_ten_panel_board_that_follows_it(served, tmp_path):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    mara, shop = _pictures(tmp_path)
    assert cli("tier", "5", env=env).returncode == 0  # paced for a tier that draws ten at once
    add = cli(
        "cast", "add", "Series", "Mara", "--image", mara, "--description", "woman, purple hoodie", env=env
    )
    assert add.returncode == 0, add.stderr
    assert cli("cast", "add", "Series", "Coffee shop", "--image", shop, env=env).returncode == 0
    listed = json.loads(cli("cast", "list", "Series", "--json", env=env).stdout)
    assert [e["name"] for e in listed["entries"]] == ["Mara", "Coffee shop"] and listed["sent_images"] == 2
    assert listed["woven_text"].splitlines()[1:] == [
        "Image 1: Mara (woman, purple hoodie).",
        "Image 2: Coffee shop.",
    ]

    r = cli("generate", "--prompt", "she reads by the window", *LOW, "--n", "10", "--board", "Series",
            "--json", env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [x["entry"] for x in report["references"]] == ["Mara", "Coffee shop"]
    assert len(report["library_files"]) == 10 and len(report["continuity"]) == 10
    assert report["quote"]["image_input_tokens_max"] > 0
    assert 0 < float(report["billed_usd"]) <= float(report["quote"]["total_usd_max"])
    assert report["usage"]["input_tokens_details"]["image_tokens"] > 0
    sent = [x for x in _log(base) if x["path"] == "/v1/images/edits"]  # paced: one call or several
    assert sum(int(x["params"].get("n", 1)) for x in sent) == 10
    for call in sent:
        assert [f["field"] for f in call["files"]] == ["image[]", "image[]"]
        assert call["params"]["prompt"].endswith("\n\nshe reads by the window")

    text = cli("generate", "--prompt", "she waves", *LOW, "--board", "Series", env=env)
    assert text.returncode == 0 and "cast: Mara, Coffee shop (2 reference images)" in text.stderr
    assert "continuity hint" in text.stderr


def test_disable_no_cast_remove_and_refusals(served, tmp_path):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    mara, shop = _pictures(tmp_path)
    cli("cast", "add", "S", "Mara", "--image", mara, env=env)
    cli("cast", "add", "S", "Shop", "--image", shop, env=env)
    assert cli("cast", "disable", "S", "shop", env=env).returncode == 0
    one = json.loads(cli("generate", "--prompt", "p", *LOW, "--board", "S", "--json", env=env).stdout)
    assert [x["entry"] for x in one["references"]] == ["Mara"]
    plain = json.loads(cli("generate", "--prompt", "p", *LOW, "--board", "S", "--no-cast", "--json",
                           env=env).stdout)  # fmt: skip
    assert plain["references"] == [] and _log(base)[-1]["path"] == "/v1/images/generations"

    missing = cli("cast", "add", "S", "Prop", "--image", mara, "--image", str(tmp_path / "nope.png"), env=env)
    assert missing.returncode == 2 and "nope.png" in missing.stderr and "does not exist" in missing.stderr
    assert cli("cast", "enable", "S", "Ghost", env=env).returncode == 2
    crop = cli("cast", "add", "S", "Cup", "--crop", "1,2,3,4", env=env)
    assert crop.returncode == 2 and "--crop goes with --from-panel" in crop.stderr
    assert cli("cast", "add", "S", "Cup", "--from-panel", "9", env=env).returncode == 2
    cup = cli("cast", "add", "S", "Cup", "--from-panel", "1", "--crop", "0,0,200,100", env=env)
    assert cup.returncode == 0, cup.stderr
    assert cli("cast", "remove", "S", "Mara", env=env).returncode == 0
    listed = json.loads(cli("cast", "list", "S", "--json", env=env).stdout)
    assert [(e["name"], e["enabled"]) for e in listed["entries"]] == [("Shop", False), ("Cup", True)]
    assert listed["entries"][1]["images"][0]["from_panel"] == 1
    assert (listed["entries"][1]["images"][0]["width"], listed["entries"][1]["images"][0]["height"]) == (
        200,
        100,
    )


def test_continue_from_a_panel_on_the_command_line(served, tmp_path):
    base = served()
    env = {"OPENAI_BASE_URL": base, "OPENAI_API_KEY": "k"}
    assert cli("generate", "--prompt", "shot 1", *LOW, "--board", "C", env=env).returncode == 0
    assert cli("cast", "continue", "C", "1", env=env).returncode == 0
    two = json.loads(cli("generate", "--prompt", "shot 2", *LOW, "--board", "C", "--json", env=env).stdout)
    assert [x["entry"] for x in two["references"]] == ["previous shot"]
    assert json.loads(cli("cast", "list", "C", "--json", env=env).stdout)["continue_from_panel"] == 2
    assert cli("cast", "continue", "C", "off", env=env).returncode == 0
    three = json.loads(cli("generate", "--prompt", "shot 3", *LOW, "--board", "C", "--json", env=env).stdout)
    assert three["references"] == []


def test_quote_with_the_boards_cast_counts_its_references(tmp_path):
    mara, shop = _pictures(tmp_path)
    assert cli("cast", "add", "Q", "Mara", "--image", mara).returncode == 0
    plain = json.loads(cli("quote", "--prompt", "p", *LOW, "--json").stdout)
    r = cli("quote", "--prompt", "p", *LOW, "--board", "Q", "--json")
    assert r.returncode == 0, r.stderr
    cast = json.loads(r.stdout)
    assert cast["image_input_tokens_max"] > 0 == plain["image_input_tokens_max"]
    assert float(cast["references_usd"]["max"]) > 0 and [x["entry"] for x in cast["references"]] == ["Mara"]
    assert float(cast["total_usd_max"]) > float(plain["total_usd_max"])
    text = cli("quote", "--prompt", "p", *LOW, "--board", "Q").stdout
    assert "cast references  ~$" in text and "(Mara)" in text
