//! The `samspill` command: serve the web application or run an administrative task.

fn main() -> std::process::ExitCode {
    samspill::cli::run()
}
