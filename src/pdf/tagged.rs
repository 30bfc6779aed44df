//! What makes a printed document accessible and archival, added to the document printpdf
//! drew: the structure tree its marked content belongs to, bookmarks per section, the
//! document information and matching XMP metadata claiming PDF/A-2b and PDF/UA-1, and an
//! sRGB output intent.

use super::layout::Node;
use super::Meta;
use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

/// A text string as PDF wants it for any language: UTF-16BE with a byte-order mark.
fn text(s: &str) -> Object {
    let mut bytes = vec![0xfe, 0xff];
    for unit in s.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

fn pdf_date(at: DateTime<Utc>) -> Object {
    Object::string_literal(at.format("D:%Y%m%d%H%M%S+00'00'").to_string())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The XMP packet: the same title, author, subject, dates and producer as the document
/// information, and the PDF/A-2b and PDF/UA-1 identification (with the extension schema
/// PDF/A asks for to declare pdfuaid).
pub fn xmp(meta: &Meta<'_>) -> String {
    let date = meta.created.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    let title = xml_escape(meta.title);
    let author = xml_escape(meta.author);
    let subject = xml_escape(meta.subject);
    let lang = xml_escape(meta.language);
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
    xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>{creator}</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdf:Producer>{producer}</pdf:Producer>
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <pdfuaid:part>1</pdfuaid:part>
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        creator = CREATOR,
        producer = PRODUCER,
    )
}

pub const CREATOR: &str = "Samspill";
pub const PRODUCER: &str = "Samspill (printpdf)";

/// What the page content marks: per page, the structure element of each MCID in order.
pub type Marks = Vec<Vec<usize>>;

/// A link's active area on a page, and the Link element its text belongs to.
pub struct Link {
    pub rect: [f32; 4],
    pub uri: String,
    pub node: usize,
}

/// Adds the structure tree, bookmarks, metadata and output intent to `doc`.
pub fn finish(
    doc: &mut Document,
    nodes: &[Node],
    marks: &Marks,
    links: &[Vec<Link>],
    meta: &Meta<'_>,
) {
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let root_id = doc.new_object_id();
    let document_id = doc.new_object_id();
    let node_ids: Vec<ObjectId> = nodes.iter().map(|_| doc.new_object_id()).collect();

    // Each element's kids in reading order: walking the content in order, an element
    // joins its parent's kids when its first content appears, then the content joins its
    // own element's kids.
    let mut kids: Vec<Vec<Object>> = vec![Vec::new(); nodes.len()];
    let mut first_page: Vec<Option<ObjectId>> = vec![None; nodes.len()];
    let mut top = Vec::new();
    let mut placed = vec![false; nodes.len()];
    let mut attach = |n: usize, kids: &mut Vec<Vec<Object>>, top: &mut Vec<Object>| {
        let mut chain = vec![n];
        while let Some(parent) = nodes[*chain.last().unwrap_or(&n)].parent {
            chain.push(parent);
        }
        for &c in chain.iter().rev() {
            if !placed[c] {
                placed[c] = true;
                match nodes[c].parent {
                    Some(parent) => kids[parent].push(Object::Reference(node_ids[c])),
                    None => top.push(Object::Reference(node_ids[c])),
                }
            }
        }
    };
    let mut parent_tree = Vec::new();
    // The annotations' keys follow the pages' (a number tree is sorted by key).
    let mut annotation_keys = Vec::new();
    let mut next_key = pages.len() as i64;
    for (p, page_marks) in marks.iter().enumerate() {
        let Some(&page_id) = pages.get(p) else {
            continue;
        };
        for (mcid, &node) in page_marks.iter().enumerate() {
            attach(node, &mut kids, &mut top);
            // Content on the element's own page (/Pg) is named by its MCID alone.
            let own_page = *first_page[node].get_or_insert(page_id) == page_id;
            kids[node].push(if own_page {
                Object::Integer(mcid as i64)
            } else {
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("Type", name("MCR")),
                    ("Pg", Object::Reference(page_id)),
                    ("MCID", Object::Integer(mcid as i64)),
                ]))
            });
        }
        parent_tree.push(Object::Integer(p as i64));
        parent_tree.push(Object::Array(
            page_marks
                .iter()
                .map(|&n| Object::Reference(node_ids[n]))
                .collect(),
        ));
        let mut annots = Vec::new();
        for link in links.get(p).into_iter().flatten() {
            let [x1, y1, x2, y2] = link.rect;
            let annot = doc.add_object(Dictionary::from_iter(vec![
                ("Type", name("Annot")),
                ("Subtype", name("Link")),
                (
                    "Rect",
                    Object::Array(vec![
                        Object::Real(x1),
                        Object::Real(y1),
                        Object::Real(x2),
                        Object::Real(y2),
                    ]),
                ),
                (
                    "Border",
                    Object::Array(vec![
                        Object::Integer(0),
                        Object::Integer(0),
                        Object::Integer(0),
                    ]),
                ),
                // Printable, as PDF/A asks of every annotation.
                ("F", Object::Integer(4)),
                ("Contents", text(&link.uri)),
                (
                    "A",
                    Object::Dictionary(Dictionary::from_iter(vec![
                        ("S", name("URI")),
                        ("URI", Object::string_literal(link.uri.clone())),
                    ])),
                ),
                ("StructParent", Object::Integer(next_key)),
                ("P", Object::Reference(page_id)),
            ]));
            attach(link.node, &mut kids, &mut top);
            kids[link.node].push(Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", name("OBJR")),
                ("Obj", Object::Reference(annot)),
                ("Pg", Object::Reference(page_id)),
            ])));
            annotation_keys.push(Object::Integer(next_key));
            annotation_keys.push(Object::Reference(node_ids[link.node]));
            next_key += 1;
            annots.push(Object::Reference(annot));
        }
        if let Ok(page) = doc.get_object_mut(page_id).and_then(Object::as_dict_mut) {
            page.set("StructParents", Object::Integer(p as i64));
            page.set("Tabs", name("S"));
            if !annots.is_empty() {
                page.set("Annots", Object::Array(annots));
            }
        }
    }
    parent_tree.extend(annotation_keys);
    for (i, node) in nodes.iter().enumerate() {
        let parent = node.parent.map(|p| node_ids[p]).unwrap_or(document_id);
        let mut k = std::mem::take(&mut kids[i]);
        let k = if k.len() == 1 && matches!(k[0], Object::Integer(_)) {
            k.remove(0)
        } else {
            Object::Array(k)
        };
        let mut elem = Dictionary::from_iter(vec![
            ("Type", name("StructElem")),
            ("S", name(node.role.name())),
            ("P", Object::Reference(parent)),
            ("K", k),
        ]);
        if let Some(page) = first_page[i] {
            elem.set("Pg", Object::Reference(page));
        }
        if let Some((alt, [x1, y1, x2, y2])) = &node.alt {
            elem.set("Alt", text(alt));
            elem.set(
                "A",
                Dictionary::from_iter(vec![
                    ("O", name("Layout")),
                    (
                        "BBox",
                        Object::Array([x1, y1, x2, y2].iter().map(|v| Object::Real(**v)).collect()),
                    ),
                ]),
            );
        }
        if node.role == super::layout::Role::TH {
            elem.set(
                "A",
                Dictionary::from_iter(vec![("O", name("Table")), ("Scope", name("Column"))]),
            );
        }
        doc.objects.insert(node_ids[i], Object::Dictionary(elem));
    }
    doc.objects.insert(
        document_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("StructElem")),
            ("S", name("Document")),
            ("P", Object::Reference(root_id)),
            ("K", Object::Array(top)),
        ])),
    );
    let parent_tree_id = doc.add_object(Dictionary::from_iter(vec![(
        "Nums",
        Object::Array(parent_tree),
    )]));
    doc.objects.insert(
        root_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("StructTreeRoot")),
            ("K", Object::Reference(document_id)),
            ("ParentTree", Object::Reference(parent_tree_id)),
            ("ParentTreeNextKey", Object::Integer(next_key)),
        ])),
    );

    let outlines = bookmarks(doc, nodes, &pages);
    let metadata = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![("Type", name("Metadata")), ("Subtype", name("XML"))]),
        xmp(meta).into_bytes(),
    ));
    let icc = super::icc::srgb();
    let profile = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![
            ("N", Object::Integer(3)),
            ("Alternate", name("DeviceRGB")),
        ]),
        icc,
    ));
    let intent = Dictionary::from_iter(vec![
        ("Type", name("OutputIntent")),
        ("S", name("GTS_PDFA1")),
        (
            "OutputConditionIdentifier",
            Object::string_literal("sRGB IEC61966-2.1"),
        ),
        ("Info", Object::string_literal("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference(profile)),
    ]);
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.set("StructTreeRoot", Object::Reference(root_id));
        catalog.set(
            "MarkInfo",
            Dictionary::from_iter(vec![("Marked", Object::Boolean(true))]),
        );
        catalog.set("Lang", Object::string_literal(meta.language));
        catalog.set(
            "ViewerPreferences",
            Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
        );
        catalog.set("Metadata", Object::Reference(metadata));
        catalog.set(
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        );
        if let Some(outlines) = outlines {
            catalog.set("Outlines", Object::Reference(outlines));
            catalog.set("PageMode", name("UseOutlines"));
        }
    }
    let info = doc.add_object(Dictionary::from_iter(vec![
        ("Title", text(meta.title)),
        ("Author", text(meta.author)),
        ("Subject", text(meta.subject)),
        ("Creator", text(CREATOR)),
        ("Producer", text(PRODUCER)),
        ("CreationDate", pdf_date(meta.created)),
        ("ModDate", pdf_date(meta.created)),
    ]));
    if let Ok(Object::Reference(old)) = doc.trailer.get(b"Info").cloned() {
        doc.objects.remove(&old);
    }
    doc.trailer.set("Info", Object::Reference(info));
    doc.version = "1.7".into();
}

