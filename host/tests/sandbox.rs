// The sandbox (`incident_rules_host::sandbox`): the real module's shape and
// a round trip through it, and small hostile modules written in WAT that
// must each fail with the right error kind, a message naming the module
// and the batch, and leave the host usable.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test reports failure by panicking"
)]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use incident_rules_host::sandbox::{
    BUILTIN_MODULE, LOAD_BATCH, Limits, RulesModule, SandboxError,
};

/// The batch name every hostile call uses.
const BATCH: &str = "input.csv lines 2-1001";

/// The real module, compiled once for the whole test binary.
fn real() -> &'static RulesModule {
    static REAL: OnceLock<RulesModule> = OnceLock::new();
    REAL.get_or_init(|| match RulesModule::builtin(Limits::default()) {
        Ok(module) => module,
        Err(e) => panic!("the builtin module must load: {e}"),
    })
}

/// Asserts that a fresh worker on the real module still answers, i.e.
/// that a hostile module's failure did not take the host down with it.
fn assert_host_usable() {
    let mut worker = real().worker();
    let answer =
        worker.call(br#"{"op":"version"}"#, "after a hostile module").unwrap();
    let json: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert!(json.is_object(), "{json}");
}

/// A module that follows the ABI except for the body of `ir_call`, with
/// extra top-level fields (data segments, globals) in `extra`.
fn abi_module(call_body: &str, extra: &str) -> String {
    format!(
        r#"(module
             (memory (export "memory") 1)
             {extra}
             (func (export "ir_abi_version") (result i32) i32.const 1)
             (func (export "ir_alloc") (param i32) (result i32)
               i32.const 1024)
             (func (export "ir_free") (param i32 i32))
             (func (export "ir_call") (param i32 i32) (result i64)
               {call_body}))"#
    )
}

/// Loads a hostile module that passes the load-time checks and calls it
/// once with a small request.
fn call_hostile(name: &str, wat: &str, limits: Limits) -> SandboxError {
    let module = RulesModule::from_bytes(name, wat.as_bytes(), limits)
        .unwrap_or_else(|e| panic!("{name} must load: {e}"));
    let mut worker = module.worker();
    match worker.call(br#"{"op":"version"}"#, BATCH) {
        Ok(answer) => panic!(
            "{name} must fail, answered {:?}",
            String::from_utf8_lossy(&answer)
        ),
        Err(e) => e,
    }
}

/// Loads a module that must be refused at load time.
fn load_refused(name: &str, wat: &str) -> SandboxError {
    match RulesModule::from_bytes(name, wat.as_bytes(), Limits::default()) {
        Ok(_) => panic!("{name} must be refused"),
        Err(e) => e,
    }
}

/// Asserts that a call error's message names the module and the batch.
fn assert_names(error: &SandboxError, module: &str) {
    let message = error.to_string();
    let prefix = format!("module `{module}`: batch `{BATCH}`: ");
    assert!(message.starts_with(&prefix), "{message}");
}

#[test]
fn builtin_module_has_zero_imports() {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, BUILTIN_MODULE).unwrap();
    let imports: Vec<String> = module
        .imports()
        .map(|i| format!("{}.{}", i.module(), i.name()))
        .collect();
    assert_eq!(imports, Vec::<String>::new());
}

#[test]
fn builtin_module_exports_the_abi() {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, BUILTIN_MODULE).unwrap();
    for name in ["memory", "ir_abi_version", "ir_alloc", "ir_free", "ir_call"]
    {
        assert!(module.get_export(name).is_some(), "missing `{name}`");
    }
}

