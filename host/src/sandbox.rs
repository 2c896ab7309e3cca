//! Runs the plain rules module in wasmtime, treating it as hostile.
//!
//! [`RulesModule`] owns one [`Engine`] (fuel and epoch interruption on),
//! the module compiled once, and a ticker thread that advances the epoch
//! every [`EPOCH_TICK`]. Loading refuses any module that imports
//! anything, lacks an export of the ABI (`docs/abi.md`) or has the wrong
//! signature, or reports an ABI version other than [`ABI_VERSION`].
//!
//! A [`Worker`] (one per thread) owns its own [`Store`] and instance and
//! bounds every call with a fuel budget, a wall-clock deadline counted in
//! epoch ticks and a memory cap, all from [`Limits`]. Whatever the module
//! hands back is checked before it is believed: pointers and lengths
//! against the memory size, the answer for UTF-8. Every failure becomes a
//! [`SandboxError`] naming the module and the batch.
//!
//! After any failed call the worker drops its store and instance: a trap
//! can leave the module's allocator or globals half-updated, so the next
//! call starts from a fresh instance instead of trusting that state.
//!
//! What the request and answer JSON mean is the boundary's business
//! (`incident_rules_wasm::boundary`); this module moves bytes only.

mod error;

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use wasmtime::{
    Config, Engine, ExternType, Instance, Memory, Module, ResourceLimiter,
    Store, StoreLimits, StoreLimitsBuilder, Trap, TypedFunc, ValType,
};

pub use self::error::SandboxError;

/// The plain rules module built from this workspace, embedded at build
/// time by `build.rs`.
pub static BUILTIN_MODULE: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/incident_rules.wasm"));

/// The name [`RulesModule::builtin`] gives the embedded module in errors.
pub const BUILTIN_NAME: &str = "builtin";

/// The only ABI version this host speaks (`ir_abi_version`).
pub const ABI_VERSION: i32 = 1;

/// The batch name used in errors raised while a module is being loaded.
pub const LOAD_BATCH: &str = "(load)";

/// How often the ticker thread advances the engine's epoch.
///
/// The wall-clock limit is counted in these ticks, so it is honoured to
/// within one tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(100);

/// Default cap on a worker's linear memory: 256 MiB.
pub const DEFAULT_MEMORY_BYTES: usize = 256 << 20;

/// Default fuel for one call: ten billion units (roughly one per wasm
/// instruction), several seconds of work.
pub const DEFAULT_FUEL_PER_CALL: u64 = 10_000_000_000;

/// Default wall-clock limit for one call, a backstop behind the fuel.
pub const DEFAULT_TIME_PER_CALL: Duration = Duration::from_secs(60);

/// Most table elements an instance may have; Rust modules need one per
/// function called indirectly, far fewer than this.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// The limits every call into the module runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Cap on the instance's linear memory, in bytes. Growing past it
    /// traps ([`SandboxError::MemoryLimit`]).
    pub memory_bytes: usize,
    /// Fuel for one call, start-up of a fresh instance included. Running
    /// out traps ([`SandboxError::OutOfFuel`]).
    pub fuel_per_call: u64,
    /// Wall-clock limit for one call, honoured to within [`EPOCH_TICK`].
    /// Passing it traps ([`SandboxError::Timeout`]).
    pub time_per_call: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: DEFAULT_MEMORY_BYTES,
            fuel_per_call: DEFAULT_FUEL_PER_CALL,
            time_per_call: DEFAULT_TIME_PER_CALL,
        }
    }
}

impl Limits {
    /// The epoch deadline for one call: the time limit in whole ticks,
    /// rounded up, at least one and at most `u32::MAX` (over 13 years).
    ///
    /// The cap matters: wasmtime adds the ticks to the current epoch, and
    /// a huge limit must not overflow that sum.
    fn epoch_ticks(&self) -> u64 {
        let tick = EPOCH_TICK.as_nanos();
        let ticks = self.time_per_call.as_nanos().div_ceil(tick);
        let ticks = ticks.clamp(1, u128::from(u32::MAX));
        u64::try_from(ticks).unwrap_or(u64::from(u32::MAX))
    }
}

