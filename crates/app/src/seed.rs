//! Reference data every installation starts with (idempotent: rows are added when missing, never
//! overwritten, so an administrator's edits survive restarts), and the clearly marked demo data.

use gongzhi_domain::Id;
use gongzhi_domain::calendar;
use gongzhi_domain::org::{AgencyKind, DivisionCode};
use gongzhi_domain::policy::Role;
use gongzhi_domain::roster::{HeadKind, Slot};
use gongzhi_store::AnyConnection;
use gongzhi_store::reference::{self, Agency, CalendarDay, Category, OrgUnit};
use gongzhi_store::roster::{self, Patch, SlotEntry};
use gongzhi_store::users::{self, NewUser};

use crate::auth::hash_password;
use crate::{App, AppError, Ctx};

/// Ganzhou District's 23 townships and streets (DOMAIN.md: 5 streets, 13 towns, 5 townships). The
/// three-digit township parts follow GB/T 10114-2003's ranges; check them against the NBS
/// statistical division table of the year and correct them by CSV import where they differ.
const TOWNSHIPS: &[(&str, &str)] = &[
    ("001", "东街街道"),
    ("002", "南街街道"),
    ("003", "西街街道"),
    ("004", "北街街道"),
    ("005", "火车站街道"),
    ("100", "梁家墩镇"),
    ("101", "上秦镇"),
    ("102", "大满镇"),
    ("103", "沙井镇"),
    ("104", "乌江镇"),
    ("105", "甘浚镇"),
    ("106", "新墩镇"),
    ("107", "党寨镇"),
    ("108", "碱滩镇"),
    ("109", "三闸镇"),
    ("110", "小满镇"),
    ("111", "明永镇"),
    ("112", "长安镇"),
    ("200", "龙渠乡"),
    ("201", "安阳乡"),
    ("202", "花寨乡"),
    ("203", "靖安乡"),
    ("204", "平山湖蒙古族乡"),
];

const DISTRICT: &str = "620702000000";

/// District-level agencies: (code, name, short name, kind).
const AGENCIES: &[(&str, &str, &str, AgencyKind)] = &[
    (
        "GZ-ZFW",
        "中共张掖市甘州区委政法委员会",
        "甘州区委政法委",
        AgencyKind::PoliticalLegalCommittee,
    ),
    (
        "GZ-JCY",
        "张掖市甘州区人民检察院",
        "甘州检",
        AgencyKind::Procuratorate,
    ),
    ("GZ-FY", "张掖市甘州区人民法院", "甘州法院", AgencyKind::Court),
    (
        "GZ-GAJ",
        "张掖市公安局甘州分局",
        "甘州公安分局",
        AgencyKind::Police,
    ),
    (
        "GZ-SFJ",
        "张掖市甘州区司法局",
        "甘州区司法局",
        AgencyKind::JusticeBureau,
    ),
    (
        "GZ-XFJ",
        "张掖市甘州区信访局",
        "甘州区信访局",
        AgencyKind::PetitionBureau,
    ),
    (
        "GZ-MZJ",
        "张掖市甘州区民政局",
        "甘州区民政局",
        AgencyKind::CivilAffairs,
    ),
    (
        "GZ-RSJ",
        "张掖市甘州区人力资源和社会保障局",
        "甘州区人社局",
        AgencyKind::HumanResources,
    ),
    (
        "GZ-JYJ",
        "张掖市甘州区教育局",
        "甘州区教育局",
        AgencyKind::Education,
    ),
    (
        "GZ-FL",
        "张掖市甘州区妇女联合会",
        "甘州区妇联",
        AgencyKind::WomensFederation,
    ),
    (
        "GZ-SCJ",
        "张掖市甘州区市场监督管理局",
        "甘州区市场监管局",
        AgencyKind::Regulator,
    ),
    (
        "GZ-JTJ",
        "张掖市甘州区交通运输局",
        "甘州区交通运输局",
        AgencyKind::Regulator,
    ),
    (
        "GZ-WTJ",
        "张掖市甘州区文体广电和旅游局",
        "甘州区文旅局",
        AgencyKind::Regulator,
    ),
];