#[test]
fn builtin_round_trip_returns_json() {
    assert_eq!(real().name(), "builtin");
    let mut worker = real().worker();
    for _ in 0..3 {
        let answer = worker.call(br#"{"op":"version"}"#, BATCH).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        let object = json.as_object().unwrap();
        assert!(
            object.contains_key("ok") || object.contains_key("errors"),
            "{json}"
        );
    }
}

#[test]
fn builtin_answers_garbage_with_errors_not_traps() {
    let mut worker = real().worker();
    for request in [&b""[..], b"not json", b"\xff\xfe", b"{}", b"[1,2]"] {
        let answer = worker.call(request, BATCH).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert!(json.get("errors").is_some(), "{json}");
    }
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    let limits = Limits { fuel_per_call: 1_000_000, ..Limits::default() };
    let wat = abi_module("(loop $spin (br $spin)) i64.const 0", "");
    let error = call_hostile("loop.wat", &wat, limits);
    assert!(
        matches!(error, SandboxError::OutOfFuel { budget: 1_000_000, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "module `loop.wat`: batch `input.csv lines 2-1001`: ran out of \
         fuel (budget 1000000)"
    );
    assert_host_usable();
}

#[test]
fn infinite_loop_hits_the_wall_clock_backstop() {
    let limits = Limits {
        fuel_per_call: u64::MAX,
        time_per_call: Duration::from_millis(300),
        ..Limits::default()
    };
    let wat = abi_module("(loop $spin (br $spin)) i64.const 0", "");
    let started = Instant::now();
    let error = call_hostile("spin.wat", &wat, limits);
    let elapsed = started.elapsed();
    assert!(matches!(error, SandboxError::Timeout { .. }), "{error:?}");
    assert_names(&error, "spin.wat");
    assert!(error.to_string().ends_with("ran past the time limit (300ms)"));
    // Generous: the limit is honoured to within one tick, but a loaded
    // machine may be slow to schedule the ticker.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert_host_usable();
}

#[test]
fn endless_memory_growth_hits_the_limit() {
    let limits = Limits { memory_bytes: 4 << 20, ..Limits::default() };
    let wat = abi_module(
        "(loop $grow
           (drop (memory.grow (i32.const 16)))
           (br $grow))
         i64.const 0",
        "",
    );
    let error = call_hostile("grow.wat", &wat, limits);
    assert!(
        matches!(error, SandboxError::MemoryLimit { limit: 4194304, .. }),
        "{error:?}"
    );
    assert_names(&error, "grow.wat");
    assert_host_usable();
}

#[test]
fn initial_memory_over_the_limit_is_refused_at_load() {
    let limits = Limits { memory_bytes: 1 << 20, ..Limits::default() };
    // 32 pages are 2 MiB, over the 1 MiB cap before any code runs.
    let wat = abi_module("i64.const 0", "").replace(
        r#"(memory (export "memory") 1)"#,
        r#"(memory (export "memory") 32)"#,
    );
    let error = RulesModule::from_bytes("big.wat", wat.as_bytes(), limits)
        .unwrap_err();
    assert!(matches!(error, SandboxError::MemoryLimit { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("module `big.wat`: batch `{LOAD_BATCH}`: ")),
        "{error}"
    );
    assert_host_usable();
}

#[test]
fn unreachable_is_a_trap_not_a_crash() {
    let error = call_hostile(
        "panic.wat",
        &abi_module("unreachable", ""),
        Limits::default(),
    );
    assert!(matches!(error, SandboxError::Unreachable { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "module `panic.wat`: batch `input.csv lines 2-1001`: trapped on \
         `unreachable` (a panic inside the module)"
    );
    assert_host_usable();
}

#[test]
fn out_of_bounds_access_inside_the_module_is_a_trap() {
    let wat = abi_module("(drop (i32.load (i32.const -4))) i64.const 0", "");
    let error = call_hostile("oob.wat", &wat, Limits::default());
    assert!(
        matches!(error, SandboxError::MemoryOutOfBounds { .. }),
        "{error:?}"
    );
    assert_names(&error, "oob.wat");
    assert_host_usable();
}

#[test]
fn deep_recursion_is_a_trap() {
    let wat = abi_module("call $down i64.const 0", "(func $down call $down)");
    let error = call_hostile("recurse.wat", &wat, Limits::default());
    match &error {
        SandboxError::Trap { reason, .. } => {
            assert_eq!(reason, "call stack exhausted");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    assert_names(&error, "recurse.wat");
    assert_host_usable();
}

#[test]
fn answer_pointer_out_of_range_is_refused() {
    // ptr 0xFFFF0000, len 16, in a memory of one 64 KiB page.
    let wat = abi_module("i64.const 0xFFFF000000000010", "");
    let error = call_hostile("far.wat", &wat, Limits::default());
    assert!(
        matches!(
            error,
            SandboxError::AnswerOutOfBounds {
                ptr: 0xFFFF_0000,
                len: 16,
                memory: 65536,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "module `far.wat`: batch `input.csv lines 2-1001`: answer at \
         `4294901760` with length `16` lies outside memory (`65536` bytes)"
    );
    assert_host_usable();
}

#[test]
fn answer_straddling_the_end_of_memory_is_refused() {
    // Starts inside (65530) but runs 16 bytes, past 65536.
    let wat = abi_module("i64.const 0x0000FFFA00000010", "");
    let error = call_hostile("edge.wat", &wat, Limits::default());
    assert!(
        matches!(
            error,
            SandboxError::AnswerOutOfBounds { ptr: 65530, len: 16, .. }
        ),
        "{error:?}"
    );
    assert_host_usable();
}

#[test]
fn huge_answer_length_is_refused() {
    // ptr 16, len 0xFFFFFFFF: ptr + len would wrap a 32-bit sum.
    let wat = abi_module("i64.const 0x00000010FFFFFFFF", "");
    let error = call_hostile("huge.wat", &wat, Limits::default());
    assert!(
        matches!(
            error,
            SandboxError::AnswerOutOfBounds { ptr: 16, len: u32::MAX, .. }
        ),
        "{error:?}"
    );
    assert_names(&error, "huge.wat");
    assert_host_usable();
}

#[test]
fn answer_that_is_not_utf8_is_refused() {
    // `{"ok":` then a lone 0xFF byte then `}`: 8 bytes at offset 64.
    let wat = abi_module(
        "i64.const 0x0000004000000008",
        r#"(data (i32.const 64) "{\22ok\22:\ff}")"#,
    );
    let error = call_hostile("latin1.wat", &wat, Limits::default());
    assert!(
        matches!(error, SandboxError::AnswerNotUtf8 { offset: 6, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "module `latin1.wat`: batch `input.csv lines 2-1001`: answer is \
         not UTF-8 (invalid byte at offset `6`)"
    );
    assert_host_usable();
}

#[test]
fn failed_allocation_is_reported() {
    let wat = abi_module("i64.const 0", "").replace(
        "(result i32)\n               i32.const 1024",
        "(result i32)\n               i32.const 0",
    );
    let error = call_hostile("noalloc.wat", &wat, Limits::default());
    assert!(
        matches!(error, SandboxError::AllocFailed { len: 16, .. }),
        "{error:?}"
    );
    assert_names(&error, "noalloc.wat");
    assert_host_usable();
}

#[test]
fn request_buffer_out_of_range_is_refused() {
    let wat = abi_module("i64.const 0", "").replace(
        "(result i32)\n               i32.const 1024",
        "(result i32)\n               i32.const 65530",
    );
    let error = call_hostile("badalloc.wat", &wat, Limits::default());
    assert!(
        matches!(
            error,
            SandboxError::RequestOutOfBounds { ptr: 65530, len: 16, .. }
        ),
        "{error:?}"
    );
    assert_names(&error, "badalloc.wat");
    assert_host_usable();
}

#[test]
fn module_with_an_import_is_refused() {
    let wat = abi_module("i64.const 0", "")
        .replace("(module", r#"(module (import "env" "foo" (func))"#);
    let error = load_refused("import.wat", &wat);
    assert!(matches!(error, SandboxError::Imports { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "module `import.wat`: imports `env.foo`; a rules module must have \
         no imports"
    );
    assert_host_usable();
}

#[test]
fn module_with_a_missing_export_is_refused() {
    let wat =
        abi_module("i64.const 0", "").replace(r#"(export "ir_free")"#, "");
    let error = load_refused("nofree.wat", &wat);
    assert!(
        matches!(error, SandboxError::MissingExport { export: "ir_free", .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "module `nofree.wat`: missing export `ir_free`"
    );
    assert_host_usable();
}

#[test]
fn export_with_the_wrong_signature_is_refused() {
    let wat = abi_module("i32.const 0", "").replace(
        "(param i32 i32) (result i64)",
        "(param i32 i32) (result i32)",
    );
    let error = load_refused("sig.wat", &wat);
    assert!(
        matches!(error, SandboxError::ExportType { export: "ir_call", .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "module `sig.wat`: export `ir_call` is `func (i32, i32) -> i32`, \
         expected `func (i32, i32) -> i64`"
    );
    assert_host_usable();
}

#[test]
fn wrong_abi_version_is_refused() {
    let wat = abi_module("i64.const 0", "")
        .replace("(result i32) i32.const 1)", "(result i32) i32.const 2)");
    let error = load_refused("v2.wat", &wat);
    assert!(
        matches!(error, SandboxError::AbiVersion { found: 2, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "module `v2.wat`: ABI version `2`, but this host speaks version `1`"
    );
    assert_host_usable();
}

#[test]
fn garbage_bytes_are_refused() {
    let error = RulesModule::from_bytes(
        "junk.wasm",
        b"\0asm\x01\0\0\0\xff",
        Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(error, SandboxError::Invalid { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with(
            "module `junk.wasm`: not a valid WebAssembly module: "
        ),
        "{error}"
    );
}

#[test]
fn missing_file_is_reported_with_its_path() {
    let path = std::path::Path::new("/nonexistent/rules.wasm");
    let error = RulesModule::from_file(path, Limits::default()).unwrap_err();
    assert!(matches!(error, SandboxError::Read { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("module `/nonexistent/rules.wasm`: cannot read"),
        "{error}"
    );
}

#[test]
fn worker_reinstantiates_after_a_trap() {
    // Each call bumps a counter kept in a global and answers it as one
    // digit; an empty request traps. A recovered worker starts counting
    // again from 1, which shows it runs on a fresh instance.
    let wat = abi_module(
        "(if (i32.eqz (local.get 1)) (then unreachable))
         (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
         (i32.store8 (i32.const 64)
           (i32.add (i32.const 48) (global.get $calls)))
         i64.const 0x0000004000000001",
        "(global $calls (mut i32) (i32.const 0))",
    );
    let module = RulesModule::from_bytes(
        "counter.wat",
        wat.as_bytes(),
        Limits::default(),
    )
    .unwrap();
    let mut worker = module.worker();
    assert!(worker.is_fresh());
    assert_eq!(worker.call(b"x", BATCH).unwrap(), b"1");
    assert!(!worker.is_fresh());
    assert_eq!(worker.call(b"x", BATCH).unwrap(), b"2");
    let error = worker.call(b"", BATCH).unwrap_err();
    assert!(matches!(error, SandboxError::Unreachable { .. }), "{error:?}");
    assert!(worker.is_fresh());
    assert_eq!(worker.call(b"x", BATCH).unwrap(), b"1");
    worker.reset();
    assert!(worker.is_fresh());
    assert_eq!(worker.call(b"x", BATCH).unwrap(), b"1");
}

#[test]
fn unbounded_limits_do_not_overflow() {
    // The largest limits a caller can ask for must still run a call.
    let limits = Limits {
        memory_bytes: usize::MAX,
        fuel_per_call: u64::MAX,
        time_per_call: Duration::MAX,
    };
    let wat = abi_module(
        "i64.const 0x0000004000000001",
        r#"(data (i32.const 64) "x")"#,
    );
    let module =
        RulesModule::from_bytes("max.wat", wat.as_bytes(), limits).unwrap();
    let mut worker = module.worker();
    assert_eq!(worker.call(b"x", BATCH).unwrap(), b"x");
}

#[test]
fn fuel_is_refilled_for_every_call() {
    // Each call burns a fixed amount; many calls on one worker must not
    // add up to the budget of one.
    let wat = abi_module(
        "(local $n i32)
         (local.set $n (i32.const 1000))
         (loop $count
           (local.set $n (i32.sub (local.get $n) (i32.const 1)))
           (br_if $count (local.get $n)))
         i64.const 0x0000004000000001",
        r#"(data (i32.const 64) "x")"#,
    );
    let limits = Limits { fuel_per_call: 20_000, ..Limits::default() };
    let module =
        RulesModule::from_bytes("steady.wat", wat.as_bytes(), limits).unwrap();
    let mut worker = module.worker();
    assert_eq!(worker.fuel_used(), None);
    let mut used = Vec::new();
    for _ in 0..50 {
        assert_eq!(worker.call(b"x", BATCH).unwrap(), b"x");
        used.push(worker.fuel_used().unwrap());
    }
    // Every call does the same work, so it costs the same fuel, and
    // that is well within the budget.
    assert!(used.windows(2).all(|pair| pair.first() == pair.last()));
    assert!(used.iter().all(|fuel| (1000..20_000).contains(fuel)), "{used:?}");
}

#[test]
fn workers_run_on_several_threads() {
    std::thread::scope(|scope| {
        for thread in 0..4 {
            scope.spawn(move || {
                let mut worker = real().worker();
                let batch = format!("thread {thread}");
                for _ in 0..10 {
                    worker.call(br#"{"op":"version"}"#, &batch).unwrap();
                }
            });
        }
    });
}
