//! The generator: OpenAPI 3.0 documents in, Rust source out.
//!
//! It is a pipeline, one module per stage:
//! 1. [`load`]: YAML or JSON text to `openapiv3::OpenAPI`, with a source map
//!    from JSON pointers to lines;
//! 2. [`model`]: every `$ref` resolved into our own [`model::Api`];
//! 3. [`naming`]: every Rust identifier decided once;
//! 4. [`emit`]: models, client and server as tokens;
//! 5. [`write`]: formatting, headers, and an all-or-nothing write.

pub mod diagnostics;
pub mod load;
