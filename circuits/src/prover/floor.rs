//! The prover against its floor: each step of a proof beside the same
//! MSM or FFT work timed alone, with every implementation at hand.

use std::time::{Duration, Instant};

use ark_bn254::Fr;
use ark_ec::{AffineRepr, VariableBaseMSM};
use ark_ff::UniformRand;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_std::rand::{CryptoRng, RngCore};
use halo2curves::bn256 as h2;
use halo2curves::ff::{Field as _, PrimeField as _};

use super::msm::{to_halo_scalars, FixedBases, Group, G1, G2};
use super::{ProveError, ProvingTimes, TransferProver};
use crate::transfer::TransferCircuit;

/// One step of the proof beside its work timed alone (medians).
#[derive(Clone, Debug)]
pub struct FloorRow {
    /// What the step computes.
    pub step: &'static str,
    /// Its size: bases of the MSM, or points of the FFT domain.
    pub size: usize,
    /// Its time inside a proof.
    pub in_proof: Duration,
    /// The prover's implementation, alone.
    pub ours: Duration,
    /// halo2curves (`msm_best`, `best_fft`), alone.
    pub halo2curves: Duration,
    /// arkworks (`VariableBaseMSM::msm`, radix-2 FFT), alone.
    pub arkworks: Duration,
}

impl FloorRow {
    /// The fastest time alone.
    pub fn floor(&self) -> Duration {
        self.ours.min(self.halo2curves).min(self.arkworks)
    }
}

/// A proof's steps against their floors.
#[derive(Clone, Debug)]
pub struct FloorReport {
    /// Median of whole proofs (witness synthesis included).
    pub proof: Duration,
    /// Witness synthesis inside a proof.
    pub witness: Duration,
    /// The QAP reduction and the five MSMs.
    pub rows: Vec<FloorRow>,
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect(),
    )
}

/// One MSM alone, over the proving key's `bases` and random scalars.
fn msm_row<G: Group, R: RngCore>(
    step: &'static str,
    in_proof: Duration,
    bases: &[G::Ark],
    layout: super::fixed::Layout,
    runs: usize,
    rng: &mut R,
) -> FloorRow
where
    <G::Ark as AffineRepr>::Group: VariableBaseMSM<MulBase = G::Ark>,
{
    let kept: Vec<G::Ark> = bases.iter().filter(|p| !p.is_zero()).copied().collect();
    let scalars: Vec<Fr> = (0..kept.len()).map(|_| Fr::rand(rng)).collect();
    let halo_scalars = to_halo_scalars(&scalars);
    let halo_bases: Vec<G::Halo> = kept.iter().map(G::to_halo).collect();
    let tables = FixedBases::<G>::new(&kept, layout);
    FloorRow {
        step,
        size: kept.len(),
        in_proof,
        ours: time(runs, || {
            std::hint::black_box(tables.msm(&halo_scalars));
        }),
        halo2curves: time(runs, || {
            std::hint::black_box(halo2curves::msm::msm_best(&halo_scalars, &halo_bases));
        }),
        arkworks: time(runs, || {
            std::hint::black_box(<G::Ark as AffineRepr>::Group::msm(&kept, &scalars).ok());
        }),
    }
}

/// The QAP's seven FFTs of the domain alone (three inverse, three on the
/// coset, one inverse on the coset), as arkworks and halo2curves run them.
fn fft_row<R: RngCore>(in_proof: Duration, size: usize, runs: usize, rng: &mut R) -> FloorRow {
    let domain = GeneralEvaluationDomain::<Fr>::new(size).expect("a power-of-two domain");
    let values: Vec<Fr> = (0..domain.size()).map(|_| Fr::rand(rng)).collect();
    let arkworks = time(runs, || {
        let mut v = values.clone();
        for _ in 0..7 {
            domain.fft_in_place(&mut v);
        }
        std::hint::black_box(v);
    });
    let log_n = domain.log_size_of_group() as u32;
    let omega = h2::Fr::ROOT_OF_UNITY.pow_vartime([1u64 << (h2::Fr::S - log_n)]);
    let halo_values = to_halo_scalars(&values);
    let halo2curves = time(runs, || {
        let mut v = halo_values.clone();
        for _ in 0..7 {
            halo2curves::fft::best_fft(&mut v, omega, log_n);
        }
        std::hint::black_box(v);
    });
    FloorRow {
        step: "QAP: 7 FFTs",
        size: domain.size(),
        in_proof,
        ours: halo2curves,
        halo2curves,
        arkworks,
    }
}

/// Proves `circuit` `runs` times, then times each step's work alone.
pub fn measure<R: RngCore + CryptoRng>(
    prover: &TransferProver,
    circuit: &TransferCircuit,
    runs: usize,
    rng: &mut R,
) -> Result<FloorReport, ProveError> {
    prover.prove_timed(circuit.clone(), rng)?;
    let mut proofs = Vec::with_capacity(runs);
    let mut steps: Vec<ProvingTimes> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let (_, times) = prover.prove_timed(circuit.clone(), rng)?;
        proofs.push(started.elapsed());
        steps.push(times);
    }
    let step = |f: fn(&ProvingTimes) -> Duration| median(steps.iter().map(f).collect());
    let pk = prover.proving_key();
    let (g1, g2) = (super::G1_LAYOUT, super::G2_LAYOUT);
    Ok(FloorReport {
        proof: median(proofs),
        witness: step(|t| t.witness),
        rows: vec![
            fft_row(
                step(|t| t.qap),
                prover.num_constraints() + prover.num_instance_variables(),
                runs,
                rng,
            ),
            msm_row::<G1, _>("A in G1", step(|t| t.a), &pk.a_query[1..], g1, runs, rng),
            msm_row::<G1, _>(
                "B in G1",
                step(|t| t.b_g1),
                &pk.b_g1_query[1..],
                g1,
                runs,
                rng,
            ),
            msm_row::<G2, _>(
                "B in G2",
                step(|t| t.b_g2),
                &pk.b_g2_query[1..],
                g2,
                runs,
                rng,
            ),
            msm_row::<G1, _>("C: h in G1", step(|t| t.h), &pk.h_query, g1, runs, rng),
            msm_row::<G1, _>(
                "C: witness in G1",
                step(|t| t.l),
                &pk.l_query,
                g1,
                runs,
                rng,
            ),
        ],
    })
}
