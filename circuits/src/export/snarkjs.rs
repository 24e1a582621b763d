//! snarkjs's JSON formats (`verification_key.json`, `proof.json`,
//! `public.json`): decimal strings, projective coordinates with z = 1, G2
//! coordinates as `[c0, c1]`.

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_groth16::{Proof, VerifyingKey};
use serde_json::{json, Value};

fn fq(value: &Fq) -> String {
    value.to_string()
}

fn fq2(value: &Fq2) -> Value {
    json!([fq(&value.c0), fq(&value.c1)])
}

fn g1(point: &G1Affine) -> Value {
    match point.xy() {
        Some((x, y)) => json!([fq(&x), fq(&y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

fn g2(point: &G2Affine) -> Value {
    match point.xy() {
        Some((x, y)) => json!([fq2(&x), fq2(&y), ["1", "0"]]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

/// `verification_key.json` for `snarkjs groth16 verify`.
pub fn verifying_key_json(vk: &VerifyingKey<Bn254>) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len() - 1,
        "vk_alpha_1": g1(&vk.alpha_g1),
        "vk_beta_2": g2(&vk.beta_g2),
        "vk_gamma_2": g2(&vk.gamma_g2),
        "vk_delta_2": g2(&vk.delta_g2),
        "IC": vk.gamma_abc_g1.iter().map(g1).collect::<Vec<_>>(),
    })
}

/// `proof.json` for `snarkjs groth16 verify`.
pub fn proof_json(proof: &Proof<Bn254>) -> Value {
    json!({
        "pi_a": g1(&proof.a),
        "pi_b": g2(&proof.b),
        "pi_c": g1(&proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// `public.json`: the public inputs as decimal strings.
pub fn public_inputs_json(inputs: &[Fr]) -> Value {
    Value::Array(
        inputs
            .iter()
            .map(|x| Value::String(x.to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_elements_print_as_decimal() {
        assert_eq!(
            public_inputs_json(&[Fr::from(0u64), Fr::from(1234u64)]),
            json!(["0", "1234"])
        );
        assert_eq!(fq(&Fq::from(7u64)), "7");
    }
}
