//! The QAP reduction (libsnark's, as ark-groth16's `LibsnarkReduction`):
//! the coefficients of `h = (A B - C) / Z` over the constraint domain,
//! with halo2curves' FFT, about a third faster here than arkworks' radix-2.
//!
//! `A`, `B`, `C` are evaluated on the domain (one point per constraint,
//! then the inputs' copy constraints in `A`), interpolated, evaluated on a
//! coset where `Z` does not vanish, divided there, and interpolated back.
//!
//! Two shortcuts on the domain, neither of which changes `h` for a
//! satisfying assignment:
//! - a linear combination that several rows share is evaluated once (a
//!   Poseidon S-box's input is the `A` and `B` of `x^2 = x x` and the `B`
//!   of `x^5 = x^4 x`; in partial rounds it spans dozens of variables);
//! - `C`'s rows are not evaluated: on the domain `C = A B`. An assignment
//!   that satisfies no such equality still gets no verifying proof, since
//!   the proof's `C` carries the true `C` polynomial through the proving
//!   key's `l` query.

use std::collections::HashMap;

use ark_bn254::Fr;
use ark_ff::PrimeField;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::r1cs::ConstraintMatrices;
use halo2curves::bn256 as h2;
use halo2curves::ff::{Field, PrimeField as _};
use rayon::prelude::*;

/// One row of a constraint matrix: (coefficient, variable) pairs.
type Row = Vec<(h2::Fr, usize)>;

/// The constraint matrices in halo2curves' field, and the domain.
pub(super) struct Qap {
    /// The distinct rows of `A` and `B`.
    rows: Vec<Row>,
    /// `rows[a[i]]` is row `i` of `A`, `rows[b[i]]` row `i` of `B`.
    a: Vec<u32>,
    b: Vec<u32>,
    num_inputs: usize,
    log_n: u32,
    omega: h2::Fr,
    omega_inv: h2::Fr,
    n_inv: h2::Fr,
}

/// The distinct rows of `matrices`, and for each matrix the index of each
/// of its rows among them.
fn distinct_rows<const M: usize>(matrices: [&[Vec<(Fr, usize)>]; M]) -> (Vec<Row>, [Vec<u32>; M]) {
    let mut rows = Vec::new();
    let mut seen: HashMap<Vec<([u64; 4], usize)>, u32> = HashMap::new();
    let indices = matrices.map(|matrix| {
        matrix
            .iter()
            .map(|row| {
                let key: Vec<([u64; 4], usize)> = row
                    .iter()
                    .map(|(coefficient, variable)| (coefficient.into_bigint().0, *variable))
                    .collect();
                *seen.entry(key).or_insert_with_key(|key| {
                    rows.push(
                        key.iter()
                            .map(|(coefficient, variable)| {
                                (h2::Fr::from_raw(*coefficient), *variable)
                            })
                            .collect(),
                    );
                    (rows.len() - 1) as u32
                })
            })
            .collect()
    });
    (rows, indices)
}

fn evaluate(row: &Row, assignment: &[h2::Fr]) -> h2::Fr {
    row.iter()
        .fold(h2::Fr::ZERO, |sum, (coefficient, variable)| {
            sum + *coefficient * assignment[*variable]
        })
}

impl Qap {
    /// The QAP of `matrices`.
    pub(super) fn new(matrices: &ConstraintMatrices<Fr>) -> Self {
        let num_inputs = matrices.num_instance_variables;
        let n = (matrices.num_constraints + num_inputs).next_power_of_two();
        let log_n = n.trailing_zeros();
        // The proving key's Lagrange basis is over arkworks' domain: its
        // generator, not halo2curves' root of unity (another generator of
        // the same group, which would order the points differently).
        let domain = GeneralEvaluationDomain::<Fr>::new(n).expect("a radix-2 domain");
        let omega = h2::Fr::from_raw(domain.group_gen().into_bigint().0);
        let (rows, [a, b]) = distinct_rows([&matrices.a, &matrices.b]);
        Qap {
            rows,
            a,
            b,
            num_inputs,
            log_n,
            omega,
            omega_inv: omega.invert().expect("a root of unity is invertible"),
            n_inv: h2::Fr::from(n as u64)
                .invert()
                .expect("the domain size is below the characteristic"),
        }
    }

