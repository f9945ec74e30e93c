"""Small image files for the Vision decoder tests, and the pixels Pillow decodes from them.

Run:  /root/torchenv/bin/python Tools/make_image_fixtures.py
      (any Python with Pillow >= 10 and NumPy; this copy ran with Pillow 13.0.0)
Writes Tests/VisionTests/Reference/images/* and Tests/VisionTests/Reference/decoding.json.
The images are committed; Pillow is not a dependency of the project.
"""
import io, json, os, struct, zlib
import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "VisionTests", "Reference")
IMAGES = os.path.join(ROOT, "images")
os.makedirs(IMAGES, exist_ok=True)
rng = np.random.default_rng(7)


def smooth_rgb(w, h):
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 / max(w - 1, 1))
    g = (y * 255 / max(h - 1, 1))
    b = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 4.0)
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


def record(name, image):
    return {"file": name, "width": image.width, "height": image.height,
            "channels": 1 if image.mode == "L" else 3, "pixels": list(image.tobytes())}


out = {}
# Colour JPEG 40×30 (4:2:0, quality 90) and Pillow's decodes at full size and in draft (1/2, 1/4).
rgb = Image.fromarray(smooth_rgb(40, 30))
rgb.save(os.path.join(IMAGES, "rgb.jpg"), quality=90)
out["rgb.jpg"] = record("rgb.jpg", Image.open(os.path.join(IMAGES, "rgb.jpg")).convert("RGB"))
for denom in (2, 4):
    im = Image.open(os.path.join(IMAGES, "rgb.jpg"))
    im.draft("RGB", (40 // denom, 30 // denom))
    out[f"rgb.jpg/{denom}"] = record("rgb.jpg", im.convert("RGB"))

# Grey JPEG.
grey = Image.fromarray(smooth_rgb(24, 16)[:, :, 0])
grey.save(os.path.join(IMAGES, "grey.jpg"), quality=92)
out["grey.jpg"] = record("grey.jpg", Image.open(os.path.join(IMAGES, "grey.jpg")))

# CMYK JPEG (Pillow writes Adobe-inverted CMYK).
Image.fromarray(smooth_rgb(16, 12)).convert("CMYK").save(os.path.join(IMAGES, "cmyk.jpg"), quality=95)
out["cmyk.jpg"] = record("cmyk.jpg", Image.open(os.path.join(IMAGES, "cmyk.jpg")).convert("RGB"))

# EXIF orientation 6 (rotate 90° clockwise to view) on a 20×12 colour JPEG.
exif = Image.Exif()
exif[0x0112] = 6
Image.fromarray(smooth_rgb(20, 12)).save(os.path.join(IMAGES, "orientation6.jpg"), quality=90, exif=exif.tobytes())
out["orientation6.jpg"] = record("orientation6.jpg",
                                 ImageOps.exif_transpose(Image.open(os.path.join(IMAGES, "orientation6.jpg"))).convert("RGB"))

# Palette PNG.
pal = Image.fromarray(smooth_rgb(18, 10)).quantize(colors=16)
pal.save(os.path.join(IMAGES, "palette.png"))
out["palette.png"] = record("palette.png", Image.open(os.path.join(IMAGES, "palette.png")).convert("RGB"))

# RGBA PNG: composited on white as paste(image, mask=alpha).
rgba = np.concatenate([smooth_rgb(14, 9), rng.integers(0, 256, (9, 14, 1), dtype=np.uint8)], -1)
Image.fromarray(rgba, "RGBA").save(os.path.join(IMAGES, "rgba.png"))
im = Image.open(os.path.join(IMAGES, "rgba.png"))
white = Image.new("RGB", im.size, (255, 255, 255))
white.paste(im.convert("RGB"), mask=im.getchannel("A"))
out["rgba.png"] = record("rgba.png", white)

# Grey + alpha PNG.
la = np.stack([smooth_rgb(11, 7)[:, :, 1], rng.integers(0, 256, (7, 11), dtype=np.uint8)], -1)
Image.fromarray(la, "LA").save(os.path.join(IMAGES, "grey_alpha.png"))
im = Image.open(os.path.join(IMAGES, "grey_alpha.png"))
white = Image.new("L", im.size, 255)
white.paste(im.getchannel("L"), mask=im.getchannel("A"))
out["grey_alpha.png"] = record("grey_alpha.png", white)


# 16-bit RGB PNG written by hand (Pillow cannot): values v16; expected round(v16 · 255 / 65535).
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


w, h = 5, 3
v16 = rng.integers(0, 65536, (h, w, 3), dtype=np.uint16)
raw = b"".join(b"\x00" + v16[y].astype(">u2").tobytes() for y in range(h))
png = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)) \
    + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
open(os.path.join(IMAGES, "rgb16.png"), "wb").write(png)
expected = np.floor(v16.astype(np.float64) * 255 / 65535 + 0.5).astype(np.uint8)
out["rgb16.png"] = {"file": "rgb16.png", "width": w, "height": h, "channels": 3, "pixels": list(expected.tobytes())}

json.dump(out, open(os.path.join(ROOT, "decoding.json"), "w"))
print("wrote", len(out), "references to", ROOT)
