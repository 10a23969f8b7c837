//! The generator: realistic Chinese cases, the same for the same seed on every machine — narratives
//! of 150–600 characters told from each category's facts, one to three parties with valid
//! identity numbers and phones, three years of receipt dates, the district's own villages and
//! categories, most cases closed, a realistic share open and past their deadlines — written as the
//! import format (docs/import.md).

use std::io::Write;

use gongzhi_domain::idcard::check_char;
use serde_json::json;

/// xorshift64*: small, fast and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
    "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚",
    "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "桂英", "志强", "永红", "玉兰", "海燕", "建华", "国庆", "春梅", "小红", "德明", "文静",
    "晓东", "丽娟", "卫东", "红梅", "振华", "淑珍", "宏伟", "明", "军", "磊", "洁", "勇", "静", "强", "敏",
    "伟", "芳", "娜", "涛", "超", "兰英", "玉珍", "金花", "福贵", "长生", "保国", "新民", "学文", "彩霞",
    "雪梅", "俊杰", "子豪", "梓涵", "浩然", "思远",
];

/// Per category: a title, the facts, what the petitioner asks — each with the people's names put in.
struct Story {
    category: &'static str,
    title: &'static str,
    facts: &'static [&'static str],
    asks: &'static [&'static str],
}

const STORIES: &[Story] = &[
    Story {
        category: "LAND_FOREST",
        title: "{p}反映承包地被占",
        facts: &[
            "{p}反映，其家庭承包的{n}亩耕地自去年春季起被{r}强行占用种植玉米，多次找村委会协调未果。",
            "该地块有土地承包经营权证，四至清楚，{r}以祖辈曾耕种为由拒不退还，并在地头修建围墙。",
            "村调解委员会曾组织调解，双方未达成一致，{p}情绪较为激动，表示如不解决将到市里上访。",
            "今年灌溉季节轮水时，{r}截断支渠，导致{p}家的地块无法按时浇水，玉米减产明显。",
        ],
        asks: &[
            "要求依法确认承包经营权，责令{r}退还土地并赔偿损失。",
            "请求乡镇综治中心组织勘界，依法处理土地承包经营权纠纷。",
        ],
    },
    Story {
        category: "LABOUR",
        title: "{p}等农民工讨要工资",
        facts: &[
            "{p}等{n}名农民工在城区一处建筑工地务工，工程完工后包工头{r}拖欠工资共计{m}万元。",
            "多次讨要，{r}以总包单位未结算工程款为由推脱，后电话无法接通。",
            "{p}称临近年关家中老人看病急需用钱，几名工友情绪激动，曾到工地门口聚集。",
            "劳动保障监察部门已受理投诉，但至今未能追回工资，农民工对处理进度不满。",
        ],
        asks: &[
            "要求尽快支付拖欠的劳动报酬。",
            "请求检察机关支持起诉，帮助追讨拖欠工资。",
        ],
    },
    Story {
        category: "HOUSING_HOMESTEAD",
        title: "{p}与邻居宅基地边界纠纷",
        facts: &[
            "{p}与邻居{r}因宅基地边界发生争执，{r}翻建房屋时将墙基向{p}一侧延伸约半米。",
            "双方多次争吵，上月发生推搡，{p}轻微受伤，经村医处理后无大碍。",
            "村委会曾调取原宅基地审批资料，但两家对资料记载的尺寸理解不一。",
            "{r}新修的排水沟紧贴{p}家院墙，雨天积水渗入，墙体出现裂缝。",
        ],
        asks: &[
            "要求{r}拆除越界部分并赔偿修墙费用。",
            "请求依法调处，防止矛盾激化。",
        ],
    },
    Story {
        category: "MARRIAGE_FAMILY",
        title: "{p}反映家庭纠纷",
        facts: &[
            "{p}反映丈夫{r}长期酗酒，酒后多次实施家庭暴力，今年以来已报警两次。",
            "双方育有子女，{r}不承担抚养费用，家庭经济困难，{p}无固定收入。",
            "妇联工作人员曾上门调解，{r}当面保证不再动手，但不久后再次发生冲突。",
            "{p}的娘家人对{r}不满，两家关系紧张，曾在村里发生口角。",
        ],
        asks: &[
            "请求妇联介入并依法申请人身安全保护令。",
            "要求依法处理离婚及子女抚养问题。",
        ],
    },
    Story {
        category: "PROPERTY_MGMT",
        title: "小区业主反映物业服务问题",
        facts: &[
            "小区业主{p}反映物业公司服务不到位，电梯多次故障无人维修，楼道照明长期不亮。",
            "物业公司今年起上调停车收费，未经业主大会讨论，多次协商无果。",
            "部分业主拒交物业费，物业公司随即停止保洁服务，垃圾堆积，矛盾升级。",
            "{p}等业主向社区反映后，社区组织过一次座谈，但物业公司负责人{r}未到场。",
        ],
        asks: &["要求公开收费标准并依法处理。", "请求住建部门督促物业公司整改。"],
    },
    Story {
        category: "LAW_RELATED",
        title: "{p}对案件处理结果不服",
        facts: &[
            "{p}反映其与{r}之间的民间借贷纠纷经法院判决后，{r}至今未履行还款义务，涉及金额{m}万元。",
            "{p}认为执行过程中存在拖延，多次到法院询问均未得到明确答复。",
            "{p}称因此事长期奔波，身体状况不佳，家庭生活陷入困难。",
            "{p}曾向有关部门寄送信件反映，认为处理不公，情绪较为激动。",
        ],
        asks: &["请求检察机关依法监督。", "要求尽快执行到位，并申请司法救助。"],
    },
    Story {
        category: "LAND_ACQUISITION",
        title: "征地补偿款未足额发放",
        facts: &[
            "村民{p}反映，村里土地被征收用于修路，涉及其家庭土地{n}亩，补偿款至今未足额发放。",
            "{p}称村干部{r}未公开补偿标准和分配方案，部分村民领到的金额与公示不一致。",
            "村民多次到乡镇反映，乡镇答复正在核实，但数月没有结果。",
            "部分村民准备集体到县里上访，{p}担心事态扩大，希望尽快解决。",
        ],
        asks: &[
            "要求公开补偿标准并足额发放补偿款。",
            "请求纪检监察机关调查补偿款去向。",
        ],
    },
];

