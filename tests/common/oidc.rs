//! An OpenID Connect provider on loopback that the tests control: discovery, keys, pushed
//! authorization requests, and a token endpoint that checks PKCE and the client's
//! authentication and answers with the ID token the test asks for (valid, or spoiled in one
//! way). The real provider (`oidc-provider` from npm) is driven by the browser journey.
//! The keys in `tests/fixtures/oidc-*.pem` are test keys and protect nothing.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::url;
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "samspill";
pub const CLIENT_SECRET: &str = "test-hemmelighet";

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/oidc-{name}.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn key(name: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(&fixture(name), Some(JsonWebKeyId::new(name.into())))
        .unwrap()
}

/// What the token endpoint answers with for a code.
#[derive(Clone)]
pub struct Grant {
    pub claims: Value,
    pub code_challenge: String,
    /// Spoil the signature after signing.
    pub tamper: bool,
}

#[derive(Default)]
struct State {
    /// The provider's signing key: `provider-a` until rotated.
    signing: String,
    grants: HashMap<String, Grant>,
    /// Pushed requests by their request_uri: the parameters pushed.
    pushed: HashMap<String, HashMap<String, String>>,
    require_par: bool,
    private_key_jwt: bool,
    /// What each token request carried, for the test to read.
    pub token_requests: Vec<HashMap<String, String>>,
    refused: Vec<String>,
}

#[derive(Clone)]
pub struct Provider {
    pub issuer: String,
    state: Arc<Mutex<State>>,
}

impl Provider {
    pub fn start() -> Provider {
        Provider::start_with(false, false)
    }

