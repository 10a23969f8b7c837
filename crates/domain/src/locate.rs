//! Finding the place a request is about, as partner systems describe it: by a free address
//! ("甘州区乌江镇贾寨村三社"), naming the most specific village, community or township it contains,
//! or by coordinates, the nearest place that has them.

use crate::Id;
use crate::org::OrgLevel;

/// A place that may be named: a village or community, or a township.
#[derive(Clone, Debug)]
pub struct Place {
    pub id: Id,
    pub name: String,
    pub level: OrgLevel,
    /// For a village: its township.
    pub township: Option<Id>,
    /// Millionths of a degree (WGS-84).
    pub coords: Option<(i64, i64)>,
}

/// Administrative suffixes an address may leave out ("乌江" for 乌江镇).
const SUFFIXES: &[&str] = &["社区居委会", "村委会", "居委会", "街道", "社区", "村", "镇", "乡"];

/// The ways an address may write a place's name: the name itself (without a label such as
/// "演示·"), and without its administrative suffix when two characters or more remain.
pub fn name_forms(name: &str) -> Vec<String> {
    let base = name.rsplit('·').next().unwrap_or(name).trim().to_owned();
    let mut forms = vec![base.clone()];
    for s in SUFFIXES {
        if let Some(short) = base.strip_suffix(s)
            && short.chars().count() >= 2
        {
            forms.push(short.to_owned());
            break;
        }
    }
    forms
}

/// How well `text` names `place`: the length of the longest form it contains.
fn score(text: &str, place: &Place) -> usize {
    name_forms(&place.name)
        .iter()
        .filter(|f| text.contains(f.as_str()))
        .map(|f| f.chars().count())
        .max()
        .unwrap_or(0)
}

/// The most specific place `text` names: a village when exactly one village fits best (its
/// township named too breaks a tie), otherwise the township it names, otherwise none.
pub fn by_address(text: &str, places: &[Place]) -> Option<Id> {
    let text: String = text.split_whitespace().collect();
    if text.is_empty() {
        return None;
    }
    let township_score = |id: Option<Id>| {
        places
            .iter()
            .find(|p| Some(p.id) == id)
            .map_or(0, |t| score(&text, t))
    };
    // A township written in full ("乌江镇") names no village, even where a village's short name
    // ("乌江" of 乌江村) is inside it.
    let mut rest = text.clone();
    for t in places.iter().filter(|p| p.level == OrgLevel::Township) {
        if let Some(full) = name_forms(&t.name).first() {
            rest = rest.replace(full.as_str(), "|");
        }
    }
    let mut villages: Vec<(usize, usize, Id)> = places
        .iter()
        .filter(|p| p.level == OrgLevel::Village)
        .filter_map(|p| {
            let s = score(&rest, p);
            (s > 0).then(|| (s, township_score(p.township), p.id))
        })
        .collect();
    villages.sort_by_key(|v| std::cmp::Reverse((v.0, v.1)));
    match villages.as_slice() {
        [best, next, ..] if (best.0, best.1) == (next.0, next.1) => {}
        [best, ..] => return Some(best.2),
        [] => {}
    }
    let mut townships: Vec<(usize, Id)> = places
        .iter()
        .filter(|p| p.level == OrgLevel::Township)
        .map(|p| (score(&text, p), p.id))
        .filter(|(s, _)| *s > 0)
        .collect();
    townships.sort_by_key(|t| std::cmp::Reverse(t.0));
    match townships.as_slice() {
        [best, next, ..] if best.0 == next.0 => None,
        [best, ..] => Some(best.1),
        [] => None,
    }
}

/// Great-circle distance in kilometres.
fn km((lat1, lng1): (f64, f64), (lat2, lng2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

/// The place with coordinates nearest to (lat, lng), villages before townships, if one lies within
/// `max_km`.
pub fn nearest(lat: f64, lng: f64, places: &[Place], max_km: f64) -> Option<Id> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
        return None;
    }
    let nearest_of = |level: OrgLevel| {
        places
            .iter()
            .filter(|p| p.level == level)
            .filter_map(|p| {
                p.coords
                    .map(|(a, b)| (km((lat, lng), (a as f64 / 1e6, b as f64 / 1e6)), p.id))
            })
            .filter(|(d, _)| *d <= max_km)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    };
    nearest_of(OrgLevel::Village).or_else(|| nearest_of(OrgLevel::Township))
}

/// Parses a coordinate as Open311 sends it (decimal degrees).
pub fn parse_degrees(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> (Vec<Place>, [Id; 6]) {
        let ids = [Id::new(), Id::new(), Id::new(), Id::new(), Id::new(), Id::new()];
        let p = |i: usize, name: &str, level, township: Option<Id>, coords| Place {
            id: ids[i],
            name: name.into(),
            level,
            township,
            coords,
        };
        (
            vec![
                p(
                    0,
                    "乌江镇",
                    OrgLevel::Township,
                    None,
                    Some((39_050_000, 100_400_000)),
                ),
                p(1, "党寨镇", OrgLevel::Township, None, None),
                p(
                    2,
                    "演示·贾寨村",
                    OrgLevel::Village,
                    Some(ids[0]),
                    Some((39_060_000, 100_410_000)),
                ),
                p(3, "新华村", OrgLevel::Village, Some(ids[0]), None),
                p(
                    4,
                    "新华村",
                    OrgLevel::Village,
                    Some(ids[1]),
                    Some((38_850_000, 100_550_000)),
                ),
                p(5, "演示·乌江村", OrgLevel::Village, Some(ids[0]), None),
            ],
            ids,
        )
    }

    #[test]
    fn an_address_names_its_most_specific_place() {
        let (ps, ids) = places();
        assert_eq!(by_address("甘州区乌江镇贾寨村三社", &ps), Some(ids[2]));
        assert_eq!(by_address("贾寨 三社", &ps), Some(ids[2]), "without the suffix");
        // Two villages share a name: the township named settles it, else only the township is known.
        assert_eq!(by_address("党寨镇新华村", &ps), Some(ids[4]));
        assert_eq!(by_address("新华村二组", &ps), None);
        assert_eq!(by_address("乌江镇政府门口", &ps), Some(ids[0]));
        assert_eq!(by_address("乌江镇", &ps), Some(ids[0]), "乌江镇 is not 乌江村");
        assert_eq!(by_address("乌江镇乌江村五社", &ps), Some(ids[5]));
        assert_eq!(by_address("兰州市城关区", &ps), None);
    }

    #[test]
    fn coordinates_find_the_nearest_village_within_reach() {
        let (ps, ids) = places();
        assert_eq!(nearest(39.061, 100.409, &ps, 30.0), Some(ids[2]));
        assert_eq!(nearest(38.86, 100.54, &ps, 30.0), Some(ids[4]));
        assert_eq!(nearest(36.06, 103.83, &ps, 30.0), None, "Lanzhou is too far");
        assert_eq!(nearest(91.0, 0.0, &ps, 30.0), None);
    }
}
