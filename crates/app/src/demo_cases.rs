//! Demo cases: about two years of Ganzhou's disputes and petitions, across channels, categories,
//! townships and states, each case walked through its real workflow (the same state machine, the
//! same deadline rules and calendar) so that clocks, replies, referrals, meetings, mediation and
//! overdue items look as they would in use. Deterministic: the same seed gives the same cases.

use chrono::{Datelike, Duration};
use gongzhi_domain::case::{DEFAULT_NUMBER_PATTERN, case_number};
use gongzhi_domain::deadline::{ClockKind, ClockState, Trigger};
use gongzhi_domain::idcard::{ResidentId, check_char};
use gongzhi_domain::org::{AgencyKind, OrgLevel};
use gongzhi_domain::phone::Phone;
use gongzhi_domain::risk::{self, RiskInput, RiskLevel};
use gongzhi_domain::workflow::{self, CaseKind, Channel, Command, RiskFacts, Status};
use gongzhi_domain::{Id, time};
use gongzhi_store::AnyConnection;
use gongzhi_store::cases::{self, Case, Clock, Event, Party};
use gongzhi_store::casework::{self, Assessment, FollowUp, Mediation, Meeting, Referral, Reply, Task};
use gongzhi_store::reference::{self, Agency, OrgUnit};

use crate::deadlines::Clocks;
use crate::{App, AppError, Ctx};

/// A small deterministic generator (xorshift64*), enough for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.next() % u64::try_from((hi - lo + 1).max(1)).unwrap_or(1)).unwrap_or(0)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "马", "何", "郭", "周", "吴", "孙", "朱", "胡", "高", "罗",
    "梁", "宋", "魏", "蒋", "韩", "贾", "杜", "祁", "闫", "鲁", "雷",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "玉兰", "志强", "桂花", "国庆", "春梅", "永福", "海燕", "振华", "丽娟", "文军", "明亮",
    "淑珍", "德胜", "小军", "红霞", "学文", "彩霞", "金山", "兰英", "继红", "天佑", "晓东",
];

/// (category, title pattern, narrative pattern). `{p}` place, `{a}` first party, `{b}` other party,
/// `{m}` an amount in yuan.
const STORIES: &[(&str, &str, &str)] = &[
    (
        "MARRIAGE_FAMILY",
        "{a}与{b}赡养老人纠纷",
        "{p}村民{a}反映，其兄弟{b}长期不履行对母亲的赡养义务，老人年过八旬，生活无人照料，双方多次争吵，请求村里和司法所出面调解。",
    ),
    (
        "MARRIAGE_FAMILY",
        "{a}离婚后子女抚养费纠纷",
        "{a}称与{b}离婚后，{b}拒不按离婚协议支付子女抚养费，已拖欠{m}元，孩子上学费用无着落，要求督促履行。",
    ),
    (
        "NEIGHBOUR",
        "{a}与邻居{b}排水沟纠纷",
        "{p}{a}反映，邻居{b}翻修院墙时将排水沟堵塞，雨天积水倒灌进院，双方为此发生口角并有推搡，担心矛盾激化。",
    ),
    (
        "NEIGHBOUR",
        "{a}与{b}因牲畜损毁庄稼发生纠纷",
        "{a}家的羊群进入{b}承包地啃食玉米苗，{b}要求赔偿{m}元，{a}认为数额过高，双方僵持不下。",
    ),
    (
        "HOUSING_HOMESTEAD",
        "{a}与{b}宅基地界址争议",
        "{p}{a}与{b}相邻宅基地界址不清，{b}新建房屋占用约两米宽通道，{a}多次向村委会反映未果，要求依法确认界址。",
    ),
    (
        "CONTRACT",
        "{a}土地流转租金被拖欠",
        "{a}等农户将承包地流转给{b}种植制种玉米，合同约定每年十一月前支付租金，至今仍拖欠{m}元，农户多次催要无果。",
    ),
    (
        "BUSINESS",
        "{a}与合作社制种款结算纠纷",
        "{a}反映，其与{b}所在合作社签订制种合同，合作社以种子发芽率不达标为由扣减制种款{m}元，{a}不认可检测结果。",
    ),
    (
        "DAMAGES",
        "{a}被{b}饲养的狗咬伤赔偿纠纷",
        "{a}在{p}路边被{b}家未拴养的狗咬伤，花去医药费{m}元，{b}只愿承担一半，双方协商未果。",
    ),
    (
        "LAND_FOREST",
        "{a}承包地边界及林木权属纠纷",
        "{a}与{b}承包地相邻，地埂上的杨树归属发生争议，{b}擅自砍伐树木出售，{a}要求返还卖树款{m}元。",
    ),
    (
        "IRRIGATION_WATER",
        "{p}春灌轮水次序纠纷",
        "春灌期间，{a}反映{b}等人不按轮灌次序私自开口放水，导致下游农田错过灌溉时间，群众意见较大，请求协调。",
    ),
    (
        "LAND_ACQUISITION",
        "{a}反映征地补偿款分配问题",
        "{a}反映{p}征地补偿款分配方案未经村民会议讨论，其家庭应得补偿{m}元未足额发放，要求公开分配明细。",
    ),
    (
        "ENVIRONMENT",
        "{p}养殖场异味扰民问题",
        "{a}等村民反映，{b}经营的养殖场距离居民区不足百米，粪污直排，夏季异味严重，影响群众生活，多次反映未解决。",
    ),
    (
        "LABOUR",
        "{a}等农民工工资被拖欠",
        "{a}等{n}名农民工在{b}承包的工地务工，工程完工后被拖欠工资共计{m}元，临近年关，情绪激动，要求尽快解决。",
    ),
    (
        "CONSUMER",
        "{a}购买农资质量纠纷",
        "{a}从{b}经营的农资店购买化肥，施用后作物出现烧苗，损失约{m}元，店主否认产品质量问题。",
    ),
    (
        "MEDICAL",
        "{a}家属对诊疗结果有异议",
        "{a}的父亲在乡镇卫生院治疗后病情加重转院，家属认为存在延误，要求赔偿{m}元，卫生院不予认可。",
    ),
    (
        "TRAFFIC",
        "{a}与{b}道路交通事故赔偿纠纷",
        "{a}驾驶三轮车与{b}的小轿车在{p}村道相撞，交警认定同等责任，双方就车辆维修及误工费{m}元赔偿未达成一致。",
    ),
    (
        "PROPERTY_MGMT",
        "{p}小区物业费及服务纠纷",
        "{a}等业主反映小区物业服务不到位，电梯长期故障，物业公司起诉催缴物业费，业主要求先整改后缴费。",
    ),
    (
        "VILLAGE_AFFAIRS",
        "{a}反映村务公开不到位",
        "{a}反映{p}村集体机动地承包收入未按规定公开，要求公开账目并说明{m}元收入去向。",
    ),
    (
        "LAW_RELATED",
        "{a}不服民事判决申请监督",
        "{a}与{b}民间借贷纠纷一案经法院判决，{a}认为认定事实错误，借款{m}元已部分归还，申请检察机关依法监督。",
    ),
    (
        "LAW_RELATED",
        "{a}反映案件执行难问题",
        "{a}与{b}买卖合同纠纷胜诉后，{b}拒不履行判决，执行款{m}元至今未到位，{a}多次上访，请求检察机关监督执行。",
    ),
    (
        "OTHER",
        "{a}反映低保评定问题",
        "{a}反映其家庭生活困难，妻子长期患病，申请最低生活保障未获通过，认为评定不公，要求重新审核。",
    ),
];

