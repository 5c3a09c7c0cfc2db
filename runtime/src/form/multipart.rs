//! `multipart/form-data` bodies.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::FormError;
use crate::param::ParamValue;

/// One part of a `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Part {
    /// The form field it belongs to.
    pub name: String,
    /// Set for file parts.
    pub file_name: Option<String>,
    /// `None`: text (`text/plain`).
    pub content_type: Option<String>,
    /// The part's content.
    pub body: Vec<u8>,
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

/// A file in a multipart body: its bytes, and the name and media type the
/// part declares (`application/octet-stream` is sent when none is set).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FilePart {
    /// The file's content.
    pub bytes: Vec<u8>,
    /// The file name the part declares.
    pub file_name: Option<String>,
    /// The media type the part declares.
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file of `bytes`, with no name and no media type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// The file name sent in the part's `Content-Disposition`.
    #[must_use]
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The part's `Content-Type`.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::new(bytes)
    }
}

impl From<&[u8]> for FilePart {
    fn from(bytes: &[u8]) -> Self {
        FilePart::new(bytes)
    }
}

impl<const N: usize> From<&[u8; N]> for FilePart {
    fn from(bytes: &[u8; N]) -> Self {
        FilePart::new(bytes.as_slice())
    }
}

impl From<bytes::Bytes> for FilePart {
    fn from(bytes: bytes::Bytes) -> Self {
        FilePart::new(bytes.to_vec())
    }
}

/// A `multipart/form-data` body: its parts in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Multipart {
    /// The parts, in the order they are sent.
    pub parts: Vec<Part>,
}

/// A typed multipart body (generated structs implement it).
pub trait MultipartBody: Sized {
    /// This value as a multipart body.
    fn to_multipart(&self) -> Result<Multipart, FormError>;
    /// Read a value back from a multipart body.
    fn from_multipart(form: Multipart) -> Result<Self, FormError>;
}

impl MultipartBody for Multipart {
    fn to_multipart(&self) -> Result<Multipart, FormError> {
        Ok(self.clone())
    }
    fn from_multipart(form: Multipart) -> Result<Self, FormError> {
        Ok(form)
    }
}

/// A required part or value that is absent.
pub fn required<T>(name: &str, value: Option<T>) -> Result<T, FormError> {
    value.ok_or_else(|| FormError::new(format!("the part `{name}` is required")))
}

/// `None` for no values: an optional list that was not sent.
pub fn non_empty<T>(values: Vec<T>) -> Option<Vec<T>> {
    (!values.is_empty()).then_some(values)
}

impl Multipart {
    /// A form with no parts.
    pub fn new() -> Self {
        Self::default()
    }

