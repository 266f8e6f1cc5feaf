#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pplint::fuzzing::workspace_files(data));
