//! `xtask corpus-one`: the child process that generates one spec for a
//! corpus run, so a generator that overflows its stack, runs out of memory or
//! hangs ends this process, never the run. It prints one `corpus-result`
//! line of JSON; the exit code says generated (0) or refused (3).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use mfa_codegen::{
    CrateConfig, SpecInput, Tree, crate_root, generate_module, module_name, write_tree,
};

/// The marker before the JSON on the child's stdout.
pub const RESULT: &str = "corpus-result ";

/// Exit code of a refused spec.
pub const REFUSED: u8 = 3;

/// What the child reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub generated: bool,
    pub operations: usize,
    pub types: usize,
    pub warnings: usize,
    /// The first few errors, as printed.
    pub errors: Vec<String>,
    pub error_count: usize,
    /// The first error's message alone (no file, line or pointer).
    pub first_message: Option<String>,
}

/// The result a child printed to the file `out`, if it got that far.
pub fn read_result(out: &Path) -> Option<Generation> {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(RESULT))
        .and_then(|json| serde_json::from_str(json).ok())
}

/// What to generate, and where to write the crate (none: in memory only).
#[derive(Debug, Clone, Default)]
pub struct Job {
    pub spec: PathBuf,
    pub module: String,
    pub label: String,
    pub crate_dir: Option<PathBuf>,
    /// The written crate's package name (default: from the module).
    pub crate_name: Option<String>,
    pub operations: Vec<String>,
    pub tags: Vec<String>,
}

impl Job {
    /// Generate `path` in memory as the module its stem names.
    pub fn for_spec(path: &Path, label: &str) -> Job {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
        Job {
            spec: path.to_path_buf(),
            module: module_name(stem),
            label: label.to_string(),
            ..Job::default()
        }
    }

    /// The arguments that make `corpus-one` run this job.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "corpus-one".to_string(),
            "--spec".into(),
            self.spec.display().to_string(),
            "--module".into(),
            self.module.clone(),
            "--label".into(),
            self.label.clone(),
        ];
        if let Some(dir) = &self.crate_dir {
            args.extend(["--crate".to_string(), dir.display().to_string()]);
        }
        if let Some(name) = &self.crate_name {
            args.extend(["--crate-name".to_string(), name.clone()]);
        }
        for id in &self.operations {
            args.extend(["--operation".to_string(), id.clone()]);
        }
        for tag in &self.tags {
            args.extend(["--tag".to_string(), tag.clone()]);
        }
        args
    }

    fn parse(args: &[&str]) -> Result<Job, String> {
        let mut job = Job::default();
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?
                .to_string();
            match *flag {
                "--spec" => job.spec = PathBuf::from(value),
                "--module" => job.module = value,
                "--label" => job.label = value,
                "--crate" => job.crate_dir = Some(PathBuf::from(value)),
                "--crate-name" => job.crate_name = Some(value),
                "--operation" => job.operations.push(value),
                "--tag" => job.tags.push(value),
                other => return Err(format!("unknown corpus-one option {other}")),
            }
        }
        if job.spec.as_os_str().is_empty() || job.module.is_empty() {
            return Err("corpus-one needs --spec and --module".into());
        }
        Ok(job)
    }
}

