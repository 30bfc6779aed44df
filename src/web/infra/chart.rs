//! Line charts drawn on the server as SVG (no JavaScript). Each chart has a title and a
//! description for screen readers, and pages put its numbers in a table beside it.

/// An SVG line chart of shares (0–100 %) over labelled points; a missing value breaks the line.
pub fn line_chart(id: &str, title: &str, points: &[(String, Option<i64>)]) -> String {
    draw(id, title, points, 100, " %")
}

/// An SVG line chart of counts over labelled points, on a scale from 0 to a round number at
/// or above the largest count; a missing value breaks the line.
pub fn count_chart(id: &str, title: &str, points: &[(String, Option<i64>)]) -> String {
    let largest = points.iter().filter_map(|(_, v)| *v).max().unwrap_or(0);
    draw(id, title, points, round_scale(largest), "")
}

/// The top of a count scale: 4 at least, else the largest count rounded up to a multiple of
/// four steps of 1, 2, 5 or 10 times a power of ten.
fn round_scale(largest: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if largest <= 4 * step * m {
                return 4 * step * m;
            }
        }
        step *= 10;
    }
}

fn draw(
    id: &str,
    title: &str,
    points: &[(String, Option<i64>)],
    top_value: i64,
    unit: &str,
) -> String {
    let (w, h) = (640.0_f64, 240.0_f64);
    let (left, right, top, bottom) = (44.0, 12.0, 16.0, 36.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + plot_w * i as f64 / n;
    let y = |v: i64| top + plot_h * (1.0 - v.clamp(0, top_value) as f64 / top_value as f64);
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let described: Vec<String> = points
        .iter()
        .map(|(l, v)| match v {
            Some(v) => format!("{l}: {v}{unit}"),
            None => format!("{l}: ingen data"),
        })
        .collect();
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        esc(title),
        esc(&described.join("; "))
    );
    for quarter in 0..=4 {
        let value = top_value * quarter / 4;
        let yy = y(value);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#c4c9cf" stroke-width="1"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#1b1b1b">{value}{unit}</text>"##,
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
        // Every second month is labelled, counted back from the last.
        if (points.len() - 1 - i).is_multiple_of(2) {
            // The last label ends at its point, so that it is not cut at the chart's edge.
            let anchor = if i + 1 == points.len() && i > 0 {
                "end"
            } else {
                "middle"
            };
            svg.push_str(&format!(
                r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="{anchor}" fill="#1b1b1b">{}</text>"##,
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
        assert!(svg.contains(">75 %</text>"));
    }

    #[test]
    fn a_count_chart_scales_to_a_round_number() {
        assert_eq!(round_scale(0), 4);
        assert_eq!(round_scale(4), 4);
        assert_eq!(round_scale(5), 8);
        assert_eq!(round_scale(21), 40);
        assert_eq!(round_scale(41), 80);
        assert_eq!(round_scale(81), 200);
        let svg = count_chart(
            "c2",
            "Varsler",
            &[("jan. 26".into(), Some(3)), ("feb. 26".into(), None)],
        );
        assert!(svg.contains("jan. 26: 3; feb. 26: ingen data"));
        // Labels count back from the last month, which ends at its point.
        assert!(svg.contains(r##"text-anchor="end" fill="#1b1b1b">feb. 26</text>"##));
        assert!(!svg.contains(">jan. 26</text>"));
        assert!(svg.contains(">2</text>") && svg.contains(">4</text>"));
    }
}
