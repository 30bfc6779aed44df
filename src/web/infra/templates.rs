//! Templates: Tera, loaded once from the template folder when the application starts, and
//! the responder that renders a page with it.
//!
//! A page's context is built once as JSON (`Page`) and handed to Tera as it is. Rendered
//! through `rocket_dyn_templates`, the same context was copied twice more on every request
//! (into figment's values, then back into JSON for Tera): a fifth of the follow-up list's
//! time on the server (BENCHMARKS.md).

use rocket::fairing::AdHoc;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::response::{self, Responder};
use rocket::Request;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tera::{Context, Tera};

/// The file ending of a page's template; its name is the path below the template folder
/// without it (`patients/show` for `patients/show.html.tera`).
const ENDING: &str = ".html.tera";

/// Every page template, parsed, with the application's filters.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// Loads every template below `dir`; a template that does not parse is an error that
    /// names it.
    pub fn load(dir: &Path) -> Result<Templates, String> {
        let mut files = Vec::new();
        collect(dir, &mut files)
            .map_err(|e| format!("the template folder {} cannot be read: {e}", dir.display()))?;
        files.sort();
        let named: Vec<(PathBuf, Option<String>)> = files
            .into_iter()
            .filter_map(|path| {
                let name = name_of(dir, &path)?;
                Some((path, Some(name)))
            })
            .collect();
        let mut tera = Tera::default();
        // Tera escapes by the file's path: every template here is HTML.
        tera.autoescape_on(vec![ENDING]);
        tera.add_template_files(named).map_err(|e| describe(&e))?;
        super::filters::register(&mut tera);
        Ok(Templates { tera })
    }

    /// Renders the template `name` with `context`, a JSON object.
    pub fn render(&self, name: &str, context: Value) -> Result<String, String> {
        let context = Context::from_value(context).map_err(|e| describe(&e))?;
        self.tera.render(name, &context).map_err(|e| describe(&e))
    }

    /// Loads the templates from the folder the configuration names (`template_dir`) when
    /// Rocket ignites, and manages them; ignition fails with the reason when they do not load.
    pub fn fairing() -> AdHoc {
        AdHoc::try_on_ignite("Templates", |rocket| async move {
            let dir: Result<PathBuf, _> = rocket.figment().extract_inner("template_dir");
            let loaded = dir
                .map_err(|e| format!("template_dir: {e}"))
                .and_then(|dir| Templates::load(&dir));
            match loaded {
                Ok(templates) => Ok(rocket.manage(templates)),
                Err(why) => {
                    tracing::error!(target: "samspill::templates", %why, "templates did not load");
                    Err(rocket)
                }
            }
        })
    }
}

/// A page to render: the template's name and the page's context. Rendered as the response
/// is made; a template that fails is logged and answered with 500.
pub struct Template {
    name: &'static str,
    context: Value,
}

impl Template {
    pub fn new(name: &'static str, context: Value) -> Template {
        Template { name, context }
    }
}

impl<'r> Responder<'r, 'static> for Template {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let templates = req.rocket().state::<Templates>().ok_or_else(|| {
            tracing::error!(target: "samspill::templates", "templates are not loaded");
            Status::InternalServerError
        })?;
        match templates.render(self.name, self.context) {
            Ok(html) => RawHtml(html).respond_to(req),
            Err(why) => {
                tracing::error!(target: "samspill::templates", template = self.name, %why, "template did not render");
                Err(Status::InternalServerError)
            }
        }
    }
}

/// Every template file below `dir`.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.to_string_lossy().ends_with(ENDING) {
            files.push(path);
        }
    }
    Ok(())
}

/// `patients/show` for `<dir>/patients/show.html.tera`, with `/` between folders.
fn name_of(dir: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(dir).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/").strip_suffix(ENDING).map(str::to_string)
}

/// An error with its causes, as Tera nests them (the template and line are in the cause).
fn describe(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Templates {
        Templates::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))).unwrap()
    }

    #[test]
    fn every_template_loads_under_its_name() {
        let t = templates();
        let has = |name: &str| t.tera.get_template_names().any(|n| n == name);
        assert!(has("base"));
        assert!(has("patients/show"));
        assert!(has("followups/list"));
        assert!(!has("patients/show.html"));
    }

    #[test]
    fn names_are_paths_below_the_folder_without_the_ending() {
        let dir = Path::new("/t");
        assert_eq!(
            name_of(dir, Path::new("/t/patients/show.html.tera")),
            Some("patients/show".to_string())
        );
        assert_eq!(
            name_of(dir, Path::new("/t/base.html.tera")),
            Some("base".into())
        );
        assert_eq!(name_of(dir, Path::new("/t/notes.txt")), None);
    }

    #[test]
    fn what_a_page_is_given_is_escaped() {
        let t = templates();
        let page = crate::web::infra::page::Page::new("<b>Tittel</b>", None)
            .with("status", 404)
            .with("message", "<script>x</script>");
        let html = t.render("error", page.into_context()).unwrap();
        assert!(
            html.contains("&lt;script&gt;x&lt;&#x2F;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;b&gt;Tittel&lt;&#x2F;b&gt;"));
    }

    #[test]
    fn a_missing_template_is_an_error_that_names_it() {
        let t = templates();
        let err = t.render("nowhere", serde_json::json!({})).unwrap_err();
        assert!(err.contains("nowhere"), "{err}");
    }
}
