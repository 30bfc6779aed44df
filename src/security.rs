//! Passwords (argon2id) and random tokens.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Password checks running at once: argon2 is deliberately slow and takes 19 MiB each, so
/// more checks than cores would only add memory (a burst of logins at the start of a shift,
/// or a flood of wrong passwords), not speed.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.clamp(1, 4))
    })
}

/// Hashes off the async workers, at most one check per core at a time.
pub async fn hash_password(password: String) -> Result<String, String> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| e.to_string())?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    let Ok(_permit) = hashing_permits().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A hash of a random password nobody knows: verifying against it makes a login for an
/// unknown username take as long as one for a known username.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_blocking(&random_token()).unwrap_or_default())
}

pub fn hash_password_sync(password: &str) -> Result<String, String> {
    hash_blocking(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let hash = hash_blocking("riktig-passord-1").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_blocking("riktig-passord-1", &hash));
        assert!(!verify_blocking("feil-passord-12", &hash));
        assert!(!verify_blocking("riktig-passord-1", dummy_hash()));
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}

/// The key that turns a feedback link's random salt into its token: derived from the
/// server's cookie secret, so that a reprinted copy shows the same link and the database
/// alone (which keeps the salt and the token's hash) cannot make a token.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    pub fn from_secret(secret: &str) -> LinkKey {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(b"samspill feedback link key\0");
        h.update(secret.as_bytes());
        LinkKey(h.finalize().into())
    }

    /// A key for a server without a configured secret: links printed before a restart stop
    /// working after it.
    pub fn ephemeral() -> LinkKey {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        LinkKey(key)
    }

    /// The token (as typed: groups of four) for a link's salt.
    pub fn token(&self, salt: &str) -> String {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC takes a key of any length");
        mac.update(salt.as_bytes());
        let out = mac.finalize().into_bytes();
        let mut bytes = [0u8; 17];
        bytes.copy_from_slice(&out[..17]);
        crate::domain::feedback::token_text(&bytes)
    }
}

/// How a feedback token is stored: the hex SHA-256 of its written form.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