/// DOMAIN.md §4.10, with the local irrigation-water category.
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("MARRIAGE_FAMILY", "婚姻家庭", "Marriage & family"),
    ("NEIGHBOUR", "邻里纠纷", "Neighbour"),
    ("HOUSING_HOMESTEAD", "房屋宅基地", "Housing & homestead"),
    ("CONTRACT", "合同纠纷", "Contract"),
    ("BUSINESS", "生产经营", "Production & business"),
    ("DAMAGES", "损害赔偿", "Damages"),
    ("LAND_FOREST", "山林土地", "Land & forest"),
    ("IRRIGATION_WATER", "灌溉用水", "Irrigation water"),
    ("LAND_ACQUISITION", "征地拆迁", "Land acquisition"),
    ("ENVIRONMENT", "环境污染", "Environmental pollution"),
    ("LABOUR", "劳动争议", "Labour"),
    ("CONSUMER", "消费纠纷", "Consumer"),
    ("MEDICAL", "医疗纠纷", "Medical"),
    ("TRAFFIC", "道路交通事故", "Road-traffic accident"),
    ("PROPERTY_MGMT", "物业纠纷", "Property management"),
    ("VILLAGE_AFFAIRS", "村务管理", "Village affairs"),
    ("LAW_RELATED", "涉法涉诉", "Law-/litigation-related"),
    ("OTHER", "其他", "Other"),
];

async fn ensure_unit(
    conn: &mut AnyConnection,
    code: &str,
    name: &str,
    now: gongzhi_domain::time::Timestamp,
) -> Result<Id, AppError> {
    if let Some(u) = reference::org_by_code(conn, code).await? {
        return Ok(u.id);
    }
    let parsed =
        DivisionCode::parse(code).map_err(|e| AppError::Internal(format!("seed code {code}: {e}")))?;
    let parent_id = match parsed.parent() {
        Some(p) => reference::org_by_code(conn, p.as_str()).await?.map(|u| u.id),
        None => None,
    };
    let unit = OrgUnit {
        id: Id::new(),
        level: parsed.level(),
        code: code.into(),
        name: name.into(),
        parent_id,
        active: true,
        version: 1,
        coords: None,
    };
    reference::org_insert(conn, &unit, now).await?;
    Ok(unit.id)
}

async fn ensure_agency(
    conn: &mut AnyConnection,
    (code, name, short, kind): (&str, &str, &str, AgencyKind),
    unit: Id,
    now: gongzhi_domain::time::Timestamp,
) -> Result<Id, AppError> {
    if let Some(a) = reference::agency_by_code(conn, code).await? {
        return Ok(a.id);
    }
    let a = Agency {
        id: Id::new(),
        code: code.into(),
        name: name.into(),
        short_name: short.into(),
        kind,
        org_unit_id: unit,
        phone: String::new(),
        address: String::new(),
        active: true,
        version: 1,
    };
    reference::agency_insert(conn, &a, now).await?;
    Ok(a.id)
}

