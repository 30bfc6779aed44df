"""Prints the text of the QR code on a page image: the tests read back the feedback address
a printed copy carries. Needs opencv-python-headless (PyPI), which scripts/test installs."""

import sys

import cv2

image = cv2.imread(sys.argv[1])
if image is None:
    sys.exit(f"cannot read {sys.argv[1]}")
text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
if not text:
    sys.exit("no QR code found")
print(text)
