//! What leaves the building: the one place that decides which fields of a case the public, the
//! person who submitted it, and partner systems may see.
//!
//! The public sees the service (category), the status, the village-level place, the dates, the
//! agency and what a member of staff released for publication (a title and a reply written for the
//! public). Nothing a citizen or a clerk typed leaves unless released, no digit of a phone or an
//! identity number ever does, and nothing at all about a case with a minor party (PIPL Art. 28;
//! Minor Protection Law Art. 103, DOMAIN.md §6.1).

/// Who is looking from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone (Open311 readers without a key).
    Anyone,
    /// Whoever holds the tracking code and the last four digits of the phone given with it.
    Submitter,
    /// A partner system with its API key; `sent_it` when the request came from that system.
    Partner { sent_it: bool },
}

/// The facts about a case that publication decides on.
#[derive(Clone, Debug)]
pub struct CaseFacts<'a> {
    pub has_minor: bool,
    /// The submitter's own title and account (free text).
    pub title: &'a str,
    pub narrative: &'a str,
    /// Released for publication by staff; empty when nothing was released.
    pub public_title: &'a str,
    pub public_reply: &'a str,
}

/// What an audience may see beyond the always-public fields (service, status, place, dates,
/// agency).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disclosure {
    /// The case may be named to this audience at all (listed, or found by its code).
    pub visible: bool,
    pub title: Option<String>,
    pub description: Option<String>,
    /// The agency's reply released for publication.
    pub public_reply: Option<String>,
    /// The replies sent to the submitter through the portal (for the submitter only), and the
    /// case number.
    pub own_replies: bool,
    pub number: bool,
}

pub fn disclose(f: &CaseFacts<'_>, to: Audience) -> Disclosure {
    let released = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    match to {
        // A case with a minor party is not named to the public at all.
        Audience::Anyone if f.has_minor => Disclosure::default(),
        Audience::Anyone => Disclosure {
            visible: true,
            title: released(f.public_title),
            description: None,
            public_reply: released(f.public_reply),
            own_replies: false,
            number: false,
        },
        // The submitter (often the child's guardian) follows the case's steps, but reads no text
        // of a case with a minor on the portal, whose look-up is only a code and four digits.
        Audience::Submitter => Disclosure {
            visible: true,
            title: released(f.public_title).filter(|_| !f.has_minor),
            description: None,
            public_reply: released(f.public_reply).filter(|_| !f.has_minor),
            own_replies: !f.has_minor,
            number: true,
        },
        Audience::Partner { sent_it } => {
            let own_text = sent_it && !f.has_minor;
            Disclosure {
                visible: sent_it || !f.has_minor,
                title: if own_text {
                    Some(f.title.to_owned())
                } else {
                    released(f.public_title).filter(|_| !f.has_minor)
                },
                description: own_text.then(|| f.narrative.to_owned()),
                public_reply: released(f.public_reply).filter(|_| !f.has_minor),
                own_replies: false,
                number: sent_it,
            }
        }
    }
}

/// Whether staff may release a case's text for publication: never when a party is a minor.
pub fn may_release(has_minor: bool) -> bool {
    !has_minor
}

/// Digits in a row (spaces and hyphens between them allowed) that make released text look like a
/// phone, ID or account number: a landline has 7 or 8, a mobile 11, an ID 18. A date or a case
/// number (2026年3月15日, 〔2026〕12号) has fewer.
const NUMBER_RUN: usize = 7;

/// Whether released text holds something that reads as a phone, ID or account number, which
/// must never leave (PIPL Art. 28, DOMAIN.md §6.1 "publication": mask personal data).
pub fn holds_personal_number(text: &str) -> bool {
    let mut run = 0;
    let mut pending_separator = false;
    for c in text.chars() {
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            run += 1;
            pending_separator = false;
            if run >= NUMBER_RUN {
                return true;
            }
        } else if matches!(c, ' ' | '-' | '－') && run > 0 && !pending_separator {
            pending_separator = true;
        } else {
            run = 0;
            pending_separator = false;
        }
    }
    false
}

/// Who may take the mark "concerns a minor" off a case: taking it off lets its text be released
/// and its replies go to the portal again, so it is the agency head's decision, like a risk
/// sign-off (Minor Protection Law Art. 103, DOMAIN.md §6.1).
pub const CLEAR_MINOR_MARK: crate::policy::Action = crate::policy::Action::SignOffRisk;

#[cfg(test)]
mod tests {
    #[test]
    fn phone_and_id_numbers_are_found_in_released_text_dates_and_case_numbers_are_not() {
        for text in [
            "李四 13700001111 排水沟纠纷",
            "身份证620702198001011234",
            "电话 0936-8221234",
            "137 0000 1111",
            "１３７００００１１１１",
        ] {
            assert!(super::holds_personal_number(text), "{text}");
        }
        for text in [
            "2026年3月15日经调解达成协议",
            "甘州检信〔2026〕123号",
            "赔偿 30000 元",
            "第 2 - 3 项",
        ] {
            assert!(!super::holds_personal_number(text), "{text}");
        }
    }

    use super::*;

    fn facts(has_minor: bool, released: bool) -> CaseFacts<'static> {
        CaseFacts {
            has_minor,
            title: "张三家的孩子被打 13812345678",
            narrative: "张三之子李四在校被打",
            public_title: if released { "校园纠纷" } else { "" },
            public_reply: if released { "已调解结案" } else { "" },
        }
    }

    #[test]
    fn the_public_sees_no_typed_text_unless_released() {
        let d = disclose(&facts(false, false), Audience::Anyone);
        assert!(d.visible && d.title.is_none() && d.description.is_none() && !d.number);
        let d = disclose(&facts(false, true), Audience::Anyone);
        assert_eq!(d.title.as_deref(), Some("校园纠纷"));
        assert_eq!(d.public_reply.as_deref(), Some("已调解结案"));
    }

    #[test]
    fn nothing_about_a_minor_goes_to_the_public_or_to_other_partners() {
        assert_eq!(
            disclose(&facts(true, true), Audience::Anyone),
            Disclosure::default()
        );
        let other = disclose(&facts(true, true), Audience::Partner { sent_it: false });
        assert!(!other.visible);
        let own = disclose(&facts(true, true), Audience::Partner { sent_it: true });
        assert!(own.visible && own.title.is_none() && own.description.is_none());
        let submitter = disclose(&facts(true, true), Audience::Submitter);
        assert!(submitter.visible && submitter.title.is_none() && !submitter.own_replies);
        assert!(disclose(&facts(false, false), Audience::Submitter).own_replies);
        assert!(!may_release(true));
    }

    #[test]
    fn a_partner_reads_back_only_what_it_sent() {
        let own = disclose(&facts(false, false), Audience::Partner { sent_it: true });
        assert_eq!(own.description.as_deref(), Some("张三之子李四在校被打"));
        let other = disclose(&facts(false, false), Audience::Partner { sent_it: false });
        assert!(other.visible && other.description.is_none() && other.title.is_none());
    }
}
