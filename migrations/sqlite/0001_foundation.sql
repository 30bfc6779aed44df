-- Organisation, accounts, sessions, patients and the append-only access log.

CREATE TABLE districts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id),
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX units_district ON units(district_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('worker', 'manager', 'admin')),
    unit_id INTEGER REFERENCES units(id),
    phone TEXT,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at TEXT,
    end_reason TEXT,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins per username (also unknown ones), shared by every app instance.
CREATE TABLE login_throttle (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT,
    last_failure_at TEXT NOT NULL
);

CREATE TABLE setup_tokens (
    token TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    full_name TEXT NOT NULL,
    name_search TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    fnr TEXT,
    phone TEXT,
    address TEXT NOT NULL DEFAULT '',
    services TEXT NOT NULL DEFAULT '',
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX patients_unit_sort ON patients(unit_id, sort_key, id);
CREATE INDEX patients_unit_birth ON patients(unit_id, birth_date);
CREATE UNIQUE INDEX patients_fnr ON patients(fnr) WHERE fnr IS NOT NULL;

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    patient_id INTEGER,
    unit_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_log_patient ON access_log(patient_id, at);
CREATE INDEX access_log_user ON access_log(user_id, at);
CREATE INDEX access_log_unit ON access_log(unit_id, at);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
