//! Replays Samspill as people use it, over HTTP against a running server: many worker
//! sessions from different units, each reading different patients of its own unit, its day,
//! follow-up list, searches with Norwegian names and partial words, agreement prints, and a
//! share of writes interleaved (new follow-ups, mappings, meeting minutes); district managers
//! read the dashboard. Every request is rendered by the server as it would be for a person.
//!
//! Each phase runs `--connections` connections for `--duration` seconds. The floor phase loads
//! `/healthz`; each page phase loads one kind of page, with `--writes` of the requests being
//! writes; the mixed phase loads a day's mix. Per page: requests per second, its share of the
//! floor measured in the same run, p50 and p99, and any answer that was not the expected one.
//!
//!   cargo run --release -p replay -- --workers ansatt1,ansatt61 --managers leder1

use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

#[derive(Parser, Debug)]
#[command(about = "Replays a day of Samspill over HTTP")]
struct Args {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:8765")]
    url: String,
    /// The demo accounts' password.
    #[arg(long, env = "SAMSPILL_PASSWORD")]
    password: String,
    /// Worker accounts, comma-separated; best from different units.
    #[arg(long, value_delimiter = ',', required = true)]
    workers: Vec<String>,
    /// District manager accounts, comma-separated.
    #[arg(long, value_delimiter = ',')]
    managers: Vec<String>,
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// The share of requests that are writes in every phase but the floor.
    #[arg(long, default_value_t = 0.25)]
    writes: f64,
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "floor,patient,followups,today,search,print,dashboard,mixed"
    )]
    phases: Vec<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Floor,
    Patient,
    Followups,
    Today,
    Search,
    Print,
    Dashboard,
    NewFollowup,
    Mapping,
    Meeting,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Floor => "floor /healthz",
            Op::Patient => "patient page",
            Op::Followups => "follow-up list",
            Op::Today => "worker's day",
            Op::Search => "patient search",
            Op::Print => "agreement PDF",
            Op::Dashboard => "dashboard",
            Op::NewFollowup => "write: follow-up",
            Op::Mapping => "write: mapping",
            Op::Meeting => "write: meeting",
        }
    }

    fn is_write(self) -> bool {
        matches!(self, Op::NewFollowup | Op::Mapping | Op::Meeting)
    }
}

/// One keep-alive HTTP/1.1 connection, reopened when the server closes it.
struct Conn {
    addr: String,
    host: String,
    origin: String,
    sender: Option<SendRequest<Full<Bytes>>>,
}

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: String,
}

impl Conn {
    fn new(url: &str) -> Conn {
        let host = url.trim_start_matches("http://").trim_end_matches('/');
        Conn {
            addr: host.to_string(),
            host: host.to_string(),
            origin: url.trim_end_matches('/').to_string(),
            sender: None,
        }
    }

    async fn open(&mut self) -> Result<(), String> {
        let stream = TcpStream::connect(&self.addr)
            .await
            .map_err(|e| format!("connect {}: {e}", self.addr))?;
        stream.set_nodelay(true).ok();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(conn);
        self.sender = Some(sender);
        Ok(())
    }

