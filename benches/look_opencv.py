#!/usr/bin/env python3
"""The look in OpenCV, timed the same way as `lts bench look` (1920x1080 -> 256², downscale 24).

Run: /usr/bin/python3 benches/look_opencv.py [IMAGE]   (Debian's python3-opencv)
Prints a markdown row per variant, median of 30 runs after one warm-up.
"""
import sys
import time

import cv2
import numpy as np

SIZE, FACTOR, RUNS = 256, 24.0, 30


def look(frame):
    h, w = frame.shape[:2]
    side = min(w, h)
    x0, y0 = (w - side) // 2, (h - side) // 2
    crop = frame[y0:y0 + side, x0:x0 + side].astype(np.float32) / 255.0
    grey = crop @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    grey = cv2.resize(grey, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    low = max(1, int(SIZE / FACTOR + 0.5))
    grey = cv2.resize(grey, (low, low), interpolation=cv2.INTER_AREA)
    grey = cv2.resize(grey, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
    return np.clip(grey, 0, 1) * 2 - 1


def look_uint8(frame):
    h, w = frame.shape[:2]
    side = min(w, h)
    x0, y0 = (w - side) // 2, (h - side) // 2
    small = cv2.resize(frame[y0:y0 + side, x0:x0 + side], (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    low = max(1, int(SIZE / FACTOR + 0.5))
    grey = cv2.resize(cv2.resize(grey, (low, low), interpolation=cv2.INTER_AREA), (SIZE, SIZE),
                      interpolation=cv2.INTER_CUBIC)
    return np.clip(grey, 0, 1) * 2 - 1


def median_ms(fn, frame):
    fn(frame)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(frame)
        times.append((time.perf_counter() - start) * 1e3)
    return sorted(times)[len(times) // 2]


def main():
    if len(sys.argv) > 1:
        frame = cv2.cvtColor(cv2.imread(sys.argv[1]), cv2.COLOR_BGR2RGB)
    else:
        rng = np.random.default_rng(1)
        frame = (rng.random((1080, 1920, 3)) * 255).astype(np.uint8)
    frame = cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_LINEAR)
    print(f"| OpenCV {cv2.__version__}, float32 as the CPU look | downscale 24 | {median_ms(look, frame):.2f} |")
    print(f"| OpenCV, uint8 framing first (cheaper, not identical) | downscale 24 | {median_ms(look_uint8, frame):.2f} |")


if __name__ == "__main__":
    main()
