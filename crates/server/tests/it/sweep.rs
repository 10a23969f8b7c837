//! Sweeps over the router itself (`gongzhi_web::routes::catalogue`): every write, posted by
//! nobody, changes nothing; a NUL in any text field of any write is refused naming the field and
//! changes nothing; every role against every staff route gets exactly what its roles grant; a case
//! out of the caller's scope answers as a case that does not exist. A route added without a sample
//! body below fails the sweep until one is written.
use std::collections::BTreeMap;

use gongzhi_app::Security;
use gongzhi_test_support::{DEMO_PASSWORD, TestApp};
use gongzhi_web::routes::{RouteSpec, catalogue};
use serde_json::{Value, json};

/// Real ids to put into paths and bodies.
struct Ids {
    case: String,
    party: String,
    clock: String,
    user: String,
    agency: String,
    district: String,
    township: String,
    village: String,
    tracking: String,
    referral: String,
    notice: String,
    task: String,
    attachment: String,
}

impl Ids {
    /// A case of the procuratorate with a party and clocks, and a user to act upon.
    async fn make(t: &TestApp) -> Self {
        let reception = t.api("demo_reception").await;
        let village = t.org_id("620702104201").await;
        let (s, c) = reception
            .post(
                "/api/v1/cases",
                json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": village,
                    "title": "王某不服民事判决申请监督", "narrative": "认为判决认定事实错误。",
                    "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                    "parties": [{"role": "petitioner", "name": "王建国", "id_number": "11010519491231002X", "phone": "13812345678"}]}),
            )
            .await;
        assert_eq!(s, 200, "{c}");
        let case = c["id"].as_str().unwrap().to_owned();
        let first = |sql: String| {
            let t = &t;
            async move { t.rows(&sql).await[0][0].clone() }
        };
        let party = first(format!("SELECT id FROM case_party WHERE case_id = '{case}'")).await;
        let clock = first(format!("SELECT id FROM case_clock WHERE case_id = '{case}'")).await;
        let form = gongzhi_app::users::UserForm {
            username: "sweep_target".into(),
            display_name: "被操作账户".into(),
            agency_id: t.agency_id("GZ-JCY").await,
            roles: vec!["prosecutor".into()],
            password: "Target#2026gz".into(),
            active: true,
            version: 0,
        };
        let (u, _) = t.app.create_user(&t.system_ctx(), &form).await.unwrap();
        // A referral (which raises a notice), a task of a risk plan and an attachment, so that
        // the routes on them are tried on real rows.
        let prosecutor = t.api("demo_prosecutor").await;
        for (path, body) in [
            (
                "replies",
                json!({"kind": "procedural", "channel": "phone", "body": "已收悉"}),
            ),
            ("transitions", json!({"command": "accept"})),
            (
                "referrals",
                json!({"to_agency": t.agency_id("GZ-GAJ").await, "note": "请协助核实", "days": 10}),
            ),
            ("risk", json!({"people": 1, "note": "个人诉求"})),
            (
                "risk/plan",
                json!({"plan": "稳控", "tasks": [{"title": "回访", "owner": t.user_id("demo_prosecutor").await, "due": "2027-01-31"}]}),
            ),
        ] {
            let (s, e) = prosecutor
                .post(&format!("/api/v1/cases/{case}/{path}"), body)
                .await;
            assert_eq!(s, 200, "{path}: {e}");
        }
        let pdf = reqwest::multipart::Form::new().part(
            "attachments",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 sweep".to_vec()).file_name("判决书.pdf"),
        );
        let res = prosecutor
            .c
            .post(format!("{}/api/v1/cases/{case}/attachments", t.base))
            .bearer_auth(&prosecutor.token)
            .multipart(pdf)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let referral = first(format!("SELECT id FROM referral WHERE case_id = '{case}'")).await;
        let notice = first("SELECT id FROM notice".to_owned()).await;
        let task = first(format!("SELECT id FROM task WHERE case_id = '{case}'")).await;
        let attachment = first(format!("SELECT id FROM attachment WHERE case_id = '{case}'")).await;
        Self {
            referral,
            notice,
            task,
            attachment,
            tracking: c["tracking_code"].as_str().unwrap().to_owned(),
            case,
            party,
            clock,
            user: u.id.to_string(),
            agency: t.agency_id("GZ-GAJ").await,
            district: t.org_id("620702000000").await,
            township: t.org_id("620702104000").await,
            village,
        }
    }

    fn fill(&self, path: &str) -> String {
        let random = "01900000-0000-7000-8000-000000000000";
        let id = if path.starts_with("/cases/") || path.starts_with("/api/v1/cases/") {
            self.case.as_str()
        } else if path.starts_with("/referrals/") || path.starts_with("/api/v1/referrals/") {
            self.referral.as_str()
        } else if path.starts_with("/notices/") {
            self.notice.as_str()
        } else if path.starts_with("/tasks/") || path.starts_with("/api/v1/tasks/") {
            self.task.as_str()
        } else if path.starts_with("/open311/") {
            ""
        } else {
            random
        };
        path.replace("{id}", id)
            .replace(
                "/open311/v2/requests/",
                &format!("/open311/v2/requests/{}.json", self.tracking),
            )
            .replace("{party}", &self.party)
            .replace("{task}", &self.task)
            .replace("{clock}", &self.clock)
            .replace("{att}", &self.attachment)
            .replace("{user}", &self.user)
            .replace("{agency}", &self.agency)
            .replace("{unit}", &self.district)
            .replace("{township}", &self.township)
            .replace("{village}", &self.village)
            .replace("{slot}", "judge")
            .replace("{helper}", random)
            .replace("{step}", "answer")
            .replace("{kind}", "suggestion")
            .replace("{year}", "2025")
            .replace("{code}", "procedural-accepted")
            .replace("{action}", "accept")
            .replace("{decision}", "refuse")
            .replace("{lang}", "zh")
            .replace("{name}", "app.css")
    }
}

