//! The README's examples, copied as they are into a crate of their own
//! whose `[dependencies]` are the README's, must build, and the Fireblocks
//! example must sign: its call must get past the generated server's
//! `FireblocksVerifier`, which refuses anything unsigned.
//!
//! The README's examples are also doctests of this package, but a doctest
//! builds against this workspace's dependencies and features: a README that
//! forgot a dependency or a feature (`redis` for `RedisStore`, say) would
//! still pass there and fail for a new user. This test catches that.
//!
//! It runs cargo on the new crate in this workspace's target directory and
//! dev profile, so dependencies built with the same features are shared
//! (cargo holds no lock on it while tests run): about 75 s after a
//! workspace build on two cores (2.5 minutes of CPU when nothing could be
//! shared), seconds when run again. It runs under `CI=true` (`.ci/run`) or
//! with `MFA_TEST_README_CRATE=1`, and otherwise says it was skipped.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the README says the user's copy of this repository lives, relative
/// to the user's crate; replaced by this workspace's root.
const CHECKOUT: &str = "../mfa-apis/";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The fenced code blocks of `markdown` whose info string starts with
/// `language`, in order.
fn code_blocks(markdown: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) if info.split(',').next() == Some(language) => {
                current = Some(String::new());
            }
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The README's `[dependencies]` block, pointed at this workspace.
fn dependencies(readme: &str, root: &Path) -> String {
    let block = code_blocks(readme, "toml")
        .into_iter()
        .find(|block| block.trim_start().starts_with("[dependencies]"))
        .expect("the README shows the [dependencies] of a user's crate");
    assert!(
        block.contains(CHECKOUT),
        "the README's dependencies point at {CHECKOUT}"
    );
    block.replace(CHECKOUT, &format!("{}/", root.display()))
}

/// The examples, each in a module of its own, their public items
/// re-exported for the test.
fn library(readme: &str) -> String {
    let mut lib = String::from(
        "//! The README's examples, as they are.\n\
         // The examples define functions for a user to call.\n\
         #![allow(dead_code)]\n",
    );
    let examples = code_blocks(readme, "rust");
    assert!(examples.len() >= 5, "the README's Rust examples");
    for (n, example) in examples.iter().enumerate() {
        let _ = writeln!(
            lib,
            "\nmod readme_{n} {{\n{example}}}\npub use readme_{n}::*;"
        );
    }
    lib
}

/// The test that runs in the new crate: the README's
/// `reset_fireblocks_device`, pointed at a generated Fireblocks server that
/// checks signatures with the test key's public half.
fn signing_test(root: &Path) -> String {
    let keys = root.join("runtime/tests/keys");
    format!(
        r#"//! The README's Fireblocks example signs its call.
use std::sync::{{Arc, Mutex}};

use mfa_apis::fireblocks::{{self, operations::*}};
use mfa_runtime::fireblocks::VerifyingKey;
use mfa_runtime::server::Principal;
use mfa_runtime::server::auth::{{AuthLayer, FireblocksVerifier}};

const PRIVATE: &[u8] = include_bytes!("{private}");
const PUBLIC: &[u8] = include_bytes!("{public}");

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(Option<Principal>, String)>>>);

impl fireblocks::FireblocksApi for Seen {{
    async fn reset_device(
        &self,
        caller: Option<Principal>,
        input: ResetDeviceInput,
    ) -> Result<ResetDeviceSuccess, ResetDeviceError> {{
        self.0.lock().unwrap().push((caller, input.id));
        Ok(ResetDeviceSuccess::Ok {{ x_request_id: Some("req-1".into()) }})
    }}
}}

#[tokio::test]
async fn the_fireblocks_example_signs_its_call() {{
    let seen = Seen::default();
    let verifier = FireblocksVerifier::new()
        .with_key("readme-api-key", VerifyingKey::from_pem(PUBLIC).unwrap());
    let app = mfa_runtime::axum::Router::new()
        .nest("/v1", fireblocks::router(seen.clone()))
        .layer(AuthLayer::new(verifier));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{{}}/v1", listener.local_addr().unwrap());
    tokio::spawn(mfa_runtime::server::serve(listener, app));

    readme_crate::reset_fireblocks_device(&base, "readme-api-key", PRIVATE, "console-user-1")
        .await
        .expect("the signed call is accepted");
    let calls = seen.0.lock().unwrap().clone();
    assert_eq!(
        calls,
        [(Some(Principal::new("fireblocks", "readme-api-key")), "console-user-1".to_string())]
    );

    // Without the signer the same call is refused before it reaches the
    // implementation: the example's signer is what made it through.
    let unsigned = fireblocks::Client::new(&base).reset_device("console-user-2").await;
    assert_eq!(unsigned.unwrap_err().status().map(|s| s.as_u16()), Some(401));
    assert_eq!(seen.0.lock().unwrap().len(), 1);
}}
"#,
        private = keys.join("fireblocks-test-private.pem").display(),
        public = keys.join("fireblocks-test-public.pem").display(),
    )
}

#[test]
fn the_readme_examples_build_in_a_new_crate_and_sign() {
    let requested = std::env::var("MFA_TEST_README_CRATE").is_ok_and(|v| v == "1")
        || std::env::var("CI").is_ok_and(|v| v == "true");
    if !requested {
        eprintln!(
            "skipped: builds a crate of its own (minutes when cold); \
             runs under CI=true or MFA_TEST_README_CRATE=1"
        );
        return;
    }
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    // Under the target directory: out of the source tree, cleaned with it.
    let dir = target.join("readme-crate");
    std::fs::create_dir_all(dir.join("src")).expect("crate dir");
    std::fs::create_dir_all(dir.join("tests")).expect("tests dir");
    let manifest = format!(
        "[package]\nname = \"readme-crate\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n{}\n\
         # Its own workspace: it lives under this one's target directory.\n[workspace]\n\n\
         # This workspace's dev profile, so dependencies built with the same\n\
         # features are shared rather than built again.\n\
         [profile.dev.package.\"*\"]\ndebug = false\n",
        dependencies(&readme, &root)
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    std::fs::write(dir.join("src/lib.rs"), library(&readme)).expect("lib.rs");
    std::fs::write(dir.join("tests/signs.rs"), signing_test(&root)).expect("signs.rs");
    // The workspace's versions: the new crate resolves the same releases,
    // offline, from what this build already downloaded.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--offline", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let shown = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "the README's examples in a new crate ({}):\n{shown}",
        dir.display()
    );
    assert!(shown.contains("1 passed"), "the signing test ran:\n{shown}");
}

#[test]
fn code_blocks_are_read_whole_and_by_language() {
    let markdown = "text\n```toml\n[dependencies]\na = 1\n```\n```rust,no_run\nfn a() {}\n\n```\n```sh\nls\n```\n";
    assert_eq!(code_blocks(markdown, "toml"), ["[dependencies]\na = 1\n"]);
    assert_eq!(code_blocks(markdown, "rust"), ["fn a() {}\n\n"]);
    assert_eq!(code_blocks(markdown, "python"), Vec::<String>::new());
}
