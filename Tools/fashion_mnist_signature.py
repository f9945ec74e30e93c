#!/usr/bin/env python3
"""The order-free content signature of a Fashion-MNIST split, as FashionMNIST.contentSignature
computes it (Sources/Dataset/FashionMNISTIdentity.swift): the wrapping 64-bit sum over images
of SplitMix64's finaliser applied to FNV-1a 64 of the image's label byte and its 784 pixels.
Written independently of the Swift code, in plain Python, to make the published constants.

    python3 Tools/fashion_mnist_signature.py [/usr/share/datasets/fashion-mnist]
"""
import gzip
import sys

MASK = (1 << 64) - 1


def mix(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def read(path):
    with open(path, "rb") as f:
        head = f.read(2)
    return (gzip.open(path) if head == b"\x1f\x8b" else open(path, "rb")).read()


def signature(images_path, labels_path):
    images, labels = read(images_path)[16:], read(labels_path)[8:]
    total = 0
    for i, label in enumerate(labels):
        h = 0xCBF29CE484222325
        h = ((h ^ label) * 0x100000001B3) & MASK
        for b in images[i * 784:(i + 1) * 784]:
            h = ((h ^ b) * 0x100000001B3) & MASK
        total = (total + mix(h)) & MASK
    return len(labels), total


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    for split, prefix in (("train", "train"), ("test", "t10k")):
        n, s = signature(f"{folder}/{prefix}-images-idx3-ubyte.gz", f"{folder}/{prefix}-labels-idx1-ubyte.gz")
        print(f"{split}: {n} images, signature 0x{s:016X}")
