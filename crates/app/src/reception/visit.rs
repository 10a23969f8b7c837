//! The visits of a reception day and what the reception did: answered on the spot, or owned (包案)
//! by the leader with the case it opened or linked, tracked until that case is closed (§3.10).

use gongzhi_domain::audit::Changes;
use gongzhi_domain::policy::{Action, Actor};
use gongzhi_domain::reception::{VisitCommand, VisitState, next};
use gongzhi_domain::workflow::Status;
use gongzhi_domain::{Id, time};
use gongzhi_store::case::{self, Case};
use gongzhi_store::reception::{self as store, Listed, VisitFilter, VisitRow};
use gongzhi_store::{AnyConnection, Page, Paged, StoreError};

use super::{Slot, slot_of};
use crate::case::{IntakeForm, PartyInput};
use crate::error::Checks;
use crate::{App, AppError, Ctx, FieldError};

/// A reception's record (`POST /api/v1/reception-visits/{id}/steps/{step}`); each step reads its own.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct VisitStep {
    #[serde(default)]
    pub version: i64,
    /// `answer`, `own`: what the visitor raised and what the leader said or undertook;
    /// `no_show`, `cancel`, `close`: a note.
    #[serde(default)]
    pub record: String,
    /// `answer`, `own`: link an existing case by its number …
    #[serde(default)]
    pub case_number: String,
    /// … or open a new petition from the visit, at this village or community, in this category,
    /// under this title (the visitor is its petitioner).
    #[serde(default)]
    pub new_case: bool,
    #[serde(default)]
    pub place_id: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct VisitItem {
    pub row: VisitRow,
    pub state: VisitState,
    pub day: String,
    pub half: String,
    pub leader_name: String,
    pub case_number: Option<String>,
    /// The linked case is closed: an owned visit may be closed.
    pub case_closed: bool,
}

#[derive(Clone, Debug)]
pub struct VisitView {
    pub item: VisitItem,
    pub slot: Slot,
    pub commands: Vec<VisitCommand>,
}

/// A leader who owns (包案) a case, as the case page shows it.
#[derive(Clone, Debug)]
pub struct Owner {
    pub leader: String,
    /// The reception day it was taken on.
    pub day: String,
    pub visit_id: String,
    /// Still owned (the case is being tracked).
    pub open: bool,
}

fn item_of(l: Listed) -> Result<VisitItem, AppError> {
    let state = VisitState::parse(&l.visit.state)
        .ok_or_else(|| AppError::Internal(format!("reception visit {}: state", l.visit.id)))?;
    Ok(VisitItem {
        case_closed: l.case_state.as_deref() == Some(Status::Closed.code()),
        row: l.visit,
        state,
        day: l.day,
        half: l.half,
        leader_name: l.leader_name,
        case_number: l.case_number,
    })
}

impl App {
    pub async fn reception_visits(
        &self,
        ctx: &Ctx,
        slot: Option<Id>,
        states: &[VisitState],
        page: Page,
    ) -> Result<Paged<VisitItem>, AppError> {
        let actor = self.authorize(ctx, Action::ViewReception).await?;
        let mut conn = self.db().conn().await?;
        let f = VisitFilter {
            agency: Some(actor.agency_id),
            slot,
            states: states.iter().map(|s| s.code().to_owned()).collect(),
            ..VisitFilter::default()
        };
        let found = store::visits(&mut conn, &f, page).await?;
        Ok(Paged {
            items: found.items.into_iter().map(item_of).collect::<Result<_, _>>()?,
            total: found.total,
        })
    }