const CHANNELS_PETITION: &[Channel] = &[
    Channel::Visit,
    Channel::Visit,
    Channel::Letter,
    Channel::Hotline12309,
    Channel::Hotline12309,
    Channel::Phone,
    Channel::Portal,
    Channel::ReceptionDay,
    Channel::CaseHandling,
];
const CHANNELS_DISPUTE: &[Channel] = &[
    Channel::GridScreening,
    Channel::GridScreening,
    Channel::GridScreening,
    Channel::Visit,
    Channel::Phone,
    Channel::Portal,
    Channel::Referral,
];

/// What every demo case is made with.
struct World {
    clocks: Clocks,
    staff: Staff,
    agencies: Vec<Agency>,
    jcy: Agency,
    now: time::Timestamp,
    today: chrono::NaiveDate,
}

struct Staff {
    prosecutor: (Id, String),
    reception: (Id, String),
    grid: (Id, String),
    chief: String,
    partner: (Id, String),
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn resident_id(rng: &mut Rng, today: chrono::NaiveDate) -> Option<ResidentId> {
    let year = rng.range(1948, 2009);
    let body = format!(
        "620702{year}{:02}{:02}{:03}",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(1, 999)
    );
    let id = format!("{body}{}", check_char(body.as_bytes()));
    ResidentId::parse(&id, today).ok()
}

/// One case being walked through its workflow.
struct Draft {
    case: Case,
    parties: Vec<Party>,
    clocks: Vec<Clock>,
    events: Vec<Event>,
    replies: Vec<Reply>,
    assessments: Vec<Assessment>,
    referrals: Vec<Referral>,
    mediations: Vec<Mediation>,
    follow_ups: Vec<FollowUp>,
}

impl Draft {
    fn event(
        &mut self,
        at: time::Timestamp,
        who: &(Id, String),
        agency: &str,
        kind: &str,
        detail: &str,
        public: bool,
    ) {
        self.events.push(Event {
            id: Id::new().to_string(),
            case_id: self.case.id.to_string(),
            at: time::to_millis(at),
            actor_id: Some(who.0.to_string()),
            actor_name: who.1.clone(),
            agency_name: agency.to_owned(),
            kind: kind.to_owned(),
            detail: detail.to_owned(),
            public: i64::from(public),
        });
    }

    fn meet(&mut self, kinds: &[ClockKind], at: time::Timestamp) {
        for k in &mut self.clocks {
            if kinds.contains(&k.kind) && k.state == ClockState::Running {
                k.state = ClockState::Met;
                k.met_at = Some(at);
            }
        }
    }