    /// A text part holding `value`.
    pub fn text<T: ParamValue>(&mut self, name: &str, value: &T) {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: None,
            content_type: None,
            body: value.to_param().into_bytes(),
        });
    }

    /// One text part per value.
    pub fn texts<'a, T: ParamValue + 'a>(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = &'a T>,
    ) {
        for value in values {
            self.text(name, value);
        }
    }

    /// A file part; its file name defaults to `name`, since many servers
    /// only treat a part with a file name as a file.
    pub fn file(&mut self, name: &str, file: &FilePart) {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: Some(file.file_name.clone().unwrap_or_else(|| name.to_string())),
            content_type: Some(
                file.content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".to_string()),
            ),
            body: file.bytes.clone(),
        });
    }

    /// One file part per file.
    pub fn files<'a>(&mut self, name: &str, files: impl IntoIterator<Item = &'a FilePart>) {
        for file in files {
            self.file(name, file);
        }
    }

    /// An `application/json` part (objects and arrays of them, per OpenAPI's
    /// default for complex properties).
    pub fn json<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), FormError> {
        let body = serde_json::to_vec(value)
            .map_err(|e| FormError::new(format!("cannot be written as JSON: {e}")).at(name))?;
        self.parts.push(Part {
            name: name.to_string(),
            file_name: None,
            content_type: Some("application/json".to_string()),
            body,
        });
        Ok(())
    }

    /// Remove and return every part named `name`, in order.
    fn take_all(&mut self, name: &str) -> Vec<Part> {
        let (taken, kept) = std::mem::take(&mut self.parts)
            .into_iter()
            .partition(|p| p.name == name);
        self.parts = kept;
        taken
    }

    /// Remove and return the first part named `name` (later ones are dropped).
    fn take_one(&mut self, name: &str) -> Option<Part> {
        self.take_all(name).into_iter().next()
    }

    fn part_text(part: Part) -> Result<String, FormError> {
        let name = part.name;
        String::from_utf8(part.body)
            .map_err(|_| FormError::new("the part is not UTF-8 text").at(&name))
    }

    /// The text part `name`, parsed.
    pub fn take_text<T: ParamValue>(&mut self, name: &str) -> Result<Option<T>, FormError> {
        self.take_one(name)
            .map(|part| {
                let text = Self::part_text(part)?;
                T::from_param(&text).map_err(|e| FormError::new(e).at(name))
            })
            .transpose()
    }

    /// Every text part `name`, parsed.
    pub fn take_texts<T: ParamValue>(&mut self, name: &str) -> Result<Vec<T>, FormError> {
        self.take_all(name)
            .into_iter()
            .map(|part| {
                let text = Self::part_text(part)?;
                T::from_param(&text).map_err(|e| FormError::new(e).at(name))
            })
            .collect()
    }

    /// The part `name` as a file (any part will do: a client may send a
    /// small file as text).
    pub fn take_file(&mut self, name: &str) -> Option<FilePart> {
        self.take_one(name).map(Self::into_file)
    }

    /// Every part `name` as a file.
    pub fn take_files(&mut self, name: &str) -> Vec<FilePart> {
        self.take_all(name)
            .into_iter()
            .map(Self::into_file)
            .collect()
    }

    fn into_file(part: Part) -> FilePart {
        FilePart {
            bytes: part.body,
            file_name: part.file_name,
            content_type: part.content_type,
        }
    }

    /// The JSON part `name`, decoded.
    pub fn take_json<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, FormError> {
        self.take_one(name)
            .map(|part| {
                serde_json::from_slice(&part.body)
                    .map_err(|e| FormError::new(format!("invalid JSON: {e}")).at(name))
            })
            .transpose()
    }

    /// The body as sent: its `Content-Type` (with the boundary) and bytes.
    ///
    /// Names and file names are quoted, a `"` escaped as `\"` and CR and LF
    /// as `%0D` and `%0A` (they cannot appear in a header); a content type
    /// with CR or LF is refused.
    pub fn encode(&self) -> Result<(String, Vec<u8>), FormError> {
        for part in &self.parts {
            if let Some(content_type) = &part.content_type
                && content_type.contains(['\r', '\n'])
            {
                return Err(
                    FormError::new("the content type of the part has a line break").at(&part.name),
                );
            }
        }
        let boundary = self.boundary();
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(b"--");
            body.extend_from_slice(boundary.as_bytes());
            body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
            body.extend_from_slice(quote_header(&part.name).as_bytes());
            body.push(b'"');
            if let Some(file_name) = &part.file_name {
                body.extend_from_slice(b"; filename=\"");
                body.extend_from_slice(quote_header(file_name).as_bytes());
                body.push(b'"');
            }
            body.extend_from_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                body.extend_from_slice(b"Content-Type: ");
                body.extend_from_slice(content_type.as_bytes());
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.body);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"--\r\n");
        Ok((format!("multipart/form-data; boundary={boundary}"), body))
    }

    /// A random boundary that occurs in no part.
    fn boundary(&self) -> String {
        use std::hash::{BuildHasher, Hasher};
        self.boundary_from(|attempt| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(attempt);
            format!("mfa-form-{:016x}{attempt:x}", hasher.finish())
        })
    }

    /// The first of the `candidate`s that occurs in no part.
    pub(super) fn boundary_from(&self, mut candidate: impl FnMut(u64) -> String) -> String {
        let mut attempt = 0_u64;
        loop {
            let boundary = candidate(attempt);
            let needle = boundary.as_bytes();
            let clashes = self.parts.iter().any(|p| {
                p.body.windows(needle.len()).any(|w| w == needle)
                    || p.name.contains(&boundary)
                    || p.file_name
                        .as_deref()
                        .is_some_and(|f| f.contains(&boundary))
            });
            if !clashes {
                return boundary;
            }
            attempt += 1;
        }
    }
}

/// A name or file name inside a quoted header parameter.
fn quote_header(text: &str) -> String {
    text.replace('"', "\\\"")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Parse a multipart body read whole (so already within the body limit):
/// `content_type` must be `multipart/form-data` with a boundary.
///
/// Synchronous although multer is not: its stream here is the one chunk
/// already in memory, so every step is ready when first polled. Being
/// synchronous keeps every generated `Endpoint::read` a plain function,
/// which costs the compiler far less than one future per operation.
#[cfg(feature = "server")]
pub fn parse_multipart(content_type: &str, body: bytes::Bytes) -> Result<Multipart, FormError> {
    use futures_util::FutureExt as _;

    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| FormError::new("the multipart Content-Type has no boundary"))?;
    let stream =
        futures_util::stream::once(std::future::ready(Ok::<_, std::convert::Infallible>(body)));
    let mut multipart = multer::Multipart::new(stream, boundary);
    let malformed = |e: multer::Error| FormError::new(format!("malformed multipart body: {e}"));
    let parts = async move {
        let mut form = Multipart::new();
        while let Some(field) = multipart.next_field().await.map_err(malformed)? {
            let name = field
                .name()
                .ok_or_else(|| FormError::new("a part has no name in its Content-Disposition"))?
                .to_string();
            let file_name = field.file_name().map(str::to_string);
            let content_type = field.content_type().map(ToString::to_string);
            let body = field.bytes().await.map_err(malformed)?;
            form.parts.push(Part {
                name,
                file_name,
                content_type,
                body: body.to_vec(),
            });
        }
        Ok(form)
    };
    parts.now_or_never().unwrap_or_else(|| {
        Err(FormError::new(
            "malformed multipart body: the parser waited on a body it already has",
        ))
    })
}
