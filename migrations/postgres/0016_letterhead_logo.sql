-- The municipality's logo for the letterhead of printed documents: one JPEG, checked for
-- size on upload.
CREATE TABLE letterhead_logo (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    image BYTEA NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    components BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