/// One bookmark per section heading, pointing at where it starts.
fn bookmarks(doc: &mut Document, nodes: &[Node], pages: &[ObjectId]) -> Option<ObjectId> {
    let marks: Vec<(&str, ObjectId, f32)> = nodes
        .iter()
        .filter_map(|n| n.bookmark.as_ref())
        .filter_map(|(title, page, y)| pages.get(*page).map(|p| (title.as_str(), *p, *y)))
        .collect();
    if marks.is_empty() {
        return None;
    }
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = marks.iter().map(|_| doc.new_object_id()).collect();
    for (i, (title, page, y)) in marks.iter().enumerate() {
        let mut item = Dictionary::from_iter(vec![
            ("Title", text(title)),
            ("Parent", Object::Reference(root)),
            (
                "Dest",
                Object::Array(vec![
                    Object::Reference(*page),
                    name("XYZ"),
                    Object::Integer(0),
                    Object::Real(*y + 16.0),
                    Object::Null,
                ]),
            ),
        ]);
        if i > 0 {
            item.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            item.set("Next", Object::Reference(*next));
        }
        doc.objects.insert(ids[i], Object::Dictionary(item));
    }
    doc.objects.insert(
        root,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("Outlines")),
            ("First", Object::Reference(ids[0])),
            ("Last", Object::Reference(ids[ids.len() - 1])),
            ("Count", Object::Integer(ids.len() as i64)),
        ])),
    );
    Some(root)
}

