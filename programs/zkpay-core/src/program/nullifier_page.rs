//! Spent nullifiers, stored compactly: a pool's nullifier set is split into
//! *pages*, program-owned accounts of [`PAGE_SLOTS`] 8-byte entries, that
//! split in two as they fill (extendible hashing over the nullifier's low
//! bits). docs/PROTOCOL.md, "Nullifier pages", gives the design and its
//! figures.
//!
//! - A nullifier's entry is its [`NullifierKey`]: the low 63 bits of the
//!   field element, top bit set (so no entry is 0, the empty slot).
//! - The page at depth `d` with prefix `p` holds the keys whose low `d` bits
//!   are `p`; it lives at the PDA `[NULLIFIER_PAGE_SEED, pool, [d], p as
//!   u32 LE]`. The live pages of a pool partition the key space: the pool
//!   starts with the root page (depth 0), and a split replaces a full page by
//!   its two children (depth `d + 1`, prefixes `p` and `p | 1 << d`), closed
//!   parent and all. A key is therefore spent iff the one live page covering
//!   it holds it, which the program checks from the page's own header; no
//!   address derivation is needed in `transact`.
//! - Within a page, open addressing with linear probing from the key's home
//!   slot (bits 32 to 41). A page takes at most [`PAGE_MAX_ENTRIES`] keys,
//!   and a new key at most [`MAX_PROBE`] slots past its home (home slots
//!   are cheap to grind: the cap bounds what a crafted cluster costs a
//!   split). A page that refuses a key for either reason is split first
//!   ([`NullifierPage::refuses`]); nobody can split a page that takes the
//!   key.

use bytemuck::{Pod, Zeroable};

use super::ids::NULLIFIER_PAGE_DISCRIMINATOR;
use crate::error::ZkpayError;
use crate::field::FieldBytes;

/// Slots of a page (a power of two).
pub const PAGE_SLOTS: usize = 1024;

/// Keys a page holds before it must be split (3/4 of its slots).
pub const PAGE_MAX_ENTRIES: u32 = (PAGE_SLOTS as u32 / 4) * 3;

/// Farthest a new key is placed from its home slot.
pub const MAX_PROBE: usize = 64;

/// Deepest page: a prefix is at most 32 bits.
pub const MAX_PAGE_DEPTH: u8 = 32;

/// Lamports each `transact` pays into its pool account, the reserve
/// that funds page splits: a page's rent over the keys a page holds on
/// average (about 0.69 x [`PAGE_MAX_ENTRIES`]), twice, with a margin for
/// splits that come in waves (docs/PROTOCOL.md derives it).
pub const NULLIFIER_STORAGE_FEE: u64 = 240_000;

/// What a page stores of a nullifier: its low 63 bits with the top bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NullifierKey(pub u64);

impl NullifierKey {
    /// The key of `nullifier` (32 big-endian bytes).
    #[inline(always)]
    pub fn of(nullifier: &FieldBytes) -> NullifierKey {
        let mut low = [0u8; 8];
        low.copy_from_slice(&nullifier[24..]);
        NullifierKey(u64::from_be_bytes(low) | 1 << 63)
    }

    /// Its low `depth` bits: the prefix of the page at `depth` covering it.
    #[inline(always)]
    pub fn prefix(self, depth: u8) -> u32 {
        (self.0 & prefix_mask(depth)) as u32
    }

    /// The slot its probe starts from (bits 32 to 41, never prefix bits).
    #[inline(always)]
    fn home_slot(self) -> usize {
        (self.0 >> 32) as usize & (PAGE_SLOTS - 1)
    }
}

/// The mask of a page's prefix bits at `depth`.
#[inline(always)]
fn prefix_mask(depth: u8) -> u64 {
    (1u64 << depth) - 1
}

/// Why a key was not added to a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    /// The page holds the key: the nullifier was spent.
    Spent,
    /// The page is full: it must be split first.
    Full,
}

impl From<PageError> for ZkpayError {
    fn from(error: PageError) -> ZkpayError {
        match error {
            PageError::Spent => ZkpayError::NullifierAlreadySpent,
            PageError::Full => ZkpayError::NullifierPageFull,
        }
    }
}

/// One page of a pool's spent nullifiers (an account of
/// [`NullifierPage::SPACE`] bytes after its 8-byte discriminator).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct NullifierPage {
    /// The pool whose nullifiers it holds.
    pub pool: [u8; 32],
    /// The low `depth` bits every key of this page has.
    pub prefix: u32,
    /// Keys held.
    pub count: u32,
    /// How many low bits the prefix fixes.
    pub depth: u8,
    /// Padding to 8 bytes.
    pub reserved: [u8; 7],
    /// The open-addressing table of [`NullifierKey`]s (0: empty).
    pub slots: [u64; PAGE_SLOTS],
}

