//! Online backup of the SQLite database.

use super::Db;
use std::path::Path;

/// Writes a consistent copy with `VACUUM INTO`, which reads one snapshot while the server
/// keeps serving. Refuses to overwrite an existing file.
pub async fn sqlite_copy(db: &Db, file: &Path) -> Result<(), String> {
    let Db::Sqlite(pool) = db else {
        return Err("only SQLite databases can be copied this way".into());
    };
    if file.exists() {
        return Err(format!(
            "{} exists already; choose a new file name",
            file.display()
        ));
    }
    let path = file.to_str().ok_or("the file name must be valid UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await
        .map_err(|e| format!("backup failed: {e}"))?;
    Ok(())
}
