//! `gongzhi-bench`: the scale benchmark of issue 13 §7 (bench/README.md).
//!
//! - `generate --db URL --cases N --seed S` writes N realistic cases in the import format to
//!   standard output, the same for the same seed and reference data;
//! - `run --base URL --db URL --gongzhi PATH` times gongzhi's operations through its API next to
//!   the same queries in raw SQL on the same database, and prints the table of bench/RESULTS.md.

mod figures;
mod generate;
mod run;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sqlx::Connection;

#[derive(Parser)]
#[command(name = "gongzhi-bench", about = "共治 scale benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write generated cases (one JSON object a line) to standard output.
    Generate {
        /// The database whose villages and categories the cases use (migrated and seeded).
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 1_000_000)]
        cases: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the three years of receipts end (`YYYY-MM-DD`); today when not given.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Time each operation through the running server and in raw SQL.
    Run {
        #[arg(long, default_value = "http://127.0.0.1:8099")]
        base: String,
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 200)]
        rounds: usize,
        #[arg(long, default_value = "gongzhi")]
        gongzhi: PathBuf,
        /// The server's process id, for its resident memory.
        #[arg(long)]
        pid: Option<u32>,
    },
}

async fn world(db: &str) -> Result<generate::World, String> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(db)
        .await
        .map_err(|e| e.to_string())?;
    let villages: Vec<(String,)> =
        sqlx::query_as("SELECT code FROM org_unit WHERE level = 'village' AND active = 1 ORDER BY code")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    let categories: Vec<(String,)> = sqlx::query_as("SELECT code FROM dispute_category ORDER BY code")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    if villages.is_empty() {
        return Err("no villages: migrate and seed the database first (gongzhi migrate)".into());
    }
    Ok(generate::World {
        villages: villages.into_iter().map(|(c,)| c).collect(),
        categories: categories.into_iter().map(|(c,)| c).collect(),
    })
}

async fn main_async(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Generate {
            db,
            cases,
            seed,
            today,
        } => {
            let w = world(&db).await?;
            let today =
                today.unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive());
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            generate::generate(&mut out, &w, cases, seed, today).map_err(|e| e.to_string())?;
            out.flush().map_err(|e| e.to_string())
        }
        Command::Run {
            base,
            db,
            rounds,
            gongzhi,
            pid,
        } => {
            sqlx::any::install_default_drivers();
            run::run(&run::Opts {
                base: &base,
                db: &db,
                rounds,
                gongzhi: &gongzhi,
                pid,
            })
            .await
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(main_async(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
