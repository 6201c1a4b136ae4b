//! Copying into fresh memory at memory speed: a large new buffer asks for transparent huge pages before its
//! first touch, as numpy does for its arrays, so the copy takes one page fault per 2 MiB instead of per 4 KiB.

use arrow_buffer::{Buffer, MutableBuffer};

/// Bytes below which huge pages are not asked for (numpy's threshold).
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;
/// The size of a transparent huge page on x86-64 and most aarch64 kernels.
const HUGE_PAGE: usize = 2 << 20;

/// A new 64-byte aligned Arrow buffer holding a copy of `bytes`. Large copies ask the kernel for
/// transparent huge pages first (Linux `madvise(MADV_HUGEPAGE)`, honoured where THP is in `madvise` or
/// `always` mode); elsewhere, or if the kernel refuses, the copy is the same, only slower to fault in.
pub fn copy_to_buffer(bytes: &[u8]) -> Buffer {
    let mut buffer = MutableBuffer::with_capacity(bytes.len());
    if bytes.len() >= HUGE_PAGE_THRESHOLD {
        prefer_huge_pages(&mut buffer);
    }
    buffer.extend_from_slice(bytes);
    buffer.into()
}

/// Asks for huge pages over the whole 2 MiB pages inside `buffer`'s capacity (nothing written yet).
fn prefer_huge_pages(buffer: &mut MutableBuffer) {
    #[cfg(target_os = "linux")]
    {
        let start = buffer.as_mut_ptr() as usize;
        let first = start.next_multiple_of(HUGE_PAGE);
        let end = (start + buffer.capacity()) / HUGE_PAGE * HUGE_PAGE;
        if end > first {
            #[allow(unsafe_code)]
            // SAFETY: `first..end` lies inside the allocation `buffer` owns exclusively (`&mut`), and
            // MADV_HUGEPAGE only changes how the kernel backs those pages, never their contents or mapping;
            // a refusal (THP disabled) is ignored.
            let _ = unsafe {
                rustix::mm::madvise(
                    first as *mut std::ffi::c_void,
                    end - first,
                    rustix::mm::Advice::LinuxHugepage,
                )
            };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_small_and_large() {
        for len in [0, 1, 100, HUGE_PAGE_THRESHOLD + 12_345] {
            let source: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let copy = copy_to_buffer(&source);
            assert_eq!(copy.as_slice(), source.as_slice());
            assert_ne!(copy.as_ptr(), source.as_ptr());
            assert_eq!(copy.as_ptr().align_offset(64), 0, "Arrow's alignment");
        }
    }
}
