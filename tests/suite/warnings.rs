//! The managers' early warnings, on a fixture counted by hand over a year of the
//! application's clock: relatives out of sight (one whose last contact was exactly six months
//! back), support needs without referral, consent missing or exactly a year old, contact
//! persons gone (a worker deactivated with a hand-over, one deactivated without, a relative
//! whose contact person changed before that, a patient moved to another unit), and
//! agreements behind their rhythm (one exactly on time).

use crate::common::agreement::{draft, sign};
use crate::common::{self, relative, TestApp};
use chrono::{Duration, NaiveDate};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;
use samspill::domain::warnings::months_before;

const A1: &str = "Hjemmetjenesten Frogner nord";
const A2: &str = "Hjemmetjenesten Frogner sør";
const TOTAL: &str = "Hele Bydel Frogner";

struct Fixture {
    app: TestApp,
    manager: TestApp,
    /// The day of the count, a year after the first records.
    d: NaiveDate,
    /// Bjørn's agreement, behind its monthly rhythm.
    behind: i64,
}

/// Moves the application's clock forward to `day`, and logs the worker in again (the
/// session has long timed out).
async fn go_to(app: &TestApp, day: NaiveDate) {
    let days = (day - app.clock.today()).num_days();
    assert!(days >= 0, "the fixture's days go forward");
    app.clock.advance_days(days);
    app.login_as("ansatt1").await;
}

async fn add(app: &TestApp, patient: i64, name: &str, extra: &[(&str, &str)]) -> i64 {
    let mut fields = relative(name, extra);
    fields.push(("phone", "98765432"));
    let r = app
        .post(&format!("/patients/{patient}/relatives"), &fields)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{name}: {fields:?}");
    app.scalar("SELECT MAX(id) FROM relatives").await
}

