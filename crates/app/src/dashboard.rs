//! The dashboard (驾驶舱, issue 13 §3, PRODUCT.md module 14): for one month and the viewer's scope —
//! the district for the Political-Legal Committee and the chief prosecutor, the own agency for an
//! agency head — the reply rates, where and what the disputes are, the clocks, the risk, the
//! referrals, hearings, suggestions, aid and grid visits, and the village heat. Every count is
//! taken with the case list's own filter, so the list it opens shows the same number.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongzhi_domain::dashboard::{self as rules, ClockOutcome, Heat, Period, Rate, ReferralOutcome};
use gongzhi_domain::deadline::{ClockKind, ClockState};
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::policy::{Action, Actor, Scope as PolicyScope};
use gongzhi_domain::referral::ReferralState;
use gongzhi_domain::risk::RiskLevel;
use gongzhi_domain::time;
use gongzhi_store::dashboard::{self as store, By, Scope};
use gongzhi_store::reference::{self, OrgUnit};
use gongzhi_store::{AnyConnection, grid};

use crate::{App, AppError, Ctx};

/// Months the trend chart shows.
pub const TREND_MONTHS: u32 = 12;

/// A count of cases under a code (category, channel, risk level, clock kind).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Count {
    pub code: String,
    pub name: String,
    pub n: i64,
}

