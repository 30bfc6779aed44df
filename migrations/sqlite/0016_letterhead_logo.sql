-- The municipality's logo for the letterhead of printed documents: one JPEG, checked for
-- size on upload.
CREATE TABLE letterhead_logo (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    image BLOB NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    components INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
