//! Hand-over: a worker who is deactivated or moved to another unit leaves nothing behind.
//! Their open follow-ups go to a named colleague of the unit (or to the district's manager
//! to assign), and their contact-person roles (for relatives and in agreements) go to a
//! named colleague, so no relative is left with an inactive contact person.

use super::agreement::{Content, Staff};
use super::forms as f;
use super::validation::FieldErrors;

/// What a worker holds that someone must take over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holdings {
    pub open_followups: i64,
    /// Relatives who have the worker as their contact person.
    pub relatives: i64,
    /// Agreements not ended that name the worker as contact person or deputy.
    pub agreements: i64,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        *self == Holdings::default()
    }

    fn contact_roles(&self) -> bool {
        self.relatives > 0 || self.agreements > 0
    }
}

/// Who takes over the open follow-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowupsTo {
    Colleague(i64),
    /// The district's manager, who gives each to someone on the dashboard.
    Manager(i64),
}

impl FollowupsTo {
    pub fn user_id(self) -> i64 {
        match self {
            FollowupsTo::Colleague(id) | FollowupsTo::Manager(id) => id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    pub followups_to: Option<FollowupsTo>,
    pub contacts_to: Option<i64>,
}

/// The value of the follow-ups choice that hands them to the manager.
pub const TO_MANAGER: &str = "manager";

/// The hand-over as chosen, checked against what the worker holds: `colleagues` are the
/// active workers of the unit the worker leaves (the worker excluded), `manager` the
/// district's active manager if there is one.
pub fn parse(
    followups_to: &str,
    contacts_to: &str,
    holdings: Holdings,
    colleagues: &[i64],
    manager: Option<i64>,
    errors: &mut FieldErrors,
) -> Option<Handover> {
    let before = errors.len();
    let followups_to = if holdings.open_followups == 0 {
        None
    } else if followups_to.trim() == TO_MANAGER {
        if manager.is_none() {
            errors.add(
                "followups_to",
                "Bydelen har ingen aktiv leder. Velg en kollega som tar over oppfølgingene.",
            );
        }
        manager.map(FollowupsTo::Manager)
    } else {
        f::chosen_id(
            errors,
            "followups_to",
            followups_to,
            colleagues,
            true,
            "Velg hvem som tar over de åpne oppfølgingene.",
        )
        .map(FollowupsTo::Colleague)
    };
    let contacts_to = if holdings.contact_roles() {
        f::chosen_id(
            errors,
            "contacts_to",
            contacts_to,
            colleagues,
            true,
            "Velg hvilken kollega som blir ny kontaktperson for de pårørende.",
        )
    } else {
        None
    };
    if holdings.contact_roles() && colleagues.is_empty() {
        errors.add(
            "contacts_to",
            "Tjenestestedet har ingen andre aktive ansatte som kan bli kontaktperson. Opprett eller flytt en ansatt dit først.",
        );
    }
    (errors.len() == before).then_some(Handover {
        followups_to,
        contacts_to,
    })
}

/// The agreement's contents with `leaving` replaced by `to`: as contact person, or as
/// deputy (no one is their own deputy, so a deputy who becomes contact person leaves the
/// deputy's place empty). None when the agreement does not name `leaving`.
pub fn replace_in(content: &Content, leaving: i64, to: &Staff) -> Option<Content> {
    let is = |s: &Option<Staff>| s.as_ref().is_some_and(|s| s.user_id == leaving);
    if !is(&content.contact) && !is(&content.deputy) {
        return None;
    }
    let mut c = content.clone();
    if is(&c.contact) {
        c.contact = Some(to.clone());
    }
    if is(&c.deputy) {
        c.deputy = Some(to.clone());
    }
    let contact = c.contact.as_ref().map(|s| s.user_id);
    if c.deputy.as_ref().map(|s| s.user_id) == contact {
        c.deputy = None;
    }
    Some(c)
}

/// What the new contact person is asked to do for an agreement in force that now names
/// them: the relatives hold copies that name someone who has left.
pub fn new_copy_concerns(content: &Content, new_version: i64) -> String {
    let names: Vec<&str> = content.parties.iter().map(|p| p.name.as_str()).collect();
    format!(
        "Ny kontaktperson: signer versjon {new_version} av pårørendeavtalen med {} og gi en ny kopi",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agreement::Party;

    fn staff(id: i64, name: &str) -> Staff {
        Staff {
            user_id: id,
            name: name.into(),
            phone: String::new(),
        }
    }

    fn holdings(f: i64, r: i64, a: i64) -> Holdings {
        Holdings {
            open_followups: f,
            relatives: r,
            agreements: a,
        }
    }

    #[test]
    fn nothing_held_needs_no_choice() {
        let mut e = FieldErrors::new();
        let h = parse("", "", Holdings::default(), &[], None, &mut e);
        assert_eq!(
            h,
            Some(Handover {
                followups_to: None,
                contacts_to: None
            })
        );
        assert!(e.is_empty());
    }

    #[test]
    fn each_holding_needs_a_colleague_of_the_unit() {
        let mut e = FieldErrors::new();
        assert_eq!(
            parse("", "", holdings(2, 1, 0), &[7, 8], None, &mut e),
            None
        );
        assert_eq!(
            e.get("followups_to"),
            Some("Velg hvem som tar over de åpne oppfølgingene.")
        );
        assert_eq!(
            e.get("contacts_to"),
            Some("Velg hvilken kollega som blir ny kontaktperson for de pårørende.")
        );
        // Someone outside the unit is no colleague.
        let mut e = FieldErrors::new();
        assert_eq!(
            parse("9", "8", holdings(2, 1, 0), &[7, 8], None, &mut e),
            None
        );
        assert!(e.get("followups_to").is_some() && e.get("contacts_to").is_none());
        let mut e = FieldErrors::new();
        assert_eq!(
            parse("7", "8", holdings(2, 0, 1), &[7, 8], None, &mut e),
            Some(Handover {
                followups_to: Some(FollowupsTo::Colleague(7)),
                contacts_to: Some(8)
            })
        );
    }

    #[test]
    fn followups_may_go_to_the_manager_but_contact_roles_never_do() {
        let mut e = FieldErrors::new();
        let h = parse(TO_MANAGER, "7", holdings(3, 2, 0), &[7], Some(40), &mut e);
        assert_eq!(h.unwrap().followups_to, Some(FollowupsTo::Manager(40)));
        let mut e = FieldErrors::new();
        assert_eq!(
            parse(TO_MANAGER, "", holdings(3, 0, 0), &[], None, &mut e),
            None
        );
        assert!(e.get("followups_to").unwrap().contains("ingen aktiv leder"));
        // With no colleague left, contact roles cannot be handed over.
        let mut e = FieldErrors::new();
        assert_eq!(
            parse(TO_MANAGER, "", holdings(1, 1, 0), &[], Some(40), &mut e),
            None
        );
        assert!(e.get("contacts_to").is_some());
    }

    #[test]
    fn the_agreement_names_the_colleague_in_the_leavers_place() {
        let content = Content {
            parties: vec![Party {
                name: "Kari".into(),
                ..Default::default()
            }],
            contact: Some(staff(1, "Anne")),
            deputy: Some(staff(2, "Bjørn")),
            ..Default::default()
        };
        let c = replace_in(&content, 1, &staff(3, "Cecilie")).unwrap();
        assert_eq!(c.contact, Some(staff(3, "Cecilie")));
        assert_eq!(c.deputy, Some(staff(2, "Bjørn")));
        // The deputy takes over: the deputy's place is left empty.
        let c = replace_in(&content, 1, &staff(2, "Bjørn")).unwrap();
        assert_eq!(c.contact, Some(staff(2, "Bjørn")));
        assert_eq!(c.deputy, None);
        // The deputy leaves.
        let c = replace_in(&content, 2, &staff(3, "Cecilie")).unwrap();
        assert_eq!(c.deputy, Some(staff(3, "Cecilie")));
        assert_eq!(replace_in(&content, 5, &staff(3, "Cecilie")), None);
        assert_eq!(
            new_copy_concerns(&content, 3),
            "Ny kontaktperson: signer versjon 3 av pårørendeavtalen med Kari og gi en ny kopi"
        );
    }
}
