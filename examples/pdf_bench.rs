//! Renders a typical three-page pårørendeavtale 1000 times in-process and, in the same run,
//! has headless Chromium print the same agreement's HTML to PDF; prints both medians and
//! their ratio. Run with `cargo run --release --example pdf_bench [renders] [chromium runs]`.

use chrono::{NaiveDate, Utc};
use samspill::domain::agreement::copy::{Recipient, Standing};
use samspill::domain::agreement::{Content, Language, Measure, Party, Sharing, Signatures, Staff};
use samspill::domain::unit::UnitContact;
use samspill::pdf::agreement::{blocks, pdf, Letterhead, Print};
use samspill::pdf::layout::Block;
use std::process::Command;
use std::time::Instant;

fn typical() -> Content {
    let para = |s: &str, n: usize| vec![s; n].join(" ");
    Content {
        patient_name: "Åse Ødegård".into(),
        patient_capacity: "Pasienten kan samtykke selv.".into(),
        parties: vec![Party {
            relative_id: 1,
            name: "Bjørn Ærø".into(),
            relation: "child".into(),
            phone: "912 34 567".into(),
            email: "bjorn@example.no".into(),
            address: "Storgata 1, 0155 Oslo".into(),
            closest: true,
            ..Default::default()
        }],
        unit_name: "Hjemmetjenesten Frogner nord".into(),
        contact: Some(Staff {
            user_id: 1,
            name: "Kari Nordmann".into(),
            phone: "22 33 44 55".into(),
        }),
        deputy: Some(Staff {
            user_id: 2,
            name: "Ola Hansen".into(),
            phone: "22 33 44 56".into(),
        }),
        reachable: "Hverdager kl. 08.00–15.30".into(),
        background: para(
            "Pasienten har moderat demens og bor hjemme med hjemmetjeneste morgen og kveld.",
            2,
        ),
        matters_patient: para("Å bo hjemme så lenge som mulig og gå tur i parken.", 2),
        matters_relative: para(
            "Å kunne fortsette i jobben, få sove om natten og ha fri i helgene.",
            2,
        ),
        relative_does: para("Handler mat, følger til legetimer og ringer hver kveld.", 3),
        relative_declines: para("Personlig stell og nattlig tilsyn.", 1),
        service_patient: para(
            "Hjemmesykepleie morgen og kveld, praktisk bistand og trygghetsalarm.",
            2,
        ),
        service_relative: para(
            "Faste samtaler med kontaktpersonen, opplæring og informasjon om avlastning.",
            2,
        ),
        contact_means: vec!["meeting".into(), "phone".into()],
        contact_frequency: "Minst hver tredje måned".into(),
        contact_initiative: "Kontaktpersonen".into(),
        next_meeting_on: NaiveDate::from_ymd_opt(2027, 1, 10),
        sharing: vec![Sharing {
            relative_id: 1,
            name: "Bjørn Ærø".into(),
            scope: "full".into(),
            topics: String::new(),
        }],
        measures: vec![
            Measure {
                referral_id: Some(1),
                offer: "Avlastning".into(),
                state: "referred".into(),
            },
            Measure {
                referral_id: Some(2),
                offer: "Pårørendekurs og mestringskurs".into(),
                state: "started".into(),
            },
        ],
        support_note: para("Søknad om omsorgsstønad er under behandling.", 1),
        decision_applied: true,
        acute: para(
            "Ring kontaktpersonen. Tjenesten øker tilsynet mens du er borte.",
            1,
        ),
        children: "Ingen barn under 18 år i familien.".into(),
        evaluation_on: NaiveDate::from_ymd_opt(2027, 5, 23),
        ..Default::default()
    }
}

