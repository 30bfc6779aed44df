-- What a printed agreement needs to always give the relative a number to call: the unit's
-- address, phone, opening hours and after-hours number; and what the offer catalogue knows
-- about reaching each offer, with its name in nynorsk and English.
ALTER TABLE units ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN phone_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN after_hours_phone TEXT NOT NULL DEFAULT '';

ALTER TABLE offers ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN web TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN name_nn TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN name_en TEXT NOT NULL DEFAULT '';

-- The catalogue as shipped: the one offer whose contact text held a number and hours gets
-- them as fields; every shipped offer gets its nynorsk and English name.
UPDATE offers SET phone = '+47 22 49 19 22', hours = 'hverdager kl. 10–15'
 WHERE name = 'Pårørendetelefonen' AND contact = 'Telefon 22 49 19 22, hverdager kl. 10–15';
UPDATE offers SET name_nn = 'Opplæring og rettleiing', name_en = 'Training and guidance' WHERE name = 'Opplæring og veiledning';
UPDATE offers SET name_nn = 'Avlasting', name_en = 'Respite care' WHERE name = 'Avlastning';
UPDATE offers SET name_nn = 'Omsorgsstønad', name_en = 'Care allowance' WHERE name = 'Omsorgsstønad';
UPDATE offers SET name_nn = 'Pårørandekurs og meistringskurs', name_en = 'Courses for relatives and coping courses' WHERE name = 'Pårørendekurs og mestringskurs';
UPDATE offers SET name_nn = 'Samtalar med kontaktpersonen', name_en = 'Conversations with the contact person' WHERE name = 'Samtaler med kontaktpersonen';
UPDATE offers SET name_nn = 'Pårørandekoordinator og pårørandesenter', name_en = 'Relatives'' coordinator and relatives'' centre' WHERE name = 'Pårørendekoordinator og pårørendesenter';
UPDATE offers SET name_nn = 'Informasjon om brukarstyrt personleg assistanse (BPA)', name_en = 'Information about user-controlled personal assistance (BPA)' WHERE name = 'Informasjon om brukerstyrt personlig assistanse (BPA)';
UPDATE offers SET name_nn = 'Pårørandetelefonen', name_en = 'The relatives'' helpline (Pårørendetelefonen)' WHERE name = 'Pårørendetelefonen';
UPDATE offers SET name_nn = 'Rådgivingssamtalar for pårørande og familiar', name_en = 'Counselling for relatives and families' WHERE name = 'Rådgivningssamtaler for pårørende og familier';
UPDATE offers SET name_nn = 'Samtalegrupper for pårørande', name_en = 'Discussion groups for relatives' WHERE name = 'Samtalegrupper for pårørende';
UPDATE offers SET name_nn = 'Meistringskurs for pårørande', name_en = 'Coping courses for relatives' WHERE name = 'Mestringskurs for pårørende';
UPDATE offers SET name_nn = 'Digital skrivegruppe', name_en = 'Online writing group' WHERE name = 'Digital skrivegruppe';
UPDATE offers SET name_nn = 'Pårørandekafé', name_en = 'Relatives'' café' WHERE name = 'Pårørendekafé';
UPDATE offers SET name_nn = 'Personleg ombod', name_en = 'Personal ombudsman' WHERE name = 'Personlig ombud';
UPDATE offers SET name_nn = 'Likepersonstilbod', name_en = 'Peer support' WHERE name = 'Likepersonstilbud';
UPDATE offers SET name_nn = 'Grupper for barn som pårørande (syskengrupper)', name_en = 'Groups for children as relatives (sibling groups)' WHERE name = 'Grupper for barn som pårørende (søskengrupper)';
