//! The syscall layer: everything that touches raw pointers, descriptors and libc. The
//! interposers (`preload`) exist only in the preload library (feature `preload`).

pub mod mem;
#[cfg(feature = "preload")]
pub mod preload;
pub mod time;
pub mod user;
