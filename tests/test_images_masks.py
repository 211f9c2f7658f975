import io

import pytest
from PIL import Image

from studio.core.errors import ImageInputError
from studio.core.images import inspect_image, read_image_file, safe_filename
from studio.core.masks import prepare_mask
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


def test_mask_of_another_size_is_resampled_not_refused():
    prepared = prepare_mask(_mask((512, 512), (0, 0, 256, 256)), Size(1024, 1024), max_bytes=4_194_304)
    assert prepared.mask.size == Size(1024, 1024) and prepared.notices
    assert prepared.edit_fraction == pytest.approx(0.25, abs=0.01)
    alpha = Image.open(io.BytesIO(prepared.mask.data)).getchannel("A")
    assert alpha.getpixel((10, 10)) == 0 and alpha.getpixel((1000, 1000)) == 255


def test_masks_that_edit_nothing_or_everything_are_refused():
    with pytest.raises(ImageInputError, match="is empty: no pixel is transparent"):
        prepare_mask(_mask((64, 64), (0, 0, 0, 0)), Size(64, 64), max_bytes=10**6)
    with pytest.raises(ImageInputError, match="transparent everywhere"):
        prepare_mask(_mask((64, 64), (0, 0, 64, 64)), Size(64, 64), max_bytes=10**6)
    with pytest.raises(ImageInputError, match="no alpha channel"):
        prepare_mask(inspect_image(_png((64, 64), "RGB", (0, 0, 0)), "m.png", role="mask"), Size(64, 64), max_bytes=10**6)


def test_a_valid_rgba_mask_is_sent_untouched():
    mask = _mask((64, 64), (0, 0, 32, 32))
    assert prepare_mask(mask, Size(64, 64), max_bytes=10**6).mask.data == mask.data
