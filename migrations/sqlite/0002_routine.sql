-- The collaboration routine: relatives, consent, mappings, meetings, offers, referrals,
-- follow-ups and each patient's timeline.

ALTER TABLE patients ADD COLUMN identify_outcome TEXT;
ALTER TABLE patients ADD COLUMN identify_outcome_on TEXT;
ALTER TABLE patients ADD COLUMN identify_outcome_reason TEXT;

CREATE TABLE relatives (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    full_name TEXT NOT NULL,
    relation TEXT NOT NULL,
    relation_other TEXT NOT NULL DEFAULT '',
    phone TEXT,
    email TEXT,
    address TEXT NOT NULL DEFAULT '',
    birth_date TEXT,
    age_group TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT '',
    interpreter BOOLEAN NOT NULL,
    closest BOOLEAN NOT NULL,
    closest_basis TEXT NOT NULL DEFAULT '',
    closest_on TEXT,
    guardian BOOLEAN NOT NULL,
    involvement TEXT NOT NULL CHECK (involvement IN ('yes', 'no', 'unclear')),
    contact_person_id INTEGER REFERENCES users(id),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX relatives_patient ON relatives(patient_id);
CREATE INDEX relatives_contact ON relatives(contact_person_id);

-- Consent history per relative: the newest row is in force.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    scope TEXT NOT NULL CHECK (scope IN ('none', 'limited', 'full')),
    topics TEXT NOT NULL DEFAULT '',
    given_on TEXT NOT NULL,
    how TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX consents_relative ON consents(relative_id, id);

CREATE TABLE child_followups (
    id INTEGER PRIMARY KEY,
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    informed TEXT NOT NULL,
    informed_how TEXT NOT NULL DEFAULT '',
    follower TEXT NOT NULL,
    services TEXT NOT NULL DEFAULT '',
    concern TEXT NOT NULL,
    concern_action TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX child_followups_relative ON child_followups(relative_id);

CREATE TABLE mappings (
    id INTEGER PRIMARY KEY,
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    mapped_on TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id),
    roles TEXT NOT NULL DEFAULT '',
    tasks TEXT NOT NULL DEFAULT '',
    task_other TEXT NOT NULL DEFAULT '',
    hours_per_week INTEGER NOT NULL DEFAULT 0,
    work_study TEXT NOT NULL DEFAULT '',
    own_health TEXT NOT NULL DEFAULT '',
    other_care TEXT NOT NULL DEFAULT '',
    distance TEXT NOT NULL DEFAULT '',
    strain_answers TEXT NOT NULL DEFAULT '',
    strain_score INTEGER,
    what_matters TEXT NOT NULL DEFAULT '',
    views TEXT NOT NULL DEFAULT '',
    not_wanted TEXT NOT NULL DEFAULT '',
    violence TEXT NOT NULL DEFAULT 'no',
    violence_action TEXT NOT NULL DEFAULT '',
    support_needs TEXT NOT NULL DEFAULT '',
    support_other TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX mappings_relative ON mappings(relative_id, id);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    patient_present BOOLEAN NOT NULL,
    staff TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    informed_rights BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'completed')),
    completed_at TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_patient ON meetings(patient_id, starts_at);

CREATE TABLE meeting_relatives (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    PRIMARY KEY (meeting_id, relative_id)
);

CREATE TABLE offers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('municipal', 'voluntary', 'national')),
    need TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    retired_at TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    relative_id INTEGER NOT NULL REFERENCES relatives(id),
    offer_id INTEGER NOT NULL REFERENCES offers(id),
    referred_on TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('proposed', 'referred', 'started', 'ended', 'declined')),
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX referrals_relative ON referrals(relative_id);
CREATE INDEX referrals_offer ON referrals(offer_id);

CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    relative_id INTEGER REFERENCES relatives(id),
    meeting_id INTEGER REFERENCES meetings(id),
    kind TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'evaluation', 'child', 'other')),
    concerns TEXT NOT NULL,
    due_on TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX followups_owner ON followups(owner_id, status, due_on);
CREATE INDEX followups_unit ON followups(unit_id, status, due_on);
CREATE INDEX followups_patient ON followups(patient_id, status);
CREATE INDEX followups_meeting ON followups(meeting_id);

-- Moves, reassignments and cancellations of follow-ups, with reasons.
CREATE TABLE followup_changes (
    id INTEGER PRIMARY KEY,
    followup_id INTEGER NOT NULL REFERENCES followups(id),
    change TEXT NOT NULL,
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    by_user INTEGER REFERENCES users(id),
    at TEXT NOT NULL
);
CREATE INDEX followup_changes_followup ON followup_changes(followup_id);

-- What happened for a patient, newest first on the patient's page.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    at TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id),
    author_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX events_patient ON events(patient_id, at);

