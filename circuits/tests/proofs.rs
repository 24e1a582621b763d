//! Real proofs from the committed key, verified the way the program does
//! (groth16-solana over the alt_bn128 interface) and by arkworks.

mod common;

use ark_bn254::Fr;
use common::{deposit, payment, prover, rng, withdrawal};
use zkpay_circuits::export::snarkjs::{proof_json, public_inputs_json, verifying_key_json};
use zkpay_circuits::export::solana::proof_to_solana;
use zkpay_circuits::prover::ProveError;
use zkpay_circuits::transfer::{PublicInputMode, StatementError};
use zkpay_core::field::{non_canonical_alias, FieldBytes};
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::{NonCanonicalInput, PublicInput, TransferPublicInputs};
use zkpay_core::verifier::{verify_transfer, VerifyError};

fn set(inputs: &mut TransferPublicInputs, position: PublicInput, value: FieldBytes) {
    let mut values = inputs.to_array();
    values[position as usize] = value;
    *inputs = TransferPublicInputs::from_array(values);
}

#[test]
fn payments_deposits_and_withdrawals_verify_on_the_solana_verifier() {
    let mut rng = rng();
    for witness in [payment(), deposit(1), withdrawal(1_200_000_000)] {
        let (proof, inputs) = prover().prove_transfer(&witness, &mut rng).unwrap();
        assert_eq!(verify_transfer(&proof, &inputs), Ok(()));
        assert_eq!(TransferProof::from_bytes(&proof.to_bytes()), proof);
    }
}

#[test]
fn arkworks_and_groth16_solana_agree() {
    let mut rng = rng();
    let circuit = payment().circuit(PublicInputMode::Hashed);
    let public = circuit.public_inputs();
    let proof = prover().prove(circuit, &mut rng).unwrap();
    assert!(prover().verify(&proof, &public));
    assert!(!prover().verify(&proof, &[public[0] + Fr::from(1u64)]));
    assert_eq!(
        verify_transfer(&proof_to_solana(&proof), &payment().public_inputs()),
        Ok(())
    );
}

#[test]
fn a_tampered_proof_is_rejected() {
    let (proof, inputs) = prover().prove_transfer(&payment(), &mut rng()).unwrap();
    for (offset, byte) in [(5usize, 0x01u8), (64 + 40, 0x80), (192 + 63, 0x01)] {
        let mut bytes = proof.to_bytes();
        bytes[offset] ^= byte;
        let tampered = TransferProof::from_bytes(&bytes);
        assert_eq!(
            verify_transfer(&tampered, &inputs),
            Err(VerifyError::InvalidProof),
            "byte {offset}"
        );
    }
}

#[test]
fn flag_bits_in_proof_coordinates_are_refused() {
    // The alt_bn128 syscalls read coordinates through arkworks, which takes
    // the top two bits as flags and ignores them for uncompressed points:
    // the same proof with such a bit set would verify (the SBF fuzz test
    // found it). Every coordinate must be below the base-field modulus.
    let (proof, inputs) = prover().prove_transfer(&payment(), &mut rng()).unwrap();
    assert!(proof.is_canonical());
    for coordinate in 0..8 {
        for flag in [0x80u8, 0x40] {
            let mut bytes = proof.to_bytes();
            bytes[32 * coordinate] |= flag;
            assert_eq!(
                verify_transfer(&TransferProof::from_bytes(&bytes), &inputs),
                Err(VerifyError::NonCanonicalProof),
                "coordinate {coordinate}, flag {flag:#x}"
            );
        }
    }
}

#[test]
fn every_altered_public_value_is_rejected() {
    let (proof, inputs) = prover().prove_transfer(&payment(), &mut rng()).unwrap();
    for position in PublicInput::ALL {
        let mut altered = inputs;
        let mut value = inputs.to_array()[position as usize];
        value[31] ^= 1;
        set(&mut altered, position, value);
        assert_eq!(
            verify_transfer(&proof, &altered),
            Err(VerifyError::InvalidProof),
            "{position:?}"
        );
    }
}

#[test]
fn a_public_value_plus_the_modulus_is_rejected_before_verification() {
    let (proof, inputs) = prover().prove_transfer(&payment(), &mut rng()).unwrap();
    for position in PublicInput::ALL {
        let mut aliased = inputs;
        set(
            &mut aliased,
            position,
            non_canonical_alias(&inputs.to_array()[position as usize]),
        );
        assert_eq!(
            verify_transfer(&proof, &aliased),
            Err(VerifyError::NonCanonical(NonCanonicalInput { position })),
        );
    }
}

#[test]
fn an_invalid_transfer_gets_a_typed_error_and_a_forced_proof_does_not_verify() {
    let mut witness = payment();
    witness.outputs[0].amount += 1;
    let error = prover().prove_transfer(&witness, &mut rng()).unwrap_err();
    assert!(
        matches!(
            error,
            ProveError::Statement(StatementError::ValueNotConserved)
        ),
        "{error}"
    );

    // Skipping the native check yields a proof, which the verifier rejects.
    let circuit = witness.circuit(PublicInputMode::Hashed);
    let proof = prover().prove_unchecked(circuit, &mut rng()).unwrap();
    assert_eq!(
        verify_transfer(&proof_to_solana(&proof), &witness.public_inputs()),
        Err(VerifyError::InvalidProof)
    );
}

#[test]
fn a_circuit_of_the_other_layout_is_refused() {
    let circuit = payment().circuit(PublicInputMode::Direct);
    assert!(matches!(
        prover().prove(circuit, &mut rng()),
        Err(ProveError::ModeMismatch { .. })
    ));
}

#[test]
fn snarkjs_json_has_the_expected_shape() {
    let circuit = payment().circuit(PublicInputMode::Hashed);
    let public = circuit.public_inputs();
    let proof = prover().prove(circuit, &mut rng()).unwrap();
    let vk = verifying_key_json(&prover().proving_key().vk);
    assert_eq!(vk["protocol"], "groth16");
    assert_eq!(vk["curve"], "bn128");
    assert_eq!(vk["nPublic"], 1);
    assert_eq!(vk["IC"].as_array().unwrap().len(), 2);
    assert_eq!(vk["vk_beta_2"][2], serde_json::json!(["1", "0"]));
    let proof = proof_json(&proof);
    assert_eq!(proof["pi_a"][2], "1");
    assert_eq!(proof["pi_b"].as_array().unwrap().len(), 3);
    let public = public_inputs_json(&public);
    let value = public[0].as_str().unwrap();
    assert!(value.chars().all(|c| c.is_ascii_digit()) && value.len() > 60);
}

#[test]
fn msm_tables_are_cached_and_a_damaged_cache_is_rebuilt() {
    use zkpay_circuits::prover::TransferProver;
    let dir = std::env::temp_dir().join(format!("zkpay-table-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let prove = |prover: &TransferProver| {
        let (proof, inputs) = prover.prove_transfer(&payment(), &mut rng()).unwrap();
        verify_transfer(&proof, &inputs).unwrap();
    };
    let first = TransferProver::load_from(&dir).unwrap();
    assert!(!first.tables_cached());
    prove(&first);
    let second = TransferProver::load_from(&dir).unwrap();
    assert!(second.tables_cached());
    prove(&second);

    // One flipped byte in the tables: the digest refuses the file, the
    // tables are computed again and the file rewritten.
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "msm"))
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&file, &bytes).unwrap();
    let third = TransferProver::load_from(&dir).unwrap();
    assert!(!third.tables_cached());
    prove(&third);
    assert!(TransferProver::load_from(&dir).unwrap().tables_cached());
    std::fs::remove_dir_all(&dir).unwrap();
}
