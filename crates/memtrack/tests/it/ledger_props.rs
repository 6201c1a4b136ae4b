//! Ledger property: a base buffer plus any set of views (slices) counts the base once, and deep copies
//! add exactly their own bytes.

use std::collections::HashSet;

use arrow_buffer::Buffer;
use memtrack::{Breakdown, Ledger};
use proptest::prelude::*;

/// A view: `(offset, len)` in bytes into the base, and whether it is deep-copied instead of sliced.
fn views(base_len: usize) -> impl Strategy<Value = Vec<Vec<(usize, usize, bool)>>> {
    let slice =
        (0..base_len).prop_flat_map(move |offset| (Just(offset), 0..=base_len - offset, any::<bool>()));
    prop::collection::vec(prop::collection::vec(slice, 0..5), 0..6)
}

proptest! {
    #[test]
    fn base_and_views_count_the_base_once(base_len in 1_usize..4096, containers in views(4096)) {
        let base = Buffer::from_vec(vec![7_u8; base_len]);
        let mut ledger = Ledger::new();
        ledger.add("base", |set| set.insert(&base));
        let mut copies: Vec<Buffer> = Vec::new();
        let mut copied_bytes = 0_u64;
        for (container_idx, slices) in containers.iter().enumerate() {
            let buffers: Vec<Buffer> = slices
                .iter()
                .map(|&(offset, len, deep)| {
                    let (offset, len) = (offset % base_len, len.min(base_len - offset % base_len));
                    let view = base.slice_with_length(offset, len);
                    if deep {
                        let copy = Buffer::from(view.as_slice().to_vec());
                        copied_bytes += copy.capacity() as u64;
                        copies.push(copy.clone());
                        copy
                    } else {
                        view
                    }
                })
                .collect();
            ledger.add(format!("container {container_idx}"), |set| buffers.iter().for_each(|b| set.insert(b)));
        }
        let base_bytes = base.capacity() as u64;
        let total = ledger.total();
        prop_assert_eq!(total.total_bytes(), base_bytes + copied_bytes);
        prop_assert_eq!(total.mapped_bytes, 0);
        // `copies` keeps a second handle on each copy, so copies count as shared; the base is shared as soon
        // as one container holds a slice of it, and owned by the "base" row alone otherwise.
        let base_is_viewed = containers.iter().flatten().any(|&(_, _, deep)| !deep);
        let expect = if base_is_viewed {
            Breakdown { owned_bytes: 0, shared_bytes: base_bytes + copied_bytes, mapped_bytes: 0 }
        } else {
            Breakdown { owned_bytes: base_bytes, shared_bytes: copied_bytes, mapped_bytes: 0 }
        };
        prop_assert_eq!(total, expect);
        // Empty copies have no allocation (one dangling address), so count distinct addresses.
        let copy_ids: HashSet<usize> = copies.iter().map(|c| c.data_ptr().as_ptr() as usize).collect();
        prop_assert_eq!(ledger.n_allocations(), 1 + copy_ids.len());
        prop_assert!(ledger.naive_total_bytes() >= total.total_bytes());
    }
}
