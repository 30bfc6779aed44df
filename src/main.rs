//! The `samspill` command: serve the web application or run an administrative task.

fn main() -> std::process::ExitCode {
    return_large_blocks_to_the_system();
    few_arenas();
    samspill::cli::run()
}

/// glibc gives threads up to eight malloc arenas per core, and each SQLite connection runs on
/// a thread of its own: under 32 connections each arena kept its own free blocks. Four arenas
/// share them.
fn few_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

/// Every password check (argon2) takes a 19 MiB block on a thread of its own. glibc's malloc
/// raises its mmap threshold to the largest block freed, so from the second login on those
/// blocks are carved from the threads' arenas and kept there: a few hundred logins left the
/// server holding half a gigabyte. A fixed threshold keeps large blocks mapped and returns
/// them to the system when freed.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
