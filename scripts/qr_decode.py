"""Prints the text of the QR code on a page image: the tests read back the feedback address
a printed copy carries. Needs opencv-python-headless (PyPI), which scripts/test installs.

OpenCV's classic detector misses some valid codes (it finds no finder patterns in them);
its ArUco-based detector reads those, as a phone's reader would. The first reading wins."""

import sys

import cv2

image = cv2.imread(sys.argv[1])
if image is None:
    sys.exit(f"cannot read {sys.argv[1]}")
for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
    text, _points, _ = detector.detectAndDecode(image)
    if text:
        print(text)
        sys.exit(0)
sys.exit("no QR code found")
