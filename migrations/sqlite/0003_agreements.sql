-- The pårørendeavtale: agreements, their parties, immutable versions and evaluations.

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'evaluated', 'ended')),
    current_version INTEGER NOT NULL,
    -- Raised by every change; a save based on an older value is refused.
    lock_version INTEGER NOT NULL,
    contact_person_id INTEGER REFERENCES users(id),
    deputy_id INTEGER REFERENCES users(id),
    evaluation_on TEXT,
    activated_on TEXT,
    ended_on TEXT,
    end_reason TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX agreements_patient ON agreements(patient_id);
CREATE INDEX agreements_status_evaluation ON agreements(status, evaluation_on);
CREATE INDEX agreements_contact ON agreements(contact_person_id);

CREATE TABLE agreement_relatives (
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    PRIMARY KEY (agreement_id, relative_id)
);
CREATE INDEX agreement_relatives_relative ON agreement_relatives(relative_id);

-- One row per version; a version's content is never changed once a later one exists.
CREATE TABLE agreement_versions (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    number INTEGER NOT NULL,
    document_id TEXT NOT NULL UNIQUE,
    content TEXT NOT NULL,
    relative_signed_on TEXT,
    service_signed_on TEXT,
    patient_signed_on TEXT,
    patient_not_signed_reason TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (agreement_id, number)
);

CREATE TABLE agreement_evaluations (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    version_number INTEGER NOT NULL,
    evaluated_on TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('continue', 'revise', 'end')),
    participants TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    next_evaluation_on TEXT,
    meeting_id INTEGER REFERENCES meetings(id),
    by_user INTEGER REFERENCES users(id),
    by_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX agreement_evaluations_agreement ON agreement_evaluations(agreement_id);

-- The evaluation of an agreement is a follow-up on the contact person's list.
ALTER TABLE followups ADD COLUMN agreement_id INTEGER REFERENCES agreements(id);
CREATE INDEX followups_agreement ON followups(agreement_id);
