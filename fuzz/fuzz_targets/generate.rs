//! Any text, YAML or JSON or neither, through the whole pipeline: load,
//! model, naming, emit and format. It must return generated files or
//! diagnostics, never panic, hang or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let spec = mfa_codegen::SpecInput {
        module: "fuzzed".into(),
        path: "fuzzed.yaml".into(),
        text: text.to_string(),
        options: Default::default(),
    };
    let _ = mfa_codegen::generate_module(&spec);
});