impl App {
    /// Adds missing reference rows. Safe to run at every start and from several servers at once
    /// (one transaction; a second runner finds the rows present).
    pub async fn seed_reference(&self, ctx: &Ctx) -> Result<(), AppError> {
        self.authorize_system(ctx, "seed_reference").await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let c = tx.conn();
        let province = ensure_unit(c, "620000000000", "甘肃省", now).await?;
        let city = ensure_unit(c, "620700000000", "张掖市", now).await?;
        let district = ensure_unit(c, DISTRICT, "甘州区", now).await?;
        for (code, name, short, kind) in AGENCIES {
            ensure_agency(c, (code, name, short, *kind), district, now).await?;
        }
        // §3.3: review goes to the next-higher organ, re-review to the one above it — for the
        // police, whose government petitions the demo handles, the city bureau and the province's
        // department.
        let gat = [
            ("ZY-GAJ", "张掖市公安局", "张掖市公安局", city),
            ("GS-GAT", "甘肃省公安厅", "甘肃省公安厅", province),
        ];
        let mut chain = vec![reference::agency_by_code(c, "GZ-GAJ").await?.map(|a| a.id)];
        for (code, name, short, unit) in gat {
            chain.push(Some(
                ensure_agency(c, (code, name, short, AgencyKind::Police), unit, now).await?,
            ));
        }
        for pair in chain.windows(2) {
            if let [Some(a), Some(up)] = pair
                && gongzhi_store::review::superior_of(c, *a).await?.is_none()
            {
                gongzhi_store::review::set_superior(c, *a, Some(*up), gongzhi_domain::time::to_millis(now))
                    .await?;
            }
        }
        for (n, (part, name)) in TOWNSHIPS.iter().enumerate() {
            let code = format!("620702{part}000");
            let unit = ensure_unit(c, &code, name, now).await?;
            let short: String = name
                .trim_end_matches("街道")
                .trim_end_matches("蒙古族乡")
                .trim_end_matches(['镇', '乡'])
                .into();
            let centre = (
                format!("GZ-ZZ{:02}", n + 1),
                format!("{name}综治中心"),
                format!("{short}综治中心"),
            );
            ensure_agency(
                c,
                (&centre.0, &centre.1, &centre.2, AgencyKind::GovernanceCentre),
                unit,
                now,
            )
            .await?;
            let office = (
                format!("GZ-SFS{:02}", n + 1),
                format!("甘州区司法局{short}司法所"),
                format!("{short}司法所"),
            );
            ensure_agency(
                c,
                (&office.0, &office.1, &office.2, AgencyKind::JusticeOffice),
                unit,
                now,
            )
            .await?;
        }
        for (i, (code, name, en)) in CATEGORIES.iter().enumerate() {
            if reference::category_get(c, code).await?.is_none() {
                let cat = Category {
                    code: (*code).into(),
                    name: (*name).into(),
                    name_en: (*en).into(),
                    sort_order: (i as i64 + 1) * 10,
                    active: 1,
                    version: 1,
                };
                reference::category_upsert(c, &cat, now).await?;
            }
        }
        for r in crate::deadlines::default_rules() {
            gongzhi_store::deadline_rule::insert_rule_if_absent(
                c,
                &gongzhi_store::deadline_rule::RuleRow {
                    updated_at: gongzhi_domain::time::to_millis(now),
                    ..r
                },
            )
            .await?;
        }
        self.seed_risk_rules(c).await?;
        for (code, kind, name, body) in crate::reply::default_templates() {
            gongzhi_store::reply::put_template(
                c,
                &gongzhi_store::reply::Template {
                    code: code.into(),
                    kind: kind.code().into(),
                    name: name.into(),
                    body: body.into(),
                    version: 0,
                    updated_at: gongzhi_domain::time::to_millis(now),
                },
            )
            .await?;
        }
        for h in calendar::official_2024_2026() {
            if reference::calendar_get(c, h.date).await?.is_none() {
                reference::calendar_upsert(
                    c,
                    &CalendarDay {
                        day: h.date,
                        kind: h.kind,
                        name: h.name.into(),
                    },
                    now,
                )
                .await?;
            }
        }
        // Requests that came in publicly before Open311 had ids of its own get one.
        for case in gongzhi_store::case::without_public_id(tx.conn()).await? {
            gongzhi_store::case::set_public_id(tx.conn(), case, &crate::case::new_public_id()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Demo data: villages and grids for a few townships, a law firm, a partly filled roster (with
    /// gaps to show), and one account per role. Returns the accounts' names and the shared password.
    pub async fn seed_demo(&self, ctx: &Ctx) -> Result<(Vec<(String, Role)>, &'static str), AppError> {
        self.authorize_system(ctx, "seed_demo").await?;
        const PASSWORD: &str = "Demo@2026gz";
        self.seed_reference(ctx).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let c = tx.conn();
        let district = reference::org_by_code(c, DISTRICT)
            .await?
            .ok_or(AppError::NotFound)?
            .id;
        let law_firm = ensure_agency(
            c,
            (
                "GZ-LS01",
                "甘肃金张掖律师事务所（演示）",
                "金张掖律所",
                AgencyKind::LegalService,
            ),
            district,
            now,
        )
        .await?;
        // Demo villages: made-up names, marked as such, under four townships.
        const VILLAGES: &[(&str, &[&str])] = &[
            (
                "104",
                &["演示·乌江村", "演示·东湖村", "演示·平原村", "演示·小湾村"],
            ),
            ("107", &["演示·党寨村", "演示·十号村", "演示·汪家堡村"]),
            ("102", &["演示·大满村", "演示·新华村", "演示·四闸村"]),
            ("001", &["演示·东街社区", "演示·南华社区"]),
        ];
        // Made-up coordinates near each township (millionths of a degree), so that Open311
        // requests located by lat/long find a demo village.
        const CENTRES: &[(&str, (i64, i64))] = &[
            ("104", (39_050_000, 100_400_000)),
            ("107", (38_850_000, 100_550_000)),
            ("102", (38_780_000, 100_380_000)),
            ("001", (38_930_000, 100_450_000)),
        ];
        let mut villages = Vec::new();
        for (township, names) in VILLAGES {
            let base = if *township == "001" { 1 } else { 201 };
            let centre = CENTRES
                .iter()
                .find(|(t, _)| t == township)
                .map_or((38_930_000, 100_450_000), |(_, c)| *c);
            for (i, name) in names.iter().enumerate() {
                let code = format!("620702{township}{:03}", base + i);
                let v = ensure_unit(c, &code, name, now).await?;
                let step = i64::try_from(i).unwrap_or(0) * 12_000;
                reference::org_set_coords(c, v, Some((centre.0 + step, centre.1 - step))).await?;
                for g in 1..=2 {
                    ensure_unit(
                        c,
                        &format!("{code}{g:03}"),
                        &format!("{}第{g}网格", name.trim_start_matches("演示·")),
                        now,
                    )
                    .await?;
                }
                villages.push((v, *township, i));
            }
        }
        let mut ids = Vec::new();
        for code in [
            "GZ-JCY", "GZ-FY", "GZ-GAJ", "GZ-SFJ", "GZ-ZFW", "GZ-FL", "GZ-ZZ10", "GZ-SFS10",
        ] {
            ids.push(
                reference::agency_by_code(c, code)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .id,
            );
        }
        let [jcy, fy, gaj, sfj, zfw, fl, wujiang_centre, wujiang_office] = ids[..] else {
            return Err(AppError::NotFound);
        };
        // Patches: the four heads each take townships (the real allocation is not public; DOMAIN.md §8).
        let heads = [
            (HeadKind::ChiefProsecutor, "强峰", jcy),
            (HeadKind::CourtPresident, "王建国（演示）", fy),
            (HeadKind::PoliceChief, "李卫东（演示）", gaj),
            (HeadKind::JusticeDirector, "赵志明（演示）", sfj),
        ];
        for (i, (part, _)) in TOWNSHIPS.iter().enumerate().take(12) {
            let code = format!("620702{part}000");
            let t = reference::org_by_code(c, &code)
                .await?
                .ok_or(AppError::NotFound)?;
            if roster::patches(c).await?.iter().all(|p| p.township_id != t.id) {
                let (kind, person, agency) = heads[i % 4];
                let p = Patch {
                    township_id: t.id,
                    head_kind: kind,
                    person_name: person.into(),
                    agency_id: agency,
                    agency_name: String::new(),
                    version: 0,
                };
                roster::upsert_patch(c, &p, now).await?;
            }
        }
        const PEOPLE: [&str; 6] = ["张法官", "刘检察官", "陈警官", "马律师", "孙调解员", "周老师"];
        let slot_agency = [fy, jcy, gaj, law_firm, wujiang_office, fl];
        let existing = roster::slots(c, None).await?;
        for (v, township, i) in &villages {
            for (k, slot) in Slot::ALL.iter().enumerate() {
                // Leave gaps: later villages miss their counsellor and legal adviser.
                if *i >= 2 && matches!(slot, Slot::Counsellor | Slot::LegalAdviser)
                    || *township == "001" && *slot == Slot::PoliceOfficer
                {
                    continue;
                }
                if existing.iter().any(|e| e.village_id == *v && e.slot == *slot) {
                    continue;
                }
                let agency_id = if *slot == Slot::Mediator && *township != "104" {
                    sfj
                } else {
                    slot_agency[k]
                };
                let phone = format!("1389360{:04}", (i * 6 + k) % 10000);
                let e = SlotEntry {
                    village_id: *v,
                    slot: *slot,
                    person_name: format!("{}{}", PEOPLE[k], i + 1),
                    agency_id,
                    agency_name: String::new(),
                    phone_enc: Some(self.cipher().encrypt(&phone)?),
                    version: 0,
                };
                roster::put_slot(c, &e, 0, now).await?;
            }
        }
        let accounts: &[(&str, &str, Role, Id)] = &[
            ("demo_sysadmin", "系统管理员（演示）", Role::SystemAdmin, jcy),
            ("demo_secadmin", "安全管理员（演示）", Role::SecurityAdmin, jcy),
            ("demo_auditor", "审计管理员（演示）", Role::AuditAdmin, jcy),
            ("demo_chief", "强峰（演示）", Role::ChiefProsecutor, jcy),
            ("demo_prosecutor", "刘检察官（演示）", Role::Prosecutor, jcy),
            ("demo_assistant", "何助理（演示）", Role::ProsecutorAssistant, jcy),
            ("demo_reception", "12309接待员（演示）", Role::ReceptionClerk, jcy),
            ("demo_juvenile", "未检干警（演示）", Role::JuvenileTeam, jcy),
            (
                "demo_hearing",
                "听证员库管理员（演示）",
                Role::HearingPoolManager,
                jcy,
            ),
            ("demo_partner", "公安经办人（演示）", Role::PartnerHandler, gaj),
            (
                "demo_grid",
                "乌江镇网格员（演示）",
                Role::GridWorker,
                wujiang_centre,
            ),
            ("demo_leader", "政法委领导（演示）", Role::Leader, zfw),
            (
                "demo_centre",
                "乌江镇综治中心专干（演示）",
                Role::PartnerHandler,
                wujiang_centre,
            ),
            (
                "demo_centre_head",
                "乌江镇综治中心主任（演示）",
                Role::AgencyHead,
                wujiang_centre,
            ),
            ("demo_police_head", "公安分局局长（演示）", Role::AgencyHead, gaj),
            (
                "demo_fulian",
                "妇联爱心妈妈联络员（演示）",
                Role::PartnerHandler,
                fl,
            ),
        ];
        let hash = hash_password(PASSWORD).await?;
        let mut out = Vec::new();
        for (username, name, role, agency) in accounts {
            if users::by_username(c, username).await?.is_none() {
                let u = NewUser {
                    id: Id::new(),
                    username: (*username).into(),
                    display_name: (*name).into(),
                    agency_id: *agency,
                    roles: vec![*role],
                    password_hash: hash.clone(),
                    must_change_password: false,
                    demo: true,
                };
                users::insert(c, &u, now).await?;
            }
            out.push(((*username).to_owned(), *role));
        }
        tx.commit().await?;
        Ok((out, PASSWORD))
    }
}
