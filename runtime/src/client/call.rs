//! One call, written once for every operation: the operation writes its
//! request and reads its response ([`Callable`], generated per operation);
//! [`Call`] holds the input and the call's own settings, sends it through
//! the client (credentials, retries, timeout) and decodes what comes back.

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::ApiClient;
use super::error::{ClientError, DecodeError, InvalidRequest, RawResponse};
use super::request::Request;
use super::retry::{CallOptions, RetryPolicy};
use crate::operation::Operation;

/// How one operation's request is written and its response read;
/// generated clients implement it on each operation's input type.
pub trait Callable: Operation {
    /// The spec documents redirect (3xx) responses: a redirect the client
    /// does not follow itself (another origin, a changed method) is read as
    /// the spec says rather than ending the call in
    /// [`ClientError::Redirect`].
    const DOCUMENTS_REDIRECTS: bool = false;

    /// Add the input's parameters and body to `request`: the path
    /// template's parameters, the query, headers, cookies and the body.
    fn write(&self, request: &mut Request) -> Result<(), InvalidRequest>;

    /// The documented success or error `response` stands for.
    fn read(response: &RawResponse) -> Decoded<Self>;
}

/// A response read as the operation's documented success or error.
pub type Decoded<O> =
    Result<Result<<O as Operation>::Success, <O as Operation>::Error>, DecodeError>;

/// What a call of `O` ends in: a documented success, or why not.
pub type CallResult<O> = Result<<O as Operation>::Success, ClientError<<O as Operation>::Error>>;

/// The future a call is when `.await`ed.
pub type CallFuture<'a, O> = Pin<Box<dyn Future<Output = CallResult<O>> + Send + 'a>>;

/// A call of the operation `O` being built: its input, and this call's own
/// timeout and retry policy.
#[derive(Debug)]
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, O> {
    client: &'a ApiClient,
    input: O,
    options: CallOptions,
}

impl<'a, O: Callable> Call<'a, O> {
    /// A call of `input` on `client`, with the client's timeout and retry
    /// policy until a setter changes them.
    pub fn new(client: &'a ApiClient, input: O) -> Self {
        Call {
            client,
            input,
            options: CallOptions::default(),
        }
    }

    /// Give this call at most `timeout`, retries included, instead of the
    /// client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Retry this call by `policy` instead of the client's.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// The input as it will be sent.
    pub fn input(&self) -> &O {
        &self.input
    }

    /// The input, to change before sending.
    pub fn input_mut(&mut self) -> &mut O {
        &mut self.input
    }

    /// Send the request and decode the response.
    pub async fn send(self) -> CallResult<O> {
        let request = self.request().map_err(ClientError::from)?;
        let response = self
            .client
            .execute::<Infallible>(request)
            .await
            .map_err(ClientError::widen)?;
        match O::read(&response)? {
            Ok(success) => Ok(success),
            Err(error) => Err(ClientError::Api(error)),
        }
    }

    fn request(&self) -> Result<Request, InvalidRequest> {
        let mut request = Request::new(O::ID, O::METHOD, O::PATH.to_string())
            .with_segment_prefixes(O::SEGMENT_PREFIXES)
            .with_allow_reserved(O::ALLOW_RESERVED)
            .with_adjacent_params(O::ADJACENT_PARAMS);
        request.security = O::SECURITY;
        request.options = self.options;
        request.documents_redirects = O::DOCUMENTS_REDIRECTS;
        self.input.write(&mut request)?;
        request.finished()
    }
}

impl<'a, O: Callable> IntoFuture for Call<'a, O> {
    type Output = CallResult<O>;
    type IntoFuture = CallFuture<'a, O>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
