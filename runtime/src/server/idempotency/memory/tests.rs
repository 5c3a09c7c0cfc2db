use super::*;

const LEASE: Duration = Duration::from_secs(30);
const TTL: Duration = Duration::from_secs(24 * 3600);
/// What `run` reserves for a running claim at a 1 KiB answer limit.
const RESERVE: usize = 1024 + RECORD_OVERHEAD;

fn response(body: &str) -> StoredResponse {
    StoredResponse {
        status: 200,
        headers: vec![("content-type".into(), b"text/plain".to_vec())],
        body: body.as_bytes().to_vec(),
    }
}

fn slot<'a>(caller: &'a str, key: &'a str) -> Slot<'a> {
    Slot { caller, key }
}

async fn acquire(store: &MemoryStore, caller: &str, key: &str) -> String {
    match store
        .claim(slot(caller, key), "fp", LEASE, RESERVE)
        .await
        .unwrap()
    {
        Claim::Acquired { token } => token,
        other => panic!("{caller}/{key}: {other:?}"),
    }
}

async fn answer(store: &MemoryStore, caller: &str, key: &str, body: &str) {
    let token = acquire(store, caller, key).await;
    assert_eq!(
        complete(store, slot(caller, key), &token, body).await,
        Ownership::Held
    );
}

async fn complete(store: &MemoryStore, slot: Slot<'_>, token: &str, body: &str) -> Ownership {
    let answer = response(body);
    store
        .complete(slot, token, "fp", &answer, TTL)
        .await
        .unwrap()
}

