//! A bounded load test on loopback, with a fault in the middle: N logical
//! requests from C concurrent callers, each a Fireblocks `resetDevice` sent
//! by the generated client (signed, with an idempotency key, retrying), to
//! the generated Fireblocks server behind Redis idempotency and nonce
//! stores, with the Redis killed (SIGKILL) and restarted part way through.
//!
//! It shows what the layers promise under load and a store crash: every
//! key's reset runs exactly once, no request is lost (each ends in its
//! documented success, retries included), no claim is lost; and it reports
//! throughput, latency percentiles and memory.
//!
//! The test starts its own `redis-server` (AOF, `appendfsync always`, so an
//! acknowledged write survives the kill) on a free loopback port. Without
//! `redis-server` on the PATH it is skipped, except under `CI=true`, where
//! it fails. Sizes: the CI run is small (a few seconds); the full size is
//! `cargo xtask loadtest` (release build; `MFA_LOAD_REQUESTS`,
//! `MFA_LOAD_CONCURRENCY` set it), whose figures are in BENCHMARKS.md.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mfa_apis::fireblocks;
use mfa_apis::fireblocks::operations::ResetDeviceSuccess;
use mfa_apis::fireblocks::testing::Double;
use mfa_runtime::axum::{Router, extract::Request, middleware::Next, response::Response};
use mfa_runtime::client::RetryPolicy;
use mfa_runtime::fireblocks::{SigningKey, VerifyingKey};
use mfa_runtime::server::auth::nonce::RedisNonces;
use mfa_runtime::server::auth::{AuthLayer, FireblocksVerifier};
use mfa_runtime::server::idempotency::{IdempotencyLayer, IdempotencyStats, RedisStore};

const PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-private.pem");
const PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/fireblocks-test-public.pem");
const OTHER_PRIVATE: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-private.pem");
const OTHER_PUBLIC: &[u8] = include_bytes!("../../runtime/tests/keys/other-test-public.pem");

/// How much load, and when the fault comes.
#[derive(Debug, Clone, Copy)]
struct Size {
    requests: usize,
    concurrency: usize,
    /// The Redis is killed once this share of requests has completed.
    kill_at: f64,
    /// What each reset costs the server (the vendor's own work).
    work: Duration,
}

// ---------------------------------------------------------------------------
// The Redis, started and killed by the test
// ---------------------------------------------------------------------------

/// `redis-server` on the PATH, or `None` (a failure under `CI=true`).
fn redis_server() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("redis-server"))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but redis-server is not installed: .ci/run installs it"
        );
        eprintln!("redis-server is not on the PATH: skipping the load test");
    }
    found
}

