//! Ledger property: a base buffer plus any set of views (slices) counts the base once, and deep copies
//! add exactly their own bytes.

use std::collections::HashSet;

use arrow_buffer::Buffer;
use memtrack::{Breakdown, Ledger};
use proptest::prelude::*;

/// A view: `(offset, len)` in bytes into the base, whether it is deep-copied instead of sliced, and for a
/// copy whether a second handle outside the ledger keeps it (shared) or only its container does (owned).
fn views(base_len: usize) -> impl Strategy<Value = Vec<Vec<(usize, usize, bool, bool)>>> {
    let slice = (0..base_len)
        .prop_flat_map(move |offset| (Just(offset), 0..=base_len - offset, any::<bool>(), any::<bool>()));
    prop::collection::vec(prop::collection::vec(slice, 0..5), 0..6)
}

proptest! {
    #[test]
    fn base_and_views_count_the_base_once(base_len in 1_usize..4096, containers in views(4096)) {
        let base = Buffer::from_vec(vec![7_u8; base_len]);
        let mut ledger = Ledger::new();
        ledger.add("base", |set| set.insert(&base));
        // Every container's buffers stay alive to the end (so no address is reused), but only `kept` adds a
        // second handle: a copy held by its container alone is owned, one also held outside is shared.
        let mut alive: Vec<Vec<Buffer>> = Vec::new();
        let mut kept: Vec<Buffer> = Vec::new();
        let mut copy_ids: HashSet<usize> = HashSet::new();
        let (mut owned_copies, mut shared_copies) = (0_u64, 0_u64);
        for (container_idx, slices) in containers.iter().enumerate() {
            let buffers: Vec<Buffer> = slices
                .iter()
                .map(|&(offset, len, deep, keep)| {
                    let (offset, len) = (offset % base_len, len.min(base_len - offset % base_len));
                    let view = base.slice_with_length(offset, len);
                    if !deep {
                        return view;
                    }
                    let copy = Buffer::from(view.as_slice().to_vec());
                    copy_ids.insert(copy.data_ptr().as_ptr() as usize);
                    if keep {
                        shared_copies += copy.capacity() as u64;
                        kept.push(copy.clone());
                    } else {
                        owned_copies += copy.capacity() as u64;
                    }
                    copy
                })
                .collect();
            ledger.add(format!("container {container_idx}"), |set| buffers.iter().for_each(|b| set.insert(b)));
            alive.push(buffers);
        }
        let base_bytes = base.capacity() as u64;
        let total = ledger.total();
        prop_assert_eq!(total.total_bytes(), base_bytes + owned_copies + shared_copies);
        prop_assert_eq!(total.mapped_bytes, 0);
        // The base is shared as soon as one container holds a slice of it, and owned by the "base" row
        // alone otherwise.
        let base_is_viewed = containers.iter().flatten().any(|&(_, _, deep, _)| !deep);
        let (base_owned, base_shared) = if base_is_viewed { (0, base_bytes) } else { (base_bytes, 0) };
        let expect = Breakdown {
            owned_bytes: base_owned + owned_copies,
            shared_bytes: base_shared + shared_copies,
            mapped_bytes: 0,
        };
        prop_assert_eq!(total, expect);
        // Empty copies have no allocation (one dangling address), so count distinct addresses.
        prop_assert_eq!(ledger.n_allocations(), 1 + copy_ids.len());
        prop_assert!(ledger.naive_total_bytes() >= total.total_bytes());
        drop((alive, kept));
    }
}
