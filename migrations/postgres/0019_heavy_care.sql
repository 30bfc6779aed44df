-- Heavy care, recognised: how long the care has lasted, whether the relative has reduced
-- work or lost income because of it, and whether they have a legal duty of care (parents of
-- a disabled child). With strain and hours they make a relative's care tasks heavy.
ALTER TABLE mappings ADD COLUMN care_duration TEXT NOT NULL DEFAULT ''
    CHECK (care_duration IN ('', 'under_6m', '6_12m', '1_3y', 'over_3y'));
ALTER TABLE mappings ADD COLUMN lost_income BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mappings ADD COLUMN legal_duty BOOLEAN NOT NULL DEFAULT FALSE;

-- The standard offers the catalogue lacked.
INSERT INTO offers (name, provider, kind, need, contact, description, phone, web, hours, name_nn, name_en, created_at)
SELECT 'Økonomisk rådgivning', 'NAV (økonomi- og gjeldsrådgivning)', 'national', 'financial',
       'NAV-kontoret i kommunen, eller telefon', 'Gratis råd om økonomi og gjeld, også for pårørende som har gått ned i arbeid eller mistet inntekt.',
       '+47 55 55 33 39', 'nav.no/okonomi-og-gjeld', 'hverdager kl. 09–15',
       'Økonomisk rådgiving', 'Financial advice', CAST('2026-01-01T00:00:00+00:00' AS TIMESTAMPTZ)
 WHERE NOT EXISTS (SELECT 1 FROM offers WHERE name = 'Økonomisk rådgivning');
INSERT INTO offers (name, provider, kind, need, contact, description, phone, web, hours, name_nn, name_en, created_at)
SELECT 'Pasient- og brukerombudet', 'Statlig ombud i hvert fylke', 'national', 'information',
       'Ombudet i fylket', 'Gratis hjelp når pasienten eller pårørende er misfornøyd med tjenestene, vil klage eller trenger råd om rettigheter.',
       '', 'pasientogbrukerombudet.no', '',
       'Pasient- og brukarombodet', 'The Patient and User Ombudsman', CAST('2026-01-01T00:00:00+00:00' AS TIMESTAMPTZ)
 WHERE NOT EXISTS (SELECT 1 FROM offers WHERE name = 'Pasient- og brukerombudet');