    async fn visit_for(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: Id,
    ) -> Result<VisitView, AppError> {
        let row = store::visit(&mut *conn, id).await?.ok_or(AppError::NotFound)?;
        if row.agency_id != actor.agency_id.to_string() {
            return Err(AppError::NotFound);
        }
        let slot_id: Id = row.slot_id.parse().map_err(|_| AppError::NotFound)?;
        let f = VisitFilter {
            id: Some(id),
            ..VisitFilter::default()
        };
        // The visit with its slot's and case's fields, through the same query as the lists.
        let listed = store::visits(&mut *conn, &f, Page::first(1))
            .await?
            .items
            .pop()
            .ok_or(AppError::NotFound)?;
        let slot = store::slot(conn, slot_id).await?.ok_or(AppError::NotFound)?;
        let item = item_of(listed)?;
        let mine = slot.leader_id == actor.user_id.to_string();
        let commands = item
            .state
            .commands()
            .into_iter()
            .filter(|c| match c {
                VisitCommand::Cancel => actor.can(Action::ScheduleReception),
                _ => mine || actor.can(Action::ScheduleReception),
            })
            .collect();
        Ok(VisitView {
            item,
            slot: slot_of(slot)?,
            commands,
        })
    }

    pub async fn reception_visit(&self, ctx: &Ctx, id: Id) -> Result<VisitView, AppError> {
        let actor = self.authorize(ctx, Action::ViewReception).await?;
        let mut conn = self.db().conn().await?;
        self.visit_for(&mut conn, &actor, id).await
    }