/// A checked rules module, compiled once and shared by its workers.
///
/// Cloning is cheap and shares the engine, the compiled code and the epoch
/// ticker; the ticker stops when the last clone and the last worker are
/// dropped.
#[derive(Clone)]
pub struct RulesModule {
    shared: Arc<Shared>,
}

/// What a module's workers share.
struct Shared {
    name: String,
    engine: Engine,
    module: Module,
    limits: Limits,
    // Held only to stop the thread when the last user goes away.
    _ticker: Ticker,
}

impl RulesModule {
    /// Loads the module embedded in the host ([`BUILTIN_MODULE`]), named
    /// `builtin` in errors.
    ///
    /// # Errors
    ///
    /// Returns an error if the embedded module fails the checks of
    /// [`RulesModule::from_bytes`], which would be a build problem.
    pub fn builtin(limits: Limits) -> Result<Self, SandboxError> {
        Self::from_bytes(BUILTIN_NAME, BUILTIN_MODULE, limits)
    }

    /// Loads a module from a file (binary or WAT text), named by its path
    /// in errors.
    ///
    /// # Errors
    ///
    /// Returns [`SandboxError::Read`] if the file cannot be read, and
    /// otherwise fails as [`RulesModule::from_bytes`] does.
    pub fn from_file(
        path: &std::path::Path,
        limits: Limits,
    ) -> Result<Self, SandboxError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| {
            SandboxError::Read { module: name.clone(), source }
        })?;
        Self::from_bytes(&name, &bytes, limits)
    }

    /// Compiles and checks a module (binary or WAT text) named `name` in
    /// errors.
    ///
    /// The module must have no imports, must export `memory`,
    /// `ir_abi_version`, `ir_alloc`, `ir_free` and `ir_call` with the
    /// signatures of `docs/abi.md`, and `ir_abi_version` must return
    /// [`ABI_VERSION`]. The version check runs in a throw-away instance
    /// under `limits`.
    ///
    /// # Errors
    ///
    /// Returns [`SandboxError::Invalid`], [`SandboxError::Imports`],
    /// [`SandboxError::MissingExport`], [`SandboxError::ExportType`] or
    /// [`SandboxError::AbiVersion`] for a module that does not fit, a trap
    /// variant (with batch [`LOAD_BATCH`]) if its start-up or version
    /// check traps, and [`SandboxError::Setup`] if the engine or the
    /// ticker thread cannot be created.
    pub fn from_bytes(
        name: &str,
        bytes: &[u8],
        limits: Limits,
    ) -> Result<Self, SandboxError> {
        let setup = |reason: String| SandboxError::Setup {
            module: name.to_owned(),
            reason,
        };

        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true);
        let engine =
            Engine::new(&config).map_err(|e| setup(format!("{e:#}")))?;
        let module = Module::new(&engine, bytes).map_err(|e| {
            SandboxError::Invalid {
                module: name.to_owned(),
                reason: format!("{e:#}"),
            }
        })?;
        check_imports(name, &module)?;
        check_exports(name, &module)?;

        let ticker = Ticker::start(engine.clone()).map_err(|e| {
            setup(format!("cannot start the epoch ticker: {e}"))
        })?;
        let shared = Arc::new(Shared {
            name: name.to_owned(),
            engine,
            module,
            limits,
            _ticker: ticker,
        });

        // Instantiating runs the module's start-up code, so the version
        // check is bounded like any call.
        let mut live = Live::new(&shared, LOAD_BATCH)?;
        let version = live
            .version
            .call(&mut live.store, ())
            .map_err(|e| shared.trap(&live.store, LOAD_BATCH, e))?;
        if version != ABI_VERSION {
            return Err(SandboxError::AbiVersion {
                module: name.to_owned(),
                found: version,
            });
        }
        Ok(RulesModule { shared })
    }

    /// The name the module goes by in errors: `builtin` or the file path.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> Limits {
        self.shared.limits
    }

    /// A new worker with its own store; the instance is created on the
    /// first call.
    pub fn worker(&self) -> Worker {
        Worker {
            shared: Arc::clone(&self.shared),
            live: None,
            fuel_used: None,
        }
    }
}

