//! The generators `cargo xtask bench` compares: ours (a release build of
//! `xtask bench-gen`), openapi-generator (`rust`, `rust-server`,
//! `rust-axum`, from the `openapi-generator-cli` package on PyPI, which
//! bundles the jar) and progenitor (`cargo-progenitor` from crates.io), at
//! pinned versions. The peers are installed once into a cache folder under
//! target/.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The peers' versions, pinned so that a benchmark run on another day or
/// machine compares against the same generators as BENCHMARKS.md (the
/// PyPI package's version is the generator's).
pub const OPENAPI_GENERATOR_VERSION: &str = "7.26.0";
pub const PROGENITOR_VERSION: &str = "0.15.1";

/// One code generator under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Ours,
    /// openapi-generator with this generator name.
    OpenApi(&'static str),
    Progenitor,
}

pub const ALL: [Generator; 5] = [
    Generator::Ours,
    Generator::OpenApi("rust"),
    Generator::OpenApi("rust-server"),
    Generator::OpenApi("rust-axum"),
    Generator::Progenitor,
];

impl Generator {
    pub fn label(self) -> String {
        match self {
            Generator::Ours => "ours".into(),
            Generator::OpenApi(name) => format!("openapi-generator {name}"),
            Generator::Progenitor => "progenitor".into(),
        }
    }

    /// A name usable as a directory.
    pub fn slug(self) -> String {
        match self {
            Generator::Ours => "ours".into(),
            Generator::OpenApi(name) => format!("openapi-{name}"),
            Generator::Progenitor => "progenitor".into(),
        }
    }

    /// The command that generates `spec` into the crate directory `out`.
    pub fn command(self, tools: &Tools, spec: &Path, out: &Path) -> Command {
        match self {
            Generator::Ours => {
                let mut command = Command::new(&tools.ours);
                command.arg("bench-gen").arg(spec).arg(out);
                command
            }
            Generator::OpenApi(name) => {
                let mut command = Command::new(tools.openapi_generator());
                // Validation rejects specs that are invalid but clear (an
                // array without `items`), which ours generates with a warning.
                command
                    .args(["generate", "--skip-validate-spec", "-g", name, "-i"])
                    .arg(spec)
                    .arg("-o")
                    .arg(out);
                command
            }
            Generator::Progenitor => {
                let mut command = Command::new(tools.progenitor());
                command
                    .args(["progenitor", "-n", "bench-client", "-v", "0.1.0", "-i"])
                    .arg(spec)
                    .arg("-o")
                    .arg(out);
                command
            }
        }
    }
}

/// Where the generators' executables are.
#[derive(Debug, Clone)]
pub struct Tools {
    /// The release build of xtask, whose `bench-gen` runs our generator.
    pub ours: PathBuf,
    /// The peers' cache folder.
    pub cache: PathBuf,
}

impl Tools {
    fn venv(&self) -> PathBuf {
        self.cache.join("venv")
    }

    fn openapi_generator(&self) -> PathBuf {
        self.venv().join("bin/openapi-generator-cli")
    }

    fn progenitor(&self) -> PathBuf {
        self.cache.join("progenitor/bin/cargo-progenitor")
    }

    /// Install `generator` into the cache unless it is there; `Err` says why
    /// it could not be.
    pub fn install(&self, generator: Generator) -> Result<(), String> {
        fs::create_dir_all(&self.cache)
            .map_err(|e| format!("cannot create {}: {e}", self.cache.display()))?;
        match generator {
            Generator::Ours => Ok(()),
            Generator::OpenApi(_) if self.openapi_generator().exists() => Ok(()),
            Generator::OpenApi(_) => {
                eprintln!(
                    "bench: installing openapi-generator-cli from PyPI into {}",
                    self.venv().display()
                );
                run_quietly(
                    Command::new("python3")
                        .args(["-m", "venv"])
                        .arg(self.venv()),
                )?;
                run_quietly(Command::new(self.venv().join("bin/pip")).args([
                    "install",
                    "--quiet",
                    &format!("openapi-generator-cli=={OPENAPI_GENERATOR_VERSION}"),
                ]))
            }
            Generator::Progenitor if self.progenitor().exists() => Ok(()),
            Generator::Progenitor => {
                eprintln!(
                    "bench: installing cargo-progenitor from crates.io into {}",
                    self.cache.display()
                );
                run_quietly(
                    Command::new(cargo())
                        .args([
                            "install",
                            "--quiet",
                            "--locked",
                            "cargo-progenitor",
                            "--version",
                            PROGENITOR_VERSION,
                            "--root",
                        ])
                        .arg(self.cache.join("progenitor")),
                )
            }
        }
    }

    /// The installed version of `generator`, for the report.
    pub fn version(&self, generator: Generator) -> String {
        let output = match generator {
            Generator::Ours => return "this commit".into(),
            Generator::OpenApi(_) => Command::new(self.openapi_generator())
                .arg("version")
                .output(),
            Generator::Progenitor => {
                let list = Command::new(cargo())
                    .args(["install", "--list", "--root"])
                    .arg(self.cache.join("progenitor"))
                    .output();
                return list
                    .ok()
                    .and_then(|o| {
                        String::from_utf8_lossy(&o.stdout)
                            .lines()
                            .find(|l| l.starts_with("cargo-progenitor "))
                            .map(|l| l.trim_end_matches(':').to_string())
                    })
                    .unwrap_or_else(|| "unknown".into());
            }
        };
        output
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "unknown".into())
    }
}

/// The cargo that runs us.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run_quietly(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Err(format!("{:?} failed: {last}", command.get_program()))
    }
}
