//! Intake on the staff side: the registration form (with attachments) and its submission.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use gongzhi_app::AppError;
use gongzhi_app::admin::{Category, OrgUnit};
use gongzhi_app::case::{IntakeForm, PartyInput, Upload};
use gongzhi_app::domain::case::PartyRole;
use gongzhi_app::domain::org::OrgLevel;
use gongzhi_app::domain::workflow::{CaseKind, Channel};
use gongzhi_app::domain::{Id, time};
use http::StatusCode;

use super::{Opt, opts};
use crate::AppState;
use crate::error::{PageError, render};
use crate::form::{FormData, FormState};
use crate::middleware::Req;
use crate::ui::{Chrome, PageResult, form_error, page, see_other};

#[derive(Template)]
#[template(path = "case/new.html")]
pub(crate) struct NewPage {
    c: Chrome,
    f: FormState,
    kinds: Vec<Opt>,
    channels: Vec<Opt>,
    roles: Vec<Opt>,
    categories: Vec<Category>,
    places: Vec<(OrgUnit, Vec<OrgUnit>)>,
    grids: Vec<(OrgUnit, Vec<OrgUnit>)>,
    party_rows: Vec<usize>,
    flags: Vec<&'static str>,
    attach_help: String,
}

/// The active grids of each village that has any, for a grid menu that follows its village menu.
pub(crate) async fn village_grids(
    s: &AppState,
    req: &Req,
    places: &[(OrgUnit, Vec<OrgUnit>)],
) -> Result<Vec<(OrgUnit, Vec<OrgUnit>)>, PageError> {
    let mut grids = Vec::new();
    for (_, villages) in places {
        for v in villages {
            let children = page(
                req,
                s.app
                    .org_children(&req.ctx, Some(v.id), gongzhi_app::Page::first(500))
                    .await,
            )?
            .items
            .into_iter()
            .filter(|g| g.level == OrgLevel::Grid && g.active)
            .collect::<Vec<_>>();
            if !children.is_empty() {
                grids.push((v.clone(), children));
            }
        }
    }
    Ok(grids)
}

pub(crate) async fn new_page(s: &AppState, req: &Req, f: FormState, status: StatusCode) -> PageResult {
    let places = page(req, s.app.intake_setup(&req.ctx).await)?.places;
    let grids = village_grids(s, req, &places).await?;
    let c = Chrome::new(req);
    let p = NewPage {
        kinds: opts(
            &c.t,
            "kind",
            &CaseKind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        channels: opts(
            &c.t,
            "channel",
            &Channel::ALL
                .iter()
                .filter(|x| **x != Channel::Portal)
                .map(|k| k.code())
                .collect::<Vec<_>>(),
        ),
        roles: opts(
            &c.t,
            "party-role",
            &PartyRole::ALL.iter().map(|k| k.code()).collect::<Vec<_>>(),
        ),
        categories: page(req, s.app.portal_categories().await)?,
        places,
        grids,
        party_rows: vec![0, 1, 2],
        flags: vec!["minor", "elderly", "disabled", "impoverished"],
        attach_help: c.t.ta(
            "attachments-help",
            &[(
                "mb",
                (s.app.case_settings().max_attachment_bytes / (1024 * 1024)).to_string(),
            )],
        ),
        c,
        f,
    };
    Ok(render(status, &p, req.ctx.request_id()))
}

pub(crate) async fn new_form(State(s): State<AppState>, req: Req) -> PageResult {
    // The form starts from what this user registers most, in the places they work in.
    let setup = page(&req, s.app.intake_setup(&req.ctx).await)?;
    let now = time::format_local(s.app.now()).replace(' ', "T");
    let f = FormState::default()
        .with("kind", setup.kind.code())
        .with("channel", setup.channel.code())
        .with("received_at", now)
        .with("parties[0].role", "petitioner")
        .with("parties[1].role", "respondent")
        .with("parties[2].role", "other")
        .with("idem", Id::new());
    new_page(&s, &req, f, StatusCode::OK).await
}

/// A multipart form: its text fields and its files.
pub async fn read_multipart(req: &Req, request: Request) -> Result<(FormData, Vec<Upload>), PageError> {
    // A form sent without its file part (no file chosen, or a client that does not send one) is
    // read as the plain form it is.
    if crate::form::media_type(request.headers()) == "application/x-www-form-urlencoded" {
        let d = FormData::from_request(request, &())
            .await
            .map_err(|_| PageError(req.clone(), AppError::field("attachments", "upload-unreadable")))?;
        return Ok((d, Vec::new()));
    }
    let mut mp = Multipart::from_request(request, &())
        .await
        .map_err(|_| PageError(req.clone(), AppError::field("attachments", "upload-unreadable")))?;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(PageError(
                    req.clone(),
                    AppError::field("attachments", "upload-unreadable"),
                ));
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(filename) => {
                let data = field.bytes().await.map_err(|_| {
                    PageError(req.clone(), AppError::field("attachments", "upload-unreadable"))
                })?;
                if !filename.is_empty() && !data.is_empty() {
                    files.push(Upload {
                        filename,
                        data: data.to_vec(),
                    });
                }
            }
            None => {
                let text = field.text().await.unwrap_or_default();
                fields.push((name, text));
            }
        }
    }
    Ok((FormData::from_pairs(fields), files))
}

pub fn intake_form(d: &FormData) -> IntakeForm {
    IntakeForm {
        kind: d.get("kind"),
        channel: d.get("channel"),
        category: d.get("category"),
        place_id: d.get("place_id"),
        grid_id: d.get("grid_id"),
        title: d.get("title"),
        narrative: d.get("narrative"),
        received_at: d.get("received_at"),
        urgent: d.flag("urgent"),
        anonymous: d.flag("anonymous"),
        minor_involved: d.flag("minor_involved"),
        parties: (0..3)
            .map(|i| PartyInput {
                role: d.get(&format!("parties[{i}].role")),
                name: d.get(&format!("parties[{i}].name")),
                id_number: d.get(&format!("parties[{i}].id_number")),
                phone: d.get(&format!("parties[{i}].phone")),
                address: d.get(&format!("parties[{i}].address")),
                minor: d.flag(&format!("parties[{i}].minor")),
                elderly: d.flag(&format!("parties[{i}].elderly")),
                disabled: d.flag(&format!("parties[{i}].disabled")),
                impoverished: d.flag(&format!("parties[{i}].impoverished")),
            })
            .collect(),
        repeat_of: d.get("repeat_of").parse().ok(),
    }
}

pub(crate) async fn register(State(s): State<AppState>, req: Req, request: Request) -> PageResult {
    page(
        &req,
        s.app
            .authorize(&req.ctx, gongzhi_app::domain::Action::RegisterCase)
            .await,
    )?;
    let (d, files) = read_multipart(&req, request).await?;
    let form = intake_form(&d);
    let idem = d.get("idem");
    match s.app.register_case(&req.ctx, &form, &files, Some(&idem)).await {
        Ok(c) => see_other(&format!("/cases/{}?ok=registered", c.id)),
        Err(e) => {
            let (f, status) = form_error(&req, e, FormState::from_data(&d))?;
            new_page(&s, &req, f, status).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The case page
