//! Test doubles for generated servers (feature `testing`): what every
//! generated `testing::Double` is made of, written once here.
//!
//! A generated double implements its API's server trait by handing each
//! call to the operation's [`Script`], which records the call (who the auth
//! layer said the caller is, and the typed input) and answers it: first
//! with the answers queued by [`Script::answer_once`], in order, then with
//! the script's default answer ([`Script::answer`], [`Script::respond_with`]
//! or [`Script::respond_with_async`]). A call with no answer scripted
//! panics, naming the operation, as a mock's unexpected call does: the test
//! did not say what should happen. Requests refused before they reach the
//! implementation are recorded by [`Rejections`], and answered in the API's
//! own error shape unless the test says otherwise.
//!
//! ```ignore
//! let double = mfa_apis::flashback::testing::Double::new();
//! double.reset_mfa().answer(Ok(ResetMfaSuccess::Ok { body: done }));
//! let server = serve(mfa_apis::flashback::router(double.clone()));
//! // ... drive a client against `server` ...
//! assert_eq!(double.reset_mfa().calls()[0].input.body, None);
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::response::Response;

use crate::operation::Operation;
use crate::server::{Outcome, Principal, Rejection};

/// One call of the operation `O`, as the implementation received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call<O> {
    /// Who the auth layer authenticated; `None` only where the operation
    /// lets anonymous callers through.
    pub caller: Option<Principal>,
    /// The typed input, as read from the request.
    pub input: O,
}

type Respond<O> =
    Arc<dyn Fn(Call<O>) -> Pin<Box<dyn Future<Output = Outcome<O>> + Send>> + Send + Sync>;

/// What a double answers calls of the operation `O` with, and the calls it
/// received. Every setting returns the script, so settings chain.
pub struct Script<O: Operation> {
    state: Mutex<ScriptState<O>>,
}

struct ScriptState<O: Operation> {
    queue: VecDeque<Outcome<O>>,
    default: Option<Respond<O>>,
    calls: Vec<Call<O>>,
}

impl<O: Operation> Default for Script<O> {
    fn default() -> Self {
        Script {
            state: Mutex::new(ScriptState {
                queue: VecDeque::new(),
                default: None,
                calls: Vec::new(),
            }),
        }
    }
}

impl<O: Operation> fmt::Debug for Script<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Script")
            .field("operation", &O::ID)
            .field("queued", &state.queue.len())
            .field("default", &state.default.is_some())
            .field("calls", &state.calls.len())
            .finish()
    }
}

impl<O: Operation + Clone> Script<O> {
    /// Answer the next call not answered yet with `answer`: queued answers
    /// are used once each, in the order they were queued, before the
    /// default answer.
    pub fn answer_once(&self, answer: Outcome<O>) -> &Self {
        lock(&self.state).queue.push_back(answer);
        self
    }

    /// Answer every call the queue does not with a clone of `answer`
    /// (replacing any default answer set before).
    pub fn answer(&self, answer: Outcome<O>) -> &Self
    where
        O::Success: Clone + Sync,
        O::Error: Clone + Sync,
    {
        self.respond_with(move |_| answer.clone())
    }

    /// Answer every call the queue does not with what `respond` makes of
    /// it: an answer computed from the caller and the input.
    pub fn respond_with(
        &self,
        respond: impl Fn(Call<O>) -> Outcome<O> + Send + Sync + 'static,
    ) -> &Self {
        self.respond_with_async(move |call| std::future::ready(respond(call)))
    }

    /// Like [`Script::respond_with`], with an answer that takes time (a
    /// slow implementation) or awaits something (a signal from the test).
    pub fn respond_with_async<F>(
        &self,
        respond: impl Fn(Call<O>) -> F + Send + Sync + 'static,
    ) -> &Self
    where
        F: Future<Output = Outcome<O>> + Send + 'static,
    {
        let respond: Respond<O> = Arc::new(move |call| Box::pin(respond(call)));
        lock(&self.state).default = Some(respond);
        self
    }

    /// Every call so far, in the order they arrived.
    pub fn calls(&self) -> Vec<Call<O>> {
        lock(&self.state).calls.clone()
    }

    /// Record a call in this script and in the double's `journal` (as
    /// `entry` makes it), then answer it: what a generated double runs for
    /// each call of `O`.
    ///
    /// # Panics
    ///
    /// When no answer is scripted for the call: the test did not say what
    /// should happen.
    pub async fn run<E>(
        &self,
        caller: Option<Principal>,
        input: O,
        journal: &Journal<E>,
        entry: fn(Call<O>) -> E,
    ) -> Outcome<O> {
        let call = Call { caller, input };
        journal.push(entry(call.clone()));
        let (queued, respond, number) = {
            let mut state = lock(&self.state);
            state.calls.push(call.clone());
            (
                state.queue.pop_front(),
                state.default.clone(),
                state.calls.len(),
            )
        };
        match (queued, respond) {
            (Some(answer), _) => answer,
            (None, Some(respond)) => respond(call).await,
            (None, None) => panic!(
                "no answer scripted for call {number} of `{}`: script one with \
                 `answer_once`, `answer` or `respond_with`",
                O::ID
            ),
        }
    }
}

/// Every call a double received, of any operation, in the order they
/// arrived: `E` is the double's own enum with one variant per operation.
pub struct Journal<E> {
    entries: Mutex<Vec<E>>,
}

impl<E> Default for Journal<E> {
    fn default() -> Self {
        Journal {
            entries: Mutex::new(Vec::new()),
        }
    }
}

impl<E> fmt::Debug for Journal<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("entries", &lock(&self.entries).len())
            .finish()
    }
}

