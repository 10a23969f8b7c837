//! Who acts. Every use case runs on behalf of exactly one of four principals, named explicitly and
//! written to the audit trail; "nobody signed in" is a principal of its own, never a missing value.

use crate::Id;
use crate::policy::{Actor, codes};

codes! {
    /// The kind of principal, as the audit trail records it.
    PrincipalKind {
        User => "user",
        Partner => "partner",
        Public => "public",
        System => "system",
    }
}

/// A partner system that holds an API key issued by an administrator (Open311 clients: the 12345
/// hotline, a township's grid system).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    pub key_id: Id,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A member of staff with a complete session or an API token.
    User(Actor),
    /// A partner system, authenticated by its API key.
    Partner(Partner),
    /// Anyone at all: the public portal, Open311 readers, a browser half-way through logging in.
    Public,
    /// The command line, the periodic jobs and start-up work run by whoever operates the server;
    /// the text says which.
    System(String),
}

impl Principal {
    pub fn kind(&self) -> PrincipalKind {
        match self {
            Principal::User(_) => PrincipalKind::User,
            Principal::Partner(_) => PrincipalKind::Partner,
            Principal::Public => PrincipalKind::Public,
            Principal::System(_) => PrincipalKind::System,
        }
    }

    /// Who the audit trail names: (id, name, agency id).
    pub fn audit_identity(&self) -> (String, String, String) {
        match self {
            Principal::User(a) => (
                a.user_id.to_string(),
                a.display_name.clone(),
                a.agency_id.to_string(),
            ),
            Principal::Partner(p) => (p.key_id.to_string(), p.name.clone(), String::new()),
            Principal::Public => (String::new(), String::new(), String::new()),
            Principal::System(what) => (String::new(), what.clone(), String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_principal_names_its_kind_for_the_audit() {
        let p = Principal::Partner(Partner {
            key_id: Id::new(),
            name: "12345 热线".into(),
        });
        assert_eq!(p.kind().code(), "partner");
        assert_eq!(p.audit_identity().1, "12345 热线");
        assert_eq!(Principal::Public.kind().code(), "public");
        assert_eq!(Principal::System("cli".into()).audit_identity().1, "cli");
    }
}