const _: () = assert!(core::mem::size_of::<NullifierPage>() == NullifierPage::SIZE);

impl NullifierPage {
    /// Size of the struct.
    pub const SIZE: usize = 48 + 8 * PAGE_SLOTS;
    /// Size of the account, discriminator included.
    pub const SPACE: usize = 8 + Self::SIZE;

    /// An empty page of `pool` at `depth` with `prefix`.
    pub fn init(&mut self, pool: &[u8; 32], depth: u8, prefix: u32) {
        // In place: a page is too large for the SBF stack.
        bytemuck::bytes_of_mut(self).fill(0);
        self.pool = *pool;
        self.depth = depth;
        self.prefix = prefix;
    }

    /// Whether this is a page of `pool` whose prefix `key` has.
    #[inline(always)]
    pub fn covers(&self, pool: &[u8; 32], key: NullifierKey) -> bool {
        self.depth <= MAX_PAGE_DEPTH && key.prefix(self.depth) == self.prefix && self.pool == *pool
    }

    /// Whether it takes no more keys.
    pub fn is_full(&self) -> bool {
        self.count >= PAGE_MAX_ENTRIES
    }

    /// Whether it holds `key`.
    pub fn contains(&self, key: NullifierKey) -> bool {
        matches!(self.probe(key), Probe::Found)
    }

    /// Adds `key`, unless the page holds it already, is full, or would
    /// place it more than [`MAX_PROBE`] slots from home (checked in this
    /// order, so a spent nullifier is reported spent on a full page).
    #[inline(always)]
    pub fn insert(&mut self, key: NullifierKey) -> Result<(), PageError> {
        match self.probe(key) {
            Probe::Found => Err(PageError::Spent),
            Probe::Empty { distance, .. } if self.is_full() || distance > MAX_PROBE => {
                Err(PageError::Full)
            }
            Probe::Empty { slot, .. } => {
                self.place(slot, key);
                Ok(())
            }
        }
    }

    /// Whether a settlement spending unspent `key` here must wait for a
    /// split: the page would refuse it, or has no room for two keys (a
    /// settlement's two nullifiers may share a page). What
    /// `split_nullifier_page` requires.
    pub fn refuses(&self, key: NullifierKey) -> bool {
        match self.probe(key) {
            Probe::Found => false,
            Probe::Empty { distance, .. } => {
                self.count + 1 >= PAGE_MAX_ENTRIES || distance > MAX_PROBE
            }
        }
    }

    /// Puts `key` in the empty `slot`.
    #[inline(always)]
    fn place(&mut self, slot: usize, key: NullifierKey) {
        self.slots[slot] = key.0;
        self.count += 1;
    }

    /// The prefixes of its two children, at `depth + 1`.
    pub fn child_prefixes(&self) -> [u32; 2] {
        [self.prefix, self.prefix | 1 << self.depth]
    }

    /// Checks that this page may be split for `key`: it covers the key and
    /// [`refuses`](Self::refuses) it ([`ZkpayError::PageNotFull`] if not),
    /// and is above [`MAX_PAGE_DEPTH`] ([`ZkpayError::PageTooDeep`]).
    pub fn check_split(&self, pool: &[u8; 32], key: NullifierKey) -> Result<(), ZkpayError> {
        if !self.covers(pool, key) {
            return Err(ZkpayError::WrongNullifierPage);
        }
        if !self.refuses(key) {
            return Err(ZkpayError::PageNotFull);
        }
        if self.depth >= MAX_PAGE_DEPTH {
            return Err(ZkpayError::PageTooDeep);
        }
        Ok(())
    }

