//! An sRGB ICC profile (version 2.1, matrix and tone curves), built from the published
//! sRGB parameters (IEC 61966-2-1) so the printed documents can name sRGB as their output
//! intent (PDF/A) without shipping a binary file.

/// A number in the ICC's s15Fixed16 format.
fn s15f16(v: f64) -> [u8; 4] {
    ((v * 65536.0).round() as i32).to_be_bytes()
}

fn xyz_tag(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut t = b"XYZ \0\0\0\0".to_vec();
    for v in [x, y, z] {
        t.extend(s15f16(v));
    }
    t
}

/// The sRGB transfer function as a 1024-point table (curveType).
fn curve_tag() -> Vec<u8> {
    const POINTS: u32 = 1024;
    let mut t = b"curv\0\0\0\0".to_vec();
    t.extend(POINTS.to_be_bytes());
    for i in 0..POINTS {
        let v = f64::from(i) / f64::from(POINTS - 1);
        let linear = if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        };
        t.extend(((linear * 65535.0).round() as u16).to_be_bytes());
    }
    t
}

fn text_tag(text: &str) -> Vec<u8> {
    let mut t = b"text\0\0\0\0".to_vec();
    t.extend(text.as_bytes());
    t.push(0);
    t
}

fn desc_tag(text: &str) -> Vec<u8> {
    let mut t = b"desc\0\0\0\0".to_vec();
    t.extend((text.len() as u32 + 1).to_be_bytes());
    t.extend(text.as_bytes());
    t.push(0);
    // No Unicode and no ScriptCode description: counts of zero and the fixed filler.
    t.extend([0u8; 4 + 4 + 2 + 1 + 67]);
    t
}

/// The profile's bytes.
pub fn srgb() -> Vec<u8> {
    // D50-adapted sRGB primaries (Bradford), and the D50 white point of the PCS.
    let curve = curve_tag();
    let tags: Vec<([u8; 4], Vec<u8>)> = vec![
        (*b"desc", desc_tag("sRGB IEC61966-2.1")),
        (*b"cprt", text_tag("No copyright, use freely")),
        (*b"wtpt", xyz_tag(0.9642, 1.0, 0.8249)),
        (*b"rXYZ", xyz_tag(0.4361, 0.2225, 0.0139)),
        (*b"gXYZ", xyz_tag(0.3851, 0.7169, 0.0971)),
        (*b"bXYZ", xyz_tag(0.1431, 0.0606, 0.7141)),
        (*b"rTRC", curve.clone()),
        (*b"gTRC", curve.clone()),
        (*b"bTRC", curve),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut entries = Vec::new();
    for (sig, body) in &tags {
        let offset = 128 + table_len + data.len();
        entries.push((*sig, offset as u32, body.len() as u32));
        data.extend(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
    }
    let size = (128 + table_len + data.len()) as u32;
    let mut out = Vec::with_capacity(size as usize);
    out.extend(size.to_be_bytes());
    out.extend([0u8; 4]); // preferred CMM
    out.extend([0x02, 0x10, 0, 0]); // version 2.1
    out.extend(b"mntrRGB XYZ ");
    for v in [2026u16, 1, 1, 0, 0, 0] {
        out.extend(v.to_be_bytes());
    }
    out.extend(b"acsp");
    out.extend([0u8; 4 + 4 + 4 + 4 + 8]); // platform, flags, manufacturer, model, attributes
    out.extend([0u8; 4]); // perceptual intent
    for v in [0.9642, 1.0, 0.8249] {
        out.extend(s15f16(v));
    }
    out.extend([0u8; 4]); // creator
    out.resize(128, 0);
    out.extend((tags.len() as u32).to_be_bytes());
    for (sig, offset, len) in entries {
        out.extend(sig);
        out.extend(offset.to_be_bytes());
        out.extend(len.to_be_bytes());
    }
    out.extend(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    #[test]
    fn the_profile_is_a_well_formed_rgb_display_profile() {
        let p = srgb();
        assert_eq!(u32_at(&p, 0) as usize, p.len());
        assert_eq!(&p[12..24], b"mntrRGB XYZ ");
        assert_eq!(&p[36..40], b"acsp");
        let count = u32_at(&p, 128) as usize;
        assert_eq!(count, 9);
        for i in 0..count {
            let at = 132 + 12 * i;
            let (offset, len) = (u32_at(&p, at + 4) as usize, u32_at(&p, at + 8) as usize);
            assert_eq!(offset % 4, 0);
            assert!(offset + len <= p.len());
        }
        // The curve runs from black to white.
        let curve = p.windows(4).position(|w| w == b"curv").unwrap_or(0);
        assert_eq!(u32_at(&p, curve + 8), 1024);
        assert_eq!(&p[curve + 12..curve + 14], &[0, 0]);
        assert_eq!(
            &p[curve + 12 + 2 * 1023..curve + 12 + 2 * 1024],
            &[0xff, 0xff]
        );
    }
}
