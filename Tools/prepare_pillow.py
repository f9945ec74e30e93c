"""Mission 1-2 preparation the Python way, for timing `fashion prepare` against it.

Run:  python Tools/prepare_pillow.py DATA_ROOT OUT_DIR [SIZE] [WORKERS]
      (Pillow, NumPy and SciPy; this copy ran with Pillow 13.0, NumPy 2.x, SciPy 1.16)
Per photo, the same steps as `fashion prepare`: decode with Pillow's draft mode (libjpeg DCT
scaling to >= 2*SIZE on the shorter side), EXIF transpose, background = pixels within 70 of
the mean border colour and connected to the border (scipy.ndimage.label), opening and
closing (radius 0.6 % of the shorter side), largest 8-connected component, holes filled,
background to white, white share, crop to the box with a 2 % margin, white pad to a square,
resize (Pillow's antialiased bilinear), save JPEG q95. WORKERS processes (default 2, the
machine's cores). Prints one JSON line with the throughput.
"""
import json, os, sys, time
from multiprocessing import Pool
import numpy as np
from PIL import Image, ImageOps
from scipy import ndimage

root, out = sys.argv[1], sys.argv[2]
size = int(sys.argv[3]) if len(sys.argv) > 3 else 224
workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2


def prepare(job):
    split, name = job
    im = Image.open(os.path.join(root, f"{split}_image", name))
    im.draft("RGB", (2 * size, 2 * size))
    im = ImageOps.exif_transpose(im).convert("RGB")
    a = np.asarray(im).astype(np.float32)
    h, w, _ = a.shape
    border = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    close = ((a - border.mean(0)) ** 2).sum(-1) <= 70.0 ** 2
    labels, _ = ndimage.label(close)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    background = np.isin(labels, edge[edge > 0])
    r = max(1, round(min(w, h) * 0.006))
    square = np.ones((2 * r + 1, 2 * r + 1), bool)
    fg = ndimage.binary_closing(ndimage.binary_opening(~background, square), square)
    labels, n = ndimage.label(fg, np.ones((3, 3), bool))
    if n:
        largest = 1 + np.argmax(ndimage.sum(fg, labels, range(1, n + 1)))
        fg = ndimage.binary_fill_holes(labels == largest)
    white = np.asarray(im).copy()
    white[~fg] = 255
    share = float((white.min(-1) >= 250).mean())
    if n:
        ys, xs = np.nonzero(fg)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        m = round(max(x1 - x0, y1 - y0) * 0.02)
        white = white[max(0, y0 - m):min(h, y1 + m), max(0, x0 - m):min(w, x1 + m)]
    hh, ww, _ = white.shape
    side = max(hh, ww)
    canvas = np.full((side, side, 3), 255, np.uint8)
    canvas[(side - hh) // 2:(side - hh) // 2 + hh, (side - ww) // 2:(side - ww) // 2 + ww] = white
    Image.fromarray(canvas).resize((size, size), Image.BILINEAR).save(os.path.join(out, f"{split}_{name}"), quality=95)
    return share


if __name__ == "__main__":
    os.makedirs(out, exist_ok=True)
    jobs = [(s, n) for s in ("training", "validation") for n in sorted(os.listdir(os.path.join(root, f"{s}_image")))]
    start = time.time()
    with Pool(workers) as pool:
        shares = pool.map(prepare, jobs, chunksize=1)
    elapsed = time.time() - start
    print(json.dumps({"photos": len(jobs), "seconds": round(elapsed, 3), "photos_per_second": round(len(jobs) / elapsed, 2),
                      "workers": workers, "mean_white_share": round(float(np.mean(shares)), 4)}))