/// A place's cases this month against the three months before.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HeatRow {
    pub village_id: String,
    pub village: String,
    pub township_id: String,
    pub township: String,
    pub now: i64,
    pub before: i64,
    /// red, yellow or blue (domain::dashboard::heat).
    pub heat: String,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ClockFigures {
    /// Duty clocks counting now (not the parties' own time, not the 2007 rule's tracked clocks).
    pub open: i64,
    /// Open cases with one of those past its due day.
    pub overdue: i64,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct HearingFigures {
    pub held: i64,
    pub public: i64,
    /// With an NPC deputy, CPPCC member or people's supervisor among the officers.
    pub with_deputies: i64,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct SuggestionFigures {
    pub issued: i64,
    pub replied_on_time: i64,
    pub adopted: i64,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct AidFigures {
    pub cases: i64,
    /// Yuan.
    pub amount: i64,
    /// Of those, with social aid linked (a referral of the case to civil affairs and the like).
    pub with_social_aid: i64,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct GridFigures {
    pub villages: i64,
    pub visited: i64,
    pub visits: i64,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// `YYYY-MM`
    pub month: String,
    #[schema(value_type = String)]
    pub from: NaiveDate,
    #[schema(value_type = String)]
    pub to: NaiveDate,
    #[schema(value_type = String)]
    pub today: NaiveDate,
    /// The district (true) or the viewer's agency.
    pub district: bool,
    pub scope_name: String,
    /// The township the figures are narrowed to, if any.
    pub township_id: Option<String>,
    pub received: i64,
    /// §3.2: procedural replies within 7 days and result replies within 3 months, over the
    /// clocks that fell due this month.
    pub procedural_reply: Rate,
    pub result_reply: Rate,
    pub by_category: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_township: Vec<Count>,
    /// (`YYYY-MM`, cases received), oldest first.
    pub trend: Vec<Count>,
    pub clocks: ClockFigures,
    /// Open cases with an overdue clock, per kind of clock.
    pub clocks_by_kind: Vec<Count>,
    /// Open cases per last risk level ('' for not assessed).
    pub risk: Vec<Count>,
    /// Cases referred this month: sent, accepted, returned.
    pub referrals: Vec<Count>,
    /// The procuratorate's work: shown for the district and the procuratorate's own head.
    pub hearings: Option<HearingFigures>,
    pub suggestions: SuggestionFigures,
    pub aid: Option<AidFigures>,
    pub grid: GridFigures,
    /// Places with cases this month or the three before, the hottest first.
    pub heat: Vec<HeatRow>,
}

/// What the dashboard is asked for.
#[derive(Clone, Debug, Default)]
pub struct DashboardQuery {
    /// `YYYY-MM`; this month when empty.
    pub month: String,
    /// A township's id; the whole scope when empty.
    pub township: String,
}

fn ms(d: NaiveDate) -> i64 {
    time::start_of_local_day(d).timestamp_millis()
}

/// `[from, to)` in UTC milliseconds for a period of local days.
pub fn period_ms(p: Period) -> (i64, i64) {
    (ms(p.from), ms(p.to.succ_opt().unwrap_or(p.to)))
}

impl App {
    pub async fn dashboard(&self, ctx: &Ctx, q: &DashboardQuery) -> Result<Dashboard, AppError> {
        let actor = self.authorize(ctx, Action::ViewStatistics).await?;
        let today = time::local_date(self.now());
        let period = if q.month.trim().is_empty() {
            Period::month_of(today)
        } else {
            Period::parse_month(&q.month)
                .ok_or_else(|| AppError::field("month", "dashboard-month-invalid"))?
        };
        let mut conn = self.read_conn(ctx).await?;
        self.figures(&mut conn, &actor, period, &q.township, today).await
    }

    /// The figures of any period (a month, a year: the statistical returns use this too) for the
    /// actor's scope, optionally in one township (its id).
    pub(crate) async fn figures(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        period: Period,
        township: &str,
        today: NaiveDate,
    ) -> Result<Dashboard, AppError> {
        let district = actor.scope(Action::ViewStatistics) == Some(PolicyScope::All);
        let agency = reference::agency_get(&mut *conn, actor.agency_id).await?;
        let townships = reference::org_by_level(&mut *conn, OrgLevel::Township).await?;
        let villages = reference::org_by_level(&mut *conn, OrgLevel::Village).await?;
        let township = match township.trim() {
            "" => None,
            id => Some(
                townships
                    .iter()
                    .find(|t| t.id.to_string() == id)
                    .ok_or_else(|| AppError::field("township", "dashboard-township-unknown"))?,
            ),
        };
        let scope = Scope {
            agency: (!district).then_some(actor.agency_id),
            place_prefix: township.and_then(|t| area_prefix(&t.code)),
        };
        let procuratorate = district
            || agency
                .as_ref()
                .is_some_and(|a| a.kind == AgencyKind::Procuratorate);
        let mine = scope.agency;
        let (from, to) = period_ms(period);
        let names = category_names(&mut *conn).await?;
        let by_category = store::cases_by(&mut *conn, &scope, By::Category, from, to)
            .await?
            .into_iter()
            .map(|(code, n)| Count {
                name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                code,
                n,
            })
            .collect::<Vec<_>>();
        let by_channel = store::cases_by(&mut *conn, &scope, By::Channel, from, to)
            .await?
            .into_iter()
            .map(|(code, n)| Count {
                name: code.clone(),
                code,
                n,
            })
            .collect();
        let months = period.trailing_months(TREND_MONTHS);
        let buckets = months.iter().map(|m| period_ms(*m)).collect::<Vec<_>>();
        let trend = store::cases_per(&mut *conn, &scope, &buckets)
            .await?
            .into_iter()
            .zip(&months)
            .map(|(n, m)| Count {
                code: m.month_code(),
                name: m.month_code(),
                n,
            })
            .collect();
        let before = period.months_before(3);
        let (heat, by_township) = heat_rows(
            store::cases_per_place(&mut *conn, &scope, ms(before.from), from, to).await?,
            &townships,
            &villages,
        );
        let (open, overdue, per_kind) = store::overdue(&mut *conn, &scope, today).await?;
        let clocks = ClockFigures { open, overdue };
        let clocks_by_kind = per_kind
            .into_iter()
            .map(|(kind, n)| Count {
                name: kind.clone(),
                code: kind,
                n,
            })
            .collect();
        let risk = risk_counts(store::open_by_risk(&mut *conn, &scope).await?);
        let referrals = referral_counts(store::referred_cases(&mut *conn, &scope, from, to).await?);
        let hearings = if procuratorate {
            let (held, public, with_deputies) = store::hearings_held(&mut *conn, mine, from, to).await?;
            Some(HearingFigures {
                held,
                public,
                with_deputies,
            })
        } else {
            None
        };
        let (issued, replied_on_time, adopted) =
            store::suggestions_issued(&mut *conn, mine, from, to).await?;
        let aid = if procuratorate {
            let social = AgencyKind::ALL
                .iter()
                .filter(|k| crate::aid::social_kind(**k))
                .map(|k| k.code())
                .collect::<Vec<_>>();
            let (cases, amount, with_social_aid) =
                store::aid_decided(&mut *conn, mine, &social, from, to).await?;
            Some(AidFigures {
                cases,
                amount,
                with_social_aid,
            })
        } else {
            None
        };
        let grid = self
            .grid_figures(&mut *conn, &villages, township, mine, period)
            .await?;
        Ok(Dashboard {
            month: period.month_code(),
            from: period.from,
            to: period.to,
            today,
            district,
            scope_name: if district {
                String::new()
            } else {
                actor.agency_name.clone()
            },
            township_id: township.map(|t| t.id.to_string()),
            received: by_category.iter().map(|c| c.n).sum(),
            procedural_reply: self
                .reply_rate(&mut *conn, &scope, ClockKind::ProceduralReply, period, today)
                .await?,
            result_reply: self
                .reply_rate(&mut *conn, &scope, ClockKind::ResultReply, period, today)
                .await?,
            by_category,
            by_channel,
            by_township,
            trend,
            clocks,
            clocks_by_kind,
            risk,
            referrals,
            hearings,
            suggestions: SuggestionFigures {
                issued,
                replied_on_time,
                adopted,
            },
            aid,
            grid,
            heat,
        })
    }

    async fn reply_rate(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        kind: ClockKind,
        period: Period,
        today: NaiveDate,
    ) -> Result<Rate, AppError> {
        let clocks = store::clocks_due(conn, scope, kind, period).await?;
        Ok(rules::reply_rate(
            clocks.into_iter().filter_map(|(due, state, met)| {
                Some(ClockOutcome {
                    due: due.parse().ok()?,
                    state: ClockState::parse(&state)?,
                    met_on: met.map(|m| time::local_date(time::from_millis(m))),
                })
            }),
            today,
        ))
    }

    /// Villages visited this month (by the own agency's people when not district-wide).
    async fn grid_figures(
        &self,
        conn: &mut AnyConnection,
        villages: &[OrgUnit],
        township: Option<&OrgUnit>,
        agency: Option<gongzhi_domain::Id>,
        period: Period,
    ) -> Result<GridFigures, AppError> {
        let inside = |v: &OrgUnit| township.is_none_or(|t| v.parent_id == Some(t.id));
        let ids: HashMap<String, bool> = villages
            .iter()
            .filter(|v| v.active)
            .map(|v| (v.id.to_string(), inside(v)))
            .collect();
        let visited =
            grid::visited_villages(conn, agency, &period.from.to_string(), &period.to.to_string()).await?;
        let mut out = GridFigures {
            villages: ids.values().filter(|i| **i).count() as i64,
            ..GridFigures::default()
        };
        for (village, _, n) in visited {
            if ids.get(&village).copied().unwrap_or(false) {
                out.visited += 1;
                out.visits += n;
            }
        }
        Ok(out)
    }
}

/// The 6-digit county, 9-digit township or 12-digit village prefix of a division code.
fn area_prefix(code: &str) -> Option<String> {
    gongzhi_domain::org::DivisionCode::parse(code)
        .ok()
        .map(|c| c.area_prefix().to_owned())
}

async fn category_names(conn: &mut AnyConnection) -> Result<HashMap<String, String>, AppError> {
    Ok(reference::category_list(conn)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect())
}

fn risk_counts(rows: Vec<(String, i64)>) -> Vec<Count> {
    // Highest first, then those not yet assessed.
    let mut out: Vec<Count> = RiskLevel::ALL
        .iter()
        .rev()
        .map(|r| Count {
            code: r.code().to_owned(),
            name: r.code().to_owned(),
            n: rows
                .iter()
                .find(|(c, _)| c == r.code())
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();
    out.push(Count {
        code: String::new(),
        name: String::new(),
        n: rows
            .iter()
            .find(|(c, _)| c.is_empty())
            .map(|(_, n)| *n)
            .unwrap_or(0),
    });
    out
}

fn referral_counts(rows: Vec<(String, i64)>) -> Vec<Count> {
    let of = |states: &[ReferralState]| {
        rows.iter()
            .filter(|(s, _)| ReferralState::parse(s).is_some_and(|s| states.contains(&s)))
            .map(|(_, n)| n)
            .sum::<i64>()
    };
    ReferralOutcome::ALL
        .iter()
        .map(|o| Count {
            code: o.code().to_owned(),
            name: o.code().to_owned(),
            n: of(o.states()),
        })
        .collect()
}

/// The heat table and the per-township counts of this month from the per-place counts.
fn heat_rows(
    per_place: Vec<(String, i64, i64)>,
    townships: &[OrgUnit],
    villages: &[OrgUnit],
) -> (Vec<HeatRow>, Vec<Count>) {
    let town_of = |id: Option<gongzhi_domain::Id>| townships.iter().find(|t| Some(t.id) == id);
    let mut per_township: HashMap<String, Count> = HashMap::new();
    let mut heat = Vec::new();
    for (place, now, before) in per_place {
        let (village, township) = match villages.iter().find(|v| v.id.to_string() == place) {
            Some(v) => (Some(v), town_of(v.parent_id)),
            None => (None, townships.iter().find(|t| t.id.to_string() == place)),
        };
        let Some(t) = township else { continue };
        per_township
            .entry(t.id.to_string())
            .or_insert_with(|| Count {
                code: t.id.to_string(),
                name: t.name.clone(),
                n: 0,
            })
            .n += now;
        if let Some(v) = village {
            heat.push(HeatRow {
                village_id: v.id.to_string(),
                village: v.name.clone(),
                township_id: t.id.to_string(),
                township: t.name.clone(),
                now,
                before,
                heat: rules::heat(now, before).code().to_owned(),
            });
        }
    }
    let rank = |h: &str| Heat::ALL.iter().position(|x| x.code() == h).unwrap_or(usize::MAX);
    heat.sort_by(|a, b| {
        rank(&a.heat)
            .cmp(&rank(&b.heat))
            .then(b.now.cmp(&a.now))
            .then(a.village.cmp(&b.village))
    });
    let mut by_township: Vec<Count> = per_township.into_values().filter(|c| c.n > 0).collect();
    by_township.sort_by(|a, b| b.n.cmp(&a.n).then(a.name.cmp(&b.name)));
    (heat, by_township)
}
