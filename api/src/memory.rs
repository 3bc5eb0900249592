//! What the server holds once it has started: the memory only the start needed is handed
//! back before the first request ([`release_startup`]).
//!
//! The start builds three schemas, measures introspection, runs the migrations' checks and
//! (with `--demo`) seeds data. That work leaves freed heap pages behind, and its code, spread
//! over more than half of the executable, resident: the kernel maps 64 KiB around every
//! page it faults in, so 458 faults at start made 28 MiB of the 51 MB text resident, most
//! of which no request runs again (see BENCHMARKS.md, "Idle resident memory").

/// Returns the allocator's free pages to the system and advises the kernel that the
/// executable's code paged in so far may be reclaimed. Both are hints: nothing is lost,
/// the code a request runs faults back in from the page cache or the file. Call it once,
/// when the server is ready.
pub fn release_startup() {
    // SAFETY: `mi_collect` only walks mimalloc's own structures; with `force` it also
    // decommits the free pages of its arenas (without mimalloc as the global allocator,
    // as in the tests, it has nothing to do).
    unsafe { libmimalloc_sys::mi_collect(true) };
    #[cfg(target_os = "linux")]
    match page_out_code() {
        Ok(bytes) => tracing::debug!(mib = bytes >> 20, "startup code handed back"),
        // An older kernel (before 5.4) or a restricted one: the pages stay, as before.
        Err(e) => tracing::debug!(error = %e, "startup code not handed back"),
    }
}

/// `MADV_PAGEOUT` on the executable's code segments (`r-xp` mappings of `/proc/self/exe`).
/// The kernel reclaims the clean file pages mapped by this process alone; pages shared with
/// another process (a second replica of the same file) are left to it. Returns the bytes
/// advised.
#[cfg(target_os = "linux")]
fn page_out_code() -> std::io::Result<usize> {
    let exe = std::fs::read_link("/proc/self/exe")?;
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    let mut advised = 0;
    for (start, end) in code_ranges(&maps, &exe.to_string_lossy()) {
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

/// The address ranges of the `r-xp` mappings of `exe` in a `/proc/<pid>/maps` text. A line
/// is five fields, then the path, which may hold spaces (and ends in ` (deleted)` once the
/// file was replaced: such a mapping is not `exe` any more and is left alone).
fn code_ranges(maps: &str, exe: &str) -> Vec<(usize, usize)> {
    maps.lines()
        .filter_map(|line| {
            let mut rest = line;
            let mut fields = [""; 5];
            for field in &mut fields {
                rest = rest.trim_start();
                let end = rest.find(' ')?;
                (*field, rest) = rest.split_at(end);
            }
            let [range, perms, ..] = fields;
            if perms != "r-xp" || rest.trim() != exe {
                return None;
            }
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
        let maps = "\
55d0a0000000-55d0a0400000 r--p 00000000 08:01 42 /srv/partner-center
55d0a0400000-55d0a3000000 r-xp 00400000 08:01 42 /srv/partner-center
55d0a3000000-55d0a3100000 rw-p 03000000 08:01 42 /srv/partner-center
7f0000000000-7f0000100000 r-xp 00000000 08:01 7 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000200000-7f0000300000 r-xp 00000000 00:00 0
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]";
        assert_eq!(
            code_ranges(maps, "/srv/partner-center"),
            vec![(0x55d0a0400000, 0x55d0a3000000)]
        );
    }

    #[test]
    fn a_path_with_spaces_is_one_path() {
        let maps = "\
55d0a0400000-55d0a3000000 r-xp 00400000 08:01 42                         /opt/partner center/bin
55d0a5000000-55d0a6000000 r-xp 00400000 08:01 43                         /opt/partner center/bin (deleted)";
        assert_eq!(
            code_ranges(maps, "/opt/partner center/bin"),
            vec![(0x55d0a0400000, 0x55d0a3000000)]
        );
        assert_eq!(code_ranges(maps, "/opt/partner"), vec![]);
    }
}
