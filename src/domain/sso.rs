//! Single sign-on with the municipality's OpenID Connect provider: which settings make a
//! usable configuration, whom a set of claims names, which role a provider's claim maps to,
//! and who may still use the password form. No I/O.

use crate::domain::user::Role;
use serde_json::{Map, Value};

/// How Samspill authenticates itself to the provider's token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`/`client_secret_post`: a shared secret.
    Secret(String),
    /// `private_key_jwt`: a client assertion signed with this RSA key (PEM), with its id.
    PrivateKey { pem: String, key_id: Option<String> },
}

/// A checked single sign-on configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// The issuer exactly as the provider names itself (no trailing slash added or removed).
    pub issuer: String,
    pub client_id: String,
    pub auth: ClientAuth,
    pub display_name: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
    pub user_claim: String,
    pub role_claim: Option<String>,
    pub role_map: Vec<(String, Role)>,
    pub pending_accounts: bool,
}

/// The raw settings as read from the environment (`SAMSPILL_OIDC_*`).
#[derive(Debug, Clone, Default)]
pub struct SsoInput<'a> {
    pub issuer: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub client_secret: Option<&'a str>,
    /// The content of `SAMSPILL_OIDC_CLIENT_KEY_FILE`, read by the caller.
    pub client_key: Option<&'a str>,
    pub client_key_id: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub scopes: Option<&'a str>,
    pub user_claim: Option<&'a str>,
    pub role_claim: Option<&'a str>,
    pub roles: Option<&'a str>,
    pub pending_accounts: bool,
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl SsoSettings {
    /// None when no issuer is set (single sign-on is off); an error naming the setting when
    /// the configuration cannot work.
    pub fn parse(input: &SsoInput<'_>) -> Result<Option<SsoSettings>, String> {
        let Some(issuer) = given(input.issuer) else {
            return Ok(None);
        };
        if !issuer_allowed(issuer) {
            return Err(format!(
                "SAMSPILL_OIDC_ISSUER must be an https address (plain http only on 127.0.0.1 or localhost): {issuer}"
            ));
        }
        let client_id = given(input.client_id)
            .ok_or("SAMSPILL_OIDC_CLIENT_ID must be set with SAMSPILL_OIDC_ISSUER")?;
        let auth = match (given(input.client_secret), given(input.client_key)) {
            (Some(secret), None) => ClientAuth::Secret(secret.to_string()),
            (None, Some(pem)) => {
                if !pem.contains("PRIVATE KEY-----") {
                    return Err(
                        "SAMSPILL_OIDC_CLIENT_KEY_FILE must hold an RSA private key in PEM".into(),
                    );
                }
                ClientAuth::PrivateKey {
                    pem: pem.to_string(),
                    key_id: given(input.client_key_id).map(str::to_string),
                }
            }
            (Some(_), Some(_)) => {
                return Err("set either SAMSPILL_OIDC_CLIENT_SECRET or SAMSPILL_OIDC_CLIENT_KEY_FILE, not both".into())
            }
            (None, None) => {
                return Err("SAMSPILL_OIDC_CLIENT_SECRET or SAMSPILL_OIDC_CLIENT_KEY_FILE must be set with SAMSPILL_OIDC_ISSUER".into())
            }
        };
        let scopes = given(input.scopes)
            .unwrap_or("profile email")
            .split([' ', ','])
            .filter(|s| !s.is_empty() && *s != "openid")
            .map(str::to_string)
            .collect();
        let role_claim = given(input.role_claim).map(str::to_string);
        let role_map = match given(input.roles) {
            None => Vec::new(),
            Some(text) => parse_role_map(text)?,
        };
        if role_claim.is_some() == role_map.is_empty() {
            return Err(
                "SAMSPILL_OIDC_ROLE_CLAIM and SAMSPILL_OIDC_ROLES are set together or not at all"
                    .into(),
            );
        }
        Ok(Some(SsoSettings {
            issuer: issuer.to_string(),
            client_id: client_id.to_string(),
            auth,
            display_name: given(input.display_name)
                .unwrap_or("kommunens innlogging")
                .to_string(),
            scopes,
            user_claim: given(input.user_claim).unwrap_or("sub").to_string(),
            role_claim,
            role_map,
            pending_accounts: input.pending_accounts,
        }))
    }
}

/// An issuer must use https, except on loopback, where plain http serves tests and
/// development.
pub fn issuer_allowed(issuer: &str) -> bool {
    if let Some(rest) = issuer.strip_prefix("https://") {
        return !rest.is_empty();
    }
    let Some(rest) = issuer.strip_prefix("http://") else {
        return false;
    };
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host_port,
    };
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// `value=role` pairs separated by commas: `samspill-helse=worker,samspill-leder=manager`.
pub fn parse_role_map(text: &str) -> Result<Vec<(String, Role)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (value, role) = pair
                .rsplit_once('=')
                .ok_or_else(|| format!("SAMSPILL_OIDC_ROLES: «{pair}» is not value=role"))?;
            let role = Role::parse(role.trim()).ok_or_else(|| {
                format!("SAMSPILL_OIDC_ROLES: «{role}» is not worker, manager or admin")
            })?;
            Ok((value.trim().to_string(), role))
        })
        .collect()
}

/// What a verified ID token says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The value of the configured user claim.
    pub subject: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The role the claim-to-role mapping gives, when it gives exactly one.
    pub role: Option<Role>,
}

