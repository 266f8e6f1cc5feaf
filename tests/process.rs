//! What `run_process` sets up for the process it runs in. Kept in a test
//! binary of its own: it configures rayon's global pool once and for all, from
//! the one thread this binary's only test runs on.

#[test]
fn the_process_thread_works_in_the_pool_and_the_report_is_unchanged() {
    let args = [
        "pplint",
        "check",
        "--format",
        "json",
        "--no-config",
        "fixtures/demo/contoso-helpdesk",
    ];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = pplint::run_process(args, &mut out, &mut err);
    assert_eq!(
        rayon::current_thread_index(),
        Some(0),
        "the calling thread is the pool's first thread"
    );
    let (mut expected_out, mut expected_err) = (Vec::new(), Vec::new());
    let expected_code = pplint::run(args, &mut expected_out, &mut expected_err);
    assert_eq!(code, expected_code);
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&expected_out)
    );
    assert_eq!(
        String::from_utf8_lossy(&err),
        String::from_utf8_lossy(&expected_err)
    );
}