/// A plausible body for a write.
#[derive(Clone)]
enum Body {
    Form(Vec<(&'static str, String)>),
    Multipart(Vec<(&'static str, String)>),
    Json(Value),
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn today() -> String {
    gongzhi_app::domain::time::local_date(chrono::Utc::now()).to_string()
}

/// A sample body for every write route, keyed by method and path as registered.
fn samples(ids: &Ids) -> BTreeMap<String, Body> {
    use Body::{Form, Json, Multipart};
    let case_fields = vec![
        ("kind", s("petition")),
        ("channel", s("visit")),
        ("category", s("LAW_RELATED")),
        ("place_id", ids.village.clone()),
        ("received_at", s("2026-12-01 09:00")),
        ("title", s("来访反映执行难")),
        ("narrative", s("判决生效两年仍未执行到位。")),
        ("parties[0].role", s("petitioner")),
        ("parties[0].name", s("马玉兰")),
        ("parties[0].phone", s("13993651234")),
        ("idem", s("sweep-1")),
    ];
    let entries: Vec<(&str, Body)> = vec![
        (
            "POST /admin/org",
            Form(vec![
                ("code", s("620702104299")),
                ("name", s("新村")),
                ("parent", ids.township.clone()),
            ]),
        ),
        (
            "POST /admin/org/{unit}",
            Form(vec![
                ("name", s("改名")),
                ("active", s("on")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /admin/agencies",
            Form(vec![
                ("code", s("GZ-TEST")),
                ("name", s("测试单位")),
                ("short_name", s("测试")),
                ("kind", s("court")),
                ("org_unit_code", s("620702000000")),
                ("phone", s("09368888888")),
                ("address", s("甘州区")),
            ]),
        ),
        (
            "POST /admin/agencies/{agency}",
            Form(vec![
                ("name", s("改名单位")),
                ("short_name", s("改")),
                ("kind", s("police")),
                ("active", s("on")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /admin/agencies/{agency}/superior",
            Form(vec![("superior_id", s(""))]),
        ),
        (
            "POST /api/v1/agencies/{id}/superior",
            Json(json!({"superior_id": ""})),
        ),
        (
            "POST /admin/categories",
            Form(vec![
                ("mode", s("create")),
                ("code", s("NEW_KIND")),
                ("name", s("新类别")),
                ("name_en", s("new")),
                ("sort_order", s("99")),
            ]),
        ),
        (
            "POST /admin/calendar",
            Form(vec![
                ("day", s("2027-01-01")),
                ("kind", s("rest")),
                ("name", s("元旦")),
            ]),
        ),
        (
            "POST /admin/risk-rules",
            Form(vec![
                ("version", s("2027.1")),
                ("effective_from", s("2027-01-01")),
                ("medium_from", s("30")),
                ("high_from", s("60")),
                ("points.group_petition", s("30")),
                ("from.group_petition", s("5")),
                ("note", s("县级规则")),
            ]),
        ),
        (
            "POST /api/v1/risk-rules",
            Json(
                json!({"version": "2027.2", "effective_from": "2027-01-01", "medium_from": 30, "high_from": 60, "note": "县级规则", "factors": [{"factor": "group_petition", "points": 30, "from": 5}]}),
            ),
        ),
        ("POST /cases/{id}/risk/tasks/{task}/done", Form(vec![])),
        (
            "POST /cases/{id}/risk/refuse",
            Form(vec![("reason", s("任务不具体"))]),
        ),
        (
            "POST /cases/{id}/supervise",
            Form(vec![("note", s("请尽快化解"))]),
        ),
        (
            "POST /api/v1/cases/{id}/risk/refuse",
            Json(json!({"reason": "任务不具体"})),
        ),
        (
            "POST /api/v1/cases/{id}/supervise",
            Json(json!({"note": "请尽快化解"})),
        ),
        (
            "POST /cases/{id}/supervision/answer",
            Form(vec![("answer", s("已化解"))]),
        ),
        (
            "POST /api/v1/cases/{id}/supervision/answer",
            Json(json!({"answer": "已化解"})),
        ),
        ("POST /api/v1/tasks/{id}/done", Json(json!({}))),
        (
            "POST /cases/{id}/reconciliation/record",
            Form(vec![
                ("remorse", s("on")),
                ("compensation", s("赔偿医药费")),
                ("agreement_attachment", s("")),
            ]),
        ),
        (
            "POST /api/v1/cases/{id}/reconciliation/record",
            Json(json!({"remorse": true, "compensation": "赔偿医药费", "agreement_attachment": ""})),
        ),
        (
            "POST /admin/deadline-rules",
            Form(vec![
                ("base", s("proc-reply-7d")),
                ("amount", s("7")),
                ("unit", s("working_day")),
                ("next_day", s("on")),
                ("effective_from", s("2027-01-01")),
                ("region", s("*")),
                ("source", s("某省规定")),
            ]),
        ),
        (
            "POST /api/v1/deadline-rules",
            Json(
                json!({"base": "result-reply-3m", "amount": 3, "unit": "month", "effective_from": "2027-01-01", "region": "*", "source": "某省规定"}),
            ),
        ),
        (
            "POST /cases/{id}/contact-attempts",
            Form(vec![
                ("at", s("2026-12-01 09:00")),
                ("means", s("phone")),
                ("outcome", s("unanswered")),
                ("note", s("无人接听")),
            ]),
        ),
        (
            "POST /api/v1/cases/{id}/contact-attempts",
            Json(
                json!({"at": "2026-12-01 09:00", "means": "phone", "outcome": "unanswered", "note": "无人接听"}),
            ),
        ),
        (
            "POST /admin/calendar/notice",
            Form(vec![
                ("holidays[0].name", s("元旦")),
                ("holidays[0].from", s("2027-01-01")),
                ("holidays[0].to", s("2027-01-01")),
            ]),
        ),
        (
            "POST /admin/calendar/delete",
            Form(vec![("day", s("2026-10-01"))]),
        ),
        (
            "POST /admin/import",
            Multipart(vec![
                ("kind", s("categories")),
                ("text", s("code,name,name_en,sort_order\nX,某,x,1")),
            ]),
        ),
        (
            "POST /admin/users",
            Form(vec![
                ("username", s("intruder")),
                ("display_name", s("入侵者")),
                ("agency_id", ids.agency.clone()),
                ("roles", s("system_admin")),
                ("password", s("Intrude#2026x")),
            ]),
        ),
        (
            "POST /admin/users/{user}",
            Form(vec![
                ("display_name", s("改名")),
                ("agency_id", ids.agency.clone()),
                ("roles", s("chief_prosecutor")),
                ("active", s("on")),
                ("version", s("1")),
            ]),
        ),
        ("POST /admin/users/{user}/unlock", Form(vec![])),
        (
            "POST /admin/users/{user}/reset-password",
            Form(vec![("password", s("Taken#2026over"))]),
        ),
        ("POST /admin/users/{user}/reset-totp", Form(vec![])),
        ("POST /admin/users/{user}/revoke-sessions", Form(vec![])),
        (
            "POST /admin/lockouts/lift",
            Form(vec![("bucket", s("login:demo_grid"))]),
        ),
        (
            "POST /admin/roster/{township}",
            Form(vec![
                ("head_kind", s("chief_prosecutor")),
                ("person_name", s("某某")),
                ("agency_id", ids.agency.clone()),
            ]),
        ),
        ("POST /admin/roster/{township}/clear-patch", Form(vec![])),
        (
            "POST /admin/roster/village/{village}/{slot}",
            Form(vec![
                ("person_name", s("某法官")),
                ("agency_id", ids.agency.clone()),
                ("phone", s("13800000000")),
                ("township", ids.township.clone()),
                ("version", s("0")),
            ]),
        ),
        (
            "POST /admin/roster/village/{village}/{slot}/clear",
            Form(vec![("township", ids.township.clone())]),
        ),
        ("POST /cases/duplicates", Form(case_fields.clone())),
        ("POST /cases", Multipart(case_fields)),
        (
            "POST /cases/{id}/edit",
            Form(vec![
                ("title", s("改标题")),
                ("narrative", s("改案情")),
                ("category", s("LAW_RELATED")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /cases/{id}/transition",
            Form(vec![
                ("command", s("close")),
                ("note", s("结案")),
                ("handler_id", s("")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /cases/{id}/reply",
            Form(vec![
                ("kind", s("procedural")),
                ("channel", s("phone")),
                ("body", s("已收悉")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /cases/{id}/risk",
            Form(vec![
                ("people", s("3")),
                ("earlier_petitions", s("0")),
                ("amount_yuan", s("1000")),
                ("plan", s("释法说理")),
                ("note", s("评估")),
            ]),
        ),
        ("POST /cases/{id}/risk/sign-off", Form(vec![])),
        (
            "POST /cases/{id}/risk/plan",
            Form(vec![
                ("plan", s("稳控")),
                ("tasks[0].title", s("回访")),
                ("tasks[0].owner", ids.user.clone()),
                ("tasks[0].due", s("2026-12-31")),
            ]),
        ),
        (
            "POST /cases/{id}/refer",
            Form(vec![
                ("to_agency", ids.agency.clone()),
                ("note", s("请核查")),
                ("days", s("15")),
            ]),
        ),
        (
            "POST /cases/{id}/mediation",
            Form(vec![
                ("mediator", s("调解员")),
                ("held_at", s("2026-12-01T10:00")),
                ("place", s("村委会")),
                ("attendees", s("双方")),
                ("outcome", s("agreed")),
                ("notes", s("记录")),
                ("agreement", s("协议")),
                ("agreement_date", s("2026-12-01")),
            ]),
        ),
        (
            "POST /cases/{id}/follow-up",
            Form(vec![("satisfaction", s("satisfied")), ("notes", s("满意"))]),
        ),
        (
            "POST /cases/{id}/attachments",
            Multipart(vec![("note", s("附件说明"))]),
        ),
        (
            "POST /cases/{id}/clocks/{clock}/request",
            Form(vec![
                ("action", s("extend")),
                ("reason", s("案情复杂，申请延期")),
                ("days", s("10")),
            ]),
        ),
        (
            "POST /clock-requests/{id}/{decision}",
            Form(vec![("answer", s("理由不充分")), ("back", s("inbox"))]),
        ),
        (
            "POST /cases/{id}/clocks/{clock}",
            Form(vec![
                ("action", s("extend")),
                ("reason", s("延期")),
                ("days", s("10")),
            ]),
        ),
        (
            "POST /cases/{id}/reveal/{party}",
            Form(vec![("reason", s("核实身份"))]),
        ),
        (
            "POST /cases/{id}/reconciliation",
            Form(vec![
                ("civil_dispute", s("on")),
                ("likely_sentence_months", s("10")),
            ]),
        ),
        (
            "POST /cases/{id}/links",
            Form(vec![("other_id", ids.case.clone()), ("kind", s("repeat"))]),
        ),
        (
            "POST /cases/{id}/merge",
            Form(vec![("into", ids.case.clone()), ("version", s("1"))]),
        ),
        ("POST /cases/{id}/unmerge", Form(vec![("version", s("1"))])),
        (
            "POST /cases/{id}/publication",
            Form(vec![
                ("public_title", s("公开标题")),
                ("public_reply", s("公开答复")),
            ]),
        ),
        (
            "POST /referrals/{id}/{action}",
            Form(vec![("case", ids.case.clone()), ("text", s("已办理"))]),
        ),
        ("POST /tasks/{id}/done", Form(vec![])),
        ("POST /notices/{id}/read", Form(vec![])),
        (
            "POST /meetings",
            Form(vec![
                ("title", s("研判会")),
                ("held_at", s("2026-12-01T10:00")),
                ("place", s("会议室")),
                ("conclusions", s("结论")),
                ("agencies", ids.agency.clone()),
                ("cases", ids.case.clone()),
            ]),
        ),
        (
            "POST /admin/templates/{code}",
            Form(vec![
                ("name", s("模板")),
                ("body", s("内容")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /login",
            Form(vec![
                ("username", s("demo_grid")),
                ("password", s("wrong-password")),
            ]),
        ),
        (
            "POST /login/totp",
            Form(vec![("code", s("123456")), ("secret", s(""))]),
        ),
        ("POST /logout", Form(vec![])),
        (
            "POST /account/password",
            Form(vec![
                ("current", s("x")),
                ("new", s("New#2026pass")),
                ("confirm", s("New#2026pass")),
            ]),
        ),
        ("POST /account/logout-everywhere", Form(vec![])),
        (
            "POST /portal/submit",
            Multipart(vec![
                ("kind", s("dispute")),
                ("category", s("NEIGHBOUR")),
                ("place_id", ids.village.clone()),
                ("title", s("邻里纠纷")),
                ("narrative", s("邻居占道。")),
                ("parties[0].name", s("王芳")),
                ("parties[0].phone", s("13709361234")),
                ("captcha_token", s("forged")),
                ("captcha", s("1234")),
            ]),
        ),
        (
            "POST /portal/track",
            Form(vec![("code", ids.tracking.clone()), ("last4", s("0000"))]),
        ),
        (
            "POST /portal/feedback",
            Form(vec![
                ("code", ids.tracking.clone()),
                ("last4", s("0000")),
                ("satisfaction", s("satisfied")),
                ("notes", s("满意")),
            ]),
        ),
        (
            "POST /portal/material",
            Form(vec![
                ("code", ids.tracking.clone()),
                ("last4", s("0000")),
                ("material_note", s("补充材料")),
            ]),
        ),
        (
            "POST /open311/v2/requests.json",
            Form(vec![
                ("service_code", s("NEIGHBOUR")),
                ("description", s("邻居占道")),
                ("address_id", s("620702104201")),
                ("phone", s("13709361234")),
            ]),
        ),
        (
            "POST /api/v1/auth/login",
            Json(json!({"username": "demo_grid", "password": "wrong-password"})),
        ),
        ("POST /api/v1/auth/logout", Json(json!({}))),
        (
            "POST /api/v1/agencies",
            Json(
                json!({"code": "GZ-TEST", "name": "测试单位", "short_name": "测试", "kind": "court", "org_unit_code": "620702000000"}),
            ),
        ),
        (
            "POST /api/v1/users",
            Json(
                json!({"username": "intruder", "display_name": "入侵者", "agency_id": ids.agency, "roles": ["system_admin"], "password": "Intrude#2026x"}),
            ),
        ),
        (
            "POST /api/v1/cases",
            Json(
                json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": ids.village,
                "title": "来访反映执行难", "narrative": "判决未执行。", "received_at": "2026-12-01 09:00",
                "parties": [{"role": "petitioner", "name": "马玉兰", "phone": "13993651234"}]}),
            ),
        ),
        (
            "POST /api/v1/cases/duplicates",
            Json(
                json!({"kind": "petition", "channel": "visit", "category": "LAW_RELATED", "place_id": ids.village,
                "title": "来访反映执行难", "narrative": "判决未执行。", "received_at": "2026-12-01 09:00",
                "parties": [{"role": "petitioner", "name": "马玉兰", "phone": "13993651234"}]}),
            ),
        ),
        (
            "POST /api/v1/cases/{id}",
            Json(
                json!({"title": "改", "narrative": "改", "category": "LAW_RELATED", "urgent": false, "version": 1}),
            ),
        ),
        (
            "POST /api/v1/cases/{id}/risk/plan",
            Json(
                json!({"plan": "稳控", "tasks": [{"title": "回访", "owner": ids.user, "due": "2026-12-31"}]}),
            ),
        ),
        (
            "POST /api/v1/cases/{id}/reconciliation",
            Json(
                json!({"civil_dispute": true, "chapter_4_or_5": true, "negligent": false, "likely_sentence_years": 2, "intentional_crime_within_5_years": false}),
            ),
        ),
        (
            "POST /api/v1/cases/{id}/links",
            Json(json!({"other_id": ids.case, "kind": "repeat"})),
        ),
        (
            "POST /api/v1/cases/{id}/merge",
            Json(json!({"into": ids.case, "version": 1})),
        ),
        ("POST /api/v1/cases/{id}/unmerge", Json(json!({"version": 1}))),
        (
            "POST /api/v1/cases/{id}/publication",
            Json(json!({"title": "公开标题", "reply": "公开答复"})),
        ),
        (
            "POST /api/v1/cases/{id}/attachments",
            Multipart(vec![("note", s("附件说明"))]),
        ),
        (
            "POST /api/v1/cases/{id}/transitions",
            Json(json!({"command": "close", "note": "结案", "version": 1})),
        ),
        (
            "POST /api/v1/cases/{id}/replies",
            Json(json!({"kind": "procedural", "channel": "phone", "body": "已收悉", "version": 1})),
        ),
        (
            "POST /api/v1/cases/{id}/risk",
            Json(
                json!({"people": 3, "earlier_petitions": 0, "amount_yuan": 1000, "plan": "释法说理", "note": "评估"}),
            ),
        ),
        ("POST /api/v1/cases/{id}/risk/sign-off", Json(json!({}))),
        (
            "POST /api/v1/cases/{id}/referrals",
            Json(json!({"to_agency": ids.agency, "note": "请核查", "days": 15})),
        ),
        (
            "POST /api/v1/referrals/{id}",
            Json(json!({"action": "accept", "text": "收到"})),
        ),
        (
            "POST /api/v1/cases/{id}/mediations",
            Json(
                json!({"mediator": "调解员", "held_at": "2026-12-01 10:00", "place": "村委会", "attendees": "双方", "outcome": "agreed", "notes": "", "agreement": "协议", "agreement_date": "2026-12-01"}),
            ),
        ),
        (
            "POST /api/v1/cases/{id}/follow-ups",
            Json(json!({"satisfaction": "satisfied", "notes": "满意"})),
        ),
        (
            "POST /api/v1/cases/{id}/clocks/{clock}",
            Json(json!({"action": "extend", "reason": "延期", "days": 10})),
        ),
        (
            "POST /api/v1/cases/{id}/clocks/{clock}/requests",
            Json(json!({"action": "extend", "reason": "申请延期", "days": 10})),
        ),
        (
            "POST /api/v1/clock-requests/{id}/{decision}",
            Json(json!({"answer": "理由不充分"})),
        ),
        (
            "POST /api/v1/cases/{id}/parties/{party}/reveal",
            Json(json!({"reason": "核实身份"})),
        ),
        (
            "POST /hearings",
            Form(vec![
                ("case_id", ids.case.clone()),
                ("kind", s("petition")),
                ("origin", s("prosecutor")),
                ("topic", s("是否应予支持监督申请")),
                ("venue", s("hearing_room")),
            ]),
        ),
        (
            "POST /hearings/{id}/review",
            Form(vec![("decision", s("reject")), ("reason", s("不予批准"))]),
        ),
        (
            "POST /hearings/{id}/steps/{step}",
            Form(vec![("decision", s("refuse")), ("reason", s("无须听证"))]),
        ),
        (
            "POST /hearings/{id}/draw",
            Form(vec![("wanted", s("3")), ("expertise", s("土地"))]),
        ),
        (
            "POST /hearings/{id}/seats",
            Form(vec![("officer_id", ids.user.clone()), ("do", s("add"))]),
        ),
        (
            "POST /hearing-officers",
            Form(vec![
                ("name", s("赵德明")),
                ("category", s("npc_deputy")),
                ("birth_date", s("1970-03-01")),
                ("entry", s("applied")),
                ("available", s("on")),
            ]),
        ),
        (
            "POST /hearing-officers/{id}",
            Form(vec![
                ("name", s("赵德明")),
                ("category", s("npc_deputy")),
                ("birth_date", s("1970-03-01")),
                ("entry", s("applied")),
                ("version", s("1")),
            ]),
        ),
        (
            "POST /hearing-officers/{id}/review",
            Form(vec![("decision", s("refuse")), ("reason", s("不符合条件"))]),
        ),
        (
            "POST /api/v1/hearings",
            Json(
                json!({"case_id": ids.case, "kind": "petition", "origin": "prosecutor",
                "topic": "是否应予支持监督申请", "venue": "hearing_room"}),
            ),
        ),
        (
            "POST /api/v1/hearings/{id}/review",
            Json(json!({"approve": false, "reason": "不予批准"})),
        ),
        (
            "POST /api/v1/hearings/{id}/steps/{step}",
            Json(json!({"accept": false, "reason": "无须听证"})),
        ),
        (
            "POST /api/v1/hearings/{id}/draw",
            Json(json!({"wanted": 3, "expertise": "土地"})),
        ),
        (
            "POST /api/v1/hearings/{id}/seats",
            Json(json!({"officer_id": ids.user, "seat": true})),
        ),
        (
            "POST /api/v1/hearing-officers",
            Json(
                json!({"name": "赵德明", "category": "npc_deputy", "birth_date": "1970-03-01", "entry": "applied"}),
            ),
        ),
        (
            "PUT /api/v1/hearing-officers/{id}",
            Json(
                json!({"name": "赵德明", "category": "npc_deputy", "birth_date": "1970-03-01", "entry": "applied", "version": 1}),
            ),
        ),
        (
            "POST /api/v1/hearing-officers/{id}/review",
            Json(json!({"decision": "refuse", "reason": "不符合条件"})),
        ),
        (
            "POST /suggestions",
            Form(vec![
                ("kind", s("social_governance")),
                ("title", s("关于加强出租车管理的检察建议")),
                ("recipient_agency_id", ids.agency.clone()),
                ("cases", ids.case.clone()),
            ]),
        ),
        (
            "POST /suggestions/{id}/steps/{step}",
            Form(vec![("note", s("调查核实情况"))]),
        ),
        (
            "POST /api/v1/suggestions",
            Json(
                json!({"kind": "social_governance", "title": "关于加强出租车管理的检察建议",
                "recipient_agency_id": ids.agency, "cases": [ids.case]}),
            ),
        ),
        (
            "POST /api/v1/suggestions/{id}/steps/{step}",
            Json(json!({"note": "调查核实情况"})),
        ),
        (
            "POST /aid-cases",
            Form(vec![
                ("case_id", ids.case.clone()),
                ("party_id", ids.party.clone()),
                ("clue", s("因案致困")),
            ]),
        ),
        (
            "POST /aid-cases/{id}/steps/{step}",
            Form(vec![("note", s("已告知"))]),
        ),
        (
            "POST /api/v1/aid-cases",
            Json(json!({"case_id": ids.case, "party_id": ids.party, "clue": "因案致困"})),
        ),
        (
            "POST /api/v1/aid-cases/{id}/steps/{step}",
            Json(json!({"note": "已告知"})),
        ),
        (
            "PUT /api/v1/aid-wages/{year}",
            Json(json!({"monthly": 7500, "source": "统计公报"})),
        ),
        (
            "POST /education",
            Form(vec![
                ("kind", s("class")),
                ("topic", s("法治课")),
                ("starts_at", s("2026-12-20 09:30")),
                ("venue_kind", s("school")),
                ("place_id", ids.village.clone()),
                ("speakers", s("张检察官")),
            ]),
        ),
        (
            "POST /education/{id}/steps/{step}",
            Form(vec![("version", s("0")), ("summary", s("活动情况"))]),
        ),
        (
            "POST /api/v1/education-events",
            Json(
                json!({"kind": "class", "topic": "法治课", "starts_at": "2026-12-20 09:30", "venue_kind": "school",
                "place_id": ids.village, "speakers": "张检察官"}),
            ),
        ),
        (
            "POST /api/v1/education-events/{id}/steps/{step}",
            Json(json!({"summary": "活动情况"})),
        ),
        (
            "POST /cases/{id}/helpers",
            Form(vec![("slot", s("mediator")), ("person_name", s("王调解员"))]),
        ),
        ("POST /cases/{id}/helpers/{helper}/release", Form(vec![])),
        (
            "POST /api/v1/cases/{id}/helpers",
            Json(json!({"slot": "legal_adviser", "from_roster": true})),
        ),
        (
            "POST /api/v1/cases/{id}/helpers/{helper}/release",
            Json(json!({})),
        ),
        (
            "POST /api/v1/minors",
            Json(
                json!({"reporter_kind": "school", "reporter": {"organisation": "小学"}, "received_at": format!("{} 08:00", today()),
                "harm_kind": "abandonment", "guardian_situation": "left_behind", "child": {"name": "王某", "what": "无人照看"}}),
            ),
        ),
        ("POST /api/v1/minors/{id}/open", Json(json!({"reason": "核实"}))),
        (
            "POST /minors",
            Form(vec![
                ("reporter_kind", s("school")),
                ("reporter.organisation", s("小学")),
                ("received_at", format!("{} 08:00", today())),
                ("harm_kind", s("abandonment")),
                ("guardian_situation", s("left_behind")),
                ("child.name", s("王某")),
                ("child.what", s("无人照看")),
            ]),
        ),
        ("POST /minors/{id}/open", Form(vec![("reason", s("核实"))])),
        ("POST /minors/{id}/steps/{step}", Form(vec![("version", s("1"))])),
        ("POST /minors/{id}/grants", Form(vec![("user", ids.user.clone())])),
        (
            "POST /api/v1/minors/{id}/steps/{step}",
            Json(json!({"version": 1})),
        ),
        ("POST /api/v1/minors/{id}/grants", Json(json!({"user": ids.user}))),
        (
            "POST /api/v1/minors/children",
            Json(json!({"person": {"name": "王某"}, "guardian_situation": "left_behind"})),
        ),
        ("POST /api/v1/minors/{id}/child", Json(json!({}))),
        (
            "POST /api/v1/minors/children/{id}/open",
            Json(json!({"reason": "核实"})),
        ),
        (
            "POST /api/v1/minors/children/{id}/tasks",
            Json(
                json!({"protection": "school", "agency_id": ids.agency, "detail": "谈心", "due_on": today()}),
            ),
        ),
        (
            "POST /api/v1/minors/children/{id}/pairing",
            Json(json!({"mother": {"name": "张某"}})),
        ),
        (
            "POST /api/v1/minors/children/{id}/pairing/end",
            Json(json!({"end_reason": "搬家"})),
        ),
        (
            "POST /api/v1/minors/children/{id}/contacts",
            Json(json!({"kind": "guardian_contact", "on_day": today()})),
        ),
        (
            "POST /api/v1/minors/children/{id}/grants",
            Json(json!({"user": ids.user})),
        ),
        (
            "POST /api/v1/minors/children/{id}/close",
            Json(json!({"version": 1, "outcome": "已好转"})),
        ),
        (
            "POST /api/v1/minors/tasks/{id}/done",
            Json(json!({"version": 1, "note": "已谈心"})),
        ),
        (
            "POST /minors/children",
            Form(vec![
                ("person.name", s("王某")),
                ("guardian_situation", s("left_behind")),
            ]),
        ),
        ("POST /minors/{id}/child", Form(vec![])),
        (
            "POST /minors/children/{id}/open",
            Form(vec![("reason", s("核实"))]),
        ),
        (
            "POST /minors/children/{id}/tasks",
            Form(vec![
                ("protection", s("school")),
                ("agency_id", ids.agency.clone()),
                ("detail", s("谈心")),
                ("due_on", today()),
            ]),
        ),
        (
            "POST /minors/children/{id}/pairing",
            Form(vec![("mother.name", s("张某"))]),
        ),
        (
            "POST /minors/children/{id}/pairing/end",
            Form(vec![("end_reason", s("搬家"))]),
        ),
        (
            "POST /minors/children/{id}/contacts",
            Form(vec![("kind", s("guardian_contact")), ("on_day", today())]),
        ),
        (
            "POST /minors/children/{id}/grants",
            Form(vec![("user", ids.user.clone())]),
        ),
        (
            "POST /minors/children/{id}/close",
            Form(vec![("version", s("1")), ("outcome", s("已好转"))]),
        ),
        (
            "POST /minors/tasks/{id}/done",
            Form(vec![("version", s("1")), ("note", s("已谈心"))]),
        ),
        (
            "POST /grid/visits/plan",
            Form(vec![("village_id", ids.village.clone()), ("day", today())]),
        ),
        (
            "POST /grid/visits/{id}",
            Form(vec![
                ("version", s("1")),
                ("day", today()),
                ("place", s("村委会")),
            ]),
        ),
        (
            "POST /grid/assignments",
            Form(vec![
                ("user_id", ids.user.clone()),
                ("village_id", ids.village.clone()),
                ("rhythm", s("monthly")),
            ]),
        ),
        ("POST /grid/assignments/{id}/end", Form(vec![("version", s("1"))])),
        (
            "POST /grid/clues/{id}",
            Form(vec![("version", s("1")), ("action", s("take"))]),
        ),
        (
            "POST /api/v1/grid/visits",
            Json(
                json!({"village_id": ids.village, "visited_at": format!("{} 09:00", today()), "place": "村委会",
                "checklist": ["land_water"], "findings": [{"kind": "supervision", "summary": "河道堆放垃圾"}]}),
            ),
        ),
        (
            "POST /api/v1/grid/visits/{id}/log",
            Json(json!({"visited_at": format!("{} 09:00", today()), "version": 1})),
        ),
        (
            "POST /api/v1/grid/visits/plan",
            Json(json!({"village_id": ids.village, "day": today()})),
        ),
        (
            "POST /api/v1/grid/visits/{id}",
            Json(json!({"version": 1, "day": today()})),
        ),
        (
            "POST /api/v1/grid/assignments",
            Json(json!({"user_id": ids.user, "village_id": ids.village, "rhythm": "monthly"})),
        ),
        (
            "POST /api/v1/grid/assignments/{id}/end",
            Json(json!({"version": 1})),
        ),
        (
            "POST /api/v1/grid/clues/{id}",
            Json(json!({"version": 1, "action": "take"})),
        ),
        (
            "POST /admin/documents/{kind}",
            Multipart(vec![("note", s("模板说明"))]),
        ),
        ("POST /admin/documents/{kind}/reset", Form(vec![])),
        (
            "POST /reports",
            Form(vec![("period", s("2026-11")), ("note", s("十一月报"))]),
        ),
        (
            "POST /api/v1/returns",
            Json(json!({"period": "2026-11", "note": "十一月报"})),
        ),
        (
            "PUT /api/v1/document-templates/{kind}",
            Multipart(vec![("note", s("模板说明"))]),
        ),
        ("DELETE /api/v1/document-templates/{kind}", Json(json!({}))),
        (
            "POST /reception-days",
            Form(vec![
                ("leader_id", ids.user.clone()),
                ("day", today()),
                ("half", s("am")),
                ("place", s("检察长接待室")),
                ("capacity", s("5")),
            ]),
        ),
        (
            "POST /reception-days/{id}/steps/{step}",
            Form(vec![("version", s("0"))]),
        ),
        (
            "POST /reception-days/{id}/visits",
            Form(vec![
                ("name", s("马玉兰")),
                ("phone", s("13993651234")),
                ("matter", s("宅基地纠纷")),
            ]),
        ),
        (
            "POST /reception-visits/{id}/steps/{step}",
            Form(vec![("record", s("当场答复"))]),
        ),
        (
            "POST /portal/reception",
            Form(vec![
                ("slot", s("01900000-0000-7000-8000-000000000000")),
                ("name", s("马玉兰")),
                ("phone", s("13993651234")),
                ("matter", s("宅基地纠纷")),
            ]),
        ),
        (
            "POST /api/v1/reception-days",
            Json(
                json!({"leader_id": ids.user, "day": today(), "half": "pm", "place": "检察长接待室", "capacity": 5}),
            ),
        ),
        (
            "POST /api/v1/reception-days/{id}/steps/{step}",
            Json(json!({"version": 0})),
        ),
        (
            "POST /api/v1/reception-days/{id}/visits",
            Json(json!({"name": "马玉兰", "phone": "13993651234", "matter": "宅基地纠纷"})),
        ),
        (
            "POST /api/v1/reception-visits/{id}/steps/{step}",
            Json(json!({"record": "当场答复"})),
        ),
        (
            "POST /api/v1/meetings",
            Json(
                json!({"title": "研判会", "held_at": "2026-12-01 10:00", "place": "会议室", "conclusions": "结论",
                "agencies": [ids.agency], "cases": [ids.case], "items": [{"title": "回访", "owner": ids.user, "due": "2026-12-31"}]}),
            ),
        ),
    ];
    entries.into_iter().map(|(k, b)| (k.to_owned(), b)).collect()
}

fn writes() -> Vec<RouteSpec> {
    catalogue().into_iter().filter(|r| r.method != "GET").collect()
}

async fn send(
    c: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    body: &Body,
    token: Option<&str>,
) -> reqwest::Response {
    let mut rb = c.request(method.parse().unwrap(), format!("{base}{path}"));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    rb = match body {
        Body::Form(pairs) => rb.form(pairs),
        Body::Json(v) => rb.json(v),
        Body::Multipart(pairs) => {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in pairs {
                form = form.text(*k, v.clone());
            }
            form = form.part(
                "attachments",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 sweep".to_vec()).file_name("判决书.pdf"),
            );
            rb.multipart(form)
        }
    };
    rb.send().await.unwrap()
}

#[tokio::test]
async fn nobody_without_an_account_changes_anything_through_any_write() {
    let t = TestApp::spawn("sweepanon").await;
    let ids = Ids::make(&t).await;
    let samples = samples(&ids);
    let routes = writes();
    let missing: Vec<String> = routes
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .filter(|k| !samples.contains_key(k))
        .collect();
    assert!(
        missing.is_empty(),
        "write routes without a sample body: {missing:?}"
    );
    let before = t.snapshot().await;
    let anon = t.client();
    let mut sent = 0;
    for r in &routes {
        let key = format!("{} {}", r.method, r.path);
        let path = ids.fill(&r.path);
        let res = send(&anon, &t.base, r.method, &path, &samples[&key], None).await;
        let status = res.status().as_u16();
        assert!(status < 500, "{key}: {status}");
        if r.access.is_staff() {
            let to_login = status == 303 && res.headers()["location"].to_str().unwrap().starts_with("/login");
            assert!(
                to_login || status == 401,
                "{key} must refuse the public: {status}"
            );
        }
        sent += 1;
    }
    // Reading what staff read is refused too.
    for r in catalogue()
        .iter()
        .filter(|r| r.method == "GET" && r.access.is_staff())
    {
        let res = anon
            .get(format!("{}{}", t.base, ids.fill(&r.path)))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!(
            status == 401 || status == 303,
            "GET {} must refuse the public: {status}",
            r.path
        );
        sent += 1;
    }
    assert_eq!(
        t.snapshot().await,
        before,
        "no business row changed after {sent} anonymous requests"
    );
    eprintln!("anonymous requests: {sent}");
}

/// Every text value of a body, one at a time, with a NUL inside.
fn poisoned(body: &Body) -> Vec<(String, Body)> {
    let nul = |v: &str| format!("{v}\u{0}x");
    match body {
        Body::Form(pairs) | Body::Multipart(pairs) => (0..pairs.len())
            .map(|i| {
                let mut p = pairs.clone();
                p[i].1 = nul(&p[i].1);
                let b = if matches!(body, Body::Form(_)) {
                    Body::Form(p)
                } else {
                    Body::Multipart(p)
                };
                (pairs[i].0.to_owned(), b)
            })
            .collect(),
        Body::Json(v) => {
            let mut out = Vec::new();
            fn walk(v: &Value, path: String, out: &mut Vec<String>) {
                match v {
                    Value::String(_) => out.push(path),
                    Value::Array(a) => {
                        for (i, x) in a.iter().enumerate() {
                            walk(x, format!("{path}[{i}]"), out);
                        }
                    }
                    Value::Object(m) => {
                        for (k, x) in m {
                            walk(
                                x,
                                if path.is_empty() {
                                    k.clone()
                                } else {
                                    format!("{path}.{k}")
                                },
                                out,
                            );
                        }
                    }
                    _ => {}
                }
            }
            let mut paths = Vec::new();
            walk(v, String::new(), &mut paths);
            for p in paths {
                let mut copy = v.clone();
                let pointer = format!("/{}", p.replace(['.', '['], "/").replace(']', ""));
                if let Some(Value::String(s)) = copy.pointer_mut(&pointer) {
                    *s = nul(s);
                }
                out.push((p, Body::Json(copy)));
            }
            out
        }
    }
}

#[tokio::test]
async fn a_nul_in_any_text_field_of_any_write_is_refused_naming_the_field() {
    let t = TestApp::spawn("sweepnul").await;
    let ids = Ids::make(&t).await;
    let samples = samples(&ids);
    let browser = t.browser("demo_reception", DEMO_PASSWORD).await;
    let token = t.token("demo_reception").await;
    let before = t.snapshot().await;
    let mut sent = 0;
    for r in writes() {
        let key = format!("{} {}", r.method, r.path);
        let path = ids.fill(&r.path);
        let api = path.starts_with("/api/");
        for (field, body) in poisoned(&samples[&key]) {
            let res = send(
                &browser,
                &t.base,
                r.method,
                &path,
                &body,
                api.then_some(token.as_str()),
            )
            .await;
            assert_eq!(res.status(), 422, "{key} field {field}");
            let text = res.text().await.unwrap();
            if api {
                let v: Value = serde_json::from_str(&text).unwrap();
                assert!(
                    v["fields"].get(&field).is_some(),
                    "{key}: the field {field} is named: {v}"
                );
            } else if path.starts_with("/open311/") {
                let v: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v[0]["code"], 422, "{key}");
            } else {
                assert!(text.contains("不允许的字符"), "{key} {field}");
            }
            sent += 1;
        }
    }
    // Where nobody signs in: the API login, the portal's tracking, Open311 by id.
    let anon = t.client();
    let res = anon
        .post(format!("{}/api/v1/auth/login", t.base))
        .json(&json!({"username": "demo\u{0}grid", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.json::<Value>().await.unwrap()["fields"]["username"].is_string());
    let res = anon
        .post(format!("{}/portal/track", t.base))
        .form(&[("code", "AB\u{0}CD"), ("last4", "1234")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = anon
        .get(format!("{}/open311/v2/requests/AB%00CD.json", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()[0]["code"], 400);
    // A search term is cleaned, not refused; other query values are refused.
    let res = anon
        .get(format!("{}/api/v1/cases?q=%E7%8E%8B%00", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = anon
        .get(format!("{}/api/v1/cases?state=open%00", t.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        t.snapshot().await,
        before,
        "nothing stored after {sent} poisoned writes"
    );
    eprintln!("poisoned writes: {sent}");
}

#[tokio::test]
async fn every_role_against_every_staff_route_of_the_router() {
    let t = TestApp::spawn_with(
        "matrix",
        Security {
            admin_totp_required: false,
            ..Security::default()
        },
    )
    .await;
    let ids = Ids::make(&t).await;
    let samples = samples(&ids);
    let accounts = [
        ("demo_sysadmin", gongzhi_app::domain::Role::SystemAdmin),
        ("demo_secadmin", gongzhi_app::domain::Role::SecurityAdmin),
        ("demo_auditor", gongzhi_app::domain::Role::AuditAdmin),
        ("demo_chief", gongzhi_app::domain::Role::ChiefProsecutor),
        ("demo_prosecutor", gongzhi_app::domain::Role::Prosecutor),
        ("demo_assistant", gongzhi_app::domain::Role::ProsecutorAssistant),
        ("demo_reception", gongzhi_app::domain::Role::ReceptionClerk),
        ("demo_juvenile", gongzhi_app::domain::Role::JuvenileTeam),
        ("demo_hearing", gongzhi_app::domain::Role::HearingPoolManager),
        ("demo_partner", gongzhi_app::domain::Role::PartnerHandler),
        ("demo_grid", gongzhi_app::domain::Role::GridWorker),
        ("demo_leader", gongzhi_app::domain::Role::Leader),
        ("demo_centre_head", gongzhi_app::domain::Role::AgencyHead),
    ];
    assert_eq!(accounts.len(), gongzhi_app::domain::Role::ALL.len());
    let routes: Vec<RouteSpec> = catalogue().into_iter().filter(|r| r.access.is_staff()).collect();
    assert!(
        routes.iter().any(|r| r.path == "/cases/{id}/transition"),
        "page actions are in"
    );
    assert!(
        routes.iter().any(|r| r.path.starts_with("/api/v1/cases/{id}/")),
        "API operations are in"
    );
    let mut checked = 0;
    for (username, role) in accounts {
        let browser = t.browser(username, DEMO_PASSWORD).await;
        for r in &routes {
            let path = ids.fill(&r.path);
            let res = if r.method == "GET" {
                browser.get(format!("{}{path}", t.base)).send().await.unwrap()
            } else {
                let body = samples
                    .get(&format!("{} {}", r.method, r.path))
                    .cloned()
                    .unwrap_or(Body::Form(vec![]));
                send(&browser, &t.base, r.method, &path, &body, None).await
            };
            let status = res.status().as_u16();
            if r.access.admits(role) {
                // Admitted by role; a case of another agency may still be refused by scope, which
                // says so (not_owner), never as a role refusal.
                let scope_refusal = status == 403 && res.text().await.unwrap().contains("由其他单位办理");
                assert!(
                    (status != 403 || scope_refusal) && status != 401 && status < 500,
                    "{role} {} {}: {status}",
                    r.method,
                    r.path
                );
            } else {
                assert_eq!(status, 403, "{role} {} {} must be denied", r.method, r.path);
            }
            checked += 1;
        }
    }
    assert_eq!(checked, accounts.len() * routes.len());
    eprintln!("role × route requests: {checked}");
}

/// The answer without what differs between any two requests (the request id).
async fn answer(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let request_id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.text().await.unwrap();
    let body = if request_id.is_empty() {
        body
    } else {
        body.replace(&request_id, "")
    };
    (status, body)
}

/// Scope: every route on a case (page, form action, API operation), tried by each account that may
/// not see the case, answers exactly as it does for a case id that does not exist — same status,
/// same body — so nobody learns which cases exist in other agencies.
#[tokio::test]
async fn a_case_out_of_scope_answers_as_if_it_did_not_exist() {
    let t = TestApp::spawn_with(
        "scope",
        Security {
            admin_totp_required: false,
            ..Security::default()
        },
    )
    .await;
    let referred = Ids::make(&t).await;
    let samples = samples(&referred);
    // A second case of the procuratorate, referred to nobody: the police partner may not see it.
    let reception = t.api("demo_reception").await;
    let (s, c) = reception
        .post(
            "/api/v1/cases",
            json!({"kind": "petition", "channel": "letter", "category": "LAW_RELATED", "place_id": referred.village,
                "title": "李某申请监督", "narrative": "对裁定不服。",
                "received_at": gongzhi_app::domain::time::format_local(chrono::Utc::now()),
                "parties": [{"role": "petitioner", "name": "李秀英", "phone": "13912345678"}]}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let own = c["id"].as_str().unwrap().to_owned();
    let unreferred = Ids {
        party: t
            .rows(&format!("SELECT id FROM case_party WHERE case_id = '{own}'"))
            .await[0][0]
            .clone(),
        clock: t
            .rows(&format!("SELECT id FROM case_clock WHERE case_id = '{own}'"))
            .await[0][0]
            .clone(),
        case: own,
        user: referred.user.clone(),
        agency: referred.agency.clone(),
        district: referred.district.clone(),
        township: referred.township.clone(),
        village: referred.village.clone(),
        tracking: c["tracking_code"].as_str().unwrap().to_owned(),
        // Not of this case: the routes on them are tried with the referred case only.
        referral: referred.referral.clone(),
        notice: referred.notice.clone(),
        task: referred.task.clone(),
        attachment: referred.attachment.clone(),
    };
    let routes: Vec<RouteSpec> = catalogue()
        .into_iter()
        .filter(|r| r.access.is_staff() && r.path.contains("{id}"))
        .collect();
    let missing = "01900000-0000-7000-8000-00000000abcd";
    let mut browsers = Vec::new();
    for username in [
        "demo_sysadmin",
        "demo_secadmin",
        "demo_auditor",
        "demo_chief",
        "demo_prosecutor",
        "demo_assistant",
        "demo_reception",
        "demo_juvenile",
        "demo_hearing",
        "demo_partner",
        "demo_grid",
        "demo_leader",
    ] {
        browsers.push((username, t.browser(username, DEMO_PASSWORD).await));
    }
    // Signed in first, so that only what the requests do shows in the snapshot.
    let before = t.snapshot().await;
    let mut outsiders = Vec::new();
    let mut checked = 0;
    for ((username, browser), ids) in browsers.iter().flat_map(|b| [(b, &referred), (b, &unreferred)]) {
        let probe = browser
            .get(format!("{}/cases/{}", t.base, ids.case))
            .send()
            .await
            .unwrap();
        if probe.status() != 404 {
            continue;
        }
        outsiders.push(format!("{username} on {}", ids.case));
        for r in &routes {
            let on_case = r.path.starts_with("/cases/") || r.path.starts_with("/api/v1/cases/");
            if !on_case && ids.case == unreferred.case {
                continue;
            }
            let body = samples
                .get(&format!("{} {}", r.method, r.path))
                .cloned()
                .unwrap_or(Body::Form(vec![]));
            let mut got = Vec::new();
            for path in [ids.fill(&r.path), ids.fill(&r.path.replace("{id}", missing))] {
                let res = if r.method == "GET" {
                    browser.get(format!("{}{path}", t.base)).send().await.unwrap()
                } else {
                    send(browser, &t.base, r.method, &path, &body, None).await
                };
                got.push(answer(res).await);
            }
            assert!(
                !on_case || got[0].0 >= 400,
                "{username} {} {}: {} on a case out of scope",
                r.method,
                r.path,
                got[0].0
            );
            assert_eq!(
                got[0], got[1],
                "{username} {} {}: out of scope differs from missing",
                r.method, r.path
            );
            checked += 2;
        }
    }
    assert_eq!(
        t.snapshot().await,
        before,
        "nothing changed by those out of scope"
    );
    // A grid worker of another township sees neither; the police partner sees only the case
    // referred to the police.
    assert_eq!(outsiders.len(), 3, "{outsiders:?}");
    assert!(outsiders.contains(&format!("demo_partner on {}", unreferred.case)));
    eprintln!(
        "scope requests: {checked} (of {} routes on an id, {} account-case pairs out of scope, each id real and missing)",
        routes.len(),
        outsiders.len()
    );
}
