//! Translations (Fluent): zh-CN by default, English second. Every visible string lives in
//! `locales/*.ftl`; templates ask `t.t("key")`.

use std::sync::{Arc, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::{LanguageIdentifier, langid};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Self {
        if v == Some("en") { Lang::En } else { Lang::Zh }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

struct Bundles {
    zh: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: LanguageIdentifier, src: &'static str) -> FluentBundle<FluentResource> {
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    b.set_use_isolating(false);
    match FluentResource::try_new(src.to_owned()) {
        Ok(res) => {
            if let Err(errs) = b.add_resource(res) {
                tracing::error!(?errs, "duplicate translation keys");
            }
        }
        Err((res, errs)) => {
            tracing::error!(?errs, "translation file has syntax errors");
            let _ = b.add_resource(res);
        }
    }
    b
}

fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| Bundles {
        zh: bundle(langid!("zh-CN"), include_str!("../locales/zh-CN.ftl")),
        en: bundle(langid!("en"), include_str!("../locales/en.ftl")),
    })
}

/// A translator for one request's language.
#[derive(Clone, Debug)]
pub struct T {
    pub lang: Lang,
    missing: Arc<()>,
}

impl T {
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            missing: Arc::new(()),
        }
    }

    fn fmt(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let b = bundles();
        let primary = match self.lang {
            Lang::Zh => &b.zh,
            Lang::En => &b.en,
        };
        for bundle in [primary, &b.zh] {
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle.format_pattern(pattern, args, &mut errors).into_owned();
            }
        }
        let _ = &self.missing;
        tracing::warn!(key, "missing translation");
        key.to_owned()
    }

    pub fn t(&self, key: &str) -> String {
        self.fmt(key, None)
    }

    /// A message with named values.
    pub fn ta(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.fmt(key, Some(&fa))
    }

    /// The name of a code (`role-prosecutor`, `agency-kind-court`, …).
    pub fn code(&self, prefix: &str, code: &str) -> String {
        self.t(&format!("{prefix}-{}", code.replace('_', "-")))
    }

    /// The name of a code if there is one, otherwise the code itself.
    pub fn code_or_raw(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}-{}", code.replace(['_', '.'], "-"));
        if self.has(&key) {
            self.t(&key)
        } else {
            code.to_owned()
        }
    }

    pub fn has(&self, key: &str) -> bool {
        bundles().zh.has_message(key)
    }

    /// A form field's name as the user reads it (`field-…`): `parties[1].name` is "当事人 2 · 姓名";
    /// a field without a label is "此项", never its code.
    pub fn field(&self, field: &str) -> String {
        if let Some((n, inner)) = field
            .strip_prefix("parties[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(n, inner)| Some((n.parse::<usize>().ok()?, inner)))
        {
            let party = self.ta("field-party-n", &[("n", (n + 1).to_string())]);
            let own = format!("field-party-{}", inner.replace('_', "-"));
            let inner = if self.has(&own) {
                self.t(&own)
            } else {
                self.field(inner)
            };
            return format!("{party} · {inner}");
        }
        let key = format!("field-{}", field.replace('_', "-"));
        if self.has(&key) {
            self.t(&key)
        } else {
            self.t("field-this")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongzhi_domain::org::AgencyKind;
    use gongzhi_domain::policy::{Action, Role};
    use gongzhi_domain::roster::{HeadKind, Slot};

    fn keys(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn every_code_has_a_chinese_name() {
        let t = T::new(Lang::Zh);
        for r in Role::ALL {
            assert!(t.has(&format!("role-{}", r.code().replace('_', "-"))), "{r}");
        }
        for p in gongzhi_domain::PrincipalKind::ALL {
            assert!(t.has(&format!("principal-{}", p.code())), "{p}");
        }
        for a in Action::ALL {
            assert!(t.has(&format!("action-{}", a.code().replace('_', "-"))), "{a}");
        }
        for k in AgencyKind::ALL {
            assert!(
                t.has(&format!("agency-kind-{}", k.code().replace('_', "-"))),
                "{k}"
            );
        }
        for s in Slot::ALL {
            assert!(t.has(&format!("slot-{}", s.code().replace('_', "-"))), "{s}");
        }
        for h in HeadKind::ALL {
            assert!(t.has(&format!("head-{}", h.code().replace('_', "-"))), "{h}");
        }
        use gongzhi_domain::case::{MediationOutcome, PartyRole, ReplyChannel, ReplyKind, Satisfaction};
        use gongzhi_domain::deadline::{ClockKind, ClockState, Unit};
        use gongzhi_domain::reconciliation::Ineligible;
        use gongzhi_domain::referral::ReferralState;
        use gongzhi_domain::risk::{Factor, RiskLevel};
        use gongzhi_domain::workflow::{CaseKind, Channel, Command, Level, Status};
        let mut all: Vec<(&str, &str)> = Vec::new();
        all.extend(CaseKind::ALL.iter().map(|x| ("kind", x.code())));
        all.extend(Channel::ALL.iter().map(|x| ("channel", x.code())));
        all.extend(Status::ALL.iter().map(|x| ("status", x.code())));
        all.extend(Command::ALL.iter().map(|x| ("command", x.code())));
        all.extend(Level::ALL.iter().map(|x| ("level", x.code())));
        all.extend(Ineligible::ALL.iter().map(|x| ("ineligible", x.code())));
        all.extend(ClockKind::ALL.iter().map(|x| ("clock", x.code())));
        all.extend(ClockState::ALL.iter().map(|x| ("clock-state", x.code())));
        all.extend(Unit::ALL.iter().map(|x| ("unit", x.code())));
        all.extend(RiskLevel::ALL.iter().map(|x| ("risk", x.code())));
        all.extend(Factor::ALL.iter().map(|x| ("factor", x.code())));
        all.extend(PartyRole::ALL.iter().map(|x| ("party-role", x.code())));
        all.extend(ReplyKind::ALL.iter().map(|x| ("reply-kind", x.code())));
        all.extend(ReplyChannel::ALL.iter().map(|x| ("reply-channel", x.code())));
        all.extend(ReferralState::ALL.iter().map(|x| ("referral-state", x.code())));
        all.extend(MediationOutcome::ALL.iter().map(|x| ("outcome", x.code())));
        all.extend(Satisfaction::ALL.iter().map(|x| ("satisfaction", x.code())));
        for (prefix, code) in all {
            assert!(
                t.has(&format!("{prefix}-{}", code.replace('_', "-"))),
                "{prefix} {code}"
            );
        }
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let mut zh = keys(include_str!("../locales/zh-CN.ftl"));
        let mut en = keys(include_str!("../locales/en.ftl"));
        zh.sort();
        en.sort();
        let only_zh: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "zh only: {only_zh:?}; en only: {only_en:?}"
        );
        // A key given twice silently replaces the first message wherever it was used.
        for keys in [&zh, &en] {
            let twice: Vec<_> = keys.windows(2).filter(|w| w[0] == w[1]).map(|w| &w[0]).collect();
            assert!(twice.is_empty(), "keys given twice: {twice:?}");
        }
    }

    #[test]
    fn arguments_are_filled_in() {
        let t = T::new(Lang::Zh);
        assert!(
            t.ta("login-locked", &[("until", "12:30".into())])
                .contains("12:30")
        );
    }
}