    fn size(&self) -> usize {
        1 << self.log_n
    }

    /// Evaluations on the domain to evaluations on the coset `g * domain`:
    /// interpolate, scale coefficient `i` by `g^i / n` (one pass for the
    /// inverse FFT's `1/n` and the coset shift), evaluate.
    fn domain_to_coset(&self, values: &mut [h2::Fr]) {
        halo2curves::fft::best_fft(values, self.omega_inv, self.log_n);
        scale_by_powers(values, h2::Fr::MULTIPLICATIVE_GENERATOR, self.n_inv);
        halo2curves::fft::best_fft(values, self.omega, self.log_n);
    }

    /// `h`'s coefficients for `assignment` (the constant one, the inputs,
    /// then the witness), `size()` of them (the top one is zero).
    pub(super) fn h(&self, assignment: &[h2::Fr]) -> Vec<h2::Fr> {
        let n = self.size();
        let values: Vec<h2::Fr> = self
            .rows
            .par_iter()
            .map(|row| evaluate(row, assignment))
            .collect();
        let constraints = self.a.len();
        let mut a = vec![h2::Fr::ZERO; n];
        let mut b = vec![h2::Fr::ZERO; n];
        let mut c = vec![h2::Fr::ZERO; n];
        a[..constraints]
            .par_iter_mut()
            .zip(&mut b[..constraints])
            .zip(&mut c[..constraints])
            .zip(self.a.par_iter().zip(&self.b))
            .for_each(|(((a, b), c), (i, j))| {
                *a = values[*i as usize];
                *b = values[*j as usize];
                *c = *a * *b;
            });
        a[constraints..constraints + self.num_inputs]
            .copy_from_slice(&assignment[..self.num_inputs]);
        [&mut a, &mut b, &mut c]
            .into_par_iter()
            .for_each(|values| self.domain_to_coset(values));
        a.par_iter_mut()
            .zip(b.par_iter())
            .zip(c.par_iter())
            .for_each(|((a, b), c)| *a = *a * b - c);
        // Back to coefficients, dividing by Z(X) = X^n - 1, the constant
        // g^n - 1 on the coset, in the same pass as 1/n and the unshift.
        let z_inv = (h2::Fr::MULTIPLICATIVE_GENERATOR.pow_vartime([n as u64]) - h2::Fr::ONE)
            .invert()
            .expect("the coset avoids the domain");
        halo2curves::fft::best_fft(&mut a, self.omega_inv, self.log_n);
        scale_by_powers(
            &mut a,
            h2::Fr::MULTIPLICATIVE_GENERATOR
                .invert()
                .expect("the generator is invertible"),
            self.n_inv * z_inv,
        );
        a
    }
}

/// `values[i] *= factor * g^i`.
fn scale_by_powers(values: &mut [h2::Fr], g: h2::Fr, factor: h2::Fr) {
    let chunk = values
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    values
        .par_chunks_mut(chunk)
        .enumerate()
        .for_each(|(k, values)| {
            let mut power = factor * g.pow_vartime([(k * chunk) as u64]);
            for v in values {
                *v *= power;
                power *= g;
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prover::msm::to_halo_scalars;
    use crate::scenario::alice_pays_bob;
    use crate::transfer::{PublicInputMode, TransferCircuit};
    use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
    use ark_relations::r1cs::{
        ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
    };

    #[test]
    fn matches_arkworks_reduction() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(5);
        let circuit: TransferCircuit = alice_pays_bob(5, &mut rng)
            .witness
            .circuit(PublicInputMode::Hashed);
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: true,
        });
        circuit.generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        let matrices = cs.to_matrices().unwrap();
        let cs = cs.into_inner().unwrap();
        let assignment: Vec<Fr> = cs
            .instance_assignment
            .iter()
            .chain(&cs.witness_assignment)
            .copied()
            .collect();
        let expected =
            LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
                &matrices,
                matrices.num_instance_variables,
                matrices.num_constraints,
                &assignment,
            )
            .unwrap();
        let qap = Qap::new(&matrices);
        let full = to_halo_scalars(&assignment);
        let h = qap.h(&full);
        assert!(h == to_halo_scalars(&expected), "h differs from arkworks'");
        assert_eq!(h.last(), Some(&h2::Fr::ZERO));
    }
}
