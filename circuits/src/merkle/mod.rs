//! Merkle membership: the native root of a path is
//! [`zkpay_core::tree::MerklePath::root_for`]; [`root_from_path`] is its
//! field-element form and [`constraints::root_gadget`] the gadget.

use ark_bn254::Fr;
use zkpay_core::tree::MerklePath;

use crate::field::{from_bytes, to_bytes};

pub mod constraints;

/// The root of the tree in which `leaf` sits at `path`; `None` if a sibling
/// is not a canonical field element.
pub fn root_from_path(leaf: &Fr, path: &MerklePath) -> Option<Fr> {
    let root = path.root_for(&to_bytes(leaf)).ok()?;
    from_bytes(&root)
}
