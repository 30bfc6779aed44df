//! A page's reads in one snapshot: the request guard that begins a read transaction on the
//! snapshot pool (`db::Reads`) and ends it when the handler returns.

use crate::db::{Db, Reads};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

/// The database as a read-only page sees it: one connection and one state of the record for
/// all of the page's queries. Writes through it (the access log) go to the application's
/// pool. Put it after the login guard, so a refused request takes no connection.
pub struct ReadDb(Db);

impl std::ops::Deref for ReadDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.0
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ReadDb {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let rocket = req.rocket();
        let (Some(db), Some(reads)) = (rocket.state::<Db>(), rocket.state::<Reads>()) else {
            tracing::error!("the database is not managed");
            return Outcome::Error((Status::InternalServerError, ()));
        };
        match reads.snapshot(db).await {
            Ok(snapshot) => Outcome::Success(ReadDb(snapshot)),
            Err(e) => {
                tracing::error!(error = %e, "no read transaction");
                let status = if crate::db::is_unavailable(&e) {
                    Status::ServiceUnavailable
                } else {
                    Status::InternalServerError
                };
                Outcome::Error((status, ()))
            }
        }
    }
}
