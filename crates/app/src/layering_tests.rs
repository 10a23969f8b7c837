//! `app` is the only door to the database: the crates above it (web, jobs, the binary) do not
//! depend on `gongzhi-store`, so they can name no store function or row type except the ones the
//! use cases export. Only tests look below (test-support and dev-dependencies).

#[test]
fn only_the_application_depends_on_the_store() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for name in ["web", "jobs", "server"] {
        let manifest = std::fs::read_to_string(crates.join(name).join("Cargo.toml")).unwrap_or_default();
        assert!(!manifest.is_empty(), "{name}/Cargo.toml");
        // The sections that build the crate itself, not its tests.
        let mut section = String::new();
        for line in manifest.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line.to_owned();
            } else if section.starts_with("[dependencies") || section.starts_with("[build-dependencies") {
                assert!(
                    !line.starts_with("gongzhi-store"),
                    "{name} depends on the store directly: {line}"
                );
            }
        }
    }
}