    async fn send(
        &mut self,
        path: &str,
        cookie: &str,
        form: Option<&[(&str, String)]>,
    ) -> Result<Answer, String> {
        for attempt in 0..2 {
            if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
                self.open().await?;
            }
            let mut req = Request::builder()
                .uri(path)
                .header("Host", &self.host)
                .header("Cookie", cookie);
            let body = match form {
                Some(fields) => {
                    req = req
                        .method(Method::POST)
                        .header("Origin", &self.origin)
                        .header("Content-Type", "application/x-www-form-urlencoded");
                    Bytes::from(encode(fields))
                }
                None => Bytes::new(),
            };
            let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
            let Some(sender) = self.sender.as_mut() else {
                continue;
            };
            if sender.ready().await.is_err() {
                self.sender = None;
                continue;
            }
            match sender.send_request(req).await {
                Ok(res) => {
                    let status = res.status();
                    let cookies = res
                        .headers()
                        .get_all("set-cookie")
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .filter_map(|v| v.split(';').next())
                        .map(str::to_string)
                        .collect();
                    let body = res
                        .into_body()
                        .collect()
                        .await
                        .map_err(|e| format!("body of {path}: {e}"))?
                        .to_bytes();
                    return Ok(Answer {
                        status,
                        cookies,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                }
                Err(e) if attempt == 0 => {
                    let _ = e;
                    self.sender = None;
                }
                Err(e) => return Err(format!("{path}: {e}")),
            }
        }
        Err(format!("{path}: the connection closed twice"))
    }
}

fn encode(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Every number that follows `prefix` up to a `"` or `/`, once each, in page order.
fn ids_after(body: &str, prefix: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, _) in body.match_indices(prefix) {
        let rest = &body[i + prefix.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let next = rest[digits.len()..].chars().next();
        if !digits.is_empty() && matches!(next, Some('"') | Some('/')) {
            if let Ok(id) = digits.parse() {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    out
}

fn value_after(body: &str, marker: &str, attr: &str) -> Option<String> {
    let from = body.find(marker)?;
    let rest = &body[from..];
    let at = rest.find(attr)? + attr.len();
    let value: String = rest[at..].chars().take_while(|c| *c != '"').collect();
    (!value.is_empty()).then_some(value)
}

/// The names in a patient list: `<a href="/patients/N">Name</a>`.
fn names(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in body.match_indices("<a href=\"/patients/") {
        let rest = &body[i..];
        let Some(open) = rest.find('>') else { continue };
        let Some(close) = rest.find("</a>") else {
            continue;
        };
        if open < close
            && rest[..open]
                .trim_end_matches('"')
                .ends_with(char::is_numeric)
        {
            out.push(rest[open + 1..close].trim().to_string());
        }
    }
    out
}

/// What people type into the search box: a surname's first letters, a whole given name, a
/// given name and the start of the surname, in any case, sometimes without æ, ø, å.
fn search_terms(names: &[String], rng: &mut StdRng) -> Vec<String> {
    let fold = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'ø' | 'Ø' => 'o',
                'å' | 'Å' => 'a',
                'æ' | 'Æ' => 'e',
                c => c,
            })
            .collect()
    };
    let mut out = Vec::new();
    for name in names {
        let words: Vec<&str> = name.split_whitespace().collect();
        let (Some(given), Some(surname)) = (words.first(), words.last()) else {
            continue;
        };
        let cut = |w: &str, n: usize| w.chars().take(n).collect::<String>();
        let n = rng.gen_range(3..=5);
        let term = match rng.gen_range(0..4) {
            0 => cut(surname, n).to_lowercase(),
            1 => given.to_string(),
            2 => format!("{} {}", given.to_lowercase(), cut(surname, 3)),
            _ => fold(&cut(surname, n + 1)).to_lowercase(),
        };
        out.push(term);
    }
    out
}

struct Session {
    cookie: String,
    csrf: String,
    owner: String,
    patients: Vec<u64>,
    relatives: Vec<u64>,
    agreements: Vec<u64>,
    terms: Vec<String>,
}

async fn login(conn: &mut Conn, user: &str, password: &str) -> Result<String, String> {
    let page = conn.send("/login", "", None).await?;
    let csrf = value_after(&page.body, "name=\"csrf_token\"", "value=\"")
        .ok_or("no csrf_token on /login")?;
    let jar = page.cookies.join("; ");
    let fields = [
        ("username", user.to_string()),
        ("password", password.to_string()),
        ("csrf_token", csrf),
    ];
    let answer = conn.send("/login", &jar, Some(&fields)).await?;
    answer
        .cookies
        .into_iter()
        .find(|c| c.starts_with("samspill_session="))
        .ok_or_else(|| format!("{user} could not log in: HTTP {}", answer.status))
}

async fn worker_session(
    url: &str,
    user: &str,
    password: &str,
    seed: u64,
) -> Result<Session, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut conn = Conn::new(url);
    let cookie = login(&mut conn, user, password).await?;
    let first = conn.send("/patients", &cookie, None).await?;
    // "Side 1 av 88 (2191 treff)"
    let last_page: u64 = first
        .body
        .split("Side 1 av ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut patients = ids_after(&first.body, "href=\"/patients/");
    let mut seen = names(&first.body);
    for _ in 0..12 {
        let page = rng.gen_range(1..=last_page);
        let list = conn
            .send(&format!("/patients?page={page}"), &cookie, None)
            .await?;
        for id in ids_after(&list.body, "href=\"/patients/") {
            if !patients.contains(&id) {
                patients.push(id);
            }
        }
        seen.extend(names(&list.body));
    }
    if patients.is_empty() {
        return Err(format!("{user} sees no patients"));
    }
    let (mut relatives, mut agreements) = (Vec::new(), Vec::new());
    let (mut csrf, mut owner) = (None, None);
    for id in patients.iter().take(30) {
        let page = conn.send(&format!("/patients/{id}"), &cookie, None).await?;
        relatives.extend(ids_after(&page.body, "href=\"/relatives/"));
        agreements.extend(ids_after(&page.body, "href=\"/agreements/"));
        csrf = csrf.or_else(|| value_after(&page.body, "name=\"csrf_token\"", "value=\""));
        owner = owner.or_else(|| {
            let at = page.body.find("name=\"owner_id\"")?;
            ids_after(&page.body[at..], "<option value=\"")
                .first()
                .map(u64::to_string)
        });
    }
    Ok(Session {
        cookie,
        csrf: csrf.ok_or_else(|| format!("{user}: no csrf_token on a patient page"))?,
        owner: owner.ok_or_else(|| format!("{user}: no owner choice on a patient page"))?,
        patients,
        relatives,
        agreements,
        terms: search_terms(&seen, &mut rng),
    })
}

fn date(days_ahead: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days_ahead))
        .format("%d.%m.%Y")
        .to_string()
}