fn html(blocks: &[Block]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"nb\"><head><meta charset=\"utf-8\"><title>Pårørendeavtale</title>\
         <style>@page{size:A4;margin:22mm}body{font-family:'DejaVu Sans',sans-serif;font-size:10pt}</style></head><body>",
    );
    for b in blocks {
        match b {
            Block::Title(t) => out.push_str(&format!("<h1>{}</h1>", esc(t))),
            Block::Heading(t) => out.push_str(&format!("<h2>{}</h2>", esc(t))),
            Block::Subheading(t) => out.push_str(&format!("<h3>{}</h3>", esc(t))),
            Block::Paragraph(t) => out.push_str(&format!("<p>{}</p>", esc(t))),
            Block::Field(l, v) => out.push_str(&format!("<p><strong>{}:</strong> {}</p>", esc(l), esc(v))),
            Block::Bullets(items) => {
                out.push_str("<ul>");
                for i in items {
                    out.push_str(&format!("<li>{}</li>", esc(i)));
                }
                out.push_str("</ul>");
            }
            Block::Table { header, rows, .. } => {
                out.push_str("<table><tr>");
                for h in header {
                    out.push_str(&format!("<th>{}</th>", esc(h)));
                }
                out.push_str("</tr>");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        out.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</table>");
            }
            Block::Figure { alt, .. } => out.push_str(&format!("<p role=\"img\" aria-label=\"{}\"></p>", esc(alt))),
            Block::Signature { role, name, date } => out.push_str(&format!(
                "<p style=\"margin-top:2em;border-top:1px solid #000\"><strong>{}: {}</strong><br>{}</p>",
                esc(role),
                esc(name),
                esc(date)
            )),
        }
    }
    out.push_str("</body></html>");
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let renders: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let chromium_runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let content = typical();
    let signatures = Signatures::default();
    let consent = [(1, "full".to_string(), String::new())];
    let unit = UnitContact {
        address: "Postboks 1, 0101 Oslo".into(),
        phone: "+47 23 48 00 00".into(),
        phone_hours: "hverdager kl. 08.00–15.30".into(),
        after_hours_phone: "+47 23 48 70 00".into(),
    };
    let print = Print {
        content: &content,
        version: 1,
        document_id: "K7QM-2XPA",
        standing: Standing::InForce {
            signed_on: Some(Utc::now().date_naive()),
            overdue_since: None,
        },
        recipient: Recipient::Party(1),
        signatures: &signatures,
        evaluations: &[],
        current_consent: &consent,
        offers: &[],
        letterhead: Letterhead {
            municipality: "Oslo kommune",
            unit: &unit,
            ombud: "",
            helpline: None,
            logo: None,
        },
        now: Utc::now(),
        lang: Language::Bokmal,
        feedback: None,
    };
    let first = pdf(&print);
    let _ = std::fs::write(
        std::env::temp_dir().join("samspill-bench-agreement.pdf"),
        &first,
    );
    let pages = lopdf::Document::load_mem(&first)
        .map(|d| d.get_pages().len())
        .unwrap_or(0);
    let mut times = Vec::with_capacity(renders);
    for _ in 0..renders {
        let t = Instant::now();
        let bytes = pdf(&print);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(bytes.len() > 1000);
    }
    let ours = median(times);
    println!(
        "printpdf: {renders} renders of a {pages}-page agreement ({} bytes, {:.1} KB a page), median {ours:.2} ms",
        first.len(),
        first.len() as f64 / 1024.0 / pages.max(1) as f64
    );

    let dir = std::env::temp_dir().join("samspill-pdf-bench");
    let _ = std::fs::create_dir_all(&dir);
    let page = dir.join("agreement.html");
    std::fs::write(&page, html(&blocks(&print))).expect("write the HTML");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let mut chrome_times = Vec::new();
    for i in 0..chromium_runs {
        let out = dir.join(format!("chromium-{i}.pdf"));
        let t = Instant::now();
        let status = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-pdf-header-footer",
                &format!("--user-data-dir={}", dir.join("profile").display()),
                &format!("--print-to-pdf={}", out.display()),
            ])
            .arg(format!("file://{}", page.display()))
            .output();
        let elapsed = t.elapsed().as_secs_f64() * 1000.0;
        match status {
            Ok(o) if o.status.success() && out.exists() => chrome_times.push(elapsed),
            Ok(o) => {
                eprintln!("chromium failed: {}", String::from_utf8_lossy(&o.stderr));
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("chromium could not be started ({chromium}): {e}");
                std::process::exit(1);
            }
        }
    }
    let theirs = median(chrome_times);
    println!("chromium --headless --print-to-pdf: {chromium_runs} runs, median {theirs:.1} ms");
    println!(
        "ratio: printpdf is {:.0} times faster than Chromium",
        theirs / ours
    );
}
