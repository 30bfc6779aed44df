//! Pages kept in memory between changes: every change, on any instance, shows on the next
//! view; every view is still logged; a flash message is shown once.

use crate::common;
use crate::common::{call_followup, relative, setup};
use rocket::http::Status;
use samspill::domain::dates::format_date;
use samspill::domain::user::Role;

async fn views_of(app: &common::TestApp, patient: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM access_log WHERE action = 'view' AND entity = 'patient' AND patient_id = {patient}"
    ))
    .await
}

#[rocket::async_test]
async fn a_kept_patient_page_follows_every_change_on_every_instance() {
    let (app, org, patient) = setup().await;
    let page = format!("/patients/{patient}");
    // The registration's flash message is shown on the first view only.
    assert!(app
        .get(&page)
        .await
        .body
        .contains("Pasienten er registrert."));
    let before = views_of(&app, patient).await;
    let first = app.get(&page).await;
    let again = app.get(&page).await;
    assert_eq!(again.status, Status::Ok);
    assert!(!first.body.contains("Pasienten er registrert."));
    assert!(first.body == again.body, "the same page twice");
    assert_eq!(
        views_of(&app, patient).await,
        before + 2,
        "a page served from memory is logged like any other view"
    );

    // A change made through another instance shows on this one's next view.
    let other = app.browser().await;
    other.login_as("ansatt2").await;
    let added = other
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative("Kari Nordmann", &[]),
        )
        .await;
    assert_eq!(added.status, Status::SeeOther, "{}", added.body);
    assert!(app.get(&page).await.body.contains("Kari Nordmann"));

    // The flash message after a change is shown once, not kept.
    let own = app
        .post(
            &format!("/patients/{patient}/relatives"),
            &relative("Ola Nordmann", &[("relation", "child")]),
        )
        .await;
    assert_eq!(own.status, Status::SeeOther, "{}", own.body);
    let with_flash = app.get(&page).await;
    assert!(with_flash.body.contains("Den pårørende er registrert."));
    let next = app.get(&page).await;
    assert!(next.body.contains("Ola Nordmann"));
    assert!(!next.body.contains("Den pårørende er registrert."));

    // Names from the catalogue: an administrator renames a colleague on a third instance.
    app.user("admin", Role::Admin, None).await;
    let admin = app.browser().await;
    admin.login_as("admin").await;
    let colleague = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt2'")
        .await;
    let unit = org.unit_a1.to_string();
    let renamed = admin
        .post(
            &format!("/admin/users/{colleague}"),
            &[
                ("name", "Signe Omsorg"),
                ("role", "worker"),
                ("unit_id", &unit),
            ],
        )
        .await;
    assert!(renamed.redirects_to(&format!("/admin/users/{colleague}")));
    let page_now = app.get(&page).await;
    assert!(page_now.body.contains(&format!(
        "<option value=\"{colleague}\">Signe Omsorg</option>"
    )));

    // A new day: what is overdue is counted again.
    let owner = app
        .scalar("SELECT id FROM users WHERE username = 'ansatt1'")
        .await
        .to_string();
    let due = format_date(app.clock.today() + chrono::Duration::days(1));
    let made = app
        .post(
            &format!("/patients/{patient}/followups"),
            &[
                ("kind", "call"),
                ("concerns", "Ring Kari"),
                ("due_on", &due),
                ("owner_id", &owner),
            ],
        )
        .await;
    assert_eq!(made.status, Status::SeeOther, "{}", made.body);
    app.get(&page).await;
    assert!(!app.get(&page).await.body.contains("på overtid"));
    app.clock.advance_days(3);
    app.login_as("ansatt1").await;
    assert!(app.get(&page).await.body.contains("(2 dager på overtid)"));

    // A patient outside the user's unit stays out of reach, kept pages or not.
    let elsewhere = app.browser().await;
    elsewhere
        .user("ansattb", Role::Worker, Some(org.unit_b1))
        .await;
    elsewhere.login_as("ansattb").await;
    assert_eq!(elsewhere.get(&page).await.status, Status::NotFound);
    assert_eq!(app.get("/patients/999999").await.status, Status::NotFound);
}

