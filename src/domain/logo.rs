//! The municipality's logo for the letterhead: a JPEG, read only as far as its header, and
//! checked so a printed page stays small and archival.

/// A checked JPEG: its pixel size and colour components (1 grey, 3 RGB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jpeg {
    pub width: u16,
    pub height: u16,
    pub components: u8,
}

pub const MAX_BYTES: usize = 200 * 1024;
pub const MAX_SIDE: u16 = 2000;

/// Reads a JPEG's frame header; refuses anything else, anything too large, and CMYK (which
/// the documents' sRGB output intent does not describe). Messages are for the upload form.
pub fn check(bytes: &[u8]) -> Result<Jpeg, String> {
    if bytes.is_empty() {
        return Err("Velg en bildefil.".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "Logoen kan være høyst {} kB (denne er {} kB).",
            MAX_BYTES / 1024,
            bytes.len().div_ceil(1024)
        ));
    }
    let not_jpeg = || "Logoen må være et JPEG-bilde (.jpg).".to_string();
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return Err(not_jpeg());
    }
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xff {
            return Err(not_jpeg());
        }
        let marker = bytes[at + 1];
        if marker == 0xff {
            at += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        // Start of frame: baseline, extended or progressive Huffman-coded.
        if (0xc0..=0xc2).contains(&marker) {
            let f = bytes.get(at + 4..at + 10).ok_or_else(not_jpeg)?;
            let height = u16::from_be_bytes([f[1], f[2]]);
            let width = u16::from_be_bytes([f[3], f[4]]);
            let components = f[5];
            if width == 0 || height == 0 {
                return Err(not_jpeg());
            }
            if width > MAX_SIDE || height > MAX_SIDE {
                return Err(format!(
                    "Logoen kan være høyst {MAX_SIDE} × {MAX_SIDE} piksler (denne er {width} × {height})."
                ));
            }
            if !matches!(components, 1 | 3) {
                return Err("Logoen må være i farger (RGB) eller gråtoner, ikke CMYK.".into());
            }
            return Ok(Jpeg {
                width,
                height,
                components,
            });
        }
        if len < 2 {
            return Err(not_jpeg());
        }
        at += 2 + len;
    }
    Err(not_jpeg())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The markers up to a frame header: SOI, an APP0 segment, SOF0.
    fn header(width: u16, height: u16, components: u8) -> Vec<u8> {
        let mut b = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
        b.extend([0xff, 0xc0, 0x00, 0x11, 0x08]);
        b.extend(height.to_be_bytes());
        b.extend(width.to_be_bytes());
        b.push(components);
        b.extend([0u8; 9]);
        b.extend([0xff, 0xd9]);
        b
    }

    #[test]
    fn a_jpeg_header_is_read_and_limits_are_kept() {
        assert_eq!(
            check(&header(400, 120, 3)),
            Ok(Jpeg {
                width: 400,
                height: 120,
                components: 3
            })
        );
        assert!(check(&header(2400, 120, 3))
            .unwrap_err()
            .contains("2000 × 2000"));
        assert!(check(&header(400, 120, 4)).unwrap_err().contains("CMYK"));
        assert!(check(b"\x89PNG\r\n").unwrap_err().contains("JPEG"));
        assert!(check(&[]).unwrap_err().contains("Velg"));
        let mut big = header(10, 10, 3);
        big.resize(MAX_BYTES + 1, 0);
        assert!(check(&big).unwrap_err().contains("200 kB"));
    }
}
