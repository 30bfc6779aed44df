-- Single sign-on. A person the identity provider knows is linked to a staff account by the
-- provider's issuer and the configured claim's value; one identity names one account.
CREATE TABLE user_identities (
    id INTEGER PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    linked_at TEXT NOT NULL,
    UNIQUE (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities(user_id);

-- Someone the provider knows but Samspill does not, who signed in while pending accounts are
-- switched on: waits for an administrator to give a role and unit (or to link an account).
CREATE TABLE pending_identities (
    id INTEGER PRIMARY KEY,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    name TEXT,
    email TEXT,
    proposed_role TEXT CHECK (proposed_role IN ('worker', 'manager', 'admin')),
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    UNIQUE (issuer, subject)
);

-- A sign-in on its way through the provider: kept until the browser comes back (once), so
-- that any instance can finish it and a replayed state finds nothing.
CREATE TABLE sso_flows (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Whether a session was started through the provider, so that logging out can end the
-- provider's session too.
ALTER TABLE sessions ADD COLUMN via_sso BOOLEAN NOT NULL DEFAULT 0;