impl std::fmt::Debug for RulesModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RulesModule")
            .field("name", &self.shared.name)
            .field("limits", &self.shared.limits)
            .finish_non_exhaustive()
    }
}

/// Refuses a module with any import: the host provides none, so an import
/// could only be an attempt to reach outside the sandbox (or a build that
/// pulled in wasm-bindgen or a clock).
fn check_imports(name: &str, module: &Module) -> Result<(), SandboxError> {
    let imports: Vec<String> = module
        .imports()
        .map(|import| format!("{}.{}", import.module(), import.name()))
        .collect();
    if imports.is_empty() {
        Ok(())
    } else {
        Err(SandboxError::Imports { module: name.to_owned(), imports })
    }
}

/// A function export's parameters and results.
type Signature = (&'static [ValKind], &'static [ValKind]);

/// The exports of the ABI: name and signature (`None` for the memory).
const EXPORTS: &[(&str, Option<Signature>)] = &[
    ("memory", None),
    ("ir_abi_version", Some((&[], &[ValKind::I32]))),
    ("ir_alloc", Some((&[ValKind::I32], &[ValKind::I32]))),
    ("ir_free", Some((&[ValKind::I32, ValKind::I32], &[]))),
    ("ir_call", Some((&[ValKind::I32, ValKind::I32], &[ValKind::I64]))),
];

/// The value types the ABI uses; [`ValType`] itself is not a constant.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValKind {
    I32,
    I64,
}

impl ValKind {
    fn of(ty: &ValType) -> Option<ValKind> {
        match ty {
            ValType::I32 => Some(ValKind::I32),
            ValType::I64 => Some(ValKind::I64),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ValKind::I32 => "i32",
            ValKind::I64 => "i64",
        }
    }
}

/// Checks that every export of the ABI is there with its exact type.
/// Other exports (`__heap_base` and the like) are ignored.
fn check_exports(name: &str, module: &Module) -> Result<(), SandboxError> {
    for &(export, signature) in EXPORTS {
        let Some(found) = module.get_export(export) else {
            return Err(SandboxError::MissingExport {
                module: name.to_owned(),
                export,
            });
        };
        let fits = match (&found, signature) {
            // A 32-bit, unshared memory: the ABI's pointers are `i32`.
            (ExternType::Memory(memory), None) => {
                !memory.is_64() && !memory.is_shared()
            }
            (ExternType::Func(func), Some((params, results))) => {
                let kinds = |types: Vec<ValType>| -> Vec<Option<ValKind>> {
                    types.iter().map(ValKind::of).collect()
                };
                let want = |kinds: &[ValKind]| -> Vec<Option<ValKind>> {
                    kinds.iter().copied().map(Some).collect()
                };
                kinds(func.params().collect()) == want(params)
                    && kinds(func.results().collect()) == want(results)
            }
            _ => false,
        };
        if !fits {
            return Err(SandboxError::ExportType {
                module: name.to_owned(),
                export,
                expected: describe_expected(signature),
                found: describe(&found),
            });
        }
    }
    Ok(())
}

/// How the ABI writes the type it wants, e.g. `func (i32, i32) -> i64`.
fn describe_expected(signature: Option<Signature>) -> String {
    let Some((params, results)) = signature else {
        return "memory (32-bit, unshared)".to_owned();
    };
    let list = |kinds: &[ValKind]| -> String {
        kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
    };
    format_func(&list(params), &list(results))
}

