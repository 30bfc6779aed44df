//! Settings: one struct read from Rocket.toml and the environment (`SAMSPILL_*`,
//! `DATABASE_URL`), and the cookie secret that must survive restarts.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand::RngCore;
use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://samspill.db?mode=rwc";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `sqlite://FILE` or `postgres://…`.
    pub database_url: String,
    pub max_connections: u32,
    /// Set when a TLS-terminating proxy sits in front: cookies are then marked Secure and
    /// HSTS is sent.
    pub behind_tls: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Lets a scraper read `/metrics` with `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// Printed at the top of agreements and in page titles.
    pub municipality: String,
    /// How the municipality's Pasient- og brukerombudet is reached (office, phone), printed
    /// in the rights box of every agreement. `SAMSPILL_OMBUD`; the national web address is
    /// always printed beside it.
    pub ombud: String,
    /// The address users reach the app at, for the first-start setup link and links in
    /// calendar files.
    pub public_url: Option<String>,
    /// SQLite's `synchronous`: `full` (the default: no acknowledged commit is lost on power
    /// loss) or `normal` (faster writes; only for measuring, or on storage whose write cache
    /// survives a power cut).
    pub sqlite_synchronous: String,
    /// Single sign-on with the municipality's OpenID Connect provider (`SAMSPILL_OIDC_*`);
    /// off while no issuer is set. Checked by `domain::sso::SsoSettings::parse`.
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    /// Client authentication with a shared secret …
    pub oidc_client_secret: Option<String>,
    /// … or with a signed client assertion (`private_key_jwt`): a PEM file with an RSA key.
    pub oidc_client_key_file: Option<String>,
    /// The key's id (`kid`) as registered with the provider, when it asks for one.
    pub oidc_client_key_id: Option<String>,
    /// The provider's name on the login button ("Logg inn med …").
    pub oidc_display_name: Option<String>,
    /// Scopes asked for, separated by spaces (`openid` is always asked for).
    pub oidc_scopes: Option<String>,
    /// The claim that identifies a person: `sub` by default, Entra ID's `oid`.
    pub oidc_user_claim: Option<String>,
    /// The claim that carries roles or groups (`roles`, `groups`) and how its values map to
    /// Samspill's roles: `value=worker,value=manager,value=admin`.
    pub oidc_role_claim: Option<String>,
    pub oidc_roles: Option<String>,
    /// Whether a first sign-in by someone Samspill does not know creates a pending account
    /// for an administrator to approve.
    pub oidc_pending_accounts: bool,
    /// `false` switches the password form off for everyone but `break_glass_admin`.
    pub local_login: bool,
    pub break_glass_admin: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: DEFAULT_DATABASE_URL.into(),
            max_connections: 8,
            behind_tls: false,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            metrics_token: None,
            municipality: "Oslo kommune".into(),
            ombud: String::new(),
            public_url: None,
            sqlite_synchronous: "full".into(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_client_key_file: None,
            oidc_client_key_id: None,
            oidc_display_name: None,
            oidc_scopes: None,
            oidc_user_claim: None,
            oidc_role_claim: None,
            oidc_roles: None,
            oidc_pending_accounts: false,
            local_login: true,
            break_glass_admin: None,
        }
    }
}

impl Settings {
    /// The address users reach Samspill at, without a trailing slash: `SAMSPILL_PUBLIC_URL`,
    /// or the address and port the server listens on.
    pub fn public_base(&self, rocket: &rocket::Config) -> String {
        match &self.public_url {
            Some(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_string(),
            _ => format!("http://{}:{}", rocket.address, rocket.port),
        }
    }
}

impl Settings {
    /// The single sign-on settings, checked (`domain::sso`); the client key is read from
    /// `SAMSPILL_OIDC_CLIENT_KEY_FILE`. None while no issuer is set.
    pub fn sso(&self) -> Result<Option<crate::domain::sso::SsoSettings>, String> {
        let key = match self.oidc_client_key_file.as_deref().map(str::trim) {
            Some(path) if !path.is_empty() => {
                Some(std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read SAMSPILL_OIDC_CLIENT_KEY_FILE {path}: {e}")
                })?)
            }
            _ => None,
        };
        crate::domain::sso::SsoSettings::parse(&crate::domain::sso::SsoInput {
            issuer: self.oidc_issuer.as_deref(),
            client_id: self.oidc_client_id.as_deref(),
            client_secret: self.oidc_client_secret.as_deref(),
            client_key: key.as_deref(),
            client_key_id: self.oidc_client_key_id.as_deref(),
            display_name: self.oidc_display_name.as_deref(),
            scopes: self.oidc_scopes.as_deref(),
            user_claim: self.oidc_user_claim.as_deref(),
            role_claim: self.oidc_role_claim.as_deref(),
            roles: self.oidc_roles.as_deref(),
            pending_accounts: self.oidc_pending_accounts,
        })
    }
}

/// Rocket's own configuration (Samspill's built-in defaults, then Rocket.toml and `ROCKET_*`)
/// plus ours (`SAMSPILL_*`, `DATABASE_URL`).
pub fn figment() -> Figment {
    Figment::from(Serialized::defaults(Settings::default()))
        .merge(rocket_figment())
        .merge(Env::prefixed("SAMSPILL_").ignore(&["password"]))
        .merge(Env::raw().only(&["database_url"]))
}

/// Rocket's settings with Samspill's defaults built in, so that the application behaves the
/// same from whatever folder it is started: `Rocket.toml` (looked up from the working
/// directory, or `ROCKET_CONFIG`) and `ROCKET_*` only override them.
pub fn rocket_figment() -> Figment {
    rocket_figment_with(&Env::var_or("ROCKET_CONFIG", "Rocket.toml"))
}

fn rocket_figment_with(toml: &str) -> Figment {
    use rocket::data::{ByteUnit, Limits};
    use rocket::figment::providers::{Format, Toml};
    use rocket::figment::Profile;
    // Long agreement texts fit; larger bodies get a clear 413 page.
    let limits = Limits::default()
        .limit("form", ByteUnit::Mebibyte(4))
        .limit("data-form", ByteUnit::Mebibyte(4))
        // An uploaded logo larger than allowed gets a message at the field, not an error page.
        .limit("file", ByteUnit::Mebibyte(4));
    Figment::from(rocket::Config::default())
        .merge(Serialized::default("ident", "Samspill"))
        .merge(Serialized::default("limits", limits))
        .merge(Serialized::default(
            "template_dir",
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
        ))
        .merge(Toml::file(toml).nested())
        .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
        .select(Profile::from_env_or(
            "ROCKET_PROFILE",
            rocket::Config::DEFAULT_PROFILE,
        ))
}

pub fn settings(figment: &Figment) -> Result<Settings, String> {
    figment
        .extract::<Settings>()
        .map_err(|e| format!("invalid configuration: {e}"))
}

/// The file that keeps a generated cookie secret: beside the SQLite database.
pub fn secret_file(database_url: &str) -> Option<PathBuf> {
    let db_path = sqlite_path(database_url)?;
    let dir = db_path.parent().map(Path::to_path_buf).unwrap_or_default();
    Some(dir.join("samspill.secret"))
}

/// Makes sure the figment has a `secret_key`: the configured one, or on SQLite one kept in
/// a 0600 file beside the database (generated on first start).
pub fn with_secret_key(figment: Figment, settings: &Settings) -> Result<Figment, String> {
    let configured = figment.find_value("secret_key").is_ok()
        && rocket::Config::from(&figment)
            .secret_key
            .is_zero()
            .then_some(())
            .is_none();
    if configured {
        return Ok(figment);
    }
    if engine_of(&settings.database_url) == Some(Engine::Postgres) {
        return Err(
            "ROCKET_SECRET_KEY must be set when the database is PostgreSQL, and be the same on \
                    every instance. Generate one with: openssl rand -base64 64"
                .into(),
        );
    }
    let Some(path) = secret_file(&settings.database_url) else {
        return Err("ROCKET_SECRET_KEY must be set for an in-memory database".into());
    };
    let key = read_or_create_secret(&path)?;
    Ok(figment.merge(("secret_key", key)))
}

fn read_or_create_secret(path: &Path) -> Result<String, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let key = existing.trim().to_string();
        if STANDARD
            .decode(&key)
            .map(|b| b.len() >= 32)
            .unwrap_or(false)
        {
            return Ok(key);
        }
        return Err(format!(
            "{} does not hold a valid key; delete it to generate a new one",
            path.display()
        ));
    }
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = STANDARD.encode(bytes);
    write_private(path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

// The database URL: which engine it names, and the file behind a SQLite URL. Parsed here so
// that the settings need nothing from the database layer.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub fn engine_of(url: &str) -> Option<Engine> {
    if url.starts_with("sqlite:") {
        Some(Engine::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(Engine::Postgres)
    } else {
        None
    }
}

/// The file behind a SQLite URL (`sqlite://samspill.db?mode=rwc` → `samspill.db`).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/x.db?mode=rwc", dir.path().display());
        let settings = Settings {
            database_url: url.clone(),
            ..Settings::default()
        };
        let first = with_secret_key(Figment::new(), &settings).unwrap();
        let second = with_secret_key(Figment::new(), &settings).unwrap();
        let a: String = first.extract_inner("secret_key").unwrap();
        let b: String = second.extract_inner("secret_key").unwrap();
        assert_eq!(a, b);
        assert_eq!(STANDARD.decode(&a).unwrap().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("samspill.secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn defaults_hold_without_rocket_toml() {
        let figment = rocket_figment_with("/nonexistent/Rocket.toml");
        let config = rocket::Config::from(&figment);
        assert_eq!(
            config.limits.get("form"),
            Some(rocket::data::ByteUnit::Mebibyte(4))
        );
        assert_eq!(
            config.limits.get("data-form"),
            Some(rocket::data::ByteUnit::Mebibyte(4))
        );
        assert_eq!(config.ident.as_str(), Some("Samspill"));
        let templates: String = figment.extract_inner("template_dir").unwrap();
        assert!(Path::new(&templates).is_absolute());
        assert!(Path::new(&templates).join("base.html.tera").exists());
    }

    #[test]
    fn postgres_requires_a_configured_secret() {
        let settings = Settings {
            database_url: "postgres://localhost/samspill".into(),
            ..Settings::default()
        };
        let err = with_secret_key(Figment::new(), &settings).unwrap_err();
        assert!(err.contains("ROCKET_SECRET_KEY"));
    }
}
