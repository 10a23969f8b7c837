//! The `gongzhi` binary: `serve`, `migrate`, `seed-demo`, `import`, `sweep`, `reindex`, `admin …`,
//! `audit verify`, `openapi`.

mod config;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gongzhi_app::boot::{Database, Keys};
use gongzhi_app::domain::policy::Role;
use gongzhi_app::users::UserForm;
use gongzhi_app::{App, Ctx, Security, System};

#[derive(Parser)]
#[command(
    name = "gongzhi",
    version,
    about = "共治 gongzhi — grassroots dispute and petition platform"
)]
struct Cli {
    /// TOML configuration file (optional; environment variables GONGZHI__SECTION__KEY override it).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, seed reference data and serve the web UI and API.
    Serve {
        /// Also add the demo data and demo accounts (marked as demo).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Add the demo data and demo accounts.
    SeedDemo,
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Rebuild the search index from what is stored (after the search dictionary changes).
    Reindex,
    /// Run the deadline sweep once now (the server runs it on a schedule): a reminder for every
    /// clock due within two working days, an escalation for every overdue one, each raised once.
    Sweep,
    /// Import cases from a file of one JSON object a line (docs/import.md); bad lines are listed
    /// and left out.
    Import {
        /// The file (`-` for standard input).
        file: PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user; the password is read from standard input and must be changed at first login.
    CreateUser {
        #[arg(long)]
        username: String,
        /// Agency code, e.g. GZ-JCY.
        #[arg(long)]
        agency: String,
        /// Role code; repeat for several.
        #[arg(long, required = true)]
        role: Vec<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new password (read from standard input) that must be changed at next login.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Issue an Open311 API key to a partner system; the key is printed once.
    CreateApiKey {
        #[arg(long)]
        name: String,
    },
    /// Lift every lockout (accounts, client addresses, tracking codes), e.g. when everyone behind
    /// one address is locked out and nobody can log in to lift it.
    LiftLockouts,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Seal pending events and verify the SM3 chain; exits non-zero naming the first broken link.
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("配置错误 / configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(&cfg.log.format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve { demo: false }), cfg)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误 / error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init()
    } else {
        builder.init()
    }
}

/// Keys for field encryption: from configuration, or for an embedded SQLite database a key file
/// created beside it on first start (PostgreSQL deployments with several servers must configure
/// the same keys on every server).
fn field_keys(cfg: &config::Config) -> Result<Keys, String> {
    let (field, index) = if !cfg.security.field_key.is_empty() {
        (cfg.security.field_key.clone(), cfg.security.index_key.clone())
    } else if let Some(path) = cfg
        .database
        .url
        .strip_prefix("sqlite://")
        .or_else(|| cfg.database.url.strip_prefix("sqlite:"))
    {
        let db_path = PathBuf::from(path.split('?').next().unwrap_or(path));
        let key_path = db_path.with_extension("keys");
        if !key_path.exists() {
            if let Some(dir) = key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(&key_path, format!("{}\n{}\n", Keys::generate(), Keys::generate()))
                .map_err(|e| format!("cannot write {}: {e}", key_path.display()))?;
            tracing::warn!(path = %key_path.display(), "generated field-encryption keys; back this file up with the database");
        }
        let text = std::fs::read_to_string(&key_path).map_err(|e| e.to_string())?;
        let mut lines = text.lines();
        (
            lines.next().unwrap_or("").to_owned(),
            lines.next().unwrap_or("").to_owned(),
        )
    } else {
        return Err("security.field_key and security.index_key (GONGZHI__SECURITY__FIELD_KEY / INDEX_KEY) must be set for PostgreSQL".into());
    };
    Keys::parse(&field, &index)
}

fn security(cfg: &config::Config) -> Security {
    let s = &cfg.security;
    Security {
        max_failed_logins: s.max_failed_logins.max(1),
        max_failures_per_address: s.max_failures_per_address.max(s.max_failed_logins).max(1),
        lockout: chrono::Duration::minutes(s.lockout_minutes.max(1)),
        idle_timeout: chrono::Duration::minutes(s.idle_timeout_minutes.clamp(1, 30)),
        session_lifetime: chrono::Duration::hours(s.session_hours.max(1)),
        api_token_lifetime: chrono::Duration::hours(s.api_token_hours.max(1)),
        admin_totp_required: s.admin_totp_required,
        audit_retention_days: s.audit_retention_days,
    }
}

async fn open(cfg: &config::Config) -> Result<(App, System), String> {
    let database = Database {
        url: cfg.database.url.clone(),
        read_url: Some(cfg.database.read_url.clone()).filter(|u| !u.trim().is_empty()),
        max_connections: cfg.database.max_connections,
        connect_timeout: std::time::Duration::from_secs(10),
    };
    let cases = gongzhi_app::case::CaseSettings {
        number_pattern: cfg.cases.number_pattern.clone(),
        max_attachment_bytes: usize::try_from(cfg.cases.max_attachment_mb).unwrap_or(5) * 1024 * 1024,
        repeats: gongzhi_app::case::RepeatSettings {
            window_days: cfg.cases.repeat_window_days,
            max_distance: cfg.cases.duplicate_distance,
        },
    };
    let (app, system) =
        gongzhi_app::boot::connect(&database)
            .await?
            .start(field_keys(cfg)?, security(cfg), cases)?;
    let ctx = Ctx::system(&system, "start-up");
    app.seed_reference(&ctx).await.map_err(|e| e.to_string())?;
    // A database from before the search index gets it built once (issue 13 §1).
    app.reindex(&ctx, true).await.map_err(|e| e.to_string())?;
    Ok((app, system))
}

fn read_password() -> Result<String, String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .map_err(|e| e.to_string())?;
    let p = s.lines().next().unwrap_or("").to_owned();
    if p.is_empty() {
        Err("no password on standard input".into())
    } else {
        Ok(p)
    }
}

async fn print_demo(app: &App, system: &System, cases: i64) -> Result<(), String> {
    let ctx = Ctx::system(system, "seed-demo");
    let (accounts, password) = app.seed_demo(&ctx).await.map_err(|e| e.to_string())?;
    let added = app
        .seed_demo_cases(&ctx, usize::try_from(cases).unwrap_or(0))
        .await
        .map_err(|e| e.to_string())?;
    println!("== 演示数据已就绪 / DEMO DATA (not for production) ==");
    if added > 0 {
        println!("已生成演示案件 / demo cases added: {added}");
    }
    println!("演示账户密码 / demo password: {password}");
    for (username, role) in accounts {
        println!("  {username:<18} {role}");
    }
    println!("管理员账户首次登录须绑定两步验证（TOTP）。/ Admin accounts enrol a TOTP app at first login.");
    Ok(())
}

async fn run(command: Command, cfg: config::Config) -> Result<ExitCode, String> {
    match command {
        Command::Openapi => {
            println!("{}", gongzhi_web::openapi_json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let _ = open(&cfg).await?;
            println!("数据库已是最新 / database is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::Reindex => {
            let (app, system) = open(&cfg).await?;
            let started = std::time::Instant::now();
            let batches = app
                .reindex(&Ctx::system(&system, "reindex"), false)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "检索索引已重建 / search index rebuilt: {batches} batches in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep => {
            let (app, system) = open(&cfg).await?;
            let today = gongzhi_app::domain::time::local_date(chrono::Utc::now());
            let started = std::time::Instant::now();
            let (reminders, escalations) = app
                .sweep_deadlines(&Ctx::system(&system, "sweep"), today)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "时限巡检完成 / deadline sweep: {reminders} reminders, {escalations} escalations raised in {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file } => {
            let (app, system) = open(&cfg).await?;
            let started = std::time::Instant::now();
            let source = file.display().to_string();
            let ctx = Ctx::system(&system, "import");
            let report = if source == "-" {
                app.import_cases(&ctx, std::io::stdin().lock(), &source).await
            } else {
                let f = std::fs::File::open(&file).map_err(|e| format!("{source}: {e}"))?;
                app.import_cases(&ctx, std::io::BufReader::with_capacity(1 << 20, f), &source)
                    .await
            }
            .map_err(|e| e.to_string())?;
            for r in &report.refusals {
                println!("第 {} 行 / line {}: {} {}", r.line, r.line, r.field, r.code);
            }
            println!(
                "已导入 / imported {} of {} cases ({} refused) in {:.1} s",
                report.imported,
                report.read,
                report.refused,
                started.elapsed().as_secs_f64()
            );
            Ok(if report.refused == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::SeedDemo => {
            let (app, system) = open(&cfg).await?;
            print_demo(&app, &system, cfg.cases.demo_cases).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { demo } => {
            let listener = tokio::net::TcpListener::bind(&cfg.http.bind).await.map_err(|e| {
                format!(
                    "无法监听 {}（端口可能已被占用）/ cannot listen on {}: {e}",
                    cfg.http.bind, cfg.http.bind
                )
            })?;
            let (app, system) = open(&cfg).await?;
            if demo {
                print_demo(&app, &system, cfg.cases.demo_cases).await?;
            }
            // The jobs take the system capability; the web layer gets the application alone.
            tokio::spawn(gongzhi_jobs::run(app.clone(), system));
            let trusted_proxies = gongzhi_web::client::TrustedProxies::parse(&cfg.http.trusted_proxies)
                .map_err(|e| format!("http.trusted_proxies: {e}"))?;
            let state = gongzhi_web::AppState {
                app,
                metrics: gongzhi_web::Metrics::new(),
                secure_cookies: cfg.http.secure_cookies,
                trusted_proxies,
            };
            let router = gongzhi_web::router(state);
            tracing::info!(bind = %cfg.http.bind, "gongzhi listening");
            println!("gongzhi 已启动 / listening on http://{}", cfg.http.bind);
            gongzhi_web::serve(listener, router).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command } => {
            let (app, system) = open(&cfg).await?;
            let ctx = Ctx::system(&system, "命令行");
            match command {
                AdminCommand::CreateUser {
                    username,
                    agency,
                    role,
                    name,
                } => {
                    let password = read_password()?;
                    let agency = match app.agency_by_code(&ctx, &agency).await {
                        Ok(a) => a,
                        Err(gongzhi_app::AppError::NotFound) => {
                            return Err(format!("no agency with code {agency}"));
                        }
                        Err(e) => return Err(e.to_string()),
                    };
                    for r in &role {
                        Role::parse(r).ok_or_else(|| {
                            format!(
                                "unknown role {r}; roles: {}",
                                Role::ALL.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
                            )
                        })?;
                    }
                    let form = UserForm {
                        display_name: name.unwrap_or_else(|| username.clone()),
                        username,
                        agency_id: agency.id.to_string(),
                        roles: role,
                        password,
                        active: true,
                        version: 0,
                    };
                    match app.create_user(&ctx, &form).await {
                        Ok((u, _)) => {
                            println!(
                                "created {} ({}); the password must be changed at first login",
                                u.username, u.id
                            );
                            Ok(ExitCode::SUCCESS)
                        }
                        Err(gongzhi_app::AppError::Invalid(errs)) => {
                            for e in errs {
                                eprintln!("{}: {}", e.field, e.key);
                            }
                            Ok(ExitCode::from(2))
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                AdminCommand::ResetPassword { username } => {
                    let password = read_password()?;
                    let user = match app.user_by_username(&ctx, &username).await {
                        Ok(u) => u,
                        Err(gongzhi_app::AppError::NotFound) => return Err(format!("no user {username}")),
                        Err(e) => return Err(e.to_string()),
                    };
                    app.reset_password(&ctx, user.id, Some(&password))
                        .await
                        .map_err(|e| match e {
                            gongzhi_app::AppError::Invalid(errs) => {
                                errs.iter().map(|e| e.key.clone()).collect::<Vec<_>>().join(", ")
                            }
                            other => other.to_string(),
                        })?;
                    println!("password reset for {username}; it must be changed at next login");
                    Ok(ExitCode::SUCCESS)
                }
                AdminCommand::LiftLockouts => {
                    let n = app.lift_all_lockouts(&ctx).await.map_err(|e| e.to_string())?;
                    println!("已解除 {n} 个锁定 / {n} lockouts lifted");
                    Ok(ExitCode::SUCCESS)
                }
                AdminCommand::CreateApiKey { name } => match app.create_api_key(&ctx, &name).await {
                    Ok(key) => {
                        println!("{key}");
                        eprintln!(
                            "已为 {name} 签发接口密钥，仅显示一次 / API key issued to {name}; it is shown only once"
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(gongzhi_app::AppError::Invalid(_)) => {
                        eprintln!("name: 1–60 characters");
                        Ok(ExitCode::from(2))
                    }
                    Err(e) => Err(e.to_string()),
                },
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let (app, system) = open(&cfg).await?;
            let report = app
                .verify_audit(&Ctx::system(&system, "audit verify"))
                .await
                .map_err(|e| e.to_string())?;
            match report.broken {
                None => {
                    println!(
                        "审计链完整 / audit chain intact: {} events verified (#{}–#{})",
                        report.checked, report.first_seq, report.last_seq
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    let what = match b.reason {
                        gongzhi_app::audit::BrokenReason::Altered => "altered / 内容被篡改",
                        gongzhi_app::audit::BrokenReason::LinkMismatch => "link mismatch / 链接不符",
                        gongzhi_app::audit::BrokenReason::Missing => "missing (deleted) / 缺失（被删除）",
                    };
                    eprintln!(
                        "审计链断裂 / audit chain broken at event #{}: {what}{}",
                        b.seq,
                        b.event_id.map(|i| format!(" (id {i})")).unwrap_or_default()
                    );
                    Ok(ExitCode::from(3))
                }
            }
        }
    }
}
