//! Pages kept in memory between changes. A page is kept for the session that rendered it,
//! with the change counters it was built from (`db::changes`) and the day it was built on.
//! It is served again only to that session, for the same address, on the same day, while the
//! counters are unchanged: a change to the data, to the catalogue or to the user's own
//! account (which counts on the catalogue) makes the next request build the page anew, on
//! every instance. The access checks and the access log run for every request as before.

use crate::db::changes::Version;
use crate::web::infra::error::{AppError, AppResult};
use crate::web::infra::page::Page;
use chrono::NaiveDate;
use rocket_dyn_templates::Metadata;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most page text kept at once; beyond it the oldest pages are dropped.
const MAX_BYTES: usize = 24 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    version: Version,
    day: NaiveDate,
    html: Arc<str>,
    /// What the handler needs again without reading the data, for the access log: the
    /// patient's unit, or the patients a list showed.
    tag: Arc<[i64]>,
    /// Insertion order, for dropping the oldest first.
    seq: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<(String, String), Entry>,
    bytes: usize,
    seq: u64,
}

#[derive(Default)]
pub struct PageCache {
    entries: Mutex<Entries>,
}

/// A page found in the cache: its text and the tag it was kept with.
pub struct Kept {
    pub html: Arc<str>,
    pub tag: Arc<[i64]>,
}

impl PageCache {
    /// The page `path` as kept for `session`, if built from `version` on `day`.
    pub fn get(&self, session: &str, path: &str, version: Version, day: NaiveDate) -> Option<Kept> {
        let entries = self.entries.lock().ok()?;
        let e = entries.map.get(&(session.to_string(), path.to_string()))?;
        (e.version == version && e.day == day).then(|| Kept {
            html: e.html.clone(),
            tag: e.tag.clone(),
        })
    }

    /// Keeps `html` for `session` and `path`, replacing what was kept before.
    pub fn put(
        &self,
        session: &str,
        path: &str,
        version: Version,
        day: NaiveDate,
        html: &str,
        tag: &[i64],
    ) {
        if html.len() > MAX_BYTES / 16 {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.seq += 1;
        let entry = Entry {
            version,
            day,
            html: Arc::from(html),
            tag: Arc::from(tag),
            seq: entries.seq,
        };
        entries.bytes += html.len();
        if let Some(old) = entries
            .map
            .insert((session.to_string(), path.to_string()), entry)
        {
            entries.bytes -= old.html.len();
        }
        if entries.bytes > MAX_BYTES {
            shrink(&mut entries);
        }
    }

    /// Forgets every page kept for `session` (when it ends).
    pub fn forget_session(&self, session: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            let mut freed = 0;
            entries.map.retain(|(s, _), e| {
                let keep = s != session;
                if !keep {
                    freed += e.html.len();
                }
                keep
            });
            entries.bytes -= freed;
        }
    }

    pub fn bytes(&self) -> usize {
        self.entries.lock().map(|e| e.bytes).unwrap_or(0)
    }
}

/// Drops the oldest half of the pages.
fn shrink(entries: &mut Entries) {
    let mut seqs: Vec<u64> = entries.map.values().map(|e| e.seq).collect();
    seqs.sort_unstable();
    let cut = seqs.get(seqs.len() / 2).copied().unwrap_or(0);
    let mut freed = 0;
    entries.map.retain(|_, e| {
        let keep = e.seq >= cut;
        if !keep {
            freed += e.html.len();
        }
        keep
    });
    entries.bytes -= freed;
}

/// Renders `page` with `template` to text, for responses that are also kept.
pub fn render(tera: &Metadata<'_>, page: Page, template: &'static str) -> AppResult<String> {
    tera.render(template, page.into_context())
        .map(|(_, html)| html)
        .ok_or_else(|| AppError::Internal(format!("template {template} did not render")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn a_page_is_served_only_to_its_session_on_its_day_while_the_counters_hold() {
        let cache = PageCache::default();
        cache.put("s1", "/patients/7", (3, 1), day(23), "<p>side</p>", &[42]);
        let kept = cache.get("s1", "/patients/7", (3, 1), day(23));
        assert_eq!(kept.as_ref().map(|k| &*k.html), Some("<p>side</p>"));
        assert_eq!(kept.map(|k| k.tag.to_vec()), Some(vec![42]));
        assert!(cache.get("s2", "/patients/7", (3, 1), day(23)).is_none());
        assert!(cache.get("s1", "/patients/8", (3, 1), day(23)).is_none());
        assert!(cache.get("s1", "/patients/7", (4, 1), day(23)).is_none());
        assert!(cache.get("s1", "/patients/7", (3, 2), day(23)).is_none());
        assert!(cache.get("s1", "/patients/7", (3, 1), day(24)).is_none());
    }

    #[test]
    fn replacing_and_forgetting_keep_the_byte_count_exact() {
        let cache = PageCache::default();
        cache.put("s1", "/a", (1, 1), day(1), "12345", &[]);
        cache.put("s1", "/a", (2, 1), day(1), "123", &[]);
        cache.put("s2", "/a", (2, 1), day(1), "1234567", &[]);
        assert_eq!(cache.bytes(), 10);
        cache.forget_session("s1");
        assert_eq!(cache.bytes(), 7);
        assert!(cache.get("s1", "/a", (2, 1), day(1)).is_none());
    }

    #[test]
    fn the_oldest_pages_go_first_when_the_cache_is_full() {
        let cache = PageCache::default();
        let page = "x".repeat(MAX_BYTES / 16);
        for i in 0..17 {
            cache.put("s", &format!("/{i}"), (1, 1), day(1), &page, &[]);
        }
        assert!(cache.bytes() <= MAX_BYTES);
        assert!(cache.get("s", "/0", (1, 1), day(1)).is_none());
        assert!(cache.get("s", "/16", (1, 1), day(1)).is_some());
    }
}