/// Writes what a module actually exports in the style of
/// [`describe_expected`].
fn describe(found: &ExternType) -> String {
    match found {
        ExternType::Func(func) => {
            let list = |types: Vec<ValType>| -> String {
                types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format_func(
                &list(func.params().collect()),
                &list(func.results().collect()),
            )
        }
        ExternType::Memory(memory) => {
            let bits = if memory.is_64() { 64 } else { 32 };
            let shared =
                if memory.is_shared() { "shared" } else { "unshared" };
            format!("memory ({bits}-bit, {shared})")
        }
        ExternType::Global(_) => "global".to_owned(),
        ExternType::Table(_) => "table".to_owned(),
        ExternType::Tag(_) => "tag".to_owned(),
    }
}

fn format_func(params: &str, results: &str) -> String {
    if results.is_empty() {
        format!("func ({params})")
    } else {
        format!("func ({params}) -> {results}")
    }
}

impl Shared {
    /// Turns an error out of wasmtime during a call into a
    /// [`SandboxError`] that names the module and the batch.
    fn trap(
        &self,
        store: &Store<StoreState>,
        batch: &str,
        error: wasmtime::Error,
    ) -> SandboxError {
        let module = self.name.clone();
        let batch = batch.to_owned();

        // The limiter's refusal is a plain error, not a `Trap`, so the
        // store remembers it instead.
        if store.data().memory_refused {
            let limit = self.limits.memory_bytes;
            return SandboxError::MemoryLimit { module, batch, limit };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => SandboxError::OutOfFuel {
                module,
                batch,
                budget: self.limits.fuel_per_call,
            },
            Some(Trap::Interrupt) => SandboxError::Timeout {
                module,
                batch,
                limit: self.limits.time_per_call,
            },
            Some(Trap::UnreachableCodeReached) => {
                SandboxError::Unreachable { module, batch }
            }
            Some(Trap::MemoryOutOfBounds) => {
                SandboxError::MemoryOutOfBounds { module, batch }
            }
            Some(trap) => {
                let text = trap.to_string();
                let reason = text
                    .strip_prefix("wasm trap: ")
                    .map_or_else(|| text.clone(), str::to_owned);
                SandboxError::Trap { module, batch, reason }
            }
            None => SandboxError::Host {
                module,
                batch,
                reason: format!("{error:#}"),
            },
        }
    }

    /// A [`SandboxError::Host`] for a failure of the host's own
    /// bookkeeping (setting fuel and the like).
    fn host(
        &self,
        batch: &str,
        reason: impl std::fmt::Display,
    ) -> SandboxError {
        SandboxError::Host {
            module: self.name.clone(),
            batch: batch.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// What a store carries: the memory limits and whether they were hit.
struct StoreState {
    limits: StoreLimits,
    memory_refused: bool,
}

// Delegates to `StoreLimits` and records a refused memory growth, which
// wasmtime reports as an untyped error.
impl ResourceLimiter for StoreState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum);
        if !matches!(allowed, Ok(true)) {
            self.memory_refused = true;
        }
        allowed
    }

    fn memory_grow_failed(
        &mut self,
        error: wasmtime::Error,
    ) -> wasmtime::Result<()> {
        self.memory_refused = true;
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(
        &mut self,
        error: wasmtime::Error,
    ) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// A store with one instance of the module and its exports.
struct Live {
    store: Store<StoreState>,
    memory: Memory,
    version: TypedFunc<(), i32>,
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<(i32, i32), ()>,
    call: TypedFunc<(i32, i32), i64>,
}

impl Live {
    /// A fresh store and instance, with fuel and deadline set for a call
    /// that is part of `batch`.
    fn new(shared: &Shared, batch: &str) -> Result<Live, SandboxError> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(shared.limits.memory_bytes)
            .table_elements(MAX_TABLE_ELEMENTS)
            .instances(1)
            .memories(1)
            .tables(1)
            .trap_on_grow_failure(true)
            .build();
        let state = StoreState { limits, memory_refused: false };
        let mut store = Store::new(&shared.engine, state);
        store.limiter(|state| state);
        arm(shared, &mut store, batch)?;

        let instance = Instance::new(&mut store, &shared.module, &[])
            .map_err(|e| shared.trap(&store, batch, e))?;
        // The exports were checked at load time, so these only fail if
        // wasmtime disagrees with that check.
        let missing = |what| shared.host(batch, format!("export `{what}`"));
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| missing("memory"))?;
        let func = |store: &mut Store<StoreState>, name| {
            instance.get_func(&mut *store, name).ok_or_else(|| missing(name))
        };
        let version = func(&mut store, "ir_abi_version")?;
        let alloc = func(&mut store, "ir_alloc")?;
        let free = func(&mut store, "ir_free")?;
        let call = func(&mut store, "ir_call")?;
        let typed = |e: wasmtime::Error| shared.host(batch, format!("{e:#}"));
        Ok(Live {
            version: version.typed(&store).map_err(typed)?,
            alloc: alloc.typed(&store).map_err(typed)?,
            free: free.typed(&store).map_err(typed)?,
            call: call.typed(&store).map_err(typed)?,
            memory,
            store,
        })
    }
}

/// Gives the store a full fuel budget and a fresh wall-clock deadline.
fn arm(
    shared: &Shared,
    store: &mut Store<StoreState>,
    batch: &str,
) -> Result<(), SandboxError> {
    store
        .set_fuel(shared.limits.fuel_per_call)
        .map_err(|e| shared.host(batch, format!("setting fuel: {e:#}")))?;
    store.set_epoch_deadline(shared.limits.epoch_ticks());
    store.epoch_deadline_trap();
    Ok(())
}

/// Calls into a rules module from one thread.
///
/// Owns its own store, so workers on different threads never contend.
/// After a failed call the store and instance are dropped and the next
/// call instantiates the module afresh.
pub struct Worker {
    shared: Arc<Shared>,
    live: Option<Live>,
    fuel_used: Option<u64>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("module", &self.shared.name)
            .field("instantiated", &self.live.is_some())
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Sends one request to the module and returns its answer.
    ///
    /// `batch` names the work in errors, e.g. `input.csv lines 2-1001`.
    /// The answer is checked to lie inside the module's memory and to be
    /// UTF-8; what it says (`{"ok": ...}` or `{"errors": [...]}`) is for
    /// the caller to read.
    ///
    /// # Errors
    ///
    /// Returns a [`SandboxError`] naming the module and `batch` if the
    /// request is too large for the ABI, the module traps or runs out of
    /// fuel, time or memory, or it hands back a buffer outside its memory
    /// or an answer that is not UTF-8. The worker stays usable: its next
    /// call runs on a fresh instance.
    pub fn call(
        &mut self,
        request: &[u8],
        batch: &str,
    ) -> Result<Vec<u8>, SandboxError> {
        let Ok(len) = i32::try_from(request.len()) else {
            return Err(SandboxError::RequestTooLarge {
                module: self.shared.name.clone(),
                batch: batch.to_owned(),
                len: request.len(),
            });
        };
        self.fuel_used = None;
        let result = self.call_live(request, len, batch);
        if result.is_err() {
            // INVARIANT: after a failure nothing in the instance is
            // trusted; see the module doc.
            self.live = None;
        }
        result
    }

    /// Whether the next call runs on a new instance: true before the
    /// first call and after a failed one (or [`Worker::reset`]).
    ///
    /// A new instance holds none of the state earlier calls loaded
    /// (policy and KPI handles), so a caller that relies on such state
    /// checks this before each call and loads it again when true.
    pub fn is_fresh(&self) -> bool {
        self.live.is_none()
    }

    /// The fuel the last call used, if it succeeded: how close real
    /// batches come to [`Limits::fuel_per_call`].
    pub fn fuel_used(&self) -> Option<u64> {
        self.fuel_used
    }

    /// Drops the store and instance, releasing their memory; the next
    /// call instantiates the module afresh.
    pub fn reset(&mut self) {
        self.live = None;
    }

    /// The steps of [`Worker::call`] once the request length fits.
    fn call_live(
        &mut self,
        request: &[u8],
        len: i32,
        batch: &str,
    ) -> Result<Vec<u8>, SandboxError> {
        let shared = &*self.shared;
        let live = match &mut self.live {
            Some(live) => {
                arm(shared, &mut live.store, batch)?;
                live
            }
            None => self.live.insert(Live::new(shared, batch)?),
        };
        let Live { store, memory, alloc, free, call, .. } = live;
        let trap = |store: &Store<StoreState>, e| shared.trap(store, batch, e);

        // Hand the request over: the module allocates, the host writes.
        let ptr = alloc.call(&mut *store, len).map_err(|e| trap(store, e))?;
        if ptr == 0 {
            return Err(SandboxError::AllocFailed {
                module: shared.name.clone(),
                batch: batch.to_owned(),
                len: request.len(),
            });
        }
        let ptr = ptr.cast_unsigned();
        memory.write(&mut *store, ptr as usize, request).map_err(|_| {
            SandboxError::RequestOutOfBounds {
                module: shared.name.clone(),
                batch: batch.to_owned(),
                ptr,
                len: request.len(),
                memory: memory.data_size(&*store),
            }
        })?;

        // Run it; the module frees the request and owns the answer.
        let packed = call
            .call(&mut *store, (ptr.cast_signed(), len))
            .map_err(|e| trap(store, e))?;
        let (answer_ptr, answer_len) = unpack(packed);
        let answer =
            read_answer(shared, store, memory, answer_ptr, answer_len, batch)?;

        free.call(
            &mut *store,
            (answer_ptr.cast_signed(), answer_len.cast_signed()),
        )
        .map_err(|e| trap(store, e))?;

        if let Err(e) = std::str::from_utf8(&answer) {
            return Err(SandboxError::AnswerNotUtf8 {
                module: shared.name.clone(),
                batch: batch.to_owned(),
                offset: e.valid_up_to(),
            });
        }
        // Fuel left only fails to read when fuel is off, which the engine
        // configuration rules out.
        if let Ok(left) = store.get_fuel() {
            self.fuel_used =
                Some(shared.limits.fuel_per_call.saturating_sub(left));
        }
        Ok(answer)
    }
}

/// Splits `ir_call`'s result into the answer's pointer and length.
fn unpack(packed: i64) -> (u32, u32) {
    let bits = packed.cast_unsigned();
    // Truncation is the point: the high half is the pointer, the low half
    // the length.
    ((bits >> 32) as u32, bits as u32)
}

/// Copies the answer out of linear memory after checking that it lies
/// entirely inside it.
fn read_answer(
    shared: &Shared,
    store: &Store<StoreState>,
    memory: &Memory,
    ptr: u32,
    len: u32,
    batch: &str,
) -> Result<Vec<u8>, SandboxError> {
    let data = memory.data(store);
    let start = ptr as usize;
    // Computed in `u64` so that a hostile pointer plus length cannot wrap.
    let end = u64::from(ptr) + u64::from(len);
    let bytes = usize::try_from(end).ok().and_then(|end| data.get(start..end));
    match bytes {
        Some(bytes) => Ok(bytes.to_vec()),
        None => Err(SandboxError::AnswerOutOfBounds {
            module: shared.name.clone(),
            batch: batch.to_owned(),
            ptr,
            len,
            memory: data.len(),
        }),
    }
}

/// The thread that advances the engine's epoch every [`EPOCH_TICK`].
struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: Engine) -> std::io::Result<Ticker> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("rules-epoch".to_owned())
            .spawn(move || {
                // Dropping the sender disconnects the channel, which ends
                // the loop without waiting for the next tick.
                while let Err(RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(EPOCH_TICK)
                {
                    engine.increment_epoch();
                }
            })?;
        Ok(Ticker { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // The thread cannot panic, and there is nothing to do on drop
            // if it somehow did.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_ticks_round_up_and_never_reach_zero() {
        let ticks = |time_per_call| {
            Limits { time_per_call, ..Limits::default() }.epoch_ticks()
        };
        assert_eq!(ticks(Duration::ZERO), 1);
        assert_eq!(ticks(Duration::from_millis(1)), 1);
        assert_eq!(ticks(Duration::from_millis(100)), 1);
        assert_eq!(ticks(Duration::from_millis(101)), 2);
        assert_eq!(ticks(DEFAULT_TIME_PER_CALL), 600);
        assert_eq!(ticks(Duration::MAX), u64::from(u32::MAX));
    }

    #[test]
    fn unpack_reads_both_halves_as_unsigned() {
        assert_eq!(unpack(0x0000_0040_0000_0008), (64, 8));
        assert_eq!(unpack(-1), (u32::MAX, u32::MAX));
        assert_eq!(
            unpack(0x8000_0000_0000_0001_u64.cast_signed()),
            (0x8000_0000, 1)
        );
    }

    #[test]
    fn workers_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        fn assert_sync<T: Sync>() {}
        assert_send::<Worker>();
        assert_send::<RulesModule>();
        assert_sync::<RulesModule>();
    }
}