/// A form's fields as posted.
type Form = Vec<(&'static str, String)>;

/// The path and, for a write, the form of one request.
fn request(
    op: Op,
    s: &Session,
    manager: Option<&str>,
    rng: &mut StdRng,
) -> Option<(String, Option<Form>)> {
    let patient = *s.patients.choose(rng)?;
    Some(match op {
        Op::Floor => ("/healthz".into(), None),
        Op::Patient => (format!("/patients/{patient}"), None),
        Op::Followups => ("/followups".into(), None),
        Op::Today => ("/today".into(), None),
        Op::Search => {
            let term = s.terms.choose(rng)?;
            (format!("/patients?q={}", escape(term)), None)
        }
        Op::Print => (
            format!("/agreements/{}/pdf", s.agreements.choose(rng)?),
            None,
        ),
        Op::Dashboard => {
            manager?;
            ("/dashboard".into(), None)
        }
        Op::NewFollowup => (
            format!("/patients/{patient}/followups"),
            Some(vec![
                ("kind", "call".into()),
                (
                    "concerns",
                    "Ringe og høre hvordan det går etter helgen".into(),
                ),
                ("due_on", date(rng.gen_range(7..90))),
                ("owner_id", s.owner.clone()),
                ("csrf_token", s.csrf.clone()),
            ]),
        ),
        Op::Mapping => {
            let mut form = vec![
                ("mapped_on", date(0)),
                ("roles", "caregiver".into()),
                ("tasks", "practical".into()),
                ("hours_per_week", rng.gen_range(1..30).to_string()),
                (
                    "what_matters",
                    "Å få sove om natten og å vite hvem hun kan ringe".into(),
                ),
                ("violence", "no".into()),
                ("csrf_token", s.csrf.clone()),
            ];
            const STRAIN: [&str; 13] = [
                "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12",
            ];
            for name in STRAIN {
                form.push((name, if rng.gen_bool(0.4) { "1" } else { "0" }.into()));
            }
            (
                format!("/relatives/{}/mappings", s.relatives.choose(rng)?),
                Some(form),
            )
        }
        Op::Meeting => (
            format!("/patients/{patient}/meetings"),
            Some(vec![
                ("kind", "followup".into()),
                ("date", date(0)),
                ("time", "10:00".into()),
                ("staff", "Sykepleier i hjemmetjenesten".into()),
                (
                    "minutes",
                    "Gikk gjennom ukeplanen. Datteren tar handling, tjenesten tar medisiner."
                        .into(),
                ),
                ("action", "save".into()),
                ("csrf_token", s.csrf.clone()),
            ]),
        ),
    })
}

/// The reads of a phase, with their weights.
fn reads(phase: &str) -> Vec<(Op, u32)> {
    match phase {
        "floor" => vec![(Op::Floor, 1)],
        "patient" => vec![(Op::Patient, 1)],
        "followups" => vec![(Op::Followups, 1)],
        "today" => vec![(Op::Today, 1)],
        "search" => vec![(Op::Search, 1)],
        "print" => vec![(Op::Print, 1)],
        "dashboard" => vec![(Op::Dashboard, 1)],
        _ => vec![
            (Op::Patient, 40),
            (Op::Followups, 20),
            (Op::Today, 10),
            (Op::Search, 25),
            (Op::Print, 5),
            (Op::Dashboard, 10),
        ],
    }
}

struct Sample {
    op: Op,
    micros: u32,
    ok: bool,
}

struct Shared {
    url: String,
    workers: Vec<Session>,
    managers: Vec<Session>,
}

async fn load(
    shared: Arc<Shared>,
    phase: String,
    writes: f64,
    until: Instant,
    seed: u64,
) -> (Vec<Sample>, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut conn = Conn::new(&shared.url);
    let reads = reads(&phase);
    let total: u32 = reads.iter().map(|(_, w)| w).sum();
    let (mut samples, mut problems) = (Vec::new(), Vec::new());
    while Instant::now() < until {
        let op = if phase != "floor" && rng.gen_bool(writes) {
            *[Op::NewFollowup, Op::Mapping, Op::Meeting]
                .choose(&mut rng)
                .unwrap_or(&Op::NewFollowup)
        } else {
            let mut pick = rng.gen_range(0..total);
            let mut chosen = reads[0].0;
            for (op, w) in &reads {
                if pick < *w {
                    chosen = *op;
                    break;
                }
                pick -= w;
            }
            chosen
        };
        let manager = op == Op::Dashboard;
        let pool = if manager {
            &shared.managers
        } else {
            &shared.workers
        };
        let Some(session) = pool.choose(&mut rng) else {
            continue;
        };
        let Some((path, form)) = request(op, session, manager.then_some(""), &mut rng) else {
            continue;
        };
        let cookie = if op == Op::Floor { "" } else { &session.cookie };
        let started = Instant::now();
        let answer = conn.send(&path, cookie, form.as_deref()).await;
        let micros = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
        let expected = if op.is_write() {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::OK
        };
        let ok = match &answer {
            Ok(a) => a.status == expected,
            Err(_) => false,
        };
        if !ok && problems.len() < 3 {
            problems.push(match answer {
                Ok(a) => format!(
                    "{} {path}: HTTP {}: {}",
                    op.name(),
                    a.status,
                    a.body.chars().take(300).collect::<String>()
                ),
                Err(e) => format!("{} {path}: {e}", op.name()),
            });
        }
        samples.push(Sample { op, micros, ok });
    }
    (samples, problems)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let mut rng = StdRng::seed_from_u64(args.seed);
    println!(
        "setting up {} worker and {} manager sessions",
        args.workers.len(),
        args.managers.len()
    );
    let mut workers = Vec::new();
    for chunk in args.workers.chunks(4) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|user| {
                let (url, user, password) = (args.url.clone(), user.clone(), args.password.clone());
                let seed = rng.gen();
                tokio::spawn(async move { worker_session(&url, &user, &password, seed).await })
            })
            .collect();
        for task in batch {
            workers.push(task.await.map_err(|e| e.to_string())??);
        }
    }
    let mut managers = Vec::new();
    for user in &args.managers {
        let mut conn = Conn::new(&args.url);
        let cookie = login(&mut conn, user, &args.password).await?;
        // A manager has opened the dashboard before the replay starts, as on any working day
        // after the server's first: the phases measure its figures kept and counted again
        // after changes, not the first count of a whole district after a restart.
        let first = conn.send("/dashboard", &cookie, None).await?;
        if first.status != StatusCode::OK {
            return Err(format!(
                "{user} could not open the dashboard: HTTP {}",
                first.status
            ));
        }
        managers.push(Session {
            cookie,
            csrf: String::new(),
            owner: String::new(),
            patients: vec![0],
            relatives: Vec::new(),
            agreements: Vec::new(),
            terms: Vec::new(),
        });
    }
    let patients: usize = workers.iter().map(|s| s.patients.len()).sum();
    println!(
        "{} sessions know {patients} patients, {} relatives, {} agreements",
        workers.len(),
        workers.iter().map(|s| s.relatives.len()).sum::<usize>(),
        workers.iter().map(|s| s.agreements.len()).sum::<usize>()
    );
    let shared = Arc::new(Shared {
        url: args.url.clone(),
        workers,
        managers,
    });

    let mut floor = None;
    println!(
        "{:<10} {:<18} {:>9} {:>8} {:>9} {:>9} {:>7}",
        "phase", "request", "req/s", "floor", "p50 ms", "p99 ms", "failed"
    );
    for phase in &args.phases {
        let until = Instant::now() + Duration::from_secs(args.duration);
        let tasks: Vec<_> = (0..args.connections)
            .map(|_| {
                tokio::spawn(load(
                    shared.clone(),
                    phase.clone(),
                    args.writes,
                    until,
                    rng.gen(),
                ))
            })
            .collect();
        let mut by_op: BTreeMap<Op, (Vec<u32>, usize)> = BTreeMap::new();
        let mut problems = Vec::new();
        for task in tasks {
            let (samples, p) = task.await.map_err(|e| e.to_string())?;
            problems.extend(p);
            for s in samples {
                let entry = by_op.entry(s.op).or_default();
                entry.0.push(s.micros);
                entry.1 += usize::from(!s.ok);
            }
        }
        let seconds = args.duration as f64;
        let mut all = 0usize;
        for (op, (mut times, failed)) in by_op {
            times.sort_unstable();
            all += times.len();
            let rps = times.len() as f64 / seconds;
            if op == Op::Floor {
                floor = Some(rps);
            }
            let share = match floor {
                Some(f) if !op.is_write() => format!("{:.1} %", rps * 100.0 / f),
                _ => String::new(),
            };
            println!(
                "{:<10} {:<18} {:>9.0} {:>8} {:>9.2} {:>9.2} {:>7}",
                phase,
                op.name(),
                rps,
                share,
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                failed
            );
        }
        if phase != "floor" {
            println!(
                "{:<10} {:<18} {:>9.0}",
                phase,
                "all requests",
                all as f64 / seconds
            );
        }
        for p in problems.iter().take(3) {
            println!("  failed: {p}");
        }
    }
    Ok(())
}