/// The places, categories and agency-independent facts a generated line is made of.
pub struct World {
    /// Village division codes of the district.
    pub villages: Vec<String>,
    /// Category codes known to the database (the stories' categories among them).
    pub categories: Vec<String>,
}

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

fn resident_id(rng: &mut Rng, year: i64) -> String {
    let body = format!(
        "620702{year}{:02}{:02}{:03}",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(999) + 1
    );
    format!("{body}{}", check_char(body.as_bytes()))
}

fn fill(template: &str, p: &str, r: &str, rng: &mut Rng) -> String {
    template
        .replace("{p}", p)
        .replace("{r}", r)
        .replace("{n}", &(2 + rng.below(18)).to_string())
        .replace("{m}", &(1 + rng.below(30)).to_string())
}

/// Writes `cases` lines for `seed`, dated over the three years before `today` (`YYYY-MM-DD`).
pub fn generate(
    out: &mut impl Write,
    world: &World,
    cases: usize,
    seed: u64,
    today: chrono::NaiveDate,
) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    let stories: Vec<&Story> = STORIES
        .iter()
        .filter(|s| world.categories.iter().any(|c| c == s.category))
        .collect();
    let stories = if stories.is_empty() {
        STORIES.iter().collect()
    } else {
        stories
    };
    for _ in 0..cases {
        let story = *rng.pick(&stories);
        let (p, r) = (name(&mut rng), name(&mut rng));
        // Narratives of 150–600 characters: the facts in order, repeated with new details if short.
        let want = 150 + rng.below(451);
        let mut narrative = String::new();
        let mut i = rng.below(story.facts.len());
        while narrative.chars().count() < want {
            narrative.push_str(&fill(story.facts[i % story.facts.len()], &p, &r, &mut rng));
            i += 1;
        }
        let ask = *rng.pick(story.asks);
        narrative.push_str(&fill(ask, &p, &r, &mut rng));
        let narrative: String = narrative.chars().take(600).collect();
        let days_ago = rng.below(3 * 365) as i64;
        let received = today - chrono::Duration::days(days_ago);
        let at = format!("{} {:02}:{:02}", received, 8 + rng.below(9), rng.below(60));
        let kind = match rng.below(100) {
            0..=47 => "dispute",
            48..=84 => "petition",
            _ => "gov_petition",
        };
        let channel = *rng.pick(&[
            "visit",
            "letter",
            "phone",
            "hotline_12309",
            "grid_screening",
            "reception_day",
        ]);
        // Most older cases are closed; the open ones are mostly recent, a few long past due. A case
        // is closed on a day before `today` (a closing time later today would be in the future).
        let closed_on = received + chrono::Duration::days(5 + rng.below(80) as i64);
        let share = if days_ago < 90 { 60 } else { 3 };
        let open = closed_on >= today || rng.chance(share);
        let (status, closed_at) = if open {
            let later = match kind {
                "petition" => "handling",
                "dispute" => "in_mediation",
                _ => "routed",
            };
            (if rng.chance(50) { "registered" } else { later }, String::new())
        } else {
            ("closed", format!("{closed_on} 16:30"))
        };
        let born = 1950 + rng.below(55) as i64;
        let mut parties = vec![json!({
            "role": "petitioner", "name": p,
            "id_number": resident_id(&mut rng, born),
            "phone": format!("139{:08}", rng.below(100_000_000)),
        })];
        if rng.chance(70) {
            parties.push(json!({"role": "respondent", "name": r}));
        }
        if rng.chance(20) {
            let other = name(&mut rng);
            parties.push(
                json!({"role": "other", "name": other, "phone": format!("138{:08}", rng.below(100_000_000))}),
            );
        }
        let place = rng.pick(&world.villages).clone();
        let title = fill(story.title, &p, &r, &mut rng);
        let urgent = rng.chance(2);
        let line = json!({
            "kind": kind, "channel": channel, "category": story.category,
            "place": place, "title": title,
            "narrative": narrative, "received_at": at, "status": status, "closed_at": closed_at,
            "urgent": urgent, "parties": parties,
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}