    fn open(&mut self, clocks: &Clocks, trigger: Trigger, at: time::Timestamp, seq: i64) {
        let started = clocks.started(self.case.id, self.case.kind, trigger, time::local_date(at), seq);
        self.clocks.extend(started);
    }
}

impl App {
    /// Adds `n` demo cases unless there are cases already. Returns how many were added.
    pub async fn seed_demo_cases(&self, ctx: &Ctx, n: usize) -> Result<usize, AppError> {
        self.authorize_system(ctx, "seed_demo_cases").await?;
        let mut tx = self.db().begin().await?;
        let (existing, _) = cases::list_cases(
            tx.conn(),
            &cases::CaseFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await?;
        if !existing.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let today = time::local_date(now);
        let c = tx.conn();
        let villages = demo_villages(c, now).await?;
        let agencies = reference::agency_list(c, &Default::default()).await?;
        let by_kind = |k: AgencyKind| agencies.iter().find(|a| a.kind == k).cloned();
        let (Some(jcy), Some(petition_bureau)) = (
            by_kind(AgencyKind::Procuratorate),
            by_kind(AgencyKind::PetitionBureau),
        ) else {
            return Err(AppError::NotFound);
        };
        let user = |u: Option<gongzhi_store::users::User>| {
            u.map(|u| (u.id, u.display_name)).ok_or(AppError::NotFound)
        };
        let staff = Staff {
            prosecutor: user(gongzhi_store::users::by_username(c, "demo_prosecutor").await?)?,
            reception: user(gongzhi_store::users::by_username(c, "demo_reception").await?)?,
            grid: user(gongzhi_store::users::by_username(c, "demo_grid").await?)?,
            chief: user(gongzhi_store::users::by_username(c, "demo_chief").await?)?.1,
            partner: user(gongzhi_store::users::by_username(c, "demo_partner").await?)?,
        };
        let clocks = Clocks::load(c).await?;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Received times first, so that numbers follow the order of receipt.
        let mut times: Vec<time::Timestamp> = (0..n)
            .map(|_| {
                let days_ago = rng.range(0, 729);
                let minutes = rng.range(8 * 60 + 30, 17 * 60 + 30);
                time::start_of_local_day(today - chrono::Days::new(u64::try_from(days_ago).unwrap_or(0)))
                    + Duration::minutes(minutes)
            })
            .filter(|t| *t < now)
            .collect();
        times.sort();
        let mut meeting_queue: Vec<(Id, Id, time::Timestamp)> = Vec::new();
        let mut added = 0;
        let world = World {
            clocks,
            staff,
            agencies: agencies.clone(),
            jcy: jcy.clone(),
            now,
            today,
        };
        for received in times {
            let roll = rng.below(100);
            let kind = match roll {
                0..=47 => CaseKind::Dispute,
                48..=79 => CaseKind::Petition,
                80..=91 => CaseKind::GovPetition,
                _ => CaseKind::MinorCriminal,
            };
            let (village, township) = rng.pick(&villages).clone();
            let owner = match kind {
                CaseKind::Petition | CaseKind::MinorCriminal => jcy.clone(),
                CaseKind::GovPetition => petition_bureau.clone(),
                CaseKind::Dispute => agencies
                    .iter()
                    .find(|a| a.kind == AgencyKind::GovernanceCentre && a.org_unit_id == township.id)
                    .cloned()
                    .unwrap_or_else(|| jcy.clone()),
            };
            let mut d = self
                .draft(tx.conn(), &mut rng, &world, kind, received, (&village, &owner))
                .await?;
            self.walk(&mut d, &mut rng, &world, &owner);
            let case_id = d.case.id;
            write(tx.conn(), &d).await?;
            if d.case.category_code == "LAW_RELATED" || d.assessments.iter().any(|a| a.level != "low") {
                meeting_queue.push((case_id, owner.id, received));
                if meeting_queue.len() == 3 {
                    self.demo_meeting(tx.conn(), &mut rng, &world, &meeting_queue)
                        .await?;
                    meeting_queue.clear();
                }
            }
            added += 1;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn draft(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
        kind: CaseKind,
        received: time::Timestamp,
        (village, owner): (&OrgUnit, &Agency),
    ) -> Result<Draft, AppError> {
        let (clocks, today) = (&w.clocks, w.today);
        let story = loop {
            let s = rng.pick(STORIES);
            let fits = match kind {
                CaseKind::Petition => matches!(
                    s.0,
                    "LAW_RELATED" | "LAND_ACQUISITION" | "LABOUR" | "VILLAGE_AFFAIRS" | "OTHER" | "CONTRACT"
                ),
                CaseKind::MinorCriminal => matches!(
                    s.0,
                    "NEIGHBOUR" | "HOUSING_HOMESTEAD" | "MARRIAGE_FAMILY" | "DAMAGES"
                ),
                CaseKind::GovPetition => !matches!(s.0, "LAW_RELATED"),
                CaseKind::Dispute => s.0 != "LAW_RELATED",
            };
            if fits {
                break *s;
            }
        };
        let (a, b) = (name(rng), name(rng));
        let place = village.name.trim_start_matches("演示·").to_owned();
        let amount = (rng.range(3, 400) * 500).to_string();
        let people = rng.range(2, 12).to_string();
        let fill = |s: &str| {
            s.replace("{p}", &place)
                .replace("{a}", &a)
                .replace("{b}", &b)
                .replace("{m}", &amount)
                .replace("{n}", &people)
        };
        let title = if kind == CaseKind::MinorCriminal {
            let cause = match story.0 {
                "NEIGHBOUR" => "邻里纠纷",
                "HOUSING_HOMESTEAD" => "宅基地纠纷",
                "MARRIAGE_FAMILY" => "家庭纠纷",
                _ => "民间纠纷",
            };
            format!("{a}涉嫌故意伤害案（{cause}引发）")
        } else {
            fill(story.1)
        };
        let channel = match kind {
            CaseKind::Petition => *rng.pick(CHANNELS_PETITION),
            CaseKind::Dispute => *rng.pick(CHANNELS_DISPUTE),
            CaseKind::GovPetition => Channel::Referral,
            CaseKind::MinorCriminal => Channel::CaseHandling,
        };
        let anonymous = kind == CaseKind::Petition && rng.chance(3);
        let urgent = rng.chance(3);
        let year = time::local_date(received).year();
        let seq = cases::next_seq(&mut *conn, owner.id, year).await?;
        let id = Id::new();
        let exempt = if anonymous {
            "匿名信访，无法答复"
        } else {
            ""
        };
        let case = Case {
            id,
            number: case_number(DEFAULT_NUMBER_PATTERN, &owner.short_name, kind, year, seq),
            kind,
            status: kind.initial(channel),
            level: None,
            channel,
            category_code: story.0.to_owned(),
            category_name: String::new(),
            place_id: Some(village.id),
            place_name: String::new(),
            place_code: String::new(),
            grid_id: None,
            grid_name: String::new(),
            title: title.chars().take(100).collect(),
            narrative: fill(story.2),
            received_at: received,
            urgent,
            anonymous,
            exempt_reason: exempt.to_owned(),
            owner_agency_id: owner.id,
            owner_agency_name: owner.name.clone(),
            handler_id: None,
            handler_name: String::new(),
            created_by: None,
            related_case_id: None,
            tracking_code: (!anonymous && kind != CaseKind::MinorCriminal).then(|| {
                let bytes: Vec<u8> = (0..10)
                    .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
                    .collect();
                gongzhi_domain::case::tracking_code(&bytes)
            }),
            tracking_phone: None,
            reconciliation: String::new(),
            risk_level: None,
            risk_stale_after: 0,
            closed_at: None,
            version: 1,
            created_at: received,
            updated_at: received,
            public_title: String::new(),
            public_reply: String::new(),
            published_by_name: String::new(),
            published_at: None,
            source_key_id: None,
            public_id: (channel == Channel::Portal).then(crate::case::new_public_id),
            minor_involved: false,
            has_minor: false,
        };
        let mut d = Draft {
            case,
            parties: Vec::new(),
            clocks: Vec::new(),
            events: Vec::new(),
            replies: Vec::new(),
            assessments: Vec::new(),
            referrals: Vec::new(),
            mediations: Vec::new(),
            follow_ups: Vec::new(),
        };
        let roles: &[&str] = match kind {
            CaseKind::MinorCriminal => &["victim", "suspect"],
            _ if anonymous => &[],
            _ => &["petitioner", "respondent"],
        };
        for (i, role) in roles.iter().enumerate() {
            let pname = if i == 0 { a.clone() } else { b.clone() };
            let rid = resident_id(rng, today);
            let phone = Phone::parse(&format!(
                "1{}{:09}",
                rng.pick(&["38", "39", "51", "58", "77", "89"]),
                rng.range(0, 999_999_999)
            ))
            .ok();
            if i == 0
                && let (Some(code), Some(ph)) = (&d.case.tracking_code, &phone)
            {
                d.case.tracking_phone = Some(self.tracking_key(code, ph.last4()));
            }
            d.parties.push(Party {
                id: Id::new().to_string(),
                case_id: id.to_string(),
                seq: i64::try_from(i).unwrap_or(0),
                role: (*role).to_owned(),
                name: pname,
                sex: rid
                    .as_ref()
                    .map(|r| r.sex().code().to_owned())
                    .unwrap_or_default(),
                birth_year: rid.as_ref().map(|r| i64::from(r.birth_date().year())),
                id_enc: rid
                    .as_ref()
                    .map(|r| self.cipher().encrypt(r.as_str()))
                    .transpose()?,
                id_index: rid.as_ref().map(|r| self.cipher().blind_index(r.as_str())),
                id_masked: rid.as_ref().map(ResidentId::masked).unwrap_or_default(),
                phone_enc: phone
                    .as_ref()
                    .map(|p| self.cipher().encrypt(p.as_str()))
                    .transpose()?,
                phone_masked: phone.as_ref().map(Phone::masked).unwrap_or_default(),
                address_enc: Some(self.cipher().encrypt(&format!(
                    "甘州区{place}{}社{}号",
                    rng.range(1, 9),
                    rng.range(1, 80)
                ))?),
                minor: i64::from(rid.as_ref().is_some_and(|r| r.is_minor_on(today))),
                elderly: i64::from(rid.as_ref().is_some_and(|r| r.age_on(today) >= 60)),
                disabled: i64::from(rng.chance(3)),
                impoverished: i64::from(rng.chance(6)),
            });
        }
        d.open(clocks, Trigger::Received, received, 1);
        if urgent {
            d.open(clocks, Trigger::Urgent, received, 1);
        }
        if anonymous {
            for k in &mut d.clocks {
                if matches!(k.kind, ClockKind::ProceduralReply | ClockKind::ResultReply) {
                    k.state = ClockState::Exempt;
                    k.note = exempt.to_owned();
                }
            }
        }
        Ok(d)
    }

    /// Walks a draft through its workflow up to `now`, with realistic delays.
    fn walk(&self, d: &mut Draft, rng: &mut Rng, w: &World, owner: &Agency) {
        let staff = &w.staff;
        let kind = d.case.kind;
        let who = match kind {
            CaseKind::Dispute => staff.grid.clone(),
            CaseKind::GovPetition => staff.partner.clone(),
            _ => staff.reception.clone(),
        };
        let handler = match kind {
            CaseKind::Dispute => staff.grid.clone(),
            CaseKind::GovPetition => staff.partner.clone(),
            _ => staff.prosecutor.clone(),
        };
        let agency = owner.name.clone();
        let at = d.case.received_at;
        d.event(
            at,
            &who,
            &agency,
            "registered",
            &format!("{}｜{}", d.case.number, d.case.channel.code()),
            true,
        );
        // The path, with delays in hours.
        let path: Vec<(Command, i64)> = match kind {
            CaseKind::Petition => {
                let decision = match rng.below(100) {
                    0..=84 => Command::Accept,
                    85..=92 => Command::NotAccept,
                    _ => Command::TransferOut,
                };
                let mut p = Vec::new();
                if d.case.status == Status::Received {
                    p.push((Command::Register, rng.range(1, 20)));
                }
                let late = rng.chance(4);
                p.push((
                    Command::ReplyProcedural,
                    if late {
                        rng.range(8 * 24, 12 * 24)
                    } else {
                        rng.range(4, 6 * 24)
                    },
                ));
                p.push((decision, rng.range(1, 24)));
                if decision == Command::Accept {
                    p.push((Command::StartHandling, rng.range(12, 96)));
                    p.push((Command::ReplyResult, rng.range(15 * 24, 120 * 24)));
                }
                p.push((Command::Close, rng.range(24, 10 * 24)));
                p
            }
            CaseKind::Dispute => {
                let mut p = Vec::new();
                if d.case.status == Status::Received {
                    p.push((Command::Register, rng.range(1, 20)));
                }
                p.push((Command::Grade, rng.range(1, 24)));
                p.push((Command::Assign, rng.range(1, 24)));
                p.push((Command::StartMediation, rng.range(4, 72)));
                match rng.below(100) {
                    0..=72 => p.push((Command::Resolve, rng.range(24, 8 * 24))),
                    73..=87 => {
                        p.push((Command::Fail, rng.range(24, 5 * 24)));
                        p.push((Command::Escalate, rng.range(4, 48)));
                        p.push((Command::StartMediation, rng.range(4, 48)));
                        p.push((Command::Resolve, rng.range(24, 10 * 24)));
                    }
                    _ => {
                        p.push((Command::Divert, rng.range(24, 6 * 24)));
                        p.push((Command::Close, rng.range(24, 5 * 24)));
                        return self.run(d, rng, w, &who, &handler, p);
                    }
                }
                p.push((Command::StartFollowUp, rng.range(3 * 24, 15 * 24)));
                p.push((Command::Close, rng.range(24, 5 * 24)));
                p
            }
            CaseKind::GovPetition => {
                let mut p = vec![(Command::Route, rng.range(24, 13 * 24))];
                if rng.chance(9) {
                    p.push((Command::NotAccept, rng.range(24, 12 * 24)));
                } else {
                    p.push((Command::Accept, rng.range(24, 12 * 24)));
                    p.push((Command::StartHandling, rng.range(4, 48)));
                    p.push((Command::IssueOpinion, rng.range(10 * 24, 70 * 24)));
                    if rng.chance(10) {
                        p.push((Command::RequestReview, rng.range(5 * 24, 25 * 24)));
                        p.push((Command::IssueReviewOpinion, rng.range(5 * 24, 28 * 24)));
                    }
                }
                p.push((Command::Close, rng.range(24, 7 * 24)));
                p
            }
            CaseKind::MinorCriminal => {
                let mut p = vec![
                    (Command::Intervene, rng.range(24, 5 * 24)),
                    (Command::Investigate, rng.range(2 * 24, 10 * 24)),
                    (Command::TransferForReview, rng.range(10 * 24, 40 * 24)),
                ];
                let reconciled = rng.chance(60);
                if reconciled {
                    p.push((Command::StartReconciliation, rng.range(3 * 24, 10 * 24)));
                    p.push((Command::ReviewReconciliation, rng.range(2 * 24, 7 * 24)));
                    p.push((Command::DecideNonProsecution, rng.range(5 * 24, 20 * 24)));
                } else {
                    p.push((Command::DecideProsecution, rng.range(5 * 24, 20 * 24)));
                }
                p.push((Command::Announce, rng.range(24, 5 * 24)));
                p.push((Command::StartFollowUp, rng.range(10 * 24, 30 * 24)));
                p.push((Command::Close, rng.range(24, 10 * 24)));
                if reconciled {
                    d.case.reconciliation = r#"{"civil_dispute":true,"chapter_4_or_5":true,"negligent":false,"likely_sentence_years":1,"intentional_crime_within_5_years":false}"#.into();
                }
                p
            }
        };
        self.run(d, rng, w, &who, &handler, path);
    }

    fn run(
        &self,
        d: &mut Draft,
        rng: &mut Rng,
        w: &World,
        who: &(Id, String),
        handler: &(Id, String),
        path: Vec<(Command, i64)>,
    ) {
        let (clocks, staff, now) = (&w.clocks, &w.staff, w.now);
        let owner_name = d.case.owner_agency_name.clone();
        let agency = owner_name.as_str();
        let mut at = d.case.received_at;
        let mut risk = RiskFacts::default();
        let mut referred = false;
        let commands: Vec<Command> = path.iter().map(|(c, _)| *c).collect();
        // Some recent cases stall part-way, as some do: their clocks run over and the sweeper
        // escalates them.
        let recent = d.case.received_at > now - Duration::days(90);
        let stall = (recent && rng.chance(30)).then(|| rng.below(commands.len()));
        for (step, (cmd, hours)) in path.into_iter().enumerate() {
            if stall == Some(step) {
                break;
            }
            // What comes after this step decides how a mediation session ends.
            let then = commands.get(step + 1).copied();
            let next_at = at + Duration::hours(hours);
            if next_at >= now {
                break;
            }
            // Progress replies while a petition's result is pending for more than three months.
            if cmd == Command::ReplyResult && d.case.kind == CaseKind::Petition {
                let mut seq = 0;
                while let Some(k) = d
                    .clocks
                    .iter()
                    .find(|k| {
                        matches!(k.kind, ClockKind::ResultReply | ClockKind::ProgressReply)
                            && k.state == ClockState::Running
                    })
                    .cloned()
                {
                    let due = time::start_of_local_day(k.due_date) - Duration::days(rng.range(1, 5))
                        + Duration::hours(10);
                    if due >= next_at || due >= now {
                        break;
                    }
                    d.meet(&[ClockKind::ResultReply, ClockKind::ProgressReply], due);
                    seq += 1;
                    d.open(clocks, Trigger::ProgressReplied, due, seq);
                    self.reply(d, "progress", due, handler, agency);
                }
            }
            if workflow::is_decision(cmd) && risk.current.is_none() {
                let a = self.demo_assessment(d, rng, handler, &staff.chief, next_at - Duration::hours(2));
                risk = RiskFacts {
                    current: RiskLevel::parse(&a.level),
                    signed_off: a.signed_off_at.is_some(),
                    has_plan: !a.plan.is_empty(),
                };
                d.case.risk_level = RiskLevel::parse(&a.level);
                d.assessments.push(a);
            }
            let Ok(out) = workflow::next(d.case.kind, d.case.status, cmd, d.case.level, risk) else {
                break;
            };
            at = next_at;
            d.case.status = out.to;
            d.case.level = out.level;
            d.case.updated_at = at;
            let actor = if workflow::is_decision(cmd) { handler } else { who };
            let public = matches!(
                cmd,
                Command::Register
                    | Command::Accept
                    | Command::NotAccept
                    | Command::TransferOut
                    | Command::Close
                    | Command::Route
            );
            match cmd {
                Command::ReplyProcedural => {
                    d.meet(&[ClockKind::ProceduralReply, ClockKind::UrgentHandling], at);
                    self.reply(d, "procedural", at, who, agency);
                }
                Command::ReplyResult => {
                    d.meet(&[ClockKind::ResultReply, ClockKind::ProgressReply], at);
                    self.reply(d, "result", at, handler, agency);
                }
                Command::StartHandling | Command::Assign | Command::Intervene => {
                    d.case.handler_id = Some(handler.0);
                    d.meet(&[ClockKind::UrgentHandling], at);
                }
                Command::Route => {
                    d.meet(&[ClockKind::Routing], at);
                    d.open(clocks, Trigger::Routed, at, 1);
                }
                Command::Accept if d.case.kind == CaseKind::GovPetition => {
                    d.meet(&[ClockKind::Acceptance], at);
                    d.open(clocks, Trigger::Accepted, at, 1);
                }
                Command::IssueOpinion => d.meet(&[ClockKind::Handling], at),
                Command::RequestReview => d.open(clocks, Trigger::ReviewRequested, at, 1),
                Command::IssueReviewOpinion => d.meet(&[ClockKind::ReviewOpinion], at),
                Command::StartMediation => {
                    let (outcome, agreement) = match then {
                        Some(Command::Resolve) => ("agreed", true),
                        Some(Command::Fail | Command::Divert) => ("failed", false),
                        _ => ("continued", false),
                    };
                    let held = at + Duration::hours(rng.range(1, 20));
                    if held < now {
                        let date = time::local_date(held);
                        let mediator = format!("孙调解员{}", rng.range(1, 3));
                        d.event(
                            held,
                            handler,
                            agency,
                            &format!("mediation-{outcome}"),
                            &mediator,
                            agreement,
                        );
                        d.mediations.push(Mediation {
                            id: Id::new().to_string(),
                            case_id: d.case.id.to_string(),
                            mediator,
                            held_at: time::to_millis(held),
                            place: format!("{}调解室", d.case.owner_agency_name.replace("综治中心", "")),
                            attendees: d.parties.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join("、"),
                            outcome: outcome.into(),
                            notes: "双方陈述了各自意见，调解员释法说理。".into(),
                            agreement: if agreement { "双方自愿达成协议：一方于十五日内一次性支付约定款项，另一方放弃其他请求，双方今后和睦相处。".into() } else { String::new() },
                            agreement_date: agreement.then(|| date.to_string()),
                            created_by_name: handler.1.clone(),
                            created_at: time::to_millis(held),
                        });
                        if agreement {
                            d.open(clocks, Trigger::Agreement, held, 1);
                        }
                    }
                }
                Command::Resolve | Command::Divert => {
                    d.meet(&[ClockKind::GridClosure, ClockKind::UrgentHandling], at)
                }
                Command::StartFollowUp => {
                    d.meet(&[ClockKind::JudicialConfirmation], at);
                    d.follow_ups.push(FollowUp {
                        id: Id::new().to_string(),
                        case_id: d.case.id.to_string(),
                        at: time::to_millis(at),
                        by_name: handler.1.clone(),
                        satisfaction: rng
                            .pick(&["satisfied", "satisfied", "satisfied", "basically", "unsatisfied"])
                            .to_string(),
                        notes: "电话回访，当事人表示协议已履行。".into(),
                    });
                }
                Command::Close => {
                    d.case.closed_at = Some(at);
                    for k in &mut d.clocks {
                        if k.state == ClockState::Running {
                            k.state = ClockState::Exempt;
                            k.note = "案件已办结".into();
                        }
                    }
                }
                _ => {}
            }
            let note = match cmd {
                Command::NotAccept => "经审查，反映事项已经法院生效裁判处理，依法不予受理。",
                Command::TransferOut => "不属于本院管辖，已移送有权处理机关。",
                Command::Fail => "双方分歧较大，本级调解未能达成一致。",
                Command::Divert => "引导当事人通过诉讼途径解决。",
                _ => "",
            };
            if !matches!(cmd, Command::ReplyProcedural | Command::ReplyResult) {
                d.event(at, actor, agency, &format!("cmd-{}", cmd.code()), note, public);
            }
            // Some cases are referred to another agency early on.
            if !referred && matches!(cmd, Command::Accept | Command::Assign) && rng.chance(14) {
                referred = true;
                self.demo_referral(d, rng, w, at, handler, agency);
            }
        }
    }

    fn reply(&self, d: &mut Draft, kind: &str, at: time::Timestamp, who: &(Id, String), agency: &str) {
        let channel = if d.case.channel == Channel::Portal {
            "portal"
        } else {
            "phone"
        };
        let body = match kind {
            "procedural" => format!(
                "您反映的“{}”（{}）我院已收悉，经审查已依法受理，我们将认真办理并在三个月内答复办理结果。",
                d.case.title, d.case.number
            ),
            "progress" => format!(
                "您反映的“{}”（{}）正在办理中，承办人已调阅相关材料并听取各方意见，我们将及时告知进展。",
                d.case.title, d.case.number
            ),
            _ => format!(
                "您反映的“{}”（{}）已办理完毕。经调查核实，已督促相关单位依法处理，如对答复有异议，可依法申请复查。",
                d.case.title, d.case.number
            ),
        };
        if d.case.anonymous {
            return;
        }
        d.replies.push(Reply {
            id: Id::new().to_string(),
            case_id: d.case.id.to_string(),
            kind: kind.into(),
            channel: channel.into(),
            body,
            sent_at: time::to_millis(at),
            sent_by_name: who.1.clone(),
            agency_name: agency.to_owned(),
        });
        d.event(at, who, agency, &format!("reply-{kind}"), channel, true);
    }

    fn demo_assessment(
        &self,
        d: &Draft,
        rng: &mut Rng,
        who: &(Id, String),
        chief: &str,
        at: time::Timestamp,
    ) -> Assessment {
        let input = RiskInput {
            people: if rng.chance(8) {
                u32::try_from(rng.range(5, 30)).unwrap_or(5)
            } else {
                1
            },
            earlier_petitions: if rng.chance(15) { 2 } else { 0 },
            extreme_words: rng.chance(4),
            vulnerable_party: d
                .parties
                .iter()
                .any(|p| p.minor + p.elderly + p.disabled + p.impoverished > 0),
            amount_yuan: rng.range(0, 300_000),
            media_attention: rng.chance(3),
            earlier_escalation: rng.chance(6),
            long_running: rng.chance(8),
        };
        let r = risk::assess(&input);
        let plan = if r.level == RiskLevel::Low {
            String::new()
        } else {
            "落实包案领导，承办人每周联系当事人一次，释法说理，必要时组织听证和司法救助。".to_owned()
        };
        Assessment {
            id: Id::new().to_string(),
            case_id: d.case.id.to_string(),
            ruleset: risk::RULESET_VERSION.into(),
            inputs: serde_json::to_string(&input).unwrap_or_default(),
            factors: r
                .factors
                .iter()
                .map(|(f, p)| format!("{}:{p}", f.code()))
                .collect::<Vec<_>>()
                .join(","),
            score: i64::from(r.score),
            level: r.level.code().into(),
            note: String::new(),
            assessor_id: Some(who.0.to_string()),
            assessor_name: who.1.clone(),
            at: time::to_millis(at),
            plan,
            signed_off_by: if r.level == RiskLevel::High {
                chief.to_owned()
            } else {
                String::new()
            },
            signed_off_at: (r.level == RiskLevel::High).then(|| time::to_millis(at + Duration::hours(1))),
        }
    }

    fn demo_referral(
        &self,
        d: &mut Draft,
        rng: &mut Rng,
        w: &World,
        at: time::Timestamp,
        who: &(Id, String),
        agency: &str,
    ) {
        let (clocks, agencies, now) = (&w.clocks, &w.agencies, w.now);
        let candidates: Vec<&Agency> = agencies
            .iter()
            .filter(|a| {
                a.id != d.case.owner_agency_id
                    && matches!(
                        a.kind,
                        AgencyKind::Police
                            | AgencyKind::Court
                            | AgencyKind::JusticeOffice
                            | AgencyKind::GovernanceCentre
                            | AgencyKind::HumanResources
                            | AgencyKind::CivilAffairs
                    )
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        let to = *rng.pick(&candidates);
        let id = Id::new();
        let Some(mut clock) =
            clocks.clock_of_days(d.case.id, ClockKind::ReferralFeedback, time::local_date(at), 15)
        else {
            return;
        };
        clock.referral_id = Some(id);
        let answered = at + Duration::hours(rng.range(2 * 24, 20 * 24));
        let (state, answer) = if answered >= now {
            ("pending", String::new())
        } else if rng.chance(15) {
            (
                "returned",
                "经核查，该事项不属于本单位职责范围，请转有关部门办理。".to_owned(),
            )
        } else {
            (
                "reported",
                "已组织双方当面沟通，相关问题已整改落实，当事人表示认可。".to_owned(),
            )
        };
        if state != "pending" {
            clock.state = ClockState::Met;
            clock.met_at = Some(answered);
        }
        d.referrals.push(Referral {
            id: id.to_string(),
            case_id: d.case.id.to_string(),
            from_agency_id: d.case.owner_agency_id.to_string(),
            from_agency_name: None,
            to_agency_id: to.id.to_string(),
            to_agency_name: None,
            note: "请协助核实情况并在期限内反馈处理结果。".into(),
            due_date: clock.due_date.to_string(),
            state: state.into(),
            answer,
            created_by_name: who.1.clone(),
            created_at: time::to_millis(at),
            answered_by_name: if state == "pending" {
                String::new()
            } else {
                format!("{}经办人", to.short_name)
            },
            answered_at: (state != "pending").then(|| time::to_millis(answered)),
            version: 1,
        });
        d.clocks.push(clock);
        d.event(
            at,
            who,
            agency,
            "referred",
            &format!("{}：请协助核实情况并在期限内反馈处理结果。", to.name),
            false,
        );
        if state != "pending" {
            d.event(answered, who, &to.name, &format!("referral-{state}"), "", false);
        }
    }

    async fn demo_meeting(
        &self,
        conn: &mut AnyConnection,
        rng: &mut Rng,
        w: &World,
        queue: &[(Id, Id, time::Timestamp)],
    ) -> Result<(), AppError> {
        let (jcy, agencies, staff, now) = (&w.jcy, &w.agencies, &w.staff, w.now);
        let Some(last) = queue.iter().map(|q| q.2).max() else {
            return Ok(());
        };
        let held = last + Duration::days(rng.range(2, 10));
        if held >= now {
            return Ok(());
        }
        let mut ids = vec![jcy.id];
        for (_, owner, _) in queue {
            if !ids.contains(owner) {
                ids.push(*owner);
            }
        }
        if let Some(police) = agencies.iter().find(|a| a.kind == AgencyKind::Police)
            && !ids.contains(&police.id)
        {
            ids.push(police.id);
        }
        let id = Id::new();
        casework::insert_meeting(
            conn,
            &Meeting {
                id: id.to_string(),
                title: format!("{}涉法涉诉矛盾纠纷共同研判会", time::local_date(held).format("%Y年%m月")),
                held_at: time::to_millis(held),
                place: "甘州区综治中心会商室".into(),
                conclusions: "一、对涉及的矛盾纠纷逐件分析研判，明确包案责任人；二、检察机关对涉法涉诉事项释法说理，必要时组织公开听证；三、属地乡镇落实稳控措施，两周内反馈进展。".into(),
                agency_id: jcy.id.to_string(),
                created_by_name: staff.prosecutor.1.clone(),
                created_at: time::to_millis(held),
            },
            &ids,
            &queue.iter().map(|q| q.0).collect::<Vec<_>>(),
        )
        .await?;
        let due = time::local_date(held) + chrono::Days::new(14);
        let task = Task {
            id: Id::new().to_string(),
            case_id: Some(queue[0].0.to_string()),
            source: "meeting".into(),
            source_id: id.to_string(),
            title: "约谈当事人并释法说理，反馈化解进展".into(),
            owner_id: staff.prosecutor.0.to_string(),
            owner_name: None,
            due_date: due.to_string(),
            done_at: None,
            created_at: time::to_millis(held),
            case_number: None,
        };
        casework::insert_task(&mut *conn, &task).await?;
        if held + Duration::days(14) < now {
            casework::finish_task(
                conn,
                task.id.parse().unwrap_or_default(),
                time::to_millis(held + Duration::days(rng.range(3, 13))),
            )
            .await?;
        }
        Ok(())
    }
}

async fn write(conn: &mut AnyConnection, d: &Draft) -> Result<(), AppError> {
    cases::insert_case(&mut *conn, &d.case).await?;
    for p in &d.parties {
        cases::insert_party(&mut *conn, p).await?;
    }
    for k in &d.clocks {
        cases::insert_clock(&mut *conn, k).await?;
    }
    for e in &d.events {
        cases::insert_event(&mut *conn, e).await?;
    }
    for r in &d.replies {
        casework::insert_reply(&mut *conn, r).await?;
    }
    for a in &d.assessments {
        casework::insert_assessment(&mut *conn, a).await?;
    }
    for r in &d.referrals {
        casework::insert_referral(&mut *conn, r).await?;
        if r.state != "pending" {
            let stored = casework::get_referral(&mut *conn, r.id.parse().unwrap_or_default()).await?;
            if let Some(s) = stored {
                casework::answer_referral(
                    &mut *conn,
                    &s,
                    &r.state,
                    &r.answer,
                    &r.answered_by_name,
                    r.answered_at.unwrap_or(r.created_at),
                )
                .await?;
            }
        }
    }
    for m in &d.mediations {
        casework::insert_mediation(&mut *conn, m).await?;
    }
    for f in &d.follow_ups {
        casework::insert_follow_up(&mut *conn, f).await?;
    }
    Ok(())
}

/// The demo villages, and two more per township that has none, so that cases spread over the whole
/// district. Each is marked 演示·.
async fn demo_villages(
    conn: &mut AnyConnection,
    now: time::Timestamp,
) -> Result<Vec<(OrgUnit, OrgUnit)>, AppError> {
    let townships = reference::org_by_level(&mut *conn, OrgLevel::Township).await?;
    let mut out = Vec::new();
    for t in townships {
        let mut villages = reference::org_children(&mut *conn, Some(t.id)).await?;
        if villages.is_empty() {
            let short = t
                .name
                .trim_end_matches("街道")
                .trim_end_matches("蒙古族乡")
                .trim_end_matches(['镇', '乡'])
                .to_owned();
            let street = t.name.ends_with("街道");
            let names = if street {
                [format!("演示·{short}社区"), format!("演示·{short}新村社区")]
            } else {
                [format!("演示·{short}村"), format!("演示·{short}新村")]
            };
            for (i, n) in names.iter().enumerate() {
                let base = if street { 1 } else { 201 };
                let code = format!("{}{:03}", &t.code[..9], base + i);
                let unit = OrgUnit {
                    id: Id::new(),
                    code,
                    name: n.clone(),
                    level: OrgLevel::Village,
                    parent_id: Some(t.id),
                    active: true,
                    version: 1,
                    coords: None,
                };
                reference::org_insert(&mut *conn, &unit, now).await?;
            }
            villages = reference::org_children(&mut *conn, Some(t.id)).await?;
        }
        for v in villages
            .into_iter()
            .filter(|v| v.level == OrgLevel::Village && v.active)
        {
            out.push((v, t.clone()));
        }
    }
    Ok(out)
}
