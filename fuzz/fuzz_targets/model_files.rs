#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pplint::fuzzing::model_files(data));