    /// Moves every key into `children` (initialised here as this page's
    /// children, in [`child_prefixes`](Self::child_prefixes) order) and
    /// empties this page; the caller checked [`check_split`](Self::check_split).
    /// A key keeps whatever distance from home its child gives it (no
    /// more, in total, than its parent gave the same keys).
    pub fn split_into(&mut self, children: [&mut NullifierPage; 2]) -> Result<(), ZkpayError> {
        if self.depth >= MAX_PAGE_DEPTH {
            return Err(ZkpayError::PageTooDeep);
        }
        let [left, right] = children;
        let [left_prefix, right_prefix] = self.child_prefixes();
        left.init(&self.pool, self.depth + 1, left_prefix);
        right.init(&self.pool, self.depth + 1, right_prefix);
        let bit = 1u64 << self.depth;
        for &key in self.slots.iter().filter(|&&key| key != 0) {
            let child = if key & bit == 0 { &mut *left } else { &mut *right };
            // A child holds at most what its parent held, and no key twice.
            match child.probe(NullifierKey(key)) {
                Probe::Empty { slot, .. } => child.place(slot, NullifierKey(key)),
                Probe::Found => return Err(ZkpayError::TreeCorrupt),
            }
        }
        self.slots.fill(0);
        self.count = 0;
        Ok(())
    }

    /// Where `key` is, or the empty slot where it would go and how far
    /// that is from home. Ends: a page never holds more than
    /// [`PAGE_MAX_ENTRIES`] < [`PAGE_SLOTS`] keys.
    #[inline(always)]
    fn probe(&self, key: NullifierKey) -> Probe {
        let home = key.home_slot();
        let mut distance = 0;
        loop {
            let slot = (home + distance) & (PAGE_SLOTS - 1);
            match self.slots[slot] {
                0 => return Probe::Empty { slot, distance },
                held if held == key.0 => return Probe::Found,
                _ => distance += 1,
            }
        }
    }

    /// The page in a page account's (8-byte aligned) data, if it is one.
    pub fn from_account_data(data: &[u8]) -> Option<&NullifierPage> {
        if data.len() != Self::SPACE || data[..8] != NULLIFIER_PAGE_DISCRIMINATOR {
            return None;
        }
        bytemuck::try_from_bytes(&data[8..]).ok()
    }

    /// The page in a page account's (8-byte aligned) data, writable, if it is one.
    pub fn from_account_data_mut(data: &mut [u8]) -> Option<&mut NullifierPage> {
        if data.len() != Self::SPACE || data[..8] != NULLIFIER_PAGE_DISCRIMINATOR {
            return None;
        }
        bytemuck::try_from_bytes_mut(&mut data[8..]).ok()
    }

    /// A copy of the page in an account's data (any alignment), if it is one.
    pub fn read(data: &[u8]) -> Option<NullifierPage> {
        if data.len() != Self::SPACE || data[..8] != NULLIFIER_PAGE_DISCRIMINATOR {
            return None;
        }
        Some(bytemuck::pod_read_unaligned(&data[8..]))
    }
}

/// Where a probe ended.
enum Probe {
    /// The key is held.
    Found,
    /// The key is not held; `slot`, `distance` past its home, is where it
    /// would go.
    Empty {
        /// The empty slot.
        slot: usize,
        /// How far past the home slot.
        distance: usize,
    },
}

/// Records `nullifier` spent in `page`, the live page of `pool` covering it.
#[inline(always)]
pub fn spend(page: &mut NullifierPage, pool: &[u8; 32], nullifier: &FieldBytes) -> Result<(), ZkpayError> {
    let key = NullifierKey::of(nullifier);
    if !page.covers(pool, key) {
        return Err(ZkpayError::WrongNullifierPage);
    }
    Ok(page.insert(key)?)
}

