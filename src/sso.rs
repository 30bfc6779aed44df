//! The relying party for single sign-on (OpenID Connect, authorization-code flow): discovery,
//! the authorization request with PKCE (S256), `state` and `nonce` — pushed to the provider
//! first (PAR) when its metadata requires it —, the code exchange with a client secret or a
//! signed client assertion (`private_key_jwt`), the ID token's validation (signature, issuer,
//! audience, expiry, nonce) with the provider's keys fetched again when it has rotated them,
//! and the address that ends the provider's session (RP-initiated logout).
//!
//! The rules (which settings work, whom claims name) are in `domain::sso`; the routes and the
//! session are in `web::auth::sso`.

use crate::domain::sso::{identity, ClientAuth, Identity, SsoSettings};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClaimName, CoreClaimType,
    CoreClientAuthMethod, CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreRsaPrivateSigningKey, CoreSubjectIdentifierType, CoreTokenIntrospectionResponse,
    CoreTokenType,
};
use openidconnect::url;
use openidconnect::{
    reqwest, AdditionalClaims, AdditionalProviderMetadata, AuthType, AuthorizationCode, Client,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndSessionUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdToken, IdTokenFields, IssuerUrl, JsonWebKeyId, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, PrivateSigningKey,
    ProviderMetadata, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use tokio::sync::RwLock;

/// Where the provider sends the browser back with the code.
pub const CALLBACK_PATH: &str = "/login/sso/callback";

/// Provider metadata Samspill reads beyond OpenID Connect Discovery's core: RP-initiated
/// logout and pushed authorization requests (RFC 9126).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extra {
    #[serde(default)]
    end_session_endpoint: Option<EndSessionUrl>,
    #[serde(default)]
    pushed_authorization_request_endpoint: Option<String>,
    #[serde(default)]
    require_pushed_authorization_requests: bool,
}
impl AdditionalProviderMetadata for Extra {}

type Metadata = ProviderMetadata<
    Extra,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// Every claim of the ID token beyond the standard ones (Entra's `oid`, `roles`, `groups`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Claims(Map<String, Value>);
impl AdditionalClaims for Claims {}

type Fields = IdTokenFields<
    Claims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type Token =
    IdToken<Claims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type Rp = Client<
    Claims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in did not succeed. The message is for the security log, never for the page.
#[derive(Debug)]
pub enum SsoError {
    /// The provider could not be reached or answered something unusable.
    Provider(String),
    /// The answer was reached but did not hold up (token refused, wrong nonce, …).
    Refused(String),
}

impl std::fmt::Display for SsoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SsoError::Provider(m) => {
                write!(f, "identitetsleverandøren svarte ikke som ventet: {m}")
            }
            SsoError::Refused(m) => write!(f, "innloggingen ble avvist: {m}"),
        }
    }
}

