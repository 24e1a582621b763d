//! Sizes of the transfer statement and the commitment tree.

/// Depth of the commitment tree: 2^26 (about 67 million) note commitments.
pub const TREE_DEPTH: usize = 26;

/// Number of recent roots the on-chain tree remembers; a proof made against
/// any of them still settles.
pub const ROOT_HISTORY_SIZE: usize = 1024;

/// Notes spent by one transfer.
pub const INPUT_NOTES: usize = 2;

/// Notes created by one transfer.
pub const OUTPUT_NOTES: usize = 2;

/// Largest leaf count the tree can hold.
pub const TREE_CAPACITY: u64 = 1 << TREE_DEPTH;
