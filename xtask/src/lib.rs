//! What `cargo xtask` and the test suite share: this repository's layout
//! ([`project`]), so the freshness test generates exactly what
//! `cargo xtask gen` writes.

pub mod project;