/// A Redis this test owns: its process, port and data directory.
struct OwnRedis {
    binary: PathBuf,
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl OwnRedis {
    fn start(binary: PathBuf) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("mfa-load-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a data directory");
        let child = spawn(&binary, port, &dir);
        let redis = OwnRedis {
            binary,
            child,
            port,
            dir,
        };
        redis.wait_ready();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kill it as a crash would (SIGKILL), then start it again on the same
    /// port and data: what it acknowledged is in its AOF.
    fn crash_and_restart(&mut self) -> Duration {
        let started = Instant::now();
        self.child.kill().expect("kill redis");
        self.child.wait().expect("reap redis");
        std::thread::sleep(Duration::from_millis(200));
        self.child = spawn(&self.binary, self.port, &self.dir);
        self.wait_ready();
        started.elapsed()
    }

    fn wait_ready(&self) {
        for _ in 0..200 {
            if self.command("PING").is_some_and(|r| r.starts_with("+PONG")) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server on port {} did not start", self.port);
    }

    /// One inline command, its reply as text.
    fn command(&self, command: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        stream.write_all(format!("{command}\r\n").as_bytes()).ok()?;
        let mut reply = vec![0; 64 * 1024];
        let n = stream.read(&mut reply).ok()?;
        Some(String::from_utf8_lossy(&reply[..n]).into_owned())
    }

    /// A field of `INFO memory`, e.g. `used_memory`.
    fn memory(&self, field: &str) -> Option<u64> {
        let info = self.command("INFO memory")?;
        info.lines()
            .find_map(|line| line.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.trim().parse().ok())
    }
}

fn spawn(binary: &Path, port: u16, dir: &Path) -> Child {
    Command::new(binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ])
        .args(["--maxmemory-policy", "noeviction"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start redis-server")
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

// ---------------------------------------------------------------------------
// The server: counts each reset it runs, by user id
// ---------------------------------------------------------------------------

/// A double whose resets take `work` and answer with the user id as the
/// request id.
fn resets(work: Duration) -> Double {
    let double = Double::new();
    double
        .reset_device()
        .respond_with_async(move |call| async move {
            tokio::time::sleep(work).await;
            Ok(ResetDeviceSuccess::Ok {
                x_request_id: Some(call.input.id),
            })
        });
    double
}

/// How many times each user's reset ran.
fn runs_by_user(resets: &Double) -> HashMap<String, usize> {
    let mut runs = HashMap::new();
    for call in resets.reset_device().calls() {
        *runs.entry(call.input.id).or_default() += 1;
    }
    runs
}

/// Statuses the server answered, every attempt counted.
type Statuses = Arc<Mutex<BTreeMap<u16, usize>>>;

async fn count_statuses(statuses: Statuses, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    *statuses
        .lock()
        .expect("not poisoned")
        .entry(response.status().as_u16())
        .or_default() += 1;
    response
}

/// Serve the Fireblocks router on loopback with both stores in `redis`.
async fn serve(
    url: &str,
    resets: Double,
    statuses: Statuses,
) -> (String, Arc<IdempotencyStats>, tokio::task::JoinHandle<()>) {
    let store = RedisStore::connect(url).await.expect("idempotency store");
    let nonces = RedisNonces::connect(url).await.expect("nonce store");
    // Fireblocks' answers are small: reserving 64 KiB a running claim lets
    // each caller have hundreds in flight within its 16 MiB.
    let idempotency = IdempotencyLayer::new(store).with_max_response_bytes(64 * 1024);
    let stats = idempotency.stats();
    let verifier = FireblocksVerifier::new()
        .with_key("key-ann", VerifyingKey::from_pem(PUBLIC).expect("key"))
        .with_key(
            "key-bob",
            VerifyingKey::from_pem(OTHER_PUBLIC).expect("key"),
        )
        .with_nonce_store(nonces);
    let app = Router::new()
        .nest("/v1", fireblocks::router(resets))
        .layer(idempotency)
        .layer(AuthLayer::new(verifier))
        .layer(mfa_runtime::axum::middleware::from_fn(
            move |request: Request, next: Next| {
                count_statuses(Arc::clone(&statuses), request, next)
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        mfa_runtime::server::serve(listener, app)
            .await
            .expect("server runs");
    });
    (base, stats, task)
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

/// The process's peak resident memory so far (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

async fn run(size: Size) {
    let Some(binary) = redis_server() else {
        return;
    };
    let redis = OwnRedis::start(binary);
    let resets = resets(size.work);
    let statuses = Statuses::default();
    let (base, stats, server) = serve(&redis.url(), resets.clone(), Arc::clone(&statuses)).await;

    let retries = RetryPolicy {
        max_attempts: 50,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(500),
        max_elapsed: Duration::from_secs(60),
        jitter: 0.3,
    };
    let clients = [("key-ann", PRIVATE), ("key-bob", OTHER_PRIVATE)].map(|(key, pem)| {
        fireblocks::Client::new(&base)
            .with_signer(SigningKey::from_pem(key, pem).expect("key"))
            .with_retry_policy(retries)
            .with_timeout(Duration::from_secs(90))
    });
    let run_id = format!("{}-{}", std::process::id(), fastish_nanos());

    let done = Arc::new(AtomicUsize::new(0));
    let limit = Arc::new(tokio::sync::Semaphore::new(size.concurrency));
    let kill_after = (size.kill_at * size.requests as f64) as usize;
    let redis = Arc::new(Mutex::new(redis));
    let mut crash = None;
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..size.requests {
        let permit = Arc::clone(&limit).acquire_owned().await.expect("open");
        let client = clients[i % clients.len()].clone();
        let (finished, run_id) = (Arc::clone(&done), run_id.clone());
        calls.spawn(async move {
            let _permit = permit;
            let id = format!("user-{run_id}-{i}");
            let sent = Instant::now();
            let result = client
                .reset_device(&id)
                .idempotency_key(format!("key-{run_id}-{i}"))
                .await;
            finished.fetch_add(1, Ordering::SeqCst);
            (id, sent.elapsed(), result.map_err(|e| e.to_string()))
        });
        // The fault, once this share has completed: the Redis crashes and
        // comes back while the calls go on.
        if crash.is_none() && done.load(Ordering::SeqCst) >= kill_after {
            let redis = Arc::clone(&redis);
            crash = Some((
                i + 1,
                tokio::task::spawn_blocking(move || {
                    redis.lock().expect("not poisoned").crash_and_restart()
                }),
            ));
        }
    }
    let (sent_before_kill, crash) = crash.expect("the crash happened");
    let outage = crash.await.expect("restarted");
    let mut latencies = Vec::with_capacity(size.requests);
    let mut failures = Vec::new();
    while let Some(joined) = calls.join_next().await {
        let (id, latency, result) = joined.expect("a call task");
        latencies.push(latency);
        if let Err(e) = result {
            failures.push((id, e));
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();

    // Every request answered with its documented success, none lost.
    assert!(failures.is_empty(), "lost requests: {failures:#?}");
    assert_eq!(latencies.len(), size.requests);
    // Every key's reset ran exactly once.
    let runs = runs_by_user(&resets);
    let twice: Vec<_> = runs.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        twice.is_empty(),
        "resets that ran more than once: {twice:?}"
    );
    assert_eq!(runs.len(), size.requests, "every reset ran");
    assert_eq!(stats.lost_claims(), 0, "no claim was lost");
    assert_eq!(stats.executed() as usize, size.requests);

    // A retry of a key done before the crash replays its stored answer.
    let replayed_before = stats.replayed();
    let again = clients[0]
        .reset_device(format!("user-{run_id}-0"))
        .idempotency_key(format!("key-{run_id}-0"))
        .await
        .expect("the stored answer");
    assert_eq!(
        again,
        ResetDeviceSuccess::Ok {
            x_request_id: Some(format!("user-{run_id}-0"))
        }
    );
    assert_eq!(stats.replayed(), replayed_before + 1);
    assert_eq!(runs_by_user(&resets).len(), size.requests);

    let statuses = statuses.lock().expect("not poisoned").clone();
    let attempts: usize = statuses.values().sum();
    let redis_memory = |field: &str| {
        let redis = redis.lock().expect("not poisoned");
        redis.memory(field).map_or("?".into(), |b| b.to_string())
    };
    println!(
        "load: {} requests, {} concurrent, Redis killed after {} and back in {:.0} ms\n\
         load: {:.0} requests/s over {:.2} s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n\
         load: {attempts} attempts, statuses {statuses:?}; store errors {}, renewed {}, replayed {}\n\
         load: peak RSS {} KiB (client, server and test together); Redis used_memory {} B, peak {} B",
        size.requests,
        size.concurrency,
        sent_before_kill,
        outage.as_secs_f64() * 1000.0,
        size.requests as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        stats.store_errors(),
        stats.renewed(),
        stats.replayed(),
        peak_rss_kib().map_or("?".into(), |k| k.to_string()),
        redis_memory("used_memory"),
        redis_memory("used_memory_peak"),
    );
    server.abort();
}

fn fastish_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// CI's size: a few seconds, the crash included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_runs_once_and_no_request_is_lost_across_a_redis_crash() {
    run(Size {
        requests: 300,
        concurrency: 16,
        kill_at: 0.4,
        work: Duration::from_millis(5),
    })
    .await;
}

/// The full size: `cargo xtask loadtest` (or this test with `--ignored`
/// in a release build; `MFA_LOAD_REQUESTS` and `MFA_LOAD_CONCURRENCY`).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "full size: run with `cargo xtask loadtest`"]
async fn full_size() {
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    run(Size {
        requests: number("MFA_LOAD_REQUESTS", 20_000),
        concurrency: number("MFA_LOAD_CONCURRENCY", 64),
        kill_at: 0.4,
        work: Duration::from_millis(5),
    })
    .await;
}
