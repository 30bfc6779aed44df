//! Reading a printed PDF back: its structure tree, and whether every piece of text belongs
//! to a structure element or is marked as page furniture; and the external PDF checkers.

use lopdf::{Document, Object};
use std::collections::HashMap;
use std::path::Path;

/// A PDF text string: UTF-16BE after a byte-order mark, else bytes as UTF-8.
fn text(o: &Object) -> String {
    match o {
        Object::String(b, _) if b.starts_with(&[0xfe, 0xff]) => String::from_utf16_lossy(
            &b[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
                .collect::<Vec<_>>(),
        ),
        Object::String(b, _) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

/// Every text-showing operator that is neither inside marked content with an MCID bound to
/// a structure element through the parent tree, nor inside an artifact: one line per
/// problem, empty when the document is fully tagged.
pub fn untagged_text(bytes: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(bytes).expect("a PDF");
    let mut problems = Vec::new();
    let catalog = doc.catalog().expect("a catalog");
    let Ok(root) = catalog.get(b"StructTreeRoot") else {
        return vec!["no structure tree".into()];
    };
    let root = deref(&doc, root).as_dict().expect("a structure tree root");
    let tree = deref(&doc, root.get(b"ParentTree").expect("a parent tree"))
        .as_dict()
        .expect("a number tree");
    let nums = tree.get(b"Nums").and_then(Object::as_array).expect("Nums");
    let mut parents: HashMap<i64, Vec<Object>> = HashMap::new();
    for pair in nums.chunks(2) {
        let key = pair[0].as_i64().expect("a key");
        // A page's entry is an array (by MCID); an annotation's is its element.
        if let Ok(value) = deref(&doc, &pair[1]).as_array() {
            parents.insert(key, value.clone());
        }
    }
    for (number, page_id) in doc.get_pages() {
        let page = doc.get_dictionary(page_id).expect("a page");
        let key = page
            .get(b"StructParents")
            .and_then(Object::as_i64)
            .unwrap_or(-1);
        let bound = parents.get(&key).cloned().unwrap_or_default();
        let content = doc.get_and_decode_page_content(page_id).expect("content");
        // (tag, mcid) of each open marked-content sequence.
        let mut open: Vec<(String, Option<i64>)> = Vec::new();
        for op in content.operations {
            match op.operator.as_str() {
                "BDC" | "BMC" => {
                    let tag = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                        .unwrap_or_default();
                    let mcid = op
                        .operands
                        .get(1)
                        .and_then(|o| o.as_dict().ok())
                        .and_then(|d| d.get(b"MCID").ok())
                        .and_then(|m| m.as_i64().ok());
                    open.push((tag, mcid));
                }
                "EMC" => {
                    open.pop();
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    let artifact = open.iter().any(|(tag, _)| tag == "Artifact");
                    let mcid = open.iter().rev().find_map(|(_, m)| *m);
                    let ok = artifact
                        || mcid.is_some_and(|m| {
                            bound.get(m as usize).is_some_and(|o| {
                                deref(&doc, o).as_dict().is_ok_and(|d| d.get(b"S").is_ok())
                            })
                        });
                    if !ok {
                        problems.push(format!("page {number}: text outside tagged content"));
                    }
                }
                _ => {}
            }
        }
        if !open.is_empty() {
            problems.push(format!("page {number}: marked content left open"));
        }
    }
    problems
}

/// The structure types in the tree, depth first: "Document", "H1", "P", "L", "LI", …
pub fn structure(bytes: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(bytes).expect("a PDF");
    let mut out = Vec::new();
    fn walk(doc: &Document, o: &Object, out: &mut Vec<String>) {
        let Ok(d) = deref(doc, o).as_dict() else {
            return;
        };
        if let Ok(s) = d.get(b"S").and_then(Object::as_name) {
            out.push(String::from_utf8_lossy(s).into_owned());
        }
        match d.get(b"K") {
            Ok(Object::Array(kids)) => kids.iter().for_each(|k| walk(doc, k, out)),
            Ok(k) => walk(doc, k, out),
            Err(_) => {}
        }
    }
    if let Ok(root) = doc.catalog().and_then(|c| c.get(b"StructTreeRoot")) {
        walk(&doc, root, &mut out);
    }
    out
}

/// The bookmarks' titles, in order.
pub fn bookmarks(bytes: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(bytes).expect("a PDF");
    let mut out = Vec::new();
    let Ok(outlines) = doc.catalog().and_then(|c| c.get(b"Outlines")) else {
        return out;
    };
    let mut item = deref(&doc, outlines)
        .as_dict()
        .ok()
        .and_then(|d| d.get(b"First").ok())
        .cloned();
    while let Some(o) = item {
        let Ok(d) = deref(&doc, &o).as_dict() else {
            break;
        };
        if let Ok(title) = d.get(b"Title") {
            out.push(text(title));
        }
        item = d.get(b"Next").ok().cloned();
    }
    out
}

/// Runs the PyPI `pdfua` checker and the pikepdf PDF/A-2b structural check on `files`;
/// returns their output when either finds anything. The tools come from the Python
/// environment `scripts/test` prepares (`SAMSPILL_PDF_TOOLS` names its bin folder).
pub fn external_checks(files: &[&Path]) -> Result<String, String> {
    let bin = std::env::var("SAMSPILL_PDF_TOOLS").unwrap_or_else(|_| {
        panic!("SAMSPILL_PDF_TOOLS must name the bin folder of a Python environment with pdfua and pikepdf (PyPI); scripts/test prepares it")
    });
    let bin = Path::new(&bin);
    let run = |program: &Path, args: Vec<&std::ffi::OsStr>| {
        let out = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{} cannot run: {e}", program.display()));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let (ua_ok, ua) = run(&bin.join("pdfua"), args);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pdfa_check.py");
    let mut args: Vec<&std::ffi::OsStr> = vec![script.as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let (a_ok, a) = run(&bin.join("python3"), args);
    let report = format!("{ua}\n{a}");
    if ua_ok && a_ok {
        Ok(report)
    } else {
        Err(report)
    }
}

/// The link annotations: (URI, its alternate description, whether a Link element of the
/// structure tree owns it through the parent tree).
pub fn links(bytes: &[u8]) -> Vec<(String, String, bool)> {
    let doc = Document::load_mem(bytes).expect("a PDF");
    let root = doc
        .catalog()
        .and_then(|c| c.get(b"StructTreeRoot"))
        .map(|r| deref(&doc, r).clone());
    let nums: Vec<Object> = root
        .ok()
        .and_then(|r| {
            r.as_dict()
                .ok()
                .and_then(|d| d.get(b"ParentTree").ok().cloned())
        })
        .and_then(|t| {
            deref(&doc, &t)
                .as_dict()
                .ok()
                .and_then(|d| d.get(b"Nums").ok().cloned())
        })
        .and_then(|n| n.as_array().ok().cloned())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let page = doc.get_dictionary(page_id).expect("a page");
        let Ok(annots) = page.get(b"Annots").and_then(Object::as_array) else {
            continue;
        };
        for a in annots {
            let Ok(a) = deref(&doc, a).as_dict() else {
                continue;
            };
            let uri = a
                .get(b"A")
                .ok()
                .and_then(|x| deref(&doc, x).as_dict().ok())
                .and_then(|x| x.get(b"URI").ok())
                .map(text)
                .unwrap_or_default();
            let contents = a.get(b"Contents").map(text).unwrap_or_default();
            let key = a
                .get(b"StructParent")
                .and_then(Object::as_i64)
                .unwrap_or(-1);
            let owned = nums.chunks(2).any(|pair| {
                pair[0].as_i64().ok() == Some(key)
                    && deref(&doc, &pair[1])
                        .as_dict()
                        .ok()
                        .and_then(|d| d.get(b"S").ok())
                        .and_then(|s| s.as_name().ok())
                        == Some(b"Link".as_slice())
            });
            out.push((uri, contents, owned));
        }
    }
    out
}

/// Every file passes the PyPI `pdfua` checker without findings and the PDF/A-2b structural
/// check without errors.
pub fn assert_accessible_and_archival(files: &[&Path]) {
    match external_checks(files) {
        Ok(report) => {
            assert_eq!(
                report.matches("result: PASS (no findings)").count(),
                files.len(),
                "{report}"
            );
            assert_eq!(
                report.matches(": 0 errors").count(),
                files.len(),
                "{report}"
            );
        }
        Err(report) => panic!("the PDF checkers found problems:\n{report}"),
    }
}

/// The text of the QR code on page `page` (from 1) of a PDF, rendered by pdftoppm and read
/// by OpenCV (`scripts/qr_decode.py`, in the Python environment `scripts/test` prepares).
/// The script tries two of OpenCV's detectors, and the page is read at 200, 300 and 400 dpi
/// (a phone held a little nearer): a valid code that one detector misses at one resolution
/// is read by another reading. The first reading wins.
pub fn qr_text(bytes: &[u8], page: usize) -> String {
    let bin = std::env::var("SAMSPILL_PDF_TOOLS").unwrap_or_else(|_| {
        panic!("SAMSPILL_PDF_TOOLS must name the bin folder of the Python environment scripts/test prepares")
    });
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("copy.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let page = page.to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/qr_decode.py");
    let mut failures = Vec::new();
    for dpi in ["200", "300", "400"] {
        let image = dir.path().join(format!("page-{dpi}"));
        let out = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", dpi, "-f", &page, "-l", &page, "-singlefile"])
            .arg(&pdf)
            .arg(&image)
            .output()
            .expect("pdftoppm (Debian package poppler-utils) renders the page");
        assert!(out.status.success(), "pdftoppm failed");
        let out = std::process::Command::new(Path::new(&bin).join("python3"))
            .arg(script)
            .arg(image.with_extension("png"))
            .output()
            .expect("the QR reader runs");
        if out.status.success() {
            return String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        failures.push(format!(
            "{dpi} dpi: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // Keep the copy and its page images for whoever reads the failure.
    let kept = dir.keep();
    panic!(
        "{} (the copy and its page images are kept in {})",
        failures.join("; "),
        kept.display()
    );
}
