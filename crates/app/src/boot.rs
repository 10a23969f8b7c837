//! Starting the application: the database connection and its migrations, and the field-encryption
//! keys. The binary starts here; nothing else outside `app` opens the database.

use gongzhi_store::{Db, FieldCipher, cipher};

use crate::{App, Security, System, case::CaseSettings};

/// Where the database is and how many connections to keep.
#[derive(Clone, Debug)]
pub struct Database {
    pub url: String,
    /// A PostgreSQL streaming replica for search, dashboards, returns and exports (issue 13 §8).
    pub read_url: Option<String>,
    pub max_connections: u32,
    pub connect_timeout: std::time::Duration,
}

/// The keys of field encryption (SM4) and of the blind index (HMAC-SM3), 32 hex digits each.
pub struct Keys(FieldCipher);

impl Keys {
    pub fn parse(field_key: &str, index_key: &str) -> Result<Self, String> {
        let key = cipher::parse_key(field_key).map_err(|e| format!("security.field_key: {e}"))?;
        let index = cipher::parse_key(index_key).map_err(|e| format!("security.index_key: {e}"))?;
        FieldCipher::new("k1", key, &index)
            .map(Keys)
            .map_err(|e| e.to_string())
    }

    /// A fresh random key, as 32 hex digits.
    pub fn generate() -> String {
        cipher::generate_key()
    }
}

/// A database URL with its password hidden, for messages and logs.
pub fn mask_url(url: &str) -> String {
    gongzhi_store::mask_url(url)
}

/// A database connected and migrated to this binary's schema, before the application starts on it.
pub struct Migrated(Db);

/// Connects and brings the schema up to this binary's (under the migration lock, so servers
/// starting together do not race).
pub async fn connect(database: &Database) -> Result<Migrated, String> {
    let db = Db::connect(&gongzhi_store::DbOptions {
        url: database.url.clone(),
        max_connections: database.max_connections,
        connect_timeout: database.connect_timeout,
    })
    .await
    .map_err(|e| format!("无法连接数据库 {}: {e}", mask_url(&database.url)))?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let db = match database.read_url.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(url) => db
            .with_replica(url, database.max_connections, database.connect_timeout)
            .await
            .map_err(|e| format!("无法连接只读副本 {}: {e}", mask_url(url)))?,
        None => db,
    };
    Ok(Migrated(db))
}

impl Migrated {
    /// The application on this database, and the one capability to act as the system.
    pub fn start(self, keys: Keys, security: Security, cases: CaseSettings) -> Result<(App, System), String> {
        App::new(self.0, keys.0, security, cases).map_err(|e| e.to_string())
    }
}
