//! When a failed attempt is tried again, and after how long.
//!
//! A retry is only ever made where repeating the request cannot do a thing
//! twice: an idempotent method (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) or a
//! request that carries an idempotency key. What is retried: transport
//! failures, 429 and 5xx (except 501 and 505, which a repeat cannot change).

use std::time::{Duration, SystemTime};

use http::{Method, StatusCode};

/// How often and how patiently a call is retried.
///
/// The wait before retry `n` (1 for the first retry) is
/// `min(max_backoff, initial_backoff * 2^(n-1))`, shortened by up to
/// `jitter` of itself at random so that clients that failed together do not
/// retry together. A `Retry-After` header on a 429 or 5xx replaces that wait.
/// No retry starts if it would begin more than `max_elapsed` after the call
/// started; the call then returns what the last attempt got.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included: 1 means never retry.
    pub max_attempts: u32,
    /// The wait before the first retry.
    pub initial_backoff: Duration,
    /// No wait is longer than this (a `Retry-After` may be, within
    /// `max_elapsed`).
    pub max_backoff: Duration,
    /// No retry starts later than this after the call started.
    pub max_elapsed: Duration,
    /// The fraction (0 to 1) by which a wait is shortened at random; 0
    /// makes every wait exact (for tests).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    /// 3 attempts, waits of about 200 ms then 400 ms (up to half shorter),
    /// no retry starting after 20 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(20),
            jitter: 0.5,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry `retry` (1-based), with `draw` in `[0, 1)` as
    /// the random part: `draw` 0 gives the full backoff, values near 1 the
    /// shortest the jitter allows.
    pub fn backoff_with(&self, retry: u32, draw: f64) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        let full = self
            .initial_backoff
            .saturating_mul(1_u32 << doublings)
            .min(self.max_backoff);
        let jitter = self.jitter.clamp(0.0, 1.0) * draw.clamp(0.0, 1.0);
        full.mul_f64(1.0 - jitter)
    }

    /// The wait before retry `retry` (1-based), jittered at random.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.backoff_with(retry, fastrand::f64())
    }
}

/// What one call may set differently from its client.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallOptions {
    /// The whole call's time limit, retries and waits included.
    pub timeout: Option<Duration>,
    /// How this call is retried.
    pub retry: Option<RetryPolicy>,
}

/// Whether repeating the request cannot act twice: an idempotent method, or
/// an idempotency key the server deduplicates on.
pub fn is_retry_safe(method: &Method, has_idempotency_key: bool) -> bool {
    has_idempotency_key
        || [
            Method::GET,
            Method::HEAD,
            Method::OPTIONS,
            Method::PUT,
            Method::DELETE,
            Method::TRACE,
        ]
        .contains(method)
}

/// Whether a response with this status may succeed if sent again: 429, or a
/// 5xx other than 501 (Not Implemented) and 505 (HTTP Version Not Supported).
pub fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status.is_server_error()
            && status != StatusCode::NOT_IMPLEMENTED
            && status != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
}

/// A `Retry-After` value as a wait from `now`: delay-seconds or an
/// HTTP-date (a date in the past means now). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only: too many of them is still "a very long time".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1_000),
            max_elapsed: Duration::from_secs(60),
            jitter: 0.0,
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = exact();
        let waits: Vec<u128> = (1..=6).map(|n| policy.backoff(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1_000, 1_000]);
        // Far-out retries neither overflow nor exceed the cap.
        assert_eq!(policy.backoff(u32::MAX), Duration::from_millis(1_000));
    }

    #[test]
    fn jitter_only_ever_shortens_and_by_at_most_its_fraction() {
        let policy = RetryPolicy {
            jitter: 0.5,
            ..exact()
        };
        assert_eq!(policy.backoff_with(2, 0.0), Duration::from_millis(200));
        assert_eq!(policy.backoff_with(2, 1.0), Duration::from_millis(100));
        assert_eq!(policy.backoff_with(2, 0.5), Duration::from_millis(150));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..1_000 {
            let wait = policy.backoff(3);
            assert!(
                wait >= Duration::from_millis(200) && wait <= Duration::from_millis(400),
                "{wait:?}"
            );
            seen.insert(wait.as_millis());
        }
        assert!(seen.len() > 50, "the jitter is random: {seen:?}");
    }

    #[test]
    fn the_default_policy_retries_a_little_and_quickly() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 3);
        assert!(policy.backoff_with(1, 0.0) <= Duration::from_millis(200));
        assert_eq!(RetryPolicy::none().max_attempts, 1);
    }

    #[test]
    fn only_idempotent_methods_or_keyed_requests_are_retry_safe() {
        for method in ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"] {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            assert!(is_retry_safe(&method, false), "{method}");
        }
        for method in [Method::POST, Method::PATCH, Method::CONNECT] {
            assert!(!is_retry_safe(&method, false), "{method}");
            assert!(is_retry_safe(&method, true), "{method} with a key");
        }
    }

    #[test]
    fn statuses_worth_retrying() {
        for code in [429, 500, 502, 503, 504, 599] {
            assert!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [200, 400, 401, 404, 409, 501, 505] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
        for bad in ["", "-1", "1.5", "soon", "Sun, 06 Nov 1994"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