impl<E: Clone> Journal<E> {
    /// Every entry so far, in order.
    pub fn entries(&self) -> Vec<E> {
        lock(&self.entries).clone()
    }

    /// Every entry so far, emptying the journal (each operation's script
    /// keeps its own calls).
    pub fn take(&self) -> Vec<E> {
        std::mem::take(&mut *lock(&self.entries))
    }
}

impl<E> Journal<E> {
    fn push(&self, entry: E) {
        lock(&self.entries).push(entry);
    }
}

type Reject = Arc<dyn Fn(&Rejection) -> Response + Send + Sync>;

/// The requests a double's router refused before any implementation ran
/// (unreadable input, no credentials...), and what it answers them.
#[derive(Default)]
pub struct Rejections {
    state: Mutex<(Vec<Rejection>, Option<Reject>)>,
}

impl fmt::Debug for Rejections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Rejections")
            .field("received", &state.0)
            .field("custom", &state.1.is_some())
            .finish()
    }
}

impl Rejections {
    /// Answer rejected requests with what `respond` makes of the
    /// rejection, instead of the API's default rejection.
    pub fn respond_with(
        &self,
        respond: impl Fn(&Rejection) -> Response + Send + Sync + 'static,
    ) -> &Self {
        lock(&self.state).1 = Some(Arc::new(respond));
        self
    }

    /// Every rejection so far, in order.
    pub fn received(&self) -> Vec<Rejection> {
        lock(&self.state).0.clone()
    }

    /// Record `rejection` and answer it, by `default` (the API's own
    /// error shape) unless the test set an answer: what a generated
    /// double's `reject` runs.
    pub fn run(&self, rejection: Rejection, default: fn(&Rejection) -> Response) -> Response {
        let custom = {
            let mut state = lock(&self.state);
            state.0.push(rejection.clone());
            state.1.clone()
        };
        match custom {
            Some(respond) => respond(&rejection),
            None => default(&rejection),
        }
    }
}

/// A lock that outlives a panicking test thread: a double's record stays
/// readable after one call's answer panicked.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use http::{Method, StatusCode};

    use super::*;
    use crate::operation::HasStatus;

    #[derive(Debug, Clone, PartialEq)]
    struct Echo(u32);

    #[derive(Debug, Clone, PartialEq)]
    struct Answered(u32);

    impl HasStatus for Answered {
        fn status(&self) -> StatusCode {
            StatusCode::OK
        }
    }

    impl Operation for Echo {
        const ID: &'static str = "echo";
        const METHOD: Method = Method::POST;
        const PATH: &'static str = "/echo";
        type Success = Answered;
        type Error = Answered;
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Entry {
        Echo(Call<Echo>),
    }

    fn ann() -> Option<Principal> {
        Some(Principal::new("bearer", "ann"))
    }

    #[tokio::test]
    async fn queued_answers_come_first_then_the_default() {
        let (script, journal) = (Script::<Echo>::default(), Journal::default());
        script
            .answer_once(Err(Answered(1)))
            .answer_once(Ok(Answered(2)))
            .respond_with(|call| Ok(Answered(call.input.0 * 10)));
        let mut answers = Vec::new();
        for n in 1..=4 {
            answers.push(script.run(ann(), Echo(n), &journal, Entry::Echo).await);
        }
        assert_eq!(
            answers,
            [
                Err(Answered(1)),
                Ok(Answered(2)),
                Ok(Answered(30)),
                Ok(Answered(40))
            ]
        );
        let inputs: Vec<u32> = script.calls().iter().map(|c| c.input.0).collect();
        assert_eq!(inputs, [1, 2, 3, 4]);
        assert_eq!(
            journal.take()[0],
            Entry::Echo(Call {
                caller: ann(),
                input: Echo(1)
            })
        );
        assert!(journal.entries().is_empty(), "taken");
        assert_eq!(script.calls().len(), 4, "the script keeps its own record");
    }

    #[tokio::test]
    async fn a_fixed_answer_repeats_and_an_async_one_is_awaited() {
        let (script, journal) = (Script::<Echo>::default(), Journal::default());
        script.answer(Ok(Answered(7)));
        for _ in 0..2 {
            assert_eq!(
                script.run(None, Echo(0), &journal, Entry::Echo).await,
                Ok(Answered(7))
            );
        }
        script.respond_with_async(|call| async move {
            tokio::task::yield_now().await;
            Err(Answered(call.input.0 + 1))
        });
        assert_eq!(
            script.run(None, Echo(4), &journal, Entry::Echo).await,
            Err(Answered(5))
        );
    }

    #[tokio::test]
    #[should_panic(expected = "no answer scripted for call 1 of `echo`")]
    async fn an_unscripted_call_names_its_operation() {
        let script = Script::<Echo>::default();
        let _ = script
            .run(None, Echo(1), &Journal::default(), Entry::Echo)
            .await;
    }

    #[test]
    fn rejections_are_recorded_and_answered_by_default_or_as_scripted() {
        fn default(rejection: &Rejection) -> Response {
            let mut response = Response::new(axum::body::Body::empty());
            *response.status_mut() = rejection.status;
            response
        }
        let rejections = Rejections::default();
        let missing = crate::server::missing_body();
        assert_eq!(
            rejections.run(missing.clone(), default).status(),
            StatusCode::BAD_REQUEST
        );
        rejections.respond_with(|_| {
            let mut response = Response::new(axum::body::Body::empty());
            *response.status_mut() = StatusCode::IM_A_TEAPOT;
            response
        });
        assert_eq!(
            rejections.run(missing.clone(), default).status(),
            StatusCode::IM_A_TEAPOT
        );
        assert_eq!(rejections.received(), [missing.clone(), missing]);
    }
}