/// The seeds of the page PDA at `depth` with `prefix` (after
/// `[NULLIFIER_PAGE_SEED, pool]`): `[depth]` and `prefix` little-endian.
pub fn page_seed_parts(depth: u8, prefix: u32) -> ([u8; 1], [u8; 4]) {
    ([depth], prefix.to_le_bytes())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::boxed::Box;
    use std::collections::{BTreeMap, BTreeSet};
    use std::vec::Vec;

    use super::*;

    const POOL: [u8; 32] = [7; 32];

    fn page() -> Box<NullifierPage> {
        let mut page = Box::new(NullifierPage::zeroed());
        page.init(&POOL, 0, 0);
        page
    }

    /// A nullifier whose low 64 bits are `low`.
    fn nullifier(low: u64, high: u8) -> FieldBytes {
        let mut bytes = [0u8; 32];
        bytes[1] = high;
        bytes[24..].copy_from_slice(&low.to_be_bytes());
        bytes
    }

    /// A splitmix64 stream: reproducible random keys.
    struct Stream(u64);
    impl Stream {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn the_key_is_the_low_bits_with_the_top_bit_set() {
        assert_eq!(NullifierKey::of(&nullifier(5, 9)).0, 5 | 1 << 63);
        assert_eq!(NullifierKey::of(&nullifier(0, 0)).0, 1 << 63);
        assert_eq!(NullifierKey::of(&nullifier(0b1011, 0)).prefix(3), 0b011);
        assert_eq!(NullifierKey::of(&nullifier(u64::MAX, 0)).prefix(32), u32::MAX);
        assert_eq!(NullifierKey(1 << 32 | 1 << 41).home_slot(), 1 + 512);
    }

    #[test]
    fn a_page_takes_a_key_once_and_refuses_keys_when_full() {
        let mut page = page();
        let key = NullifierKey::of(&nullifier(42, 0));
        assert!(!page.contains(key));
        page.insert(key).unwrap();
        assert!(page.contains(key));
        assert_eq!(page.insert(key), Err(PageError::Spent));
        // Each key on a home slot of its own.
        for index in 1..PAGE_MAX_ENTRIES as u64 {
            page.insert(NullifierKey(1 << 63 | index << 32 | 42)).unwrap();
        }
        assert!(page.is_full());
        let fresh = NullifierKey(1 << 63 | 9_999 << 42 | 42);
        assert_eq!(page.insert(fresh), Err(PageError::Full));
        assert!(!page.contains(fresh));
        assert_eq!(page.insert(key), Err(PageError::Spent), "spent, even when full");
        assert_eq!(page.count, PAGE_MAX_ENTRIES);
    }

    #[test]
    fn spend_needs_the_page_covering_the_nullifier() {
        let mut page = page();
        page.init(&POOL, 2, 0b01);
        assert_eq!(spend(&mut page, &POOL, &nullifier(0b10, 0)), Err(ZkpayError::WrongNullifierPage));
        assert_eq!(spend(&mut page, &[8; 32], &nullifier(0b01, 0)), Err(ZkpayError::WrongNullifierPage));
        spend(&mut page, &POOL, &nullifier(0b101, 0)).unwrap();
        assert_eq!(spend(&mut page, &POOL, &nullifier(0b101, 3)), Err(ZkpayError::NullifierAlreadySpent));
    }

    #[test]
    fn a_new_key_goes_at_most_max_probe_slots_from_home() {
        let mut page = page();
        // A crafted cluster: every key on home slot 7.
        let on_seven = |index: u64| NullifierKey(1 << 63 | index << 42 | 7 << 32);
        for index in 0..=MAX_PROBE as u64 {
            page.insert(on_seven(index)).unwrap();
        }
        let next = on_seven(MAX_PROBE as u64 + 1);
        assert_eq!(page.insert(next), Err(PageError::Full));
        assert!(page.refuses(next) && !page.is_full());
        // Keys homed elsewhere still go in; held keys are still found.
        page.insert(NullifierKey(1 << 63 | 500 << 32)).unwrap();
        assert!(page.contains(on_seven(MAX_PROBE as u64)));
        assert!(!page.refuses(on_seven(3)), "a held key needs no split");
    }

    #[test]
    fn only_a_page_refusing_the_key_and_above_the_deepest_splits() {
        let mut parent = page();
        let key = NullifierKey(1 << 63);
        parent.insert(key).unwrap();
        let fresh = NullifierKey(1 << 63 | 1 << 32);
        assert_eq!(parent.check_split(&POOL, fresh), Err(ZkpayError::PageNotFull));
        parent.count = PAGE_MAX_ENTRIES - 1;
        assert_eq!(parent.check_split(&POOL, key), Err(ZkpayError::PageNotFull), "held");
        assert_eq!(parent.check_split(&[8; 32], fresh), Err(ZkpayError::WrongNullifierPage));
        parent.check_split(&POOL, fresh).unwrap();
        parent.init(&POOL, MAX_PAGE_DEPTH, 0);
        parent.count = PAGE_MAX_ENTRIES;
        assert_eq!(parent.check_split(&POOL, fresh), Err(ZkpayError::PageTooDeep));
    }

    #[test]
    fn a_split_of_a_crafted_page_costs_no_more_probes_than_its_parent_held() {
        // Clusters of MAX_PROBE + 1 keys on one home each, as many as fit.
        let mut parent = page();
        let mut index = 0u64;
        'fill: for home in (0..PAGE_SLOTS as u64).step_by(MAX_PROBE + 1) {
            for _ in 0..=MAX_PROBE {
                if parent.count + 1 >= PAGE_MAX_ENTRIES {
                    break 'fill;
                }
                parent.insert(NullifierKey(1 << 63 | index << 42 | home << 32 | index & 1)).unwrap();
                index += 1;
            }
        }
        let distances = |page: &NullifierPage| -> usize {
            page.slots
                .iter()
                .enumerate()
                .filter(|(_, key)| **key != 0)
                .map(|(slot, key)| (slot + PAGE_SLOTS - NullifierKey(*key).home_slot()) % PAGE_SLOTS)
                .sum()
        };
        let before = distances(&parent);
        let (mut left, mut right) = (page(), page());
        parent.split_into([&mut left, &mut right]).unwrap();
        assert!(distances(&left) + distances(&right) <= before);
        assert_eq!(left.count + right.count, index as u32);
    }

    /// The pages of one pool as the program keeps them, in memory: a spend
    /// goes to the live page covering it; a full page is split (as anyone
    /// may) and the spend retried.
    #[derive(Default)]
    struct Pages(BTreeMap<(u8, u32), Box<NullifierPage>>);

    impl Pages {
        fn new() -> Pages {
            let mut pages = Pages::default();
            pages.0.insert((0, 0), page());
            pages
        }

        fn live(&self, key: NullifierKey) -> (u8, u32) {
            let covering: Vec<_> = (0..=MAX_PAGE_DEPTH)
                .map(|depth| (depth, key.prefix(depth)))
                .filter(|at| self.0.contains_key(at))
                .collect();
            assert_eq!(covering.len(), 1, "exactly one live page covers a key");
            covering[0]
        }

        fn spend(&mut self, nullifier: &FieldBytes) -> Result<(), ZkpayError> {
            loop {
                let at = self.live(NullifierKey::of(nullifier));
                match spend(self.0.get_mut(&at).unwrap(), &POOL, nullifier) {
                    Err(ZkpayError::NullifierPageFull) => {
                        self.0[&at].check_split(&POOL, NullifierKey::of(nullifier)).unwrap();
                        self.split(at)
                    }
                    result => return result,
                }
            }
        }

        fn split(&mut self, at: (u8, u32)) {
            let mut parent = self.0.remove(&at).unwrap();
            let (mut left, mut right) = (page(), page());
            parent.split_into([&mut left, &mut right]).unwrap();
            for child in [left, right] {
                let at = (child.depth, child.prefix);
                assert!(self.0.insert(at, child).is_none(), "a page is created once");
            }
        }
    }

    #[test]
    fn many_random_nullifiers_are_each_spent_exactly_once() {
        let mut pages = Pages::new();
        let mut stream = Stream(2026);
        let mut spent: Vec<FieldBytes> = Vec::new();
        let mut keys = BTreeSet::new();
        for round in 0..20_000u64 {
            // A fifth share their low 20 bits with another nullifier (a
            // deep, lopsided corner of the key space), the rest are random.
            let low = match round % 5 {
                0 => 0xabcde | (stream.next() << 20),
                _ => stream.next(),
            };
            let fresh = nullifier(low, (stream.next() & 0x0f) as u8);
            let key = NullifierKey::of(&fresh);
            if keys.insert(key) {
                pages.spend(&fresh).unwrap();
                spent.push(fresh);
            }
            // Every so often, an earlier nullifier again: refused wherever
            // the splits since have moved it.
            if round % 7 == 0 {
                let again = spent[(stream.next() % spent.len() as u64) as usize];
                assert_eq!(pages.spend(&again), Err(ZkpayError::NullifierAlreadySpent));
            }
        }
        let held: u64 = pages.0.values().map(|page| u64::from(page.count)).sum();
        assert_eq!(held, spent.len() as u64);
        for nullifier in &spent {
            let key = NullifierKey::of(nullifier);
            assert!(pages.0[&pages.live(key)].contains(key));
        }
        assert!(pages.0.len() > 20, "the set split into {} pages", pages.0.len());
    }

    #[test]
    fn a_key_spent_before_a_split_is_refused_through_the_child_that_took_it() {
        let mut pages = Pages::new();
        let first = nullifier(0b10, 0);
        pages.spend(&first).unwrap();
        let mut stream = Stream(1);
        while pages.0.len() == 1 {
            pages.spend(&nullifier(stream.next(), 0)).unwrap();
        }
        let child = pages.live(NullifierKey::of(&first));
        assert_eq!(child, (1, 0));
        assert_eq!(pages.spend(&first), Err(ZkpayError::NullifierAlreadySpent));
        // The child on the other side does not cover it.
        let other = pages.0.get_mut(&(1, 1)).unwrap();
        assert_eq!(spend(other, &POOL, &first), Err(ZkpayError::WrongNullifierPage));
    }
}