/// A started sign-in: where to send the browser, and what to keep until it comes back.
pub struct Begun {
    pub redirect: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// The relying party, shared by all requests; the provider's metadata and keys are fetched
/// on first use and again when a token is signed with a key not yet known.
pub struct Sso {
    pub settings: SsoSettings,
    redirect_url: RedirectUrl,
    post_logout_url: String,
    http: reqwest::Client,
    metadata: RwLock<Option<Arc<Metadata>>>,
    signing_key: Option<CoreRsaPrivateSigningKey>,
}

impl Sso {
    /// The relying party for `settings`, answering at `public_base` (`SAMSPILL_PUBLIC_URL`).
    pub fn new(settings: SsoSettings, public_base: &str) -> Result<Sso, String> {
        let redirect_url = RedirectUrl::new(format!("{public_base}{CALLBACK_PATH}"))
            .map_err(|e| format!("SAMSPILL_PUBLIC_URL does not make a redirect address: {e}"))?;
        let signing_key = match &settings.auth {
            ClientAuth::PrivateKey { pem, key_id } => Some(
                CoreRsaPrivateSigningKey::from_pem(pem, key_id.clone().map(JsonWebKeyId::new))
                    .map_err(|e| {
                        format!(
                            "SAMSPILL_OIDC_CLIENT_KEY_FILE must hold an RSA key in PKCS#1 PEM: {e}"
                        )
                    })?,
            ),
            ClientAuth::Secret(_) => None,
        };
        let http = reqwest::ClientBuilder::new()
            // The flow's redirects are the browser's; the server follows none (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(Sso {
            settings,
            redirect_url,
            post_logout_url: format!("{public_base}/login?reason=ended"),
            http,
            metadata: RwLock::new(None),
            signing_key,
        })
    }

    async fn metadata(&self) -> Result<Arc<Metadata>, SsoError> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        self.discover().await
    }

    /// Reads the discovery document and the keys again.
    async fn discover(&self) -> Result<Arc<Metadata>, SsoError> {
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SsoError::Provider(e.to_string()))?;
        let metadata = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SsoError::Provider(format!("discovery: {e}")))?;
        let metadata = Arc::new(metadata);
        *self.metadata.write().await = Some(metadata.clone());
        Ok(metadata)
    }

    fn client(&self, metadata: &Metadata) -> Rp {
        let secret = match &self.settings.auth {
            ClientAuth::Secret(s) => Some(ClientSecret::new(s.clone())),
            ClientAuth::PrivateKey { .. } => None,
        };
        let client = Rp::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(self.redirect_url.clone());
        let basic = metadata
            .token_endpoint_auth_methods_supported()
            .is_none_or(|m| m.contains(&CoreClientAuthMethod::ClientSecretBasic));
        if self.signing_key.is_some() || !basic {
            client.set_auth_type(AuthType::RequestBody)
        } else {
            client
        }
    }

    /// A signed client assertion (RFC 7523) for the provider, when Samspill authenticates
    /// with a private key: the form fields to add to a token or PAR request.
    fn assertion(&self, now: DateTime<Utc>) -> Result<Vec<(String, String)>, SsoError> {
        let Some(key) = &self.signing_key else {
            return Ok(Vec::new());
        };
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "kid": match &self.settings.auth {
                ClientAuth::PrivateKey { key_id, .. } => key_id.clone(),
                ClientAuth::Secret(_) => None,
            },
        });
        let claims = serde_json::json!({
            "iss": self.settings.client_id,
            "sub": self.settings.client_id,
            "aud": self.settings.issuer,
            "jti": crate::security::random_token(),
            "iat": now.timestamp(),
            "nbf": now.timestamp(),
            "exp": now.timestamp() + 60,
        });
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let input = format!("{}.{}", encode(&header), encode(&claims));
        let signature = key
            .sign(
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                input.as_bytes(),
            )
            .map_err(|e| SsoError::Provider(format!("signing the client assertion: {e}")))?;
        Ok(vec![
            (
                "client_assertion_type".into(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ),
            (
                "client_assertion".into(),
                format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)),
            ),
        ])
    }

    /// Starts a sign-in: a fresh state, nonce and PKCE verifier, and the address to send the
    /// browser to (after pushing the request to the provider when it requires that).
    pub async fn begin(&self, now: DateTime<Utc>) -> Result<Begun, SsoError> {
        let metadata = self.metadata().await?;
        let client = self.client(&metadata);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(self.settings.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        let redirect = match &metadata
            .additional_metadata()
            .pushed_authorization_request_endpoint
        {
            Some(par)
                if metadata
                    .additional_metadata()
                    .require_pushed_authorization_requests =>
            {
                self.push(par, &url, now).await?
            }
            _ => url.to_string(),
        };
        Ok(Begun {
            redirect,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        })
    }

    /// Pushes the authorization request's parameters to the provider (RFC 9126) and gives the
    /// address that names it by its `request_uri`.
    async fn push(
        &self,
        endpoint: &str,
        url: &url::Url,
        now: DateTime<Utc>,
    ) -> Result<String, SsoError> {
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.extend(self.assertion(now)?);
        let mut request = self.http.post(endpoint).form(&form);
        if let ClientAuth::Secret(secret) = &self.settings.auth {
            request = request.basic_auth(
                form_urlencode(&self.settings.client_id),
                Some(form_urlencode(secret)),
            );
        }
        let reply = request
            .send()
            .await
            .map_err(|e| SsoError::Provider(format!("pushed authorization request: {e}")))?;
        let status = reply.status();
        let bytes = reply
            .bytes()
            .await
            .map_err(|e| SsoError::Provider(format!("pushed authorization request: {e}")))?;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let request_uri = body
            .get("request_uri")
            .and_then(Value::as_str)
            .filter(|_| status.is_success())
            .ok_or_else(|| {
                SsoError::Provider(format!(
                    "pushed authorization request answered {status}: {body}"
                ))
            })?;
        let mut target = url.clone();
        target
            .query_pairs_mut()
            .clear()
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("request_uri", request_uri);
        Ok(target.to_string())
    }

    /// Exchanges the code for tokens and validates the ID token against the provider's
    /// metadata and keys, the nonce of this sign-in and the clock; the identity it names.
    pub async fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<Identity, SsoError> {
        let metadata = self.metadata().await?;
        let client = self.client(&metadata);
        let mut request = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::Provider(format!("the provider has no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()));
        for (name, value) in self.assertion(now)? {
            request = request.add_extra_param(name, value);
        }
        let tokens = request
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Refused(format!("code exchange: {e}")))?;
        let token = tokens
            .id_token()
            .ok_or_else(|| SsoError::Refused("no ID token in the answer".into()))?;
        let nonce = Nonce::new(nonce.to_string());
        let claims = match self.verify(&client, token, &nonce, now) {
            Err(SsoError::Refused(m)) if m == NO_MATCHING_KEY => {
                // A key not yet known: the provider may have rotated its keys.
                let fresh = self.discover().await?;
                self.verify(&self.client(&fresh), token, &nonce, now)?
            }
            other => other?,
        };
        identity(&claims, &self.settings)
            .ok_or_else(|| SsoError::Refused(format!("no «{}» claim", self.settings.user_claim)))
    }

    fn verify(
        &self,
        client: &Rp,
        token: &Token,
        nonce: &Nonce,
        now: DateTime<Utc>,
    ) -> Result<Map<String, Value>, SsoError> {
        use openidconnect::{ClaimsVerificationError as E, SignatureVerificationError as S};
        let verifier = client.id_token_verifier().set_time_fn(move || now);
        let claims = token.claims(&verifier, nonce).map_err(|e| match e {
            E::SignatureVerification(S::NoMatchingKey) => SsoError::Refused(NO_MATCHING_KEY.into()),
            other => SsoError::Refused(other.to_string()),
        })?;
        let mut all = claims.additional_claims().0.clone();
        all.insert("sub".into(), Value::String(claims.subject().to_string()));
        let text = |v: Option<String>| v.map(Value::String);
        for (key, value) in [
            (
                "name",
                text(
                    claims
                        .name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.to_string()),
                ),
            ),
            (
                "given_name",
                text(
                    claims
                        .given_name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.to_string()),
                ),
            ),
            (
                "family_name",
                text(
                    claims
                        .family_name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.to_string()),
                ),
            ),
            ("email", text(claims.email().map(|e| e.to_string()))),
        ] {
            if let Some(value) = value {
                all.insert(key.into(), value);
            }
        }
        Ok(all)
    }

    /// Where to send the browser to end the provider's session too, when the provider offers
    /// RP-initiated logout; it comes back to the login page.
    pub async fn logout_url(&self) -> Option<String> {
        let metadata = self.metadata().await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let request = openidconnect::LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(
                PostLogoutRedirectUrl::new(self.post_logout_url.clone()).ok()?,
            );
        Some(request.http_get_url().to_string())
    }
}

const NO_MATCHING_KEY: &str = "no key of the provider matches the token's signature";

/// Client credentials in HTTP Basic are form-encoded first (RFC 6749 § 2.3.1).
fn form_urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
