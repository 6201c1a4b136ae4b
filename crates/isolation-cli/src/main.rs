//! `isolation`: the command-line entry point (the command itself is `isolation_cli::cli`).

fn main() -> std::process::ExitCode {
    let relaunch = match std::env::current_exe() {
        Ok(exe) => isolation_cli::workers::SelfCommand::new(exe, Vec::new()),
        Err(error) => {
            eprintln!("error: finding this executable: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    std::process::ExitCode::from(isolation_cli::cli::main(std::env::args_os(), relaunch))
}