INSERT INTO offers (name, provider, kind, need, contact, description, created_at) VALUES
('Opplæring og veiledning', 'Kommunen (helse- og omsorgstjenesten)', 'municipal', 'training', 'Kontaktpersonen eller tjenestestedet', 'Opplæring og veiledning i omsorgsoppgavene, etter helse- og omsorgstjenesteloven § 3-6. Pårørende kan be om vedtak.', '2026-01-01T00:00:00+00:00'),
('Avlastning', 'Kommunen (helse- og omsorgstjenesten)', 'municipal', 'relief', 'Tildelingskontoret i bydelen', 'Avlastning i institusjon, på dagaktivitetstilbud eller i hjemmet, slik at pårørende får hvile og fritid.', '2026-01-01T00:00:00+00:00'),
('Omsorgsstønad', 'Kommunen (tildelingskontoret)', 'municipal', 'allowance', 'Tildelingskontoret i bydelen', 'Økonomisk stønad til pårørende med særlig tyngende omsorgsarbeid. Søknad gir vedtak med klagerett.', '2026-01-01T00:00:00+00:00'),
('Pårørendekurs og mestringskurs', 'Kommunen (frisklivs- og mestringssentralen)', 'municipal', 'courses', 'Frisklivs- og mestringssentralen', 'Kurs om sykdom, rettigheter og det å være pårørende over tid.', '2026-01-01T00:00:00+00:00'),
('Samtaler med kontaktpersonen', 'Kommunen (tjenestestedet)', 'municipal', 'conversations', 'Kontaktpersonen', 'Faste samtaler om egen situasjon, behov og samarbeidet med tjenesten.', '2026-01-01T00:00:00+00:00'),
('Pårørendekoordinator og pårørendesenter', 'Kommunen', 'municipal', 'information', 'Bydelens pårørendekoordinator', 'Informasjon, råd og veiledning til pårørende, og hjelp til å finne fram i tjenestene.', '2026-01-01T00:00:00+00:00'),
('Informasjon om brukerstyrt personlig assistanse (BPA)', 'Kommunen (tildelingskontoret)', 'municipal', 'information', 'Tildelingskontoret i bydelen', 'Informasjon om BPA som kan avlaste familien.', '2026-01-01T00:00:00+00:00'),
('Pårørendetelefonen', 'PIO-senteret (nasjonal rådgivningstelefon)', 'national', 'conversations', 'Telefon 22 49 19 22, hverdager kl. 10–15', 'Gratis og anonym rådgivning for pårørende, over telefon.', '2026-01-01T00:00:00+00:00'),
('Rådgivningssamtaler for pårørende og familier', 'Pårørendesenter (frivillig organisasjon)', 'voluntary', 'conversations', 'Pårørendesenteret', 'Individuelle samtaler og familiesamtaler med rådgiver.', '2026-01-01T00:00:00+00:00'),
('Samtalegrupper for pårørende', 'Pårørendesenter (frivillig organisasjon)', 'voluntary', 'peer', 'Pårørendesenteret', 'Ledede samtalegrupper og selvhjelpsgrupper for foreldre, partnere, voksne barn og søsken.', '2026-01-01T00:00:00+00:00'),
('Mestringskurs for pårørende', 'Pårørendesenter (frivillig organisasjon)', 'voluntary', 'courses', 'Pårørendesenteret', 'Kurs i å mestre hverdagen som pårørende.', '2026-01-01T00:00:00+00:00'),
('Digital skrivegruppe', 'Pårørendesenter (frivillig organisasjon)', 'voluntary', 'peer', 'Pårørendesenteret', 'Skrivegruppe på nett for pårørende.', '2026-01-01T00:00:00+00:00'),
('Pårørendekafé', 'Frivillig organisasjon', 'voluntary', 'peer', 'Frivilligsentralen', 'Uformelle treff for pårørende.', '2026-01-01T00:00:00+00:00'),
('Personlig ombud', 'Frivillig organisasjon', 'voluntary', 'relief', 'Personlig ombud', 'Brukerstyrt ombud for voksne med psykiske helseproblemer, som også kan avlaste familien.', '2026-01-01T00:00:00+00:00'),
('Likepersonstilbud', 'Brukerorganisasjon', 'voluntary', 'peer', 'Brukerorganisasjonen', 'Samtale med en som har vært pårørende i en lignende situasjon.', '2026-01-01T00:00:00+00:00'),
('Grupper for barn som pårørende (søskengrupper)', 'Frivillig organisasjon', 'voluntary', 'peer', 'Pårørendesenteret', 'Grupper for barn og unge som er pårørende, for eksempel søskengrupper.', '2026-01-01T00:00:00+00:00');
