//! Tables as pages show them and as exports carry them: CSV the way Norwegian Excel opens it
//! (UTF-8 with BOM, `;` separator, dd.mm.åååå dates) and XLSX written by rust_xlsxwriter.

use crate::domain::dates::format_date;
use crate::web::infra::error::{AppError, AppResult};
use chrono::NaiveDate;
use rocket::http::{ContentType, Header};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(Option<NaiveDate>),
    /// Text with a link on the page; the export carries the text.
    Link(String, String),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Link(s, _) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.map(format_date).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or carriage
/// return first) gets a leading `'`, as OWASP recommends against CSV injection.
fn neutralised(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The cell as CSV text: numbers and dates as they are, text neutralised.
fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) | Cell::Link(s, _) => neutralised(s).into_owned(),
        other => other.text(),
    }
}

pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(";")
    };
    out.push_str(&line(
        table
            .headers
            .iter()
            .map(|h| neutralised(h).into_owned())
            .collect(),
    ));
    out.push_str("\r\n");
    for row in &table.rows {
        out.push_str(&line(row.iter().map(csv_cell).collect()));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

pub fn xlsx(table: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let sheet = book.add_worksheet();
    let name: String = table
        .title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(if name.is_empty() { "Samspill" } else { &name })?;
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_with_format(0, c as u16, h.as_str(), &bold)?;
        sheet.set_column_width(c as u16, 18)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Int(n) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                Cell::Date(Some(d)) => {
                    use chrono::Datelike;
                    let when =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, c, &when, &date)?;
                }
                // Always a string cell: a text starting with `=` is never a formula here.
                other => {
                    sheet.write_string(r, c, other.text())?;
                }
            }
        }
    }
    book.save_to_buffer()
}

/// A downloaded file.
#[derive(rocket::Responder)]
pub struct Download {
    body: Vec<u8>,
    content_type: ContentType,
    disposition: Header<'static>,
}

/// The table as `format` ("csv" or "xlsx"), named `name`.
pub fn download(table: &Table, format: &str, name: &str) -> AppResult<Download> {
    let (body, content_type, ext) = match format {
        "csv" => (
            csv(table),
            ContentType::new("text", "csv").with_params(("charset", "utf-8")),
            "csv",
        ),
        "xlsx" => (
            xlsx(table).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?,
            ContentType::new(
                "application",
                "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            "xlsx",
        ),
        _ => return Err(AppError::NotFound),
    };
    Ok(Download {
        body,
        content_type,
        disposition: Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"{name}.{ext}\""),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_opens_in_norwegian_excel() {
        let t = Table {
            title: "Liste".into(),
            headers: vec!["Navn".into(), "Dato".into(), "Antall".into()],
            rows: vec![vec![
                Cell::Link("Ødegård; \"Åse\"".into(), "/patients/1".into()),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 3, 5)),
                Cell::Int(7),
            ]],
        };
        let text = String::from_utf8(csv(&t)).unwrap();
        assert_eq!(
            text,
            "\u{feff}Navn;Dato;Antall\r\n\"Ødegård; \"\"Åse\"\"\";05.03.2026;7\r\n"
        );
        assert!(xlsx(&t).unwrap().starts_with(b"PK"));
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        let t = Table {
            title: "Liste".into(),
            headers: vec!["=Navn".into(), "Antall".into()],
            rows: [
                "=1+1",
                "+47 22",
                "-2",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "=HYPERLINK(\"http://x\";\"Ola\")",
                "Ola",
            ]
            .iter()
            .map(|s| vec![Cell::Text(s.to_string()), Cell::Int(-3)])
            .collect(),
        };
        let text = String::from_utf8(csv(&t)).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines,
            [
                "'=Navn;Antall",
                "'=1+1;-3",
                "'+47 22;-3",
                "'-2;-3",
                "'@SUM(A1);-3",
                "'\tx;-3",
                "\"'\rx\";-3",
                "\"'=HYPERLINK(\"\"http://x\"\";\"\"Ola\"\")\";-3",
                "Ola;-3",
                "",
            ]
        );
    }
}
