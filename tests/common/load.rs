//! Writers against a real server process: what a client sends, what counts as an
//! acknowledged write, and writers that go on until the server is killed under them. Shared
//! by the process tests and the fault benchmark.
#![allow(dead_code)]

use super::http::{Browser, Response};
use super::server::Server;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The id in a redirect to `prefix<id>`: the server's acknowledgement of a new record.
pub fn acknowledged(reply: &Response, prefix: &str) -> Option<i64> {
    if reply.status != 303 {
        return None;
    }
    reply.location()?.strip_prefix(prefix)?.parse().ok()
}

/// Registers a patient in `unit_id`.
pub fn register(browser: &mut Browser, name: &str, unit_id: i64) -> std::io::Result<Response> {
    browser.post(
        "/patients",
        &[
            ("full_name", name),
            ("birth_date", "01.02.1940"),
            ("unit_id", &unit_id.to_string()),
        ],
    )
}

/// Adds an adult relative with full consent to `patient_id`.
pub fn add_relative(
    browser: &mut Browser,
    patient_id: i64,
    name: &str,
) -> std::io::Result<Response> {
    let consent_on = samspill::domain::dates::format_date(
        samspill::clock::Clock::default().today() - chrono::Duration::days(30),
    );
    browser.post(
        &format!("/patients/{patient_id}/relatives"),
        &[
            ("full_name", name),
            ("relation", "spouse"),
            ("involvement", "yes"),
            ("age_group", "adult"),
            ("consent_scope", "full"),
            ("consent_on", consent_on.as_str()),
            ("consent_how", "Muntlig til primærkontakt"),
        ],
    )
}

/// What writers saw in one round.
#[derive(Debug, Default)]
pub struct Round {
    pub acknowledged: Vec<(String, i64)>,
    pub unexpected: Vec<String>,
}

/// Writers (one per browser, each with its own session) register patients named
/// `{prefix} r{round} w{writer} n{n}` until `kill_after` writes are acknowledged; then the
/// server gets SIGKILL. The browsers come back with their cookies, pointing at no server.
pub fn write_until_killed(
    server: Server,
    browsers: &mut [Browser],
    unit_id: i64,
    prefix: &str,
    round: usize,
    kill_after: usize,
) -> Round {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Round::default()));
    let handles: Vec<_> = browsers
        .iter()
        .enumerate()
        .map(|(w, browser)| {
            let mut browser = browser.clone();
            browser.port = server.port;
            let (stop, count, seen) = (stop.clone(), count.clone(), seen.clone());
            let prefix = prefix.to_string();
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let name = format!("{prefix} r{round} w{w} n{n}");
                    n += 1;
                    match register(&mut browser, &name, unit_id) {
                        Ok(reply) => match acknowledged(&reply, "/patients/") {
                            Some(id) => {
                                seen.lock().unwrap().acknowledged.push((name, id));
                                count.fetch_add(1, Ordering::SeqCst);
                            }
                            None if stop.load(Ordering::SeqCst) => break,
                            None => seen
                                .lock()
                                .unwrap()
                                .unexpected
                                .push(format!("{name}: {} {}", reply.status, reply.body)),
                        },
                        // The connection broke: the server is gone, nothing was acknowledged.
                        Err(_) => break,
                    }
                }
                browser
            })
        })
        .collect();
    // Bounded: a server that stops acknowledging still gets killed after a minute.
    for _ in 0..6000 {
        if count.load(Ordering::SeqCst) >= kill_after {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for (slot, handle) in browsers.iter_mut().zip(handles) {
        *slot = handle.join().expect("writer thread");
    }
    let mut seen = seen.lock().unwrap();
    std::mem::take(&mut *seen)
}
