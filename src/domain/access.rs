//! What part of the organisation a user may read: a worker their unit, a manager their
//! district. Administrators have no scope: they see no patient data.

use super::user::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Unit(i64),
    District(i64),
}

impl Scope {
    /// The scope for a role and the unit and district the user belongs to.
    pub fn for_user(role: Role, unit_id: Option<i64>, district_id: Option<i64>) -> Option<Scope> {
        match role {
            Role::Worker => unit_id.map(Scope::Unit),
            Role::Manager => district_id.map(Scope::District),
            Role::Admin => None,
        }
    }

    /// The SQL condition on a query that joins `units u`; its one parameter is `id()`.
    pub fn condition(self, placeholder: &str) -> String {
        match self {
            Scope::Unit(_) => format!("u.id = {placeholder}"),
            Scope::District(_) => format!("u.district_id = {placeholder}"),
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Scope::Unit(id) | Scope::District(id) => id,
        }
    }

    /// Whether a record of `unit_id` in `district_id` is within the scope.
    pub fn covers(self, unit_id: i64, district_id: i64) -> bool {
        match self {
            Scope::Unit(id) => id == unit_id,
            Scope::District(id) => id == district_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_get_their_scopes() {
        assert_eq!(
            Scope::for_user(Role::Worker, Some(3), Some(1)),
            Some(Scope::Unit(3))
        );
        assert_eq!(
            Scope::for_user(Role::Manager, Some(3), Some(1)),
            Some(Scope::District(1))
        );
        assert_eq!(Scope::for_user(Role::Admin, Some(3), Some(1)), None);
        assert!(Scope::Unit(3).covers(3, 1));
        assert!(!Scope::Unit(3).covers(4, 1));
        assert!(Scope::District(1).covers(4, 1));
    }
}