    /// `require_par`: the metadata requires pushed authorization requests;
    /// `private_key_jwt`: the client authenticates with a signed assertion.
    pub fn start_with(require_par: bool, private_key_jwt: bool) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(State {
            signing: "provider-a".into(),
            require_par,
            private_key_jwt,
            ..State::default()
        }));
        let provider = Provider {
            issuer: issuer.clone(),
            state: state.clone(),
        };
        let serving = provider.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let reply = serving.answer(&mut stream);
                let _ = stream.write_all(reply.as_bytes());
            }
        });
        provider
    }

    /// The provider signs with another key from now on and publishes only that one.
    pub fn rotate_key(&self) {
        self.state.lock().unwrap().signing = "provider-b".into();
    }

    /// What the token endpoint answers for `code`.
    pub fn grant(&self, code: &str, grant: Grant) {
        self.state.lock().unwrap().grants.insert(code.into(), grant);
    }

    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.state.lock().unwrap().token_requests.clone()
    }

    /// Why the provider refused requests it refused (empty when none was).
    pub fn refused(&self) -> Vec<String> {
        self.state.lock().unwrap().refused.clone()
    }

    pub fn pushed(&self, request_uri: &str) -> Option<HashMap<String, String>> {
        self.state.lock().unwrap().pushed.get(request_uri).cloned()
    }

    /// An ID token for `claims`, signed with the provider's current key.
    pub fn sign(&self, claims: &Value, tamper: bool) -> String {
        let name = self.state.lock().unwrap().signing.clone();
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": name});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = key(&name)
            .sign(
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                input.as_bytes(),
            )
            .unwrap();
        if tamper {
            signature[10] ^= 1;
        }
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn answer(&self, stream: &mut std::net::TcpStream) -> String {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap_or_default();
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap_or_default();
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let path = target.split('?').next().unwrap_or("");
        let (status, value) = match (method, path) {
            ("GET", "/.well-known/openid-configuration") => (200, self.metadata()),
            ("GET", "/jwks") => (200, self.jwks()),
            ("POST", "/token") => self.token(&headers, form),
            ("POST", "/par") => self.par(form),
            _ => (404, json!({"error": "not_found"})),
        };
        let text = value.to_string();
        format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
            text.len()
        )
    }

    fn metadata(&self) -> Value {
        let s = self.state.lock().unwrap();
        let i = &self.issuer;
        let mut m = json!({
            "issuer": i,
            "authorization_endpoint": format!("{i}/auth"),
            "token_endpoint": format!("{i}/token"),
            "jwks_uri": format!("{i}/jwks"),
            "end_session_endpoint": format!("{i}/session/end"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported":
                if s.private_key_jwt { json!(["private_key_jwt"]) } else { json!(["client_secret_basic"]) },
        });
        if s.require_par {
            m["pushed_authorization_request_endpoint"] = json!(format!("{i}/par"));
            m["require_pushed_authorization_requests"] = json!(true);
        }
        m
    }

    fn jwks(&self) -> Value {
        use openidconnect::JsonWebKey as _;
        let name = self.state.lock().unwrap().signing.clone();
        let public = key(&name).as_verification_key();
        let _ = public.key_id();
        json!({"keys": [serde_json::to_value(&public).unwrap()]})
    }

    /// Checks the client's authentication: HTTP Basic with the secret, or a client assertion
    /// signed with the client's key for this provider.
    fn client_ok(
        &self,
        headers: &HashMap<String, String>,
        form: &HashMap<String, String>,
    ) -> Result<(), String> {
        let private = self.state.lock().unwrap().private_key_jwt;
        if private {
            if form.get("client_assertion_type").map(String::as_str)
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return Err("no client assertion".into());
            }
            let assertion = form.get("client_assertion").cloned().unwrap_or_default();
            let parts: Vec<&str> = assertion.split('.').collect();
            if parts.len() != 3 {
                return Err("malformed assertion".into());
            }
            let input = format!("{}.{}", parts[0], parts[1]);
            let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap_or_default();
            let client = key("client");
            let expected = client
                .sign(
                    &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                    input.as_bytes(),
                )
                .unwrap();
            // PKCS#1 v1.5 signatures are deterministic: the same key signs the same bytes alike.
            if signature != expected {
                return Err("assertion not signed by the client's key".into());
            }
            let claims: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap_or_default())
                    .unwrap_or(Value::Null);
            if claims["iss"] != CLIENT_ID
                || claims["sub"] != CLIENT_ID
                || claims["aud"] != self.issuer.as_str()
            {
                return Err(format!("assertion claims {claims}"));
            }
            return Ok(());
        }
        let expected = format!(
            "Basic {}",
            STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        if headers.get("authorization") != Some(&expected) {
            return Err("wrong client secret".into());
        }
        Ok(())
    }

    fn token(
        &self,
        headers: &HashMap<String, String>,
        form: HashMap<String, String>,
    ) -> (u16, Value) {
        if let Err(why) = self.client_ok(headers, &form) {
            self.state.lock().unwrap().refused.push(why);
            return (401, json!({"error": "invalid_client"}));
        }
        let mut s = self.state.lock().unwrap();
        s.token_requests.push(form.clone());
        let code = form.get("code").cloned().unwrap_or_default();
        let Some(grant) = s.grants.remove(&code) else {
            s.refused.push(format!("unknown code {code}"));
            return (400, json!({"error": "invalid_grant"}));
        };
        let verifier = form.get("code_verifier").cloned().unwrap_or_default();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if challenge != grant.code_challenge {
            s.refused.push("PKCE verifier does not match".into());
            return (400, json!({"error": "invalid_grant"}));
        }
        drop(s);
        let id_token = self.sign(&grant.claims, grant.tamper);
        (
            200,
            json!({"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}),
        )
    }

    fn par(&self, form: HashMap<String, String>) -> (u16, Value) {
        let headers = HashMap::new();
        if let Err(why) = self.client_ok(&headers, &form) {
            self.state
                .lock()
                .unwrap()
                .refused
                .push(format!("PAR: {why}"));
            return (401, json!({"error": "invalid_client"}));
        }
        let uri = format!(
            "urn:ietf:params:oauth:request_uri:{}",
            self.state.lock().unwrap().pushed.len() + 1
        );
        self.state.lock().unwrap().pushed.insert(uri.clone(), form);
        (201, json!({"request_uri": uri, "expires_in": 60}))
    }
}
