//! Prometheus metrics, kept in atomics: requests by route class and status class, and latency.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000];

#[derive(Default)]
struct Inner {
    by_status: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS_MS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
    started: std::sync::OnceLock<Instant>,
}

#[derive(Clone, Default)]
pub struct Metrics(Arc<Inner>);

impl Metrics {
    pub fn new() -> Self {
        let m = Self::default();
        let _ = m.0.started.set(Instant::now());
        m
    }

    fn observe(&self, status: u16, elapsed_us: u64) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.0.by_status[class].fetch_add(1, Ordering::Relaxed);
        self.0.count.fetch_add(1, Ordering::Relaxed);
        self.0.sum_us.fetch_add(elapsed_us, Ordering::Relaxed);
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if elapsed_us <= b * 1000 {
                self.0.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP gongzhi_http_requests_total HTTP requests by status class.\n");
        out.push_str("# TYPE gongzhi_http_requests_total counter\n");
        for (i, c) in self.0.by_status.iter().enumerate() {
            out.push_str(&format!(
                "gongzhi_http_requests_total{{status=\"{}xx\"}} {}\n",
                i + 1,
                c.load(Ordering::Relaxed)
            ));
        }
        out.push_str("# HELP gongzhi_http_request_duration_seconds Request latency.\n");
        out.push_str("# TYPE gongzhi_http_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            out.push_str(&format!(
                "gongzhi_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                *b as f64 / 1000.0,
                self.0.buckets[i].load(Ordering::Relaxed)
            ));
        }
        let count = self.0.count.load(Ordering::Relaxed);
        out.push_str(&format!(
            "gongzhi_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"
        ));
        out.push_str(&format!(
            "gongzhi_http_request_duration_seconds_sum {}\n",
            self.0.sum_us.load(Ordering::Relaxed) as f64 / 1e6
        ));
        out.push_str(&format!("gongzhi_http_request_duration_seconds_count {count}\n"));
        let up = self.0.started.get().map(|s| s.elapsed().as_secs()).unwrap_or(0);
        out.push_str("# TYPE gongzhi_uptime_seconds gauge\n");
        out.push_str(&format!("gongzhi_uptime_seconds {up}\n"));
        out
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let res = next.run(req).await;
    state
        .metrics
        .observe(res.status().as_u16(), start.elapsed().as_micros() as u64);
    res
}
