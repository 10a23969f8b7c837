//! What the demo cases are made of: names, stories (category, title, account) and channels.

use gongzhi_domain::workflow::Channel;

pub(super) const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "马", "何", "郭", "周", "吴", "孙", "朱", "胡", "高", "罗",
    "梁", "宋", "魏", "蒋", "韩", "贾", "杜", "祁", "闫", "鲁", "雷",
];

pub(super) const GIVEN: &[&str] = &[
    "建国", "秀英", "玉兰", "志强", "桂花", "国庆", "春梅", "永福", "海燕", "振华", "丽娟", "文军", "明亮",
    "淑珍", "德胜", "小军", "红霞", "学文", "彩霞", "金山", "兰英", "继红", "天佑", "晓东",
];

/// (category, title pattern, narrative pattern). `{p}` place, `{a}` first party, `{b}` other party,
/// `{m}` an amount in yuan.
pub(super) const STORIES: &[(&str, &str, &str)] = &[
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

pub(super) const CHANNELS_PETITION: &[Channel] = &[
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

pub(super) const CHANNELS_DISPUTE: &[Channel] = &[
    Channel::GridScreening,
    Channel::GridScreening,
    Channel::GridScreening,
    Channel::Visit,
    Channel::Phone,
    Channel::Portal,
    Channel::Referral,
];
