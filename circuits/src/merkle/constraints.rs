//! The Merkle path gadget: per level one boolean (is the node a right
//! child?), one multiplication to order the pair, and one Poseidon.

use ark_bn254::Fr;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::r1cs::SynthesisError;

use crate::poseidon::constraints::hash_gadget;

/// Enforces and returns the root over `leaf`, where `index_bits[h]` (least
/// significant first) says whether the node at height `h` is a right child
/// and `siblings[h]` is its sibling.
pub fn root_gadget(
    leaf: &FpVar<Fr>,
    index_bits: &[Boolean<Fr>],
    siblings: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    if index_bits.len() != siblings.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut node = leaf.clone();
    for (is_right, sibling) in index_bits.iter().zip(siblings) {
        // swap = is_right * (sibling - node); left = node + swap, right = sibling - swap.
        let swap = FpVar::from(is_right.clone()) * (sibling - &node);
        let left = &node + &swap;
        let right = sibling - &swap;
        node = hash_gadget(&[left, right])?;
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{from_bytes, to_bytes};
    use crate::merkle::root_from_path;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use zkpay_core::constants::TREE_DEPTH;
    use zkpay_core::tree::{CommitmentTree, MerklePath};

    fn gadget_root(leaf: Fr, path: &MerklePath, claimed_root: Option<Fr>) -> (Fr, bool) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let bits: Vec<_> = (0..TREE_DEPTH)
            .map(|h| {
                Boolean::new_witness(cs.clone(), || Ok((path.leaf_index >> h) & 1 == 1)).unwrap()
            })
            .collect();
        let siblings: Vec<_> = path
            .siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(from_bytes(s).unwrap())).unwrap())
            .collect();
        let root = root_gadget(&leaf, &bits, &siblings).unwrap();
        if let Some(claimed) = claimed_root {
            root.enforce_equal(&FpVar::new_input(cs.clone(), || Ok(claimed)).unwrap())
                .unwrap();
        }
        (root.value().unwrap(), cs.is_satisfied().unwrap())
    }

    fn tree_of(count: u64) -> CommitmentTree {
        let leaves: Vec<_> = (1..=count).map(|i| to_bytes(&Fr::from(i * 7919))).collect();
        let mut tree = CommitmentTree::new();
        tree.extend(&leaves).unwrap();
        tree
    }

    #[test]
    fn gadget_root_equals_native_root_for_left_and_right_leaves() {
        let tree = tree_of(11);
        let root = from_bytes(&tree.root()).unwrap();
        for index in [0u64, 1, 6, 10] {
            let leaf = from_bytes(&tree.leaf(index).unwrap()).unwrap();
            let path = tree.path(index).unwrap();
            assert_eq!(root_from_path(&leaf, &path), Some(root));
            assert_eq!(gadget_root(leaf, &path, Some(root)), (root, true));
        }
    }

    #[test]
    fn a_wrong_sibling_or_index_gives_another_root() {
        let tree = tree_of(4);
        let root = from_bytes(&tree.root()).unwrap();
        let leaf = from_bytes(&tree.leaf(2).unwrap()).unwrap();
        let mut path = tree.path(2).unwrap();
        path.siblings[5] = to_bytes(&Fr::from(5u64));
        assert_ne!(root_from_path(&leaf, &path), Some(root));
        assert!(!gadget_root(leaf, &path, Some(root)).1);

        let mut path = tree.path(2).unwrap();
        path.leaf_index = 3;
        assert_ne!(root_from_path(&leaf, &path), Some(root));
        assert!(!gadget_root(leaf, &path, Some(root)).1);
    }
}