    /// A step of a visit: the reception's record (answered, or owned with a case), a visitor who
    /// did not come, a cancellation (the place is freed), or closing an owned matter once its case is.
    pub async fn visit_step(
        &self,
        ctx: &Ctx,
        id: Id,
        command: VisitCommand,
        f: &VisitStep,
    ) -> Result<(), AppError> {
        let actor = self.authorize(ctx, Action::ReceiveVisitor).await?;
        let mut tx = self.db().begin().await?;
        let v = self.visit_for(tx.conn(), &actor, id).await?;
        let row = &v.item.row;
        if f.version != 0 && f.version != row.version {
            return Err(AppError::Conflict(vec![("state".into(), row.state.clone())]));
        }
        let to = next(v.item.state, command).map_err(|_| {
            AppError::Invalid(vec![
                FieldError::new("command", "reception-not-now")
                    .arg("state", v.item.state)
                    .arg("command", command),
            ])
        })?;
        if !v.commands.contains(&command) {
            return Err(AppError::Forbidden);
        }
        let today = time::local_date(self.now());
        if command.receives() && v.slot.day > today {
            return Err(AppError::Invalid(vec![
                FieldError::new("command", "reception-not-yet").arg("day", v.slot.day),
            ]));
        }
        let record = f.record.trim();
        let mut checks = Checks::new();
        checks.check(!record.is_empty(), "record", "reception-field-required");
        checks.finish()?;
        let now = time::to_millis(self.now());
        let mut next_row = row.clone();
        let mut linked: Option<Case> = None;
        match command {
            VisitCommand::Answer | VisitCommand::Own => {
                linked = self.case_of_visit(tx.conn(), ctx, &v, f, record).await?;
                if command == VisitCommand::Own && linked.is_none() {
                    return Err(AppError::field("case_number", "reception-own-needs-case"));
                }
                next_row.record = record.to_owned();
                next_row.case_id = linked.as_ref().map(|c| c.id.to_string());
                next_row.received_by_name = actor.display_name.clone();
                next_row.received_at = Some(now);
                if command == VisitCommand::Own {
                    next_row.owner_id = Some(v.slot.row.leader_id.clone());
                    next_row.owner_name = v.slot.row.leader_name.clone();
                }
            }
            VisitCommand::Close => {
                if !v.item.case_closed {
                    return Err(AppError::Invalid(vec![
                        FieldError::new("command", "reception-case-open")
                            .arg("number", v.item.case_number.clone().unwrap_or_default()),
                    ]));
                }
                next_row.record = format!("{}\n{record}", row.record);
                next_row.closed_at = Some(now);
            }
            VisitCommand::NoShow | VisitCommand::Cancel => next_row.record = record.to_owned(),
        }
        next_row.state = to.code().into();
        next_row.updated_at = now;
        store::save_visit(tx.conn(), &next_row, row.version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => AppError::Conflict(vec![("state".into(), row.state.clone())]),
                other => other.into(),
            })?;
        if command == VisitCommand::Cancel {
            store::free_place(tx.conn(), &row.slot_id).await?;
        }
        if let Some(c) = &linked {
            let what = if command == VisitCommand::Own {
                format!("{}（包案）：{record}", v.slot.row.leader_name)
            } else {
                format!("{}：{record}", v.slot.row.leader_name)
            };
            self.event(tx.conn(), ctx, c, "reception", &what, false).await?;
        }
        ctx.audit(
            tx.conn(),
            &format!("reception.{}", command.code()),
            "reception_visit",
            &row.id,
            Changes::new().field("state", row.state.as_str(), to.code()).set(
                "case",
                linked.as_ref().map(|c| c.number.clone()).unwrap_or_default(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The case a reception links (by number, one the actor's agency may see) or opens.
    async fn case_of_visit(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        v: &VisitView,
        f: &VisitStep,
        record: &str,
    ) -> Result<Option<Case>, AppError> {
        if f.new_case {
            let row = &v.item.row;
            let phone = self.cipher().decrypt(&row.phone_enc)?;
            let form = IntakeForm {
                repeat_of: None,
                kind: "petition".into(),
                channel: "reception_day".into(),
                category: f.category.trim().to_owned(),
                place_id: f.place_id.trim().to_owned(),
                title: f.title.trim().to_owned(),
                narrative: format!("{}\n\n{}：{record}", row.matter, v.slot.row.leader_name),
                received_at: time::format_local(self.now()),
                parties: vec![PartyInput {
                    role: "petitioner".into(),
                    name: row.visitor_name.clone(),
                    phone,
                    ..PartyInput::default()
                }],
                ..IntakeForm::default()
            };
            return self.register_in(conn, ctx, &form).await.map(Some);
        }
        let number = f.case_number.trim();
        if number.is_empty() {
            return Ok(None);
        }
        let unknown = || {
            AppError::Invalid(vec![
                FieldError::new("case_number", "reception-case-unknown").arg("number", number),
            ])
        };
        let c = case::case_by_number(&mut *conn, number)
            .await?
            .ok_or_else(unknown)?;
        self.case_for_read(conn, ctx, c.id).await.map_err(|_| unknown())?;
        Ok(Some(c))
    }

    /// The leaders who own (包案) a case, for the case page.
    pub(crate) async fn case_owners(
        &self,
        conn: &mut AnyConnection,
        case: Id,
    ) -> Result<Vec<Owner>, AppError> {
        let f = VisitFilter {
            case: Some(case),
            states: vec![VisitState::Owned.code().into(), VisitState::Closed.code().into()],
            ..VisitFilter::default()
        };
        Ok(store::visits(conn, &f, Page::first(20))
            .await?
            .items
            .into_iter()
            .map(|l| Owner {
                open: l.visit.state == VisitState::Owned.code(),
                leader: l.visit.owner_name,
                day: l.day,
                visit_id: l.visit.id,
            })
            .collect())
    }

    /// The matters the actor owns (包案) and still tracks, for the inbox.
    pub async fn owned_visits(&self, ctx: &Ctx) -> Result<Vec<VisitItem>, AppError> {
        let actor = self.authorize(ctx, Action::ViewCases).await?;
        if !actor.can(Action::ReceiveVisitor) {
            return Ok(Vec::new());
        }
        let mut conn = self.db().conn().await?;
        let f = VisitFilter {
            owner: Some(actor.user_id),
            states: vec![VisitState::Owned.code().into()],
            ..VisitFilter::default()
        };
        store::visits(&mut conn, &f, Page::first(100))
            .await?
            .items
            .into_iter()
            .map(item_of)
            .collect()
    }
}
