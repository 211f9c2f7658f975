import io

import pytest
from PIL import Image

from studio.core.edit_prep import prepare_edit
from studio.core.errors import ImageInputError
from studio.core.images import inspect_image, read_image_file
from studio.core.names import safe_filename
from studio.core.registry import load_registry
from studio.core.sizes import Size


def _png(size, mode="RGBA", fill=(0, 0, 0, 255)) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, fill).save(buf, "PNG")
    return buf.getvalue()


def _mask(size, hole):
    im = Image.new("RGBA", size, (0, 0, 0, 255))
    im.paste((0, 0, 0, 0), hole)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return inspect_image(buf.getvalue(), "mask.png", role="mask")


def test_corrupt_empty_and_foreign_files_are_refused_specifically(tmp_path):
    with pytest.raises(ImageInputError, match="is empty"):
        inspect_image(b"", "a.png")
    with pytest.raises(ImageInputError, match="not a readable image"):
        inspect_image(b"\x89PNG\r\n\x1a\n garbage", "a.png")
    bmp = io.BytesIO()
    Image.new("RGB", (8, 8)).save(bmp, "BMP")
    with pytest.raises(ImageInputError, match="BMP image; the API takes PNG, JPEG or WebP"):
        inspect_image(bmp.getvalue(), "a.bmp")
    with pytest.raises(ImageInputError, match="does not exist"):
        read_image_file(tmp_path / "missing.png")
    with pytest.raises(ImageInputError, match="is a directory"):
        read_image_file(tmp_path)


def test_hostile_file_names_are_made_safe():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("..\\..\\x\r\n.png") == "x_.png"
    assert safe_filename("") == "image"
    assert inspect_image(_png((8, 8)), "../evil\nname.png").filename == "evil_name.png"


SPEC = load_registry().get("gpt-image-2")


def _source(size):
    return inspect_image(_png(size, "RGB", (10, 20, 30)), "src.png")


def test_mask_of_another_size_is_resampled_not_refused():
    prepared = prepare_edit(
        (_source((1024, 1024)),), None, SPEC, mask_file=_mask((512, 512), (0, 0, 256, 256))
    )
    assert prepared.mask.size == Size(1024, 1024) and any("resampled" in n for n in prepared.notices)
    alpha = Image.open(io.BytesIO(prepared.mask.data)).getchannel("A")
    assert alpha.getpixel((10, 10)) == 0 and alpha.getpixel((1000, 1000)) == 255
    assert alpha.histogram()[0] == pytest.approx(1024 * 1024 / 4, rel=0.01)


def test_masks_that_edit_nothing_or_everything_are_refused():
    src = _source((64, 64))
    with pytest.raises(ImageInputError, match="mask 'mask.png' is empty: no pixel is marked to edit"):
        prepare_edit((src,), None, SPEC, mask_file=_mask((64, 64), (0, 0, 0, 0)))
    with pytest.raises(ImageInputError, match="covers the whole image"):
        prepare_edit((src,), None, SPEC, mask_file=_mask((64, 64), (0, 0, 64, 64)))
    with pytest.raises(ImageInputError, match="no alpha channel"):
        prepare_edit(
            (src,),
            None,
            SPEC,
            mask_file=inspect_image(_png((64, 64), "RGB", (0, 0, 0)), "m.png", role="mask"),
        )


def test_a_valid_mask_file_is_sent_with_the_same_meaning():
    mask = _mask((64, 64), (0, 0, 32, 32))
    sent = prepare_edit((_source((64, 64)),), None, SPEC, mask_file=mask).mask
    a = Image.open(io.BytesIO(sent.data)).getchannel("A")
    b = Image.open(io.BytesIO(mask.data)).getchannel("A")
    assert a.tobytes() == b.tobytes()