#[rocket::async_test]
async fn the_follow_up_list_of_an_owner_in_another_unit_follows_the_patient() {
    let (app, org, patient) = setup().await;
    app.user("ansatt3", Role::Worker, Some(org.unit_a2)).await;
    call_followup(&app, patient, "Ring datteren", 3).await;
    let list = app.get("/followups").await;
    assert!(list.body.contains("Ring datteren") && list.body.contains("Per Nordmann"));
    // Kept: the second view comes from memory.
    assert!(app.get("/followups").await.body.contains("Ring datteren"));

    // A worker of A2, on another instance, shows the list there: nothing of the patient yet.
    let a2 = app.browser().await;
    a2.login_as("ansatt3").await;
    assert!(!a2.get("/followups").await.body.contains("Ring datteren"));

    // The patient moves to unit A2: the kept list in A1 no longer shows the follow-up (the
    // old unit sees nothing of the patient), and A2's kept list shows it needing an owner.
    let unit_a2 = org.unit_a2.to_string();
    let moved = app
        .post(
            &format!("/patients/{patient}"),
            &[
                ("full_name", "Per Nordmann"),
                ("birth_date", "01.02.1940"),
                ("unit_id", unit_a2.as_str()),
            ],
        )
        .await;
    assert!(moved.redirects_to("/patients"), "{:?}", moved.location);
    let after = app.get("/followups").await;
    assert!(after.body.contains(
        "Pasienten er flyttet til Hjemmetjenesten Frogner sør. Du har ikke lenger tilgang til pasienten."
    ));
    assert!(!after.body.contains("Ring datteren") && !after.body.contains("Per Nordmann"));
    let there = a2.get("/followups").await;
    assert!(
        there
            .body
            .contains("Oppfølginger på enheten som trenger ny ansvarlig (1)"),
        "{}",
        there.body
    );
    assert!(there.body.contains("Ring datteren") && there.body.contains("hadde: Test ansatt1"));

    // A2 renames the patient: A2's kept list shows the new name at once.
    let renamed = a2
        .post(
            &format!("/patients/{patient}"),
            &[
                ("full_name", "Per Nordmann Berg"),
                ("birth_date", "01.02.1940"),
                ("unit_id", unit_a2.as_str()),
            ],
        )
        .await;
    assert_eq!(renamed.status, Status::SeeOther, "{}", renamed.body);
    a2.get("/followups").await;
    assert!(a2
        .get("/followups")
        .await
        .body
        .contains("Per Nordmann Berg"));
    assert!(!app.get("/followups").await.body.contains("Per Nordmann"));
}

/// A page's reads share one snapshot: a change committed by another request while it is
/// held is not seen by it. A write of its own (its access-log row) goes to the application's
/// pool and ends the snapshot first, so that no read transaction waits for a write; the
/// reads after it see both changes, and so does the next page.
#[rocket::async_test]
async fn a_pages_reads_see_one_state_until_it_writes() {
    use samspill::db::access_log::{Access, Action};
    let (app, _org, patient) = setup().await;
    let entry = Access {
        user_id: None,
        username: "ansatt1",
        action: Action::View,
        entity: "patient",
        entity_id: Some(patient),
        patient_id: Some(patient),
        unit_id: None,
        detail: "",
    };
    let history = |db: samspill::db::Db| async move {
        samspill::db::access_log::for_patient(&db, patient, 1000, 0)
            .await
            .unwrap()
            .len()
    };
    let reads = samspill::db::Reads::beside(&app.db, 2);
    let snapshot = reads.snapshot(&app.db).await.unwrap();
    let before = history(snapshot.clone()).await;
    // Committed by another request while the snapshot is held.
    samspill::db::access_log::record(&app.db, &entry, app.clock.now())
        .await
        .unwrap();
    assert_eq!(history(snapshot.clone()).await, before, "one state");
    assert_eq!(history(app.db.clone()).await, before + 1);
    // Written through the snapshot: it goes to the application's pool and is kept.
    samspill::db::access_log::record(&snapshot, &entry, app.clock.now())
        .await
        .unwrap();
    if let Some(path) = samspill::db::sqlite_path(&app.url) {
        // No read transaction is left: SQLite's log can be emptied at once.
        assert!(samspill::db::keep_wal_small(&app.db, 0).await.unwrap());
        let mut wal = path.into_os_string();
        wal.push("-wal");
        assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap(), 0);
    }
    assert_eq!(
        history(snapshot.clone()).await,
        before + 2,
        "after its write"
    );
    drop(snapshot);
    assert_eq!(history(app.db.clone()).await, before + 2);
    let next = reads.snapshot(&app.db).await.unwrap();
    assert_eq!(history(next).await, before + 2, "the next page sees both");
}

/// On PostgreSQL the application's connections never JIT-compile (the dashboard's counts
/// spent most of their time compiling) and start no parallel workers: neither a page's reads
/// nor the dashboard's counts of a changed shard (two workers each slowed everything else).
#[rocket::async_test]
#[ignore = "PostgreSQL only: scripts/test runs it with SAMSPILL_TEST_DATABASE_URL and --include-ignored"]
async fn postgres_connections_compile_nothing_and_start_no_parallel_workers() {
    assert!(
        common::is_postgres(),
        "PostgreSQL only: set SAMSPILL_TEST_DATABASE_URL to a PostgreSQL server"
    );
    let (app, _org, _patient) = setup().await;
    let show = |db: samspill::db::Db, setting: &'static str| async move {
        samspill::db::on_db!(&db, |p| sqlx::query_scalar::<_, String>(&format!(
            "SELECT current_setting('{setting}')"
        ))
        .fetch_one(p)
        .await)
        .unwrap()
    };
    assert_eq!(show(app.db.clone(), "jit").await, "off");
    assert_eq!(
        show(app.db.clone(), "max_parallel_workers_per_gather").await,
        "0"
    );
    let snapshot = samspill::db::Reads::beside(&app.db, 1)
        .snapshot(&app.db)
        .await
        .unwrap();
    assert_eq!(show(snapshot.clone(), "jit").await, "off");
    assert_eq!(show(snapshot, "max_parallel_workers_per_gather").await, "0");
}
