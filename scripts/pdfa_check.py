#!/usr/bin/env python3
"""A structural PDF/A-2b check with pikepdf, for the documents Samspill prints.

It checks what can be checked without veraPDF: the XMP metadata declares PDF/A-2b and
PDF/UA-1 and agrees with the document information; an output intent with an ICC profile is
present; every font is embedded and subset; there is no encryption, JavaScript,
transparency or PDF/X marker; the metadata stream is unfiltered and the trailer has an ID.
It is not a conformance certificate. Usage: pdfa_check.py FILE...; exit 1 on any error.
"""
import sys
from datetime import datetime

import pikepdf

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}


def pdf_date(value):
    """D:YYYYMMDDHHmmSS+00'00' as an aware datetime."""
    s = str(value)[2:].replace("'", "")
    return datetime.strptime(s[:14] + (s[14:] or "+0000").replace("Z", "+0000"), "%Y%m%d%H%M%S%z")


def check(path):
    errors = []
    err = errors.append
    try:
        pdf = pikepdf.open(path)
    except Exception as e:  # noqa: BLE001 - any failure to open is the finding
        return [f"cannot be opened: {e}"]
    if pdf.is_encrypted:
        err("is encrypted")
    if pdf.pdf_version < "1.7":
        err(f"PDF version {pdf.pdf_version}, expected 1.7")
    if "/ID" not in pdf.trailer:
        err("trailer has no /ID")
    root = pdf.Root
    info = pdf.docinfo
    for key in ("/GTS_PDFXVersion", "/GTS_PDFXConformance"):
        if key in info:
            err(f"document information has a PDF/X marker {key}")
    if "/Metadata" not in root:
        err("no XMP metadata")
    else:
        if "/Filter" in root.Metadata:
            err("the metadata stream is filtered")
        meta = pdf.open_metadata()
        expect = {
            "pdfaid:part": "2",
            "pdfaid:conformance": "B",
            "pdfuaid:part": "1",
        }
        for key, value in expect.items():
            if str(meta.get(key, "")) != value:
                err(f"XMP {key} is {meta.get(key)!r}, expected {value!r}")
        pairs = [
            ("/Title", "dc:title"),
            ("/Author", "dc:creator"),
            ("/Subject", "dc:description"),
            ("/Creator", "xmp:CreatorTool"),
            ("/Producer", "pdf:Producer"),
        ]
        for key, prop in pairs:
            have = str(info.get(key, ""))
            xmp = meta.get(prop)
            if isinstance(xmp, list):
                xmp = xmp[0] if xmp else ""
            if have != str(xmp or ""):
                err(f"{key} {have!r} and XMP {prop} {xmp!r} differ")
        for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
            if key in info:
                try:
                    a = pdf_date(info[key])
                    b = datetime.fromisoformat(str(meta.get(prop)))
                    if a != b:
                        err(f"{key} {a} and XMP {prop} {b} differ")
                except (ValueError, TypeError) as e:
                    err(f"{key} or {prop} cannot be read: {e}")
    intents = root.get("/OutputIntents")
    if not intents:
        err("no output intent")
    else:
        for oi in intents:
            if oi.get("/S") != "/GTS_PDFA1":
                err(f"output intent subtype {oi.get('/S')}, expected /GTS_PDFA1")
            profile = oi.get("/DestOutputProfile")
            if profile is None or int(profile.get("/N", 0)) != 3:
                err("output intent without an RGB ICC profile")
    if "/Names" in root and "/JavaScript" in root.Names:
        err("has JavaScript")
    if "/OpenAction" in root or "/AA" in root:
        err("has an open action")
    fonts = {}
    for n, page in enumerate(pdf.pages, 1):
        if "/Group" in page.obj and page.obj.Group.get("/S") == "/Transparency":
            err(f"page {n} has a transparency group")
        res = page.obj.get("/Resources", {})
        for gs in res.get("/ExtGState", {}).values():
            if "/SMask" in gs and gs.SMask != "/None":
                err(f"page {n} uses a soft mask")
            for key in ("/CA", "/ca"):
                if key in gs and float(gs[key]) < 1:
                    err(f"page {n} uses transparency {key}")
        for name, font in res.get("/Font", {}).items():
            fonts[str(font.get("/BaseFont")).lstrip("/")] = font
    for base, font in fonts.items():
        if "+" not in base or len(base.split("+")[0]) != 6:
            err(f"font {base} is not subset")
        descendants = font.get("/DescendantFonts") or [font]
        for d in descendants:
            fd = d.get("/FontDescriptor")
            if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                err(f"font {base} is not embedded")
    return errors


def main(paths):
    failed = 0
    for path in paths:
        errors = check(path)
        print(f"{path}: {len(errors)} errors")
        for e in errors:
            print(f"  [ERROR] {e}")
        failed += len(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
