//! Line charts drawn on the server as SVG (no JavaScript). Each chart has a title and a
//! description for screen readers, and pages put its numbers in a table beside it.

/// An SVG line chart of shares (0–100 %) over labelled points; a missing value breaks the line.
pub fn line_chart(id: &str, title: &str, points: &[(String, Option<i64>)]) -> String {
    let (w, h) = (640.0_f64, 240.0_f64);
    let (left, right, top, bottom) = (44.0, 12.0, 16.0, 36.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + plot_w * i as f64 / n;
    let y = |v: i64| top + plot_h * (1.0 - v.clamp(0, 100) as f64 / 100.0);
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let described: Vec<String> = points
        .iter()
        .map(|(l, v)| match v {
            Some(v) => format!("{l}: {v} %"),
            None => format!("{l}: ingen data"),
        })
        .collect();
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        esc(title),
        esc(&described.join("; "))
    );
    for pct in [0, 25, 50, 75, 100] {
        let yy = y(pct);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#c4c9cf" stroke-width="1"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#1b1b1b">{pct} %</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0
        ));
    }
    let mut segment: Vec<String> = Vec::new();
    let mut paths = Vec::new();
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => segment.push(format!("{:.1},{:.1}", x(i), y(*v))),
            None => {
                if !segment.is_empty() {
                    paths.push(std::mem::take(&mut segment));
                }
            }
        }
    }
    if !segment.is_empty() {
        paths.push(segment);
    }
    for p in paths {
        svg.push_str(&format!(
            r##"<polyline points="{}" fill="none" stroke="#0b4f8a" stroke-width="2.5"/>"##,
            p.join(" ")
        ));
    }
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            svg.push_str(&format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="#0b4f8a"/>"##,
                x(i),
                y(*v)
            ));
        }
        if i % 2 == 0 || i + 1 == points.len() {
            svg.push_str(&format!(
                r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#1b1b1b">{}</text>"##,
                x(i),
                h - 12.0,
                esc(label)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_describes_its_numbers() {
        let svg = line_chart(
            "c1",
            "Identifisering <fullført>",
            &[
                ("jan. 26".into(), Some(50)),
                ("feb. 26".into(), None),
                ("mars 26".into(), Some(100)),
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<title id=\"c1-title\">Identifisering &lt;fullført&gt;</title>"));
        assert!(svg.contains("jan. 26: 50 %; feb. 26: ingen data; mars 26: 100 %"));
        // The missing month breaks the line into two single points.
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