pub fn run(args: &[&str]) -> ExitCode {
    let job = match Job::parse(args) {
        Ok(job) => job,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let generation = generate(&job);
    match serde_json::to_string(&generation) {
        Ok(json) => println!("{RESULT}{json}"),
        Err(e) => {
            eprintln!("error: cannot report the result: {e}");
            return ExitCode::FAILURE;
        }
    }
    if generation.generated {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(REFUSED)
    }
}

fn generate(job: &Job) -> Generation {
    let refused = |errors: Vec<String>, first: String| Generation {
        generated: false,
        operations: 0,
        types: 0,
        warnings: 0,
        error_count: errors.len(),
        errors,
        first_message: Some(first),
    };
    let mut spec = match SpecInput::read(&job.spec, &job.module) {
        Ok(spec) => spec,
        Err(message) => return refused(vec![message.clone()], message),
    };
    spec.options = spec
        .options
        .with_operations(job.operations.iter().cloned())
        .with_tags(job.tags.iter().cloned());
    let module = match generate_module(&spec) {
        Ok(module) => module,
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            let first = errors
                .iter()
                .find(|e| e.is_error())
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let count = errors.iter().filter(|e| e.is_error()).count();
            let mut generation = refused(
                errors
                    .iter()
                    .filter(|e| e.is_error())
                    .take(5)
                    .map(ToString::to_string)
                    .collect(),
                first,
            );
            generation.error_count = count;
            return generation;
        }
    };
    for warning in &module.warnings {
        eprintln!("{warning}");
    }
    let mut generation = Generation {
        generated: true,
        operations: module.operations,
        types: module.types,
        warnings: module.warnings.len(),
        errors: Vec::new(),
        error_count: 0,
        first_message: None,
    };
    if let Some(dir) = &job.crate_dir {
        let root = crate::workspace_root();
        let name = job
            .crate_name
            .clone()
            .unwrap_or_else(|| crate_name(&job.module));
        if let Err(e) = write_crate(
            &root,
            dir,
            &name,
            &job.module,
            &job.label,
            module.tree,
            &module.title,
        ) {
            let message = format!("cannot write the crate to {}: {e}", dir.display());
            generation = refused(vec![message.clone()], message);
        }
    }
    generation
}

/// The module a spec file generates (its stem as a Rust module name) and
/// the label it is reported under (its file name).
pub fn module_and_label(path: &Path) -> (String, String) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
    let label = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(stem)
        .to_string();
    (module_name(stem), label)
}

/// Write a throwaway crate holding one generated module, with the
/// workspace's Cargo.lock so it builds against the very dependency versions
/// already compiled in a shared target directory (and without the network).
pub fn write_crate(
    root: &Path,
    dir: &Path,
    name: &str,
    module: &str,
    label: &str,
    mut tree: Tree,
    title: &str,
) -> std::io::Result<()> {
    let config = CrateConfig {
        name: name.to_string(),
        description: format!("Throwaway crate generated from {label}."),
        runtime_path: root.join("runtime").display().to_string(),
    };
    let lib = crate_root(&[(module.to_string(), title.to_string())], label)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    tree.insert(PathBuf::from("src/lib.rs"), lib);
    // Its own workspace: it lives under ours but is not a member.
    tree.insert(
        PathBuf::from("Cargo.toml"),
        format!("{}\n[workspace]\n", mfa_codegen::cargo_toml(&config)),
    );
    if let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) {
        tree.insert(PathBuf::from("Cargo.lock"), lock);
    }
    write_tree(dir, &tree)
}

/// The package name of the crate generated for `module`.
pub fn crate_name(module: &str) -> String {
    format!("corpus-{}", module.trim_end_matches('_').replace('_', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_round_trip_through_arguments() {
        let job = Job {
            spec: PathBuf::from("api/a b.json"),
            module: "a_b".into(),
            label: "a b.json".into(),
            crate_dir: Some(PathBuf::from("/tmp/x")),
            crate_name: Some("corpus-a-b-1234".into()),
            operations: vec!["resetDevice".into()],
            tags: vec!["Users".into()],
        };
        let args = job.args();
        let args: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
        let parsed = Job::parse(&args).unwrap();
        assert_eq!(parsed.args(), job.args());
        assert!(Job::parse(&["--spec"]).is_err());
        assert!(Job::parse(&["--module", "m"]).is_err());
    }

    #[test]
    fn keyword_stems_make_usable_modules_and_crates() {
        let (module, label) = module_and_label(Path::new("api/MATCH.json"));
        assert_eq!((module.as_str(), label.as_str()), ("match_", "MATCH.json"));
        assert_eq!(crate_name(&module), "corpus-match");
        assert_eq!(module_and_label(Path::new("x/petstore.yaml")).0, "petstore");
    }
}
