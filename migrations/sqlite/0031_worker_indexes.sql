-- A worker's day finds the patients the worker takes part in from the worker's side: the
-- agreements where they are deputy and the meetings they have begun, as the relatives and
-- agreements where they are contact person and the follow-ups they own already are.
CREATE INDEX agreements_deputy ON agreements(deputy_id);
CREATE INDEX meetings_created_by ON meetings(created_by, status);
