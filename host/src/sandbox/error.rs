//! The one error type of the sandbox: every way loading or calling a
//! rules module can fail.
//!
//! Each message starts with the module (`builtin` or its path) and, for a
//! call, the batch, so that a line on stderr says which module failed on
//! which input without more context. Load-time failures of the module's
//! own code name the batch `(load)`.

use std::time::Duration;

/// Loading or calling a rules module failed.
///
/// Variants that concern a call carry `module` (its name, `builtin` or
/// the file path) and `batch` (what the caller was processing).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The module file could not be read.
    #[error("module `{module}`: cannot read the file: {source}")]
    Read {
        /// The module's path.
        module: String,
        /// Why reading failed.
        source: std::io::Error,
    },

    /// The bytes are not a WebAssembly module that wasmtime accepts.
    #[error("module `{module}`: not a valid WebAssembly module: {reason}")]
    Invalid {
        /// The module's name.
        module: String,
        /// What the compiler said.
        reason: String,
    },

    /// The module imports something; the host provides nothing.
    #[error(
        "module `{module}`: imports {}; a rules module must have no \
         imports",
        backticked(.imports)
    )]
    Imports {
        /// The module's name.
        module: String,
        /// Every import, as `module.name`.
        imports: Vec<String>,
    },

    /// An export the ABI requires is missing.
    #[error("module `{module}`: missing export `{export}`")]
    MissingExport {
        /// The module's name.
        module: String,
        /// The missing export.
        export: &'static str,
    },

    /// An export of the ABI has the wrong kind or signature.
    #[error(
        "module `{module}`: export `{export}` is `{found}`, expected \
         `{expected}`"
    )]
    ExportType {
        /// The module's name.
        module: String,
        /// The export in question.
        export: &'static str,
        /// What the ABI requires, e.g. `func (i32, i32) -> i64`.
        expected: String,
        /// What the module has.
        found: String,
    },

    /// `ir_abi_version` returned a version this host does not speak.
    #[error(
        "module `{module}`: ABI version `{found}`, but this host speaks \
         version `{}`",
        super::ABI_VERSION
    )]
    AbiVersion {
        /// The module's name.
        module: String,
        /// The version the module reported.
        found: i32,
    },

    /// The engine or its ticker thread could not be set up.
    #[error("module `{module}`: cannot set up the sandbox: {reason}")]
    Setup {
        /// The module's name.
        module: String,
        /// What went wrong.
        reason: String,
    },

    /// The request is longer than an `i32` length can say.
    #[error(
        "module `{module}`: batch `{batch}`: request of `{len}` bytes is \
         larger than the ABI allows (`{}` bytes)",
        i32::MAX
    )]
    RequestTooLarge {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The request's length.
        len: usize,
    },

    /// `ir_alloc` returned 0.
    #[error(
        "module `{module}`: batch `{batch}`: could not allocate `{len}` \
         bytes for the request"
    )]
    AllocFailed {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The request's length.
        len: usize,
    },

    /// `ir_alloc` returned a buffer that does not fit in memory.
    #[error(
        "module `{module}`: batch `{batch}`: request buffer at `{ptr}` \
         with length `{len}` lies outside memory (`{memory}` bytes)"
    )]
    RequestOutOfBounds {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The pointer `ir_alloc` returned.
        ptr: u32,
        /// The request's length.
        len: usize,
        /// The memory's size in bytes.
        memory: usize,
    },

    /// `ir_call` packed an answer that does not fit in memory.
    #[error(
        "module `{module}`: batch `{batch}`: answer at `{ptr}` with \
         length `{len}` lies outside memory (`{memory}` bytes)"
    )]
    AnswerOutOfBounds {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The answer's pointer.
        ptr: u32,
        /// The answer's length.
        len: u32,
        /// The memory's size in bytes.
        memory: usize,
    },

    /// The answer is not UTF-8.
    #[error(
        "module `{module}`: batch `{batch}`: answer is not UTF-8 (invalid \
         byte at offset `{offset}`)"
    )]
    AnswerNotUtf8 {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// Where the first invalid byte is.
        offset: usize,
    },

    /// The call used up its fuel.
    #[error(
        "module `{module}`: batch `{batch}`: ran out of fuel (budget \
         {budget})"
    )]
    OutOfFuel {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The fuel each call gets.
        budget: u64,
    },

    /// The call ran past its wall-clock limit.
    #[error(
        "module `{module}`: batch `{batch}`: ran past the time limit \
         ({limit:?})"
    )]
    Timeout {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The time each call gets.
        limit: Duration,
    },

    /// The module tried to grow its memory past the cap.
    #[error(
        "module `{module}`: batch `{batch}`: needed more memory than the \
         limit ({limit} bytes)"
    )]
    MemoryLimit {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The memory cap in bytes.
        limit: usize,
    },

    /// The module executed `unreachable`, which is how a Rust panic
    /// ends with `panic = "abort"`.
    #[error(
        "module `{module}`: batch `{batch}`: trapped on `unreachable` (a \
         panic inside the module)"
    )]
    Unreachable {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
    },

    /// The module accessed memory outside its bounds.
    #[error(
        "module `{module}`: batch `{batch}`: trapped on an out-of-bounds \
         memory access"
    )]
    MemoryOutOfBounds {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
    },

    /// Any other trap (stack exhaustion, division by zero, ...).
    #[error("module `{module}`: batch `{batch}`: trapped: {reason}")]
    Trap {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// The trap, as wasmtime describes it.
        reason: String,
    },

    /// wasmtime failed for a reason that is not a trap.
    #[error("module `{module}`: batch `{batch}`: {reason}")]
    Host {
        /// The module's name.
        module: String,
        /// The batch being processed.
        batch: String,
        /// What wasmtime said.
        reason: String,
    },
}

/// Lists names as `` `a`, `b` ``.
fn backticked(names: &[String]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}