/// Draws the logo at `(x, y, w, h)` on every page, as page furniture (an artifact).
pub fn add_logo(doc: &mut Document, logo: &super::LogoImage, (x, y, w, h): (f32, f32, f32, f32)) {
    let image = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![
            ("Type", name("XObject")),
            ("Subtype", name("Image")),
            ("Width", Object::Integer(i64::from(logo.width))),
            ("Height", Object::Integer(i64::from(logo.height))),
            (
                "ColorSpace",
                name(if logo.components == 1 {
                    "DeviceGray"
                } else {
                    "DeviceRGB"
                }),
            ),
            ("BitsPerComponent", Object::Integer(8)),
            ("Filter", name("DCTDecode")),
        ]),
        logo.jpeg.clone(),
    ));
    let ops = format!(
        "/Artifact <</Type /Pagination /Subtype /Header>> BDC q {w:.2} 0 0 {h:.2} {x:.2} {y:.2} cm /SamspillLogo Do Q EMC"
    );
    let content = doc.add_object(Stream::new(Dictionary::new(), ops.into_bytes()));
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    for page_id in pages {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let resources = page.get(b"Resources").cloned().ok();
        let contents = page.get(b"Contents").cloned().ok();
        // The page's resources, inline or shared, gain the image.
        let mut res = match &resources {
            Some(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
            Some(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        let mut xobjects = match res.get(b"XObject") {
            Ok(Object::Reference(id)) => doc.get_dictionary(*id).cloned().unwrap_or_default(),
            Ok(Object::Dictionary(d)) => d.clone(),
            _ => Dictionary::new(),
        };
        xobjects.set("SamspillLogo", Object::Reference(image));
        res.set("XObject", Object::Dictionary(xobjects));
        let mut list = match contents {
            Some(Object::Array(a)) => a,
            Some(other) => vec![other],
            None => Vec::new(),
        };
        list.push(Object::Reference(content));
        if let Ok(page) = doc.get_object_mut(page_id).and_then(Object::as_dict_mut) {
            page.set("Resources", Object::Dictionary(res));
            page.set("Contents", Object::Array(list));
        }
    }
}
