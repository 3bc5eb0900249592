//! What the server holds once it has started: memory only the start needed is handed back
//! before the first request ([`release_startup`]).
//!
//! The start builds three schemas, measures introspection, runs the migrations' checks and
//! (with `--demo`) seeds data. That leaves freed heap pages behind, and its code resident:
//! it is spread over much of the executable, and the kernel maps 64 KiB around every page
//! it faults in. Most of that code no request runs again. BENCHMARKS.md ("the idle memory
//! handed back") has the figures.

/// Purges the allocator's free pages and advises the kernel that the executable's code
/// paged in so far may be reclaimed. Both are hints: nothing is lost, and the code a
/// request runs faults back in from the page cache or the file. Call it once, when the
/// server is ready.
pub fn release_startup() {
    // SAFETY: `mi_collect` only walks mimalloc's own structures. It collects the calling
    // thread's heap (where the start ran: `main`'s), then, with `force`, decommits the free
    // pages of every arena. Pages freed on other threads stay with those threads until
    // mimalloc's own purge. Without mimalloc as the global allocator, as in the tests, it
    // has nothing to do.
    unsafe { libmimalloc_sys::mi_collect(true) };
    #[cfg(target_os = "linux")]
    {
        let before = resident_file_bytes();
        match page_out_code() {
            Ok(advised) => tracing::debug!(
                advised_mib = advised >> 20,
                reclaimed_mib = before.saturating_sub(resident_file_bytes()) >> 20,
                "startup code handed back"
            ),
            // A kernel before 5.4: the pages stay, as before.
            Err(e) => tracing::debug!(error = %e, "startup code not handed back"),
        }
    }
}

/// `MADV_PAGEOUT` on the executable's code segments (`r-xp` mappings of `/proc/self/exe`).
/// Returns the bytes advised. What the kernel does with the advice is its own rule:
/// - it reclaims the clean file pages mapped by this process alone; pages another process
///   maps too (a second replica of the same file) are left to it;
/// - it reclaims file pages only if the process owns the file or may write it (a side
///   channel otherwise). A root-owned executable run by another user keeps its pages, as
///   before this call.
#[cfg(target_os = "linux")]
fn page_out_code() -> std::io::Result<usize> {
    use std::os::unix::ffi::OsStrExt;
    let exe = std::fs::read_link("/proc/self/exe")?;
    let maps = std::fs::read("/proc/self/maps")?;
    let mut advised = 0;
    for (start, end) in code_ranges(&maps, exe.as_os_str().as_bytes()) {
        // SAFETY: the range is a whole mapping of this process; MADV_PAGEOUT changes no
        // content (a reclaimed clean page is read back from the file on its next use).
        let done =
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_PAGEOUT) };
        if done != 0 {
            return Err(std::io::Error::last_os_error());
        }
        advised += end - start;
    }
    Ok(advised)
}

/// The process's resident file-backed pages in bytes (`/proc/self/statm`'s third field),
/// 0 when unreadable: what the debug line reports as reclaimed.
#[cfg(target_os = "linux")]
fn resident_file_bytes() -> usize {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(2)?.parse::<usize>().ok())
        .unwrap_or(0);
    // SAFETY: sysconf reads a constant of the system.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * usize::try_from(page_size).unwrap_or(4096)
}

/// The address ranges of the `r-xp` mappings of `exe` in a `/proc/<pid>/maps` text, read
/// as bytes (a path need not be UTF-8). A line is five fields, then the padding and the
/// path, which may hold spaces. A file replaced since it was mapped reads as
/// `<path> (deleted)` there and in `/proc/self/exe` alike, so it still matches.
#[cfg(any(target_os = "linux", test))]
fn code_ranges(maps: &[u8], exe: &[u8]) -> Vec<(usize, usize)> {
    maps.split(|&b| b == b'\n')
        .filter_map(|line| {
            let mut rest = line;
            let mut fields: [&[u8]; 5] = [&[]; 5];
            for field in &mut fields {
                rest = rest.trim_ascii_start();
                let end = rest.iter().position(|&b| b == b' ')?;
                (*field, rest) = rest.split_at(end);
            }
            let [range, perms, ..] = fields;
            if perms != b"r-xp" || rest.trim_ascii_start() != exe {
                return None;
            }
            let range = std::str::from_utf8(range).ok()?;
            let (start, end) = range.split_once('-')?;
            let start = usize::from_str_radix(start, 16).ok()?;
            let end = usize::from_str_radix(end, 16).ok()?;
            (start < end).then_some((start, end))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::code_ranges;

    #[test]
    fn only_the_executables_code_mappings_are_taken() {
        let maps = b"\
55d0a0000000-55d0a0400000 r--p 00000000 08:01 42                         /srv/partner-center
55d0a0400000-55d0a3000000 r-xp 00400000 08:01 42                         /srv/partner-center
55d0a3000000-55d0a3100000 rw-p 03000000 08:01 42                         /srv/partner-center
7f0000000000-7f0000100000 r-xp 00000000 08:01 7                          /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000200000-7f0000300000 r-xp 00000000 00:00 0 \n\
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]";
        assert_eq!(
            code_ranges(maps, b"/srv/partner-center"),
            vec![(0x55d0a0400000, 0x55d0a3000000)]
        );
    }

    #[test]
    fn a_path_with_spaces_is_one_path() {
        let maps = b"\
55d0a0400000-55d0a3000000 r-xp 00400000 08:01 42                         /opt/partner center/bin
55d0a5000000-55d0a6000000 r-xp 00400000 08:01 43                         /opt/partner center/bin (deleted)";
        assert_eq!(
            code_ranges(maps, b"/opt/partner center/bin"),
            vec![(0x55d0a0400000, 0x55d0a3000000)]
        );
        assert_eq!(code_ranges(maps, b"/opt/partner"), vec![]);
    }
}
