//! The command line: `serve` (default), `migrate`, `user add`, `backup`, `demo-data`.

use crate::app::{prepare, App};
use crate::db::{self, Db, Engine};
use crate::domain::user::{Role, UserDraft};
use crate::{config, demo};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "samspill",
    version,
    about = "Samspill – systematisk samarbeid med pårørende"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE while the server runs.
    Backup { file: std::path::PathBuf },
    /// Fill an empty database with a synthetic municipality.
    DemoData {
        #[arg(long, default_value_t = 500)]
        patients: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account. The password comes from SAMSPILL_PASSWORD or a prompt.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["worker", "manager", "admin"])]
        role: String,
        /// The unit's exact name (required for workers and managers).
        #[arg(long)]
        unit: Option<String>,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = rocket::execute(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve().await,
            Command::Migrate => {
                let (_, app) = prepare(config::figment()).await?;
                app.db.close().await;
                println!("The database is up to date.");
                Ok(())
            }
            Command::User {
                command:
                    UserCommand::Add {
                        username,
                        name,
                        role,
                        unit,
                    },
            } => add_user(&username, &name, &role, unit.as_deref()).await,
            Command::Backup { file } => backup(&file).await,
            Command::DemoData { patients, seed } => demo_data(patients, seed).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("samspill: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    crate::logging::init();
    let (figment, app) = prepare(config::figment()).await?;
    if db::users::count(&app.db).await.map_err(|e| e.to_string())? == 0 {
        let token = crate::security::random_token();
        db::setup::issue(&app.db, &token, app.clock.now())
            .await
            .map_err(|e| e.to_string())?;
        let base = app.settings.public_base(&rocket::Config::from(&figment));
        println!("\nSamspill has no users yet. Open this one-time link to create the first administrator:\n");
        println!("    {base}/setup?token={token}\n");
    }
    let base = app.settings.public_base(&rocket::Config::from(&figment));
    tracing::info!(address = %base, engine = ?app.db.engine(), "Samspill starts");
    crate::build_rocket(figment, app)
        .launch()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn password_from_env_or_prompt() -> Result<String, String> {
    if let Ok(p) = std::env::var("SAMSPILL_PASSWORD") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")
        .map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Repeat the password: ").map_err(|e| e.to_string())?;
    if first != second {
        return Err("the passwords differ".into());
    }
    Ok(first)
}

async fn add_user(
    username: &str,
    name: &str,
    role: &str,
    unit: Option<&str>,
) -> Result<(), String> {
    let password = password_from_env_or_prompt()?;
    let (_, App { db, clock, .. }) = prepare(config::figment()).await?;
    let unit_id = match unit {
        Some(unit_name) => {
            let found = db::org::unit_by_name(&db, unit_name)
                .await
                .map_err(|e| e.to_string())?;
            let unit = found.ok_or_else(|| format!("no unit is named \"{unit_name}\"; create it first under Administrasjon → Tjenestesteder"))?;
            unit.id.to_string()
        }
        None => String::new(),
    };
    let draft = UserDraft {
        username,
        name,
        role,
        unit_id: &unit_id,
        phone: "",
        password: Some(&password),
    };
    let input = draft.parse().map_err(|errors| {
        let list: Vec<String> = crate::domain::user::USER_FIELDS
            .iter()
            .filter_map(|f| errors.get(f).map(|m| format!("{f}: {m}")))
            .collect();
        list.join("; ")
    })?;
    let hash = crate::security::hash_password(password).await?;
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let new = db::users::NewUser {
        username: &input.username,
        name: &input.name,
        role: input.role,
        unit_id: input.unit_id,
        phone: None,
        password_hash: &hash,
    };
    let id = db::users::insert(&mut tx, &new, clock.now())
        .await
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                format!("the username {} is taken", input.username)
            } else {
                e.to_string()
            }
        })?;
    tx.commit().await.map_err(|e| e.to_string())?;
    println!(
        "Created {} ({}) with id {id}.",
        input.username,
        Role::label(input.role)
    );
    db.close().await;
    Ok(())
}

async fn backup(file: &std::path::Path) -> Result<(), String> {
    let (_, app) = prepare(config::figment()).await?;
    if app.db.engine() != Engine::Sqlite {
        return Err("backup copies the SQLite database; for PostgreSQL use pg_dump".into());
    }
    db::backup::sqlite_copy(&app.db, file).await?;
    println!(
        "Wrote a consistent copy of the database to {}.",
        file.display()
    );
    app.db.close().await;
    Ok(())
}

async fn demo_data(patients: u32, seed: u64) -> Result<(), String> {
    let password = std::env::var("SAMSPILL_PASSWORD").map_err(|_| {
        "set SAMSPILL_PASSWORD to the password the demo accounts should get".to_string()
    })?;
    if let Some(problem) = crate::domain::user::password_problem(&password, &[]) {
        return Err(format!("SAMSPILL_PASSWORD: {problem}"));
    }
    let (app, in_memory) = crate::app::prepare_bulk(config::figment()).await?;
    if !in_memory && app.db.engine() == crate::db::Engine::Sqlite {
        eprintln!(
            "samspill: the database is open elsewhere; it is filled through its write-ahead log, which takes longer"
        );
    }
    let started = std::time::Instant::now();
    let options = demo::Options {
        patients,
        seed,
        today: app.clock.today(),
        password,
    };
    let summary = demo::generate(&app.db, &options).await?;
    app.db
        .end_bulk()
        .await
        .map_err(|e| format!("demo data: {e}"))?;
    println!("{summary}");
    println!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    app.db.close().await;
    let _: &Db = &app.db;
    Ok(())
}
