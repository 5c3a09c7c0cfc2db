//! Running one child process so that nothing it does can end the corpus run:
//! its own process group (a timeout kills it and everything it started), an
//! address-space limit (an allocation past it fails inside the child, not in
//! the machine's OOM killer), a wall-clock timeout, and its peak memory and
//! exit status read back through `wait4`.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a child may use.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    /// Address-space limit in bytes (`RLIMIT_AS`), if any.
    pub memory: Option<u64>,
}

/// How a child ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it (6 for an abort, 9 for a kill).
    Signal(i32),
    /// It ran past the timeout and was killed, with its process group.
    TimedOut,
}

#[derive(Debug, Clone)]
pub struct Finished {
    pub exit: Exit,
    pub wall: Duration,
    /// CPU time, user and system, of the child and its waited-for
    /// descendants: unlike wall time, not inflated by a busy machine.
    pub cpu: Duration,
    /// Peak resident set size in bytes of the child or its largest waited-for
    /// descendant.
    pub max_rss: u64,
}

/// The machine's physical memory in bytes (`MemTotal` in `/proc/meminfo`),
/// `None` where there is no such file.
pub fn physical_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    meminfo_total(&meminfo)
}

fn meminfo_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}

/// Run `command` under `limits`, its stdout to `stdout` and its stderr to
/// `stderr` (files, so a chatty child can never block on a full pipe).
pub fn run(
    command: &mut Command,
    limits: Limits,
    stdout: &Path,
    stderr: &Path,
) -> Result<Finished, String> {
    let create = |path: &Path| {
        File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(create(stdout)?))
        .stderr(Stdio::from(create(stderr)?))
        .process_group(0);
    if let Some(bytes) = limits.memory {
        // SAFETY: between fork and exec only async-signal-safe calls are
        // allowed; setrlimit is one, and the closure touches nothing else.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: bytes as libc::rlim_t,
                    rlim_max: bytes as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", command.get_program()))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut pause = Duration::from_millis(2);
    let mut timed_out = false;
    loop {
        // `Child::try_wait` cannot report resource usage; `wait4` reaps the
        // child and fills `usage` in one call. The `Child` is never waited on.
        // SAFETY: `pid` is our own unreaped child; both pointers are valid.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        if reaped < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("wait4 failed: {error}"));
        }
        if !timed_out && started.elapsed() >= limits.timeout {
            timed_out = true;
            // SAFETY: signalling our child's own process group (its id is
            // the child's pid, from `process_group(0)`).
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
    let wall = started.elapsed();
    // Whatever the child left running in its group goes with it.
    // SAFETY: as above; an empty group makes this a harmless ESRCH.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let exit = if timed_out {
        Exit::TimedOut
    } else if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(-1)
    };
    let seconds = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Ok(Finished {
        exit,
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // Linux reports kilobytes.
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, limits: Limits) -> (Finished, String) {
        let dir = std::env::temp_dir().join(format!("xtask-isolate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (out, err) = (dir.join("out"), dir.join("err"));
        let finished = run(Command::new("sh").args(["-c", script]), limits, &out, &err).unwrap();
        (finished, std::fs::read_to_string(out).unwrap())
    }

    #[test]
    fn physical_memory_is_read_from_meminfo() {
        let meminfo = "MemTotal:       24576000 kB\nMemFree:        20000000 kB\n";
        assert_eq!(meminfo_total(meminfo), Some(24_576_000 << 10));
        assert_eq!(meminfo_total("MemFree: 1 kB\n"), None);
    }

    const GENEROUS: Limits = Limits {
        timeout: Duration::from_secs(30),
        memory: None,
    };

    #[test]
    fn exit_codes_and_signals_are_results() {
        let (ok, out) = sh("echo hi", GENEROUS);
        assert_eq!((ok.exit, out.as_str()), (Exit::Code(0), "hi\n"));
        assert!(ok.max_rss > 0);
        let (busy, _) = sh(
            "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done",
            GENEROUS,
        );
        assert!(busy.cpu > Duration::from_millis(10), "{busy:?}");
        assert_eq!(sh("exit 3", GENEROUS).0.exit, Exit::Code(3));
        assert_eq!(sh("kill -ABRT $$", GENEROUS).0.exit, Exit::Signal(6));
    }

    #[test]
    fn a_child_past_its_timeout_is_killed_with_what_it_started() {
        let limits = Limits {
            timeout: Duration::from_millis(200),
            memory: None,
        };
        // The grandchild holds stdout open: if it survived, this would not end.
        let (finished, _) = sh("sleep 30 & sleep 30", limits);
        assert_eq!(finished.exit, Exit::TimedOut);
        assert!(finished.wall < Duration::from_secs(10), "{finished:?}");
    }

    #[test]
    fn an_allocation_past_the_memory_limit_fails_in_the_child() {
        let limits = Limits {
            timeout: Duration::from_secs(30),
            memory: Some(64 << 20),
        };
        // `head -c` of 256 MB into a shell variable needs more than 64 MB.
        let (finished, _) = sh(
            "x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo ${#x}",
            limits,
        );
        assert_ne!(finished.exit, Exit::Code(0), "{finished:?}");
    }
}
