//! How the C allocator holds memory for a process that runs for days.
//!
//! glibc starts giving blocks from 128 KiB pages of their own, but each time such a block is
//! freed it raises that size (up to 32 MB). After a few model switches frames, tensors and the
//! weights of models switched out all live in heap arenas, whose free pages stay resident: over a
//! show the resident size wanders by tens of MB between model switches and creeps up. Keeping
//! the starting size fixed gives those pages back on every free, and the resident size returns
//! to the same level after every switch (the soak in README).

/// Blocks from this size get pages of their own (glibc's starting value; 1 MiB still let the
/// resident size wander by ±5 MB between the soak's cycles).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_PAGES_FROM: usize = 128 << 10;

/// Sets the allocator up for a long show; call before any thread starts. A no-op where the C
/// library is not glibc.
pub fn settle() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes an allocator setting, before other threads exist; if it
        // refuses (returns 0), glibc's default stays.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_PAGES_FROM as libc::c_int);
        }
    }
}
