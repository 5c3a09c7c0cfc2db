//! Running one child process and measuring it the same way for every
//! generator: wall time from spawn to exit, and the peak resident memory the
//! kernel reports for it (and its waited-for descendants: a wrapper script's
//! JVM counts) through `wait4`.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How one run of a child process went.
#[derive(Debug, Clone)]
pub struct Run {
    pub wall: Duration,
    /// Peak resident set size in bytes.
    pub max_rss: u64,
    /// CPU time in user mode, the child and its waited-for descendants.
    pub user: Duration,
    /// CPU time in the kernel, likewise.
    pub system: Duration,
    pub success: bool,
    /// The exit status as text (`exit 1`, `signal 6`).
    pub status: String,
}

/// Run `command` to completion with its stdout and stderr in `log`.
pub fn run(command: &mut Command, log: &Path) -> Result<Run, String> {
    let out = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("cannot share {}: {e}", log.display()))?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // `Child::wait` cannot report resource usage; `wait4` reaps the child
    // and fills `usage` in one call. The `Child` is not waited on again.
    // SAFETY: `pid` is our own unreaped child; both pointers are valid for writes.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if reaped != pid {
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    let status_text = if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status}")
    };
    Ok(Run {
        wall,
        // Linux reports kilobytes.
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        user: duration(usage.ru_utime),
        system: duration(usage.ru_stime),
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        status: status_text,
    })
}

fn duration(time: libc::timeval) -> Duration {
    let secs = u64::try_from(time.tv_sec).unwrap_or(0);
    let micros = u32::try_from(time.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(micros.into())
}

/// The median of `values` (the lower middle one for an even count).
pub fn median<T: Copy + Ord>(values: &[T]) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_takes_the_middle_of_sorted_values() {
        assert_eq!(median(&[5, 1, 3]), Some(3));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(median::<u32>(&[]), None);
    }

    #[test]
    fn a_child_is_timed_and_its_memory_and_status_reported() {
        let log = std::env::temp_dir().join(format!("xtask-measure-{}.log", std::process::id()));
        let ok = run(Command::new("sh").args(["-c", "echo hi"]), &log).unwrap();
        assert!(
            ok.success && ok.max_rss > 0 && ok.status == "exit 0",
            "{ok:?}"
        );
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "hi\n");
        let busy = run(
            Command::new("sh").args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]),
            &log,
        )
        .unwrap();
        assert!(busy.user > Duration::ZERO, "{busy:?}");
        let failed = run(Command::new("sh").args(["-c", "exit 3"]), &log).unwrap();
        assert!(!failed.success && failed.status == "exit 3", "{failed:?}");
    }
}
