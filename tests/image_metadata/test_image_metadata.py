"""Issue 12: no EXIF or GPS in any published editor image."""

from __future__ import annotations

import io

from PIL import Image

from tps.image_metadata import strip_jpeg
from tps.site.build import build

SECRET = "officer home 12 Elm St"


def photo(kind: str, orientation: int = 1) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[2] = (43.0, 39.0, 10.0)  # GPSLatitude
    gps[1] = "N"
    buffer = io.BytesIO()
    if kind == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", SECRET)
        image.save(buffer, "PNG", exif=exif, pnginfo=info)
    else:
        image.save(buffer, kind, exif=exif)
    return buffer.getvalue()


def test_the_jpeg_stripper_keeps_the_pixels():
    data = photo("JPEG")
    clean = strip_jpeg(data)
    assert SECRET.encode() not in clean
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(clean))
    assert before.tobytes() == after.tobytes()
    assert not after.getexif()


def test_editor_images_are_published_without_exif_or_gps(content_copy, tmp_path):
    images = {
        "images/scene.jpg": photo("JPEG"),
        "images/turned.jpg": photo("JPEG", orientation=6),
        "images/chart.png": photo("PNG"),
        "images/banner.webp": photo("WEBP"),
        "internal/images/roster.jpg": photo("JPEG"),
    }
    for relative, data in images.items():
        assert SECRET.encode() in data
        (content_copy / relative).parent.mkdir(parents=True, exist_ok=True)
        (content_copy / relative).write_bytes(data)
    build(content=content_copy, output_root=tmp_path / "out", cache_root=tmp_path / "c")
    published = {
        "public": [
            "images/scene.jpg",
            "images/turned.jpg",
            "images/chart.png",
            "images/banner.webp",
        ],
        "internal": ["images/scene.jpg", "internal/images/roster.jpg"],
    }
    for site, paths in published.items():
        for relative in paths:
            path = tmp_path / "out" / site / relative
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
            with Image.open(path) as image:
                image.load()
                assert not image.getexif(), path
                assert not image.info.get("Comment"), path
    with Image.open(tmp_path / "out/public/images/turned.jpg") as turned:
        assert turned.size == (48, 64)  # turned upright before its EXIF went
    # the source files are untouched (the build never writes into content/)
    assert SECRET.encode() in (content_copy / "images/scene.jpg").read_bytes()


def test_the_leak_check_knows_an_internal_photo_once_stripped(content_copy, tmp_path):
    from tps.image_metadata import strip
    from tps.site.leakcheck import find_leaks

    source = content_copy / "internal/images/roster.jpg"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(photo("JPEG"))
    public = tmp_path / "public/images"
    public.mkdir(parents=True)
    (public / "r.jpg").write_bytes(strip(source, source.read_bytes()))
    assert find_leaks(tmp_path / "public", content_copy) == [
        "images/r.jpg: a copy of content/internal/images/roster.jpg"
    ]


def test_an_unreadable_image_fails_check_naming_it(content_copy):
    from tps.site.validation import validate_tree

    (content_copy / "images").mkdir(exist_ok=True)
    (content_copy / "images/notes.jpg").write_text("not a photo")
    found = [str(p) for p in validate_tree(content_copy) if "notes.jpg" in p.path]
    assert found and "not a readable image" in found[0], found