async fn claim(store: &MemoryStore, caller: &str, key: &str) -> Claim {
    store
        .claim(slot(caller, key), "fp", LEASE, RESERVE)
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_key_is_claimed_once_answered_then_expires() {
    let store = MemoryStore::default();
    let token = acquire(&store, "ann", "k").await;
    assert_eq!(
        claim(&store, "ann", "k").await,
        Claim::InFlight {
            fingerprint: "fp".into()
        }
    );
    // Only the holder's token completes it; anyone else is told it is lost.
    let s = slot("ann", "k");
    assert_eq!(
        complete(&store, s, "not-the-token", "no").await,
        Ownership::Lost
    );
    assert_eq!(complete(&store, s, &token, "yes").await, Ownership::Held);
    // Completing again (a retry after a lost reply) is the same completion:
    // held, and the first answer stays; releasing or renewing it is not.
    assert_eq!(complete(&store, s, &token, "again").await, Ownership::Held);
    assert_eq!(
        store.renew(s, &token, LEASE).await.unwrap(),
        Ownership::Lost
    );
    let done = Claim::Done {
        fingerprint: "fp".into(),
        response: response("yes"),
    };
    assert_eq!(claim(&store, "ann", "k").await, done);
    tokio::time::advance(TTL - Duration::from_secs(1)).await;
    assert_eq!(claim(&store, "ann", "k").await, done);
    tokio::time::advance(Duration::from_secs(2)).await;
    acquire(&store, "ann", "k").await;
}

#[tokio::test(start_paused = true)]
async fn a_released_or_abandoned_claim_frees_its_key() {
    let store = MemoryStore::default();
    let token = acquire(&store, "ann", "k").await;
    let s = slot("ann", "k");
    assert_eq!(
        store.release(s, "someone-else").await.unwrap(),
        Ownership::Lost
    );
    assert!(matches!(
        claim(&store, "ann", "k").await,
        Claim::InFlight { .. }
    ));
    assert_eq!(store.release(s, &token).await.unwrap(), Ownership::Held);
    assert_eq!(store.release(s, &token).await.unwrap(), Ownership::Lost);
    acquire(&store, "ann", "k").await;
    // A claim whose process never finished frees itself after the lease.
    tokio::time::advance(LEASE).await;
    acquire(&store, "ann", "k").await;
    assert_eq!(store.len(), 1);
}

/// Renewal keeps a claim past its first lease; a claim that lapsed before
/// it was renewed (or completed) is reported lost, and changes nothing.
#[tokio::test(start_paused = true)]
async fn renewal_keeps_a_claim_and_a_lapsed_one_is_reported_lost() {
    let store = MemoryStore::default();
    let token = acquire(&store, "ann", "k").await;
    let s = slot("ann", "k");
    for _ in 0..4 {
        tokio::time::advance(LEASE / 2).await;
        assert_eq!(
            store.renew(s, &token, LEASE).await.unwrap(),
            Ownership::Held
        );
        assert!(matches!(
            claim(&store, "ann", "k").await,
            Claim::InFlight { .. }
        ));
    }
    assert_eq!(
        store.renew(s, "not-the-token", LEASE).await.unwrap(),
        Ownership::Lost
    );
    tokio::time::advance(LEASE).await;
    assert_eq!(
        store.renew(s, &token, LEASE).await.unwrap(),
        Ownership::Lost
    );
    assert_eq!(complete(&store, s, &token, "late").await, Ownership::Lost);
    // Another request took the key; the late holder cannot touch it.
    let taker = acquire(&store, "ann", "k").await;
    assert_eq!(store.release(s, &token).await.unwrap(), Ownership::Lost);
    assert_eq!(store.release(s, &taker).await.unwrap(), Ownership::Held);
}

/// A caller's new keys evict only that caller's own oldest answers.
#[tokio::test(start_paused = true)]
async fn a_callers_new_keys_evict_only_its_own_answers() {
    let store = MemoryStore::with_limits(Limits {
        per_caller_keys: 3,
        ..Limits::default()
    });
    answer(&store, "bob", "bob-1", "b").await;
    for n in 0..10 {
        tokio::time::advance(Duration::from_secs(1)).await;
        answer(&store, "ann", &format!("ann-{n}"), "a").await;
    }
    assert!(matches!(
        claim(&store, "bob", "bob-1").await,
        Claim::Done { .. }
    ));
    // Ann keeps her three newest.
    for n in 7..10 {
        let key = format!("ann-{n}");
        assert!(
            matches!(claim(&store, "ann", &key).await, Claim::Done { .. }),
            "{key}"
        );
    }
    assert!(matches!(
        claim(&store, "ann", "ann-6").await,
        Claim::Acquired { .. }
    ));
}

/// A caller whose budget is all running claims is refused; others are not.
#[tokio::test(start_paused = true)]
async fn running_claims_refuse_only_their_own_caller() {
    let store = MemoryStore::with_limits(Limits {
        per_caller_keys: 2,
        ..Limits::default()
    });
    acquire(&store, "ann", "a1").await;
    acquire(&store, "ann", "a2").await;
    assert_eq!(
        claim(&store, "ann", "a3").await,
        Claim::Refused(Refusal::CallerBudget)
    );
    acquire(&store, "bob", "b1").await;
    // Ann's claims lapse; she has room again.
    tokio::time::advance(LEASE).await;
    acquire(&store, "ann", "a3").await;
}

/// Bytes, not keys, bound the store: running claims count what they
/// reserve, answers their size; a caller's bytes never exceed its budget
/// and the store's never exceed the total, however many keys are sent.
#[tokio::test(start_paused = true)]
async fn bytes_are_budgeted_per_caller_and_in_all() {
    let limits = Limits {
        max_bytes: 5 * 4 * RESERVE,
        per_caller_bytes: 4 * RESERVE,
        per_caller_keys: 1_000_000,
    };
    let store = MemoryStore::with_limits(limits);
    let big = "x".repeat(900);
    // Four running claims fill Ann's bytes; the fifth is refused.
    let tokens: Vec<String> = futures_util::future::join_all((0..4).map(|n| {
        let store = &store;
        async move { acquire(store, "ann", &format!("run-{n}")).await }
    }))
    .await;
    assert_eq!(
        claim(&store, "ann", "run-4").await,
        Claim::Refused(Refusal::CallerBudget)
    );
    // Answered, each shrinks to its size, and many more fit.
    for (n, token) in tokens.iter().enumerate() {
        let key = format!("run-{n}");
        assert_eq!(
            complete(&store, slot("ann", &key), token, &big).await,
            Ownership::Held
        );
    }
    for n in 0..1_000 {
        answer(&store, "ann", &format!("more-{n}"), &big).await;
        assert!(
            store.bytes() <= limits.per_caller_bytes,
            "after {n}: {}",
            store.bytes()
        );
    }
    // Four more callers fill the store to its total; a sixth is refused
    // until something expires, and nobody's answer was evicted for it.
    for caller in ["c1", "c2", "c3", "c4"] {
        for n in 0..3 {
            answer(&store, caller, &format!("{caller}-{n}"), &big).await;
        }
        acquire(&store, caller, "running").await;
    }
    assert!(store.bytes() <= limits.max_bytes);
    assert_eq!(
        claim(&store, "newcomer", "n1").await,
        Claim::Refused(Refusal::StoreFull)
    );
    for caller in ["c1", "c2", "c3", "c4"] {
        assert!(matches!(
            claim(&store, caller, &format!("{caller}-0")).await,
            Claim::Done { .. }
        ));
    }
    tokio::time::advance(LEASE).await;
    acquire(&store, "newcomer", "n1").await;
}
