//! Which characters a text may hold. The same rule on both databases: PostgreSQL cannot store NUL
//! and SQLite would; control characters and direction overrides have no place in a petition, a
//! name or a reason and only hide what a text really says.

/// A character no stored text may contain: NUL and the other C0 controls but tab, line feed and
/// carriage return; DEL and the C1 controls (U+0080–U+009F: U+009B starts a terminal escape like
/// ESC [); the 66 non-characters (U+FDD0–U+FDEF and the last two of every plane); bidirectional
/// overrides and isolates. (File names are held to a stricter rule: `attachment::is_disguising`.)
pub fn is_forbidden(c: char) -> bool {
    let noncharacter = matches!(c, '\u{FDD0}'..='\u{FDEF}') || (u32::from(c) & 0xFFFE) == 0xFFFE;
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
        || noncharacter
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The first forbidden character of `s`, if any.
pub fn first_forbidden(s: &str) -> Option<char> {
    s.chars().find(|c| is_forbidden(*c))
}

/// `s` without forbidden characters (for search terms, where refusing helps nobody).
pub fn strip_forbidden(s: &str) -> String {
    s.chars().filter(|c| !is_forbidden(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_controls_and_overrides_are_forbidden_line_breaks_are_not() {
        assert_eq!(first_forbidden("王某\u{0}李某"), Some('\u{0}'));
        assert_eq!(first_forbidden("abc\u{202E}fdp.exe"), Some('\u{202E}'));
        assert_eq!(first_forbidden("第一行\r\n第二行\t制表"), None);
        for c in [
            '\u{85}',
            '\u{9B}',
            '\u{FDD0}',
            '\u{FFFE}',
            '\u{1FFFE}',
            '\u{10FFFF}',
        ] {
            assert!(is_forbidden(c), "U+{:04X}", u32::from(c));
        }
        for c in [
            '\u{A0}',
            '\u{FDCF}',
            '\u{FDF0}',
            '\u{FFFD}',
            '\u{1F600}',
            '\u{200D}',
        ] {
            assert!(!is_forbidden(c), "U+{:04X}", u32::from(c));
        }
        assert_eq!(
            first_forbidden("ئۇيغۇرچە 维吾尔文"),
            None,
            "right-to-left scripts are text"
        );
        assert_eq!(strip_forbidden("张\u{0}三"), "张三");
    }
}
