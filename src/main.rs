use std::io::Write;
use std::process::ExitCode;

// The run allocates a few hundred thousand small nodes and strings on every
// thread; glibc's malloc spent about a sixth of all instructions on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Block-buffered: the standard line buffering costs a system call per line of a
    // multi-megabyte JSON or SARIF report.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let stderr = std::io::stderr();
    let code = pplint::run_process(std::env::args_os(), &mut stdout, &mut stderr.lock());
    // A closed pipe (`pplint check … | head`) is not an error of the run.
    let _ = stdout.flush();
    ExitCode::from(code)
}
