//! The plain ABI: `extern "C"` exports over linear memory, zero imports.
//!
//! This skin lets any WebAssembly runtime call
//! [`crate::boundary::handle_request`] without wasm-bindgen: the host asks
//! for a buffer with `ir_alloc`, writes a UTF-8 JSON request into it, hands
//! it to `ir_call` (which takes ownership and frees it), reads the answer at
//! the packed `(ptr << 32) | len` that `ir_call` returns, and gives the
//! answer back with `ir_free`. `docs/abi.md` is the contract for hosts; this
//! file only implements it and owns no request or answer format.
//!
//! Nothing here may import from the host: the module is built for
//! `wasm32-unknown-unknown` with `panic = "abort"`, so a panic becomes a
//! wasm `unreachable` trap rather than a call into a panic hook.

use std::alloc::{Layout, alloc, dealloc};
use std::ptr::NonNull;

/// The version of the memory protocol, returned by `ir_abi_version`.
///
/// Bump it on any change a host could observe: an export's name or
/// signature, who frees what, or how the answer is packed.
pub const ABI_VERSION: i32 = 1;

/// Returns the ABI version, so a host can refuse a module it does not know.
#[unsafe(no_mangle)]
pub extern "C" fn ir_abi_version() -> i32 {
    ABI_VERSION
}

/// Allocates `len` bytes for the host to write a request into.
///
/// Returns 0 when `len` is negative or memory is exhausted. A request of 0
/// bytes gets a non-zero pointer that owns no memory, so that 0 keeps
/// meaning failure.
#[unsafe(no_mangle)]
pub extern "C" fn ir_alloc(len: i32) -> i32 {
    let Ok(len) = usize::try_from(len) else {
        return 0;
    };
    match allocate(len) {
        Some(ptr) => address(ptr.as_ptr()),
        None => 0,
    }
}

/// Frees a buffer that `ir_alloc` or `ir_call` handed out.
///
/// A 0 pointer or a 0 length is a no-op.
///
/// # Safety
///
/// `ptr` and `len` must be exactly a pointer and length that this module
/// handed out (from `ir_alloc`, or packed in an `ir_call` answer) and not
/// yet freed or passed to `ir_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ir_free(ptr: i32, len: i32) {
    let Some(ptr) = pointer(ptr) else {
        return;
    };
    let Ok(len) = usize::try_from(len) else {
        return;
    };
    // SAFETY: the caller guarantees that `ptr` and `len` describe a live
    // buffer from `allocate` or from an answer, both of which the global
    // allocator made with `Layout::array::<u8>(len)`.
    unsafe { release(ptr, len) };
}

/// Handles one request and returns the answer packed as `(ptr << 32) | len`.
///
/// Takes ownership of the request buffer and frees it before returning.
/// A 0 pointer or a length of 0 or less is treated as an empty request
/// (which the boundary answers with an error) and nothing is freed. The
/// answer belongs to the host, which frees it with `ir_free(ptr, len)`.
///
/// # Safety
///
/// Unless it is 0, `ptr` must come from `ir_alloc(len)` with the same
/// `len`, hold `len` initialised bytes and not have been freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ir_call(ptr: i32, len: i32) -> i64 {
    let answer = match (pointer(ptr), usize::try_from(len)) {
        (Some(ptr), Ok(len)) if len > 0 => {
            // SAFETY: the caller guarantees `ptr` holds `len` initialised
            // bytes from `ir_alloc(len)`; the slice is dropped before the
            // buffer is released just below.
            let request = unsafe {
                std::slice::from_raw_parts(ptr.as_ptr().cast_const(), len)
            };
            let answer = crate::boundary::handle_request(request);
            // SAFETY: the buffer came from `allocate(len)` (caller's
            // promise) and `request`, its only borrow, is no longer used.
            unsafe { release(ptr, len) };
            answer
        }
        _ => crate::boundary::handle_request(&[]),
    };
    pack(answer)
}

/// Hands an answer over to the host and packs its place into one `i64`.
///
/// The boxed slice has exactly `len` bytes, so its allocation has the
/// layout that `release` expects; an empty answer owns no memory and gets
/// the same dangling pointer as `ir_alloc(0)`.
fn pack(answer: Vec<u8>) -> i64 {
    let answer = answer.into_boxed_slice();
    let len = answer.len();
    let ptr = Box::into_raw(answer).cast::<u8>();
    let ptr = u64::from(address(ptr).cast_unsigned());
    // INVARIANT: on wasm32 a length fits in 32 bits, so the two halves
    // never overlap.
    let len = len as u64;
    ((ptr << 32) | len).cast_signed()
}

/// Allocates `len` bytes with the layout of a `[u8; len]`.
///
/// Zero bytes need no memory, so they get a dangling, non-null pointer.
fn allocate(len: usize) -> Option<NonNull<u8>> {
    if len == 0 {
        return Some(NonNull::dangling());
    }
    let layout = Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size, checked just above.
    NonNull::new(unsafe { alloc(layout) })
}

/// Frees what `allocate(len)` or an answer of `len` bytes handed out.
///
/// # Safety
///
/// `ptr` must be a live allocation of exactly `len` bytes with alignment 1
/// (or any pointer when `len` is 0) and must not be used afterwards.
unsafe fn release(ptr: NonNull<u8>, len: usize) {
    let Ok(layout) = Layout::array::<u8>(len) else {
        return;
    };
    if len == 0 {
        return;
    }
    // SAFETY: the caller guarantees `ptr` was allocated with `layout`.
    unsafe { dealloc(ptr.as_ptr(), layout) };
}

/// The wasm32 address of `ptr`, as the `i32` the ABI passes around.
fn address(ptr: *mut u8) -> i32 {
    // INVARIANT: wasm32 addresses are 32 bits wide; the ABI carries them
    // in `i32` by bit pattern, so addresses past 2 GiB look negative. The
    // provenance is exposed because the host hands the address back.
    (ptr.expose_provenance() as u32).cast_signed()
}

/// The pointer for an `i32` address from the host, or `None` for 0.
fn pointer(address: i32) -> Option<NonNull<u8>> {
    let address = address.cast_unsigned() as usize;
    NonNull::new(std::ptr::with_exposed_provenance_mut::<u8>(address))
}
