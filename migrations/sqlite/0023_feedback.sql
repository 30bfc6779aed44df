-- The relatives' feedback. A link is personal to a relative and an agreement: its token is
-- derived from a random salt with the server's secret and stored only as a SHA-256 hash. It
-- records that it was used, never when, so that no answer can be joined back to it.
CREATE TABLE feedback_links (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    language TEXT NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
    salt TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX feedback_links_party ON feedback_links(agreement_id, relative_id, issued_at);

-- An answer keeps its unit and month only: nothing that leads back to the relative, the
-- patient, the agreement or the link. A question not answered is NULL.
CREATE TABLE feedback_answers (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    month TEXT NOT NULL,
    respect SMALLINT CHECK (respect BETWEEN 1 AND 5),
    information SMALLINT CHECK (information BETWEEN 1 AND 5),
    contact SMALLINT CHECK (contact BETWEEN 1 AND 5),
    asked SMALLINT CHECK (asked BETWEEN 1 AND 5),
    views SMALLINT CHECK (views BETWEEN 1 AND 5),
    relief SMALLINT CHECK (relief BETWEEN 1 AND 5),
    offers SMALLINT CHECK (offers BETWEEN 1 AND 5),
    overall SMALLINT CHECK (overall BETWEEN 1 AND 5),
    improve TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feedback_answers_unit ON feedback_answers(unit_id, month);