/// The person the claims name, by the configured claim; None when that claim is missing or
/// not a non-empty string.
pub fn identity(claims: &Map<String, Value>, settings: &SsoSettings) -> Option<Identity> {
    let text = |key: &str| {
        claims
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(200).collect::<String>())
    };
    let subject = text(&settings.user_claim)?;
    let role = settings
        .role_claim
        .as_deref()
        .and_then(|claim| claims.get(claim))
        .and_then(|v| mapped_role(v, &settings.role_map));
    Some(Identity {
        subject,
        name: text("name").or_else(|| {
            let given = text("given_name")?;
            Some(match text("family_name") {
                Some(family) => format!("{given} {family}"),
                None => given,
            })
        }),
        email: text("email"),
        role,
    })
}

/// The one role a claim's value(s) map to; None when none or several different ones match.
pub fn mapped_role(value: &Value, map: &[(String, Role)]) -> Option<Role> {
    let values: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut found: Option<Role> = None;
    for (claim_value, role) in map {
        if values.contains(&claim_value.as_str()) {
            match found {
                Some(other) if other != *role => return None,
                _ => found = Some(*role),
            }
        }
    }
    found
}

/// Whether `username` may log in with a password: always while local login is on; when it
/// is off, only the named break-glass administrator.
pub fn password_login_allowed(
    local_login: bool,
    break_glass: Option<&str>,
    username: &str,
) -> bool {
    local_login
        || break_glass
            .map(|b| b.trim().to_lowercase())
            .is_some_and(|b| !b.is_empty() && b == username.trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input() -> SsoInput<'static> {
        SsoInput {
            issuer: Some("https://login.microsoftonline.com/tenant/v2.0"),
            client_id: Some("samspill"),
            client_secret: Some("hemmelig"),
            ..SsoInput::default()
        }
    }

    #[test]
    fn no_issuer_means_no_single_sign_on_and_a_bad_one_is_refused() {
        assert_eq!(SsoSettings::parse(&SsoInput::default()), Ok(None));
        let s = SsoSettings::parse(&input()).unwrap().unwrap();
        assert_eq!(s.user_claim, "sub");
        assert_eq!(s.scopes, vec!["profile", "email"]);
        assert_eq!(s.auth, ClientAuth::Secret("hemmelig".into()));
        for (issuer, ok) in [
            ("http://idp.kommune.no", false),
            ("ftp://127.0.0.1", false),
            ("http://127.0.0.1:4000", true),
            ("http://localhost:4000/oidc", true),
            ("http://localhost.evil.no", false),
            ("http://127.0.0.1.evil.no:80", false),
            ("https://helseid-sts.nhn.no", true),
        ] {
            assert_eq!(issuer_allowed(issuer), ok, "{issuer}");
            let parsed = SsoSettings::parse(&SsoInput {
                issuer: Some(issuer),
                ..input()
            });
            assert_eq!(parsed.is_ok(), ok, "{issuer}");
        }
        let both = SsoSettings::parse(&SsoInput {
            client_key: Some("-----BEGIN PRIVATE KEY-----"),
            ..input()
        });
        assert!(both.unwrap_err().contains("not both"));
        let neither = SsoSettings::parse(&SsoInput {
            client_secret: None,
            ..input()
        });
        assert!(neither.unwrap_err().contains("CLIENT_SECRET or"));
        let key = SsoSettings::parse(&SsoInput {
            client_secret: None,
            client_key: Some("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----"),
            client_key_id: Some("k1"),
            user_claim: Some("oid"),
            scopes: Some("openid profile"),
            ..input()
        })
        .unwrap()
        .unwrap();
        assert!(
            matches!(key.auth, ClientAuth::PrivateKey { key_id: Some(ref k), .. } if k == "k1")
        );
        assert_eq!(key.user_claim, "oid");
        assert_eq!(key.scopes, vec!["profile"]);
    }

    #[test]
    fn the_configured_claim_names_the_person_and_the_role_map_gives_one_role() {
        let settings = SsoSettings::parse(&SsoInput {
            user_claim: Some("oid"),
            role_claim: Some("roles"),
            roles: Some("Samspill.Helse=worker, Samspill.Leder=manager"),
            ..input()
        })
        .unwrap()
        .unwrap();
        let claims = json!({"sub": "pairwise-1", "oid": "0f3c", "name": "Kari Nordmann",
            "email": "kari@kommune.no", "roles": ["Samspill.Helse", "Annet"]});
        let id = identity(claims.as_object().unwrap(), &settings).unwrap();
        assert_eq!(id.subject, "0f3c");
        assert_eq!(id.name.as_deref(), Some("Kari Nordmann"));
        assert_eq!(id.role, Some(Role::Worker));
        let both = json!({"oid": "x", "roles": ["Samspill.Helse", "Samspill.Leder"]});
        assert_eq!(
            identity(both.as_object().unwrap(), &settings).unwrap().role,
            None
        );
        let missing = json!({"sub": "pairwise-1"});
        assert_eq!(identity(missing.as_object().unwrap(), &settings), None);
        let split = json!({"oid": "y", "given_name": "Ola", "family_name": "Hansen"});
        assert_eq!(
            identity(split.as_object().unwrap(), &settings)
                .unwrap()
                .name
                .as_deref(),
            Some("Ola Hansen")
        );
        assert!(parse_role_map("x=superuser").is_err());
        assert!(SsoSettings::parse(&SsoInput {
            role_claim: Some("roles"),
            ..input()
        })
        .is_err());
    }

    #[test]
    fn with_local_login_off_only_the_break_glass_administrator_uses_a_password() {
        assert!(password_login_allowed(true, None, "kari"));
        assert!(!password_login_allowed(false, None, "kari"));
        assert!(!password_login_allowed(false, Some("nodadmin"), "kari"));
        assert!(password_login_allowed(false, Some("NodAdmin "), "nodadmin"));
        assert!(!password_login_allowed(false, Some(" "), ""));
    }
}