async fn map(app: &TestApp, relative: i64, needs: &[&str]) {
    let today = format_date(app.clock.today());
    let mut fields = vec![
        ("mapped_on", today.as_str()),
        ("hours_per_week", "4"),
        ("violence", "no"),
    ];
    for n in needs {
        fields.push(("support_needs", n));
    }
    let r = app
        .post(&format!("/relatives/{relative}/mappings"), &fields)
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

async fn refer(app: &TestApp, relative: i64, offer: &str, state: &str) {
    let offer = app
        .scalar(&format!(
            "SELECT MIN(id) FROM offers WHERE need = '{offer}'"
        ))
        .await
        .to_string();
    let today = format_date(app.clock.today());
    let r = app
        .post(
            &format!("/relatives/{relative}/referrals"),
            &[
                ("offer_id", offer.as_str()),
                ("referred_on", today.as_str()),
                ("state", state),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

async fn consent(app: &TestApp, relative: i64) {
    let today = format_date(app.clock.today());
    let r = app
        .post(
            &format!("/relatives/{relative}/consent"),
            &[
                ("scope", "full"),
                ("on", today.as_str()),
                ("how", "Muntlig til primærkontakt"),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

/// A follow-up concerning `relative`, due and completed today.
async fn contact_today(app: &TestApp, patient: i64, relative: i64, owner: i64) {
    let today = format_date(app.clock.today());
    let r = app
        .post(
            &format!("/patients/{patient}/followups"),
            &[
                ("kind", "call"),
                ("concerns", "Samtale med pårørende"),
                ("due_on", today.as_str()),
                ("owner_id", &owner.to_string()),
                ("relative_id", &relative.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let id = app.scalar("SELECT MAX(id) FROM followups").await;
    complete(app, id).await;
}

async fn complete(app: &TestApp, followup: i64) {
    let today = format_date(app.clock.today());
    let r = app
        .post(
            &format!("/followups/{followup}/done"),
            &[("done_on", today.as_str()), ("note", "Snakket sammen")],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
}

async fn agreement(app: &TestApp, patient: i64, relative: i64, rhythm: &str) -> i64 {
    let id = draft(app, patient, relative, &[("contact_rhythm", rhythm)]).await;
    let r = sign(app, id).await;
    assert!(
        r.redirects_to(&format!("/agreements/{id}")),
        "{:?} {:?} {}",
        r.status,
        r.location,
        r.body
    );
    id
}

/// Unit A1: P1 (Anna: no consent, nothing done; Bjørn: consent exactly a year old, relief
/// needed and never referred, a monthly agreement with no contact since signing; Cecilie:
/// training needed besides relief still referred, a monthly agreement kept; Dag: not
/// involved; Ivar: a weekly agreement signed exactly a week ago; Lise: registered a day
/// less than six months ago), P2 (Erik: contact person ansatt3, deactivated with a hand-over
/// to ansatt1; Frida: contact person ansatt4, changed to ansatt2 after ansatt4 was
/// deactivated without a hand-over; Hans: still ansatt4; Jens: last contact exactly six
/// months back; Kine: a day later, her peer-support need declined). P3 (Gro, contact person
/// ansatt1) moves to A2 ten days before the count.
async fn fixture() -> Fixture {
    let app = common::start().await;
    let org = app.org().await;
    let t0 = app.clock.today();
    let d = t0.checked_add_months(chrono::Months::new(12)).unwrap();
    let six_back = months_before(d, 6);
    let w1 = app.user("ansatt1", Role::Worker, Some(org.unit_a1)).await;
    let w2 = app.user("ansatt2", Role::Worker, Some(org.unit_a1)).await;
    let w3 = app.user("ansatt3", Role::Worker, Some(org.unit_a1)).await;
    let w4 = app.user("ansatt4", Role::Worker, Some(org.unit_a1)).await;
    app.user("leder1", Role::Manager, Some(org.unit_a1)).await;
    app.user("admin", Role::Admin, None).await;
    app.login_as("ansatt1").await;

    let p1 = app.patient("Per En", "01.02.1940", org.unit_a1).await;
    let p2 = app.patient("Pia To", "01.02.1941", org.unit_a1).await;
    let p3 = app.patient("Pål Tre", "01.02.1942", org.unit_a1).await;
    let t0_text = format_date(t0);
    let (s3, s4, s1) = (w3.to_string(), w4.to_string(), w1.to_string());
    let anna = add(&app, p1, "Anna Stille", &[]).await;
    // Anna was registered before the form asked for consent: none is recorded.
    app.exec(&format!("DELETE FROM consents WHERE relative_id = {anna}"))
        .await;
    let bjorn = add(&app, p1, "Bjørn Bak", &[("consent_on", &t0_text)]).await;
    let cecilie = add(&app, p1, "Cecilie Kurs", &[]).await;
    add(&app, p1, "Dag Nei", &[("involvement", "no")]).await;
    let ivar = add(&app, p1, "Ivar Uke", &[]).await;
    let erik = add(&app, p2, "Erik Overlevert", &[("contact_person_id", &s3)]).await;
    let frida = add(&app, p2, "Frida Byttet", &[("contact_person_id", &s4)]).await;
    let hans = add(&app, p2, "Hans Glemt", &[("contact_person_id", &s4)]).await;
    let jens = add(&app, p2, "Jens Kant", &[]).await;
    let kine = add(&app, p2, "Kine Innenfor", &[]).await;
    let gro = add(&app, p3, "Gro Flyttet", &[("contact_person_id", &s1)]).await;
    map(&app, bjorn, &["relief"]).await;
    map(&app, cecilie, &["relief"]).await;
    refer(&app, cecilie, "relief", "referred").await;
    map(&app, kine, &["peer"]).await;
    refer(&app, kine, "peer", "declined").await;
    map(&app, jens, &["other"]).await;

    // Six months before the count: Jens's last contact; a day later, Kine's, and Lise.
    go_to(&app, six_back).await;
    contact_today(&app, p2, jens, w1).await;
    go_to(&app, six_back + Duration::days(1)).await;
    contact_today(&app, p2, kine, w1).await;
    let today = format_date(app.clock.today());
    add(&app, p1, "Lise Ny", &[("consent_on", &today)]).await;

    // Four months before: ansatt4 is deactivated as an older Samspill did it, without a
    // hand-over (the database function, not the administrator's form).
    go_to(&app, months_before(d, 4)).await;
    {
        let mut tx = app.db.begin().await.unwrap();
        samspill::db::users::set_active(&mut tx, w4, false, app.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    // Two months before: Frida gets ansatt2; ansatt3 leaves with a hand-over to ansatt1;
    // consents are renewed (not Anna's or Bjørn's); Cecilie is mapped again and she and
    // Bjørn sign monthly agreements.
    go_to(&app, months_before(d, 2)).await;
    let s2 = w2.to_string();
    let r = app
        .post(
            &format!("/relatives/{frida}"),
            &relative(
                "Frida Byttet",
                &[("contact_person_id", &s2), ("phone", "98765432")],
            ),
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    let admin = app.browser().await;
    admin.login_as("admin").await;
    let r = admin
        .post(
            &format!("/admin/users/{w3}/deactivate"),
            &[("followups_to", "manager"), ("contacts_to", &s1)],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);
    for who in [cecilie, erik, frida, hans, jens, kine, ivar, gro] {
        consent(&app, who).await;
    }
    map(&app, cecilie, &["relief", "training"]).await;
    let behind = agreement(&app, p1, bjorn, "monthly").await;
    let kept = agreement(&app, p1, cecilie, "monthly").await;

    // Ten days before: Cecilie's contact is made; P3 moves to A2.
    go_to(&app, d - Duration::days(10)).await;
    let call = app
        .scalar(&format!(
            "SELECT id FROM followups WHERE agreement_id = {kept} AND kind = 'call' AND status = 'open'"
        ))
        .await;
    complete(&app, call).await;
    let a2 = org.unit_a2.to_string();
    let r = app
        .post(
            &format!("/patients/{p3}"),
            &[
                ("full_name", "Pål Tre"),
                ("birth_date", "01.02.1942"),
                ("unit_id", a2.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, Status::SeeOther, "{}", r.body);

    // A week before: Ivar's weekly agreement; its first contact is due on the day.
    go_to(&app, d - Duration::days(7)).await;
    agreement(&app, p1, ivar, "weekly").await;

    go_to(&app, d).await;
    let manager = app.browser().await;
    manager.login_as("leder1").await;
    Fixture {
        app,
        manager,
        d,
        behind,
    }
}

/// The early-warning table's cells for `row` (a unit's name), without links and the
/// screen-reader text.
fn warnings(body: &str, row: &str) -> Vec<String> {
    let table = &body[body
        .find("id=\"warnings-caption\"")
        .expect("the early-warning table")..];
    let at = table
        .find(&format!("<th scope=\"row\">{row}</th>"))
        .unwrap_or_else(|| panic!("no row {row}"));
    let rest = &table[at..at + table[at..].find("</tr>").unwrap()];
    rest.split("<td>")
        .skip(1)
        .map(|c| {
            let c = &c[..c.find("</td>").unwrap()];
            let text = c.split("<span").next().unwrap();
            let text = match text.find('>') {
                Some(i) if text.starts_with("<a") => &text[i + 1..],
                _ => text,
            };
            text.trim_end_matches("</a>").to_string()
        })
        .collect()
}

/// The values of a chart's table of numbers, month by month.
fn trend(body: &str, id: &str) -> Vec<String> {
    let table = &body[body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}"))..];
    let table = &table[..table.find("</tbody>").unwrap()];
    table
        .split("<td>")
        .skip(1)
        .map(|c| c[..c.find("</td>").unwrap()].to_string())
        .collect()
}

fn row(cells: [&str; 5]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

#[rocket::async_test]
async fn every_warning_equals_the_hand_count_on_the_day_and_before() {
    let fx = fixture().await;
    let page = fx.manager.get("/dashboard").await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    // Out of sight: Anna, Erik, Frida, Hans, Jens (contact exactly six months back); not
    // Kine (a day later), Lise (registered a day later), Bjørn, Cecilie or Ivar (open
    // contacts). Needs: Bjørn's relief, Cecilie's training. Consent: Anna (none), Bjørn
    // (exactly a year). Gone: Hans (ansatt4 deactivated); not Erik (handed over), not Frida
    // (changed before). Behind: Bjørn's agreement; Ivar's weekly contact is due today.
    assert_eq!(warnings(&page.body, A1), row(["5", "2", "2", "1", "1"]));
    // Gro: her contact person stayed in A1 when her patient moved.
    assert_eq!(warnings(&page.body, A2), row(["1", "0", "0", "1", "0"]));
    assert_eq!(warnings(&page.body, TOTAL), row(["6", "2", "2", "2", "1"]));
    assert!(page.body.contains("Ute av syne i 6 måneder</summary>"));

    // Three months before the count: ansatt4 was deactivated, and both Frida and Hans had
    // ansatt4; Erik's ansatt3 was still at work. Nothing was signed yet.
    let day = format_date(months_before(fx.d, 3));
    let page = fx
        .manager
        .get(&format!("/dashboard?from={day}&to={day}"))
        .await;
    let a1 = warnings(&page.body, A1);
    assert_eq!((a1[3].as_str(), a1[4].as_str()), ("2", "0"), "{a1:?}");
    // Five months before, no one was gone.
    let day = format_date(months_before(fx.d, 5));
    let page = fx
        .manager
        .get(&format!("/dashboard?from={day}&to={day}"))
        .await;
    assert_eq!(warnings(&page.body, A1)[3], "0");
    // Before the history of contact persons began there is no figure.
    let day =
        format_date(fx.d.checked_sub_months(chrono::Months::new(12)).unwrap() - Duration::days(1));
    let page = fx
        .manager
        .get(&format!("/dashboard?from={day}&to={day}"))
        .await;
    assert_eq!(warnings(&page.body, A1)[3], "–");
}

#[rocket::async_test]
async fn each_warning_lists_its_relatives_sorted_and_exported() {
    let fx = fixture().await;
    let m = &fx.manager;
    let d = format_date(fx.d);
    let list = m.get("/dashboard/list/warnings?filter=silent").await;
    assert_eq!(list.status, Status::Ok, "{}", list.body);
    assert!(list.body.contains("6 treff per"), "{}", list.body);
    let names = [
        "Anna Stille",
        "Erik Overlevert",
        "Frida Byttet",
        "Gro Flyttet",
        "Hans Glemt",
        "Jens Kant",
    ];
    let at: Vec<usize> = names
        .iter()
        .map(|n| list.body.find(n).unwrap_or_else(|| panic!("{n}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sorted by name");
    assert!(!list.body.contains("Kine Innenfor"));
    assert!(!list.body.contains("Lise Ny"));
    // Jens's last contact is the day six months back.
    let six_back = format_date(months_before(fx.d, 6));
    let jens = &list.body[list.body.find("Jens Kant").unwrap()..];
    let jens = &jens[..jens.find("</tr>").unwrap()];
    assert!(jens.contains(&six_back), "{jens}");
    assert!(list.body.contains("Ingen registrert"));

    // Sorted by unit, Gro (A2, "sør") comes last.
    let by_unit = m
        .get("/dashboard/list/warnings?filter=silent&sort=unit")
        .await
        .body;
    assert!(by_unit.find("Gro Flyttet").unwrap() > by_unit.find("Jens Kant").unwrap());
    // One unit.
    let a2 = fx
        .app
        .scalar("SELECT id FROM units WHERE name = 'Hjemmetjenesten Frogner sør'")
        .await;
    let one = m
        .get(&format!("/dashboard/list/warnings?filter=silent&unit={a2}"))
        .await
        .body;
    assert!(one.contains("1 treff per"));

    let needs = m
        .get("/dashboard/list/warnings?filter=unmet_needs")
        .await
        .body;
    assert!(needs.contains("2 treff per"), "{needs}");
    let cecilie = &needs[needs.find("Cecilie Kurs").unwrap()..];
    let cecilie = &cecilie[..cecilie.find("</tr>").unwrap()];
    assert!(
        cecilie.contains("<td>Opplæring og veiledning</td>"),
        "{cecilie}"
    );
    assert!(!needs.contains("Kine Innenfor"));

    let consent = m
        .get("/dashboard/list/warnings?filter=consent_due")
        .await
        .body;
    assert!(consent.contains("2 treff per"));
    assert!(consent.contains("Ikke registrert"));

    let gone = m
        .get("/dashboard/list/warnings?filter=contact_gone")
        .await
        .body;
    assert!(gone.contains("2 treff per"), "{gone}");
    let hans = &gone[gone.find("Hans Glemt").unwrap()..];
    let hans = &hans[..hans.find("</tr>").unwrap()];
    assert!(
        hans.contains("<td>Test ansatt4</td><td>Deaktivert</td>"),
        "{hans}"
    );
    let gro = &gone[gone.find("Gro Flyttet").unwrap()..];
    let gro = &gro[..gro.find("</tr>").unwrap()];
    assert!(
        gro.contains("<td>Test ansatt1</td><td>Ikke lenger i pasientens enhet</td>"),
        "{gro}"
    );
    assert!(!gone.contains("Frida Byttet"));
    assert!(!gone.contains("Erik Overlevert"));
    // Its trend: nobody was gone at the first month end, two are on the day.
    let points = trend(&gone, "chart-contact-gone-data");
    assert_eq!(points.len(), 12);
    assert_eq!(points.first().map(String::as_str), Some("0"));
    assert_eq!(points.last().map(String::as_str), Some("2"));
    let silent = trend(&list.body, "chart-silent-data");
    assert_eq!(silent.last().map(String::as_str), Some("6"));

    let behind = m
        .get("/dashboard/list/agreements?filter=behind_rhythm")
        .await
        .body;
    assert!(behind.contains("1 treff per"), "{behind}");
    let due = months_before(fx.d, 1);
    let row = &behind[behind
        .find(&format!("agreements&#x2F;{}\"", fx.behind))
        .unwrap_or_else(|| panic!("{behind}"))..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("<td>Hver måned</td><td>Ingen siden signering</td>"),
        "{row}"
    );
    assert!(
        row.contains(&format!(
            "<td>{}</td><td>{}</td>",
            format_date(due),
            (fx.d - due).num_days()
        )),
        "{row}"
    );

    // The export has the same rows as the page.
    let csv = m
        .get(&format!(
            "/dashboard/list/warnings?filter=contact_gone&day={d}&format=csv"
        ))
        .await;
    assert_eq!(csv.status, Status::Ok);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(lines[0].contains("Kontaktperson") && lines[0].contains("Hvorfor"));
    assert!(csv.body.contains("Hans Glemt") && csv.body.contains("Deaktivert"));
    let xlsx = m
        .get(&format!(
            "/dashboard/list/agreements?filter=behind_rhythm&day={d}&format=xlsx"
        ))
        .await;
    assert_eq!(xlsx.status, Status::Ok);
    use calamine::Data;
    let rows = common::xlsx_rows(&xlsx.bytes);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][5], Data::String("Dager bak".into()));
    assert_eq!(rows[1][0], Data::String("Per En".into()));
    assert_eq!(rows[1][5], Data::Float((fx.d - due).num_days() as f64));
}
