//! The proving key's bases, moved from arkworks to halo2curves (whose
//! field arithmetic the MSM tables use) and tabled once ([`super::fixed`]).
//!
//! Both libraries implement the same BN254 curve; points cross as canonical
//! coordinates. Identity bases add nothing and have no affine coordinates,
//! so they are dropped, and the index of every kept base is remembered to
//! pick its scalar.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use halo2curves::bn256 as h2;
use halo2curves::ff::PrimeField as _;
use halo2curves::group::prime::PrimeCurveAffine;
use halo2curves::group::Curve;
use halo2curves::serde::SerdeObject;
use halo2curves::CurveAffine;

use super::fixed::{Coordinate, FixedBaseTable, Layout};

/// A BN254 group as seen by both libraries.
pub(super) trait Group {
    /// The arkworks affine point.
    type Ark: AffineRepr<ScalarField = Fr>;
    /// The halo2curves affine point.
    type Halo: CurveAffine<ScalarExt = h2::Fr, Base: SerdeObject + Coordinate>;
    /// `point` in halo2curves.
    fn to_halo(point: &Self::Ark) -> Self::Halo;
    /// `point` in arkworks.
    fn to_ark(point: &Self::Halo) -> Self::Ark;
}

fn fq_to_halo(x: &Fq) -> h2::Fq {
    h2::Fq::from_raw(x.into_bigint().0)
}

fn fq_to_ark(x: &h2::Fq) -> Fq {
    Fq::from_le_bytes_mod_order(x.to_repr().as_ref())
}

/// G1.
pub(super) struct G1;

impl Group for G1 {
    type Ark = G1Affine;
    type Halo = h2::G1Affine;

    fn to_halo(point: &G1Affine) -> h2::G1Affine {
        match point.xy() {
            Some((x, y)) => h2::G1Affine {
                x: fq_to_halo(&x),
                y: fq_to_halo(&y),
            },
            None => h2::G1Affine::identity(),
        }
    }

    fn to_ark(point: &h2::G1Affine) -> G1Affine {
        if bool::from(point.is_identity()) {
            G1Affine::zero()
        } else {
            G1Affine::new_unchecked(fq_to_ark(&point.x), fq_to_ark(&point.y))
        }
    }
}

/// G2.
pub(super) struct G2;

fn fq2_to_halo(x: &Fq2) -> h2::Fq2 {
    h2::Fq2::new(fq_to_halo(&x.c0), fq_to_halo(&x.c1))
}

fn fq2_to_ark(x: &h2::Fq2) -> Fq2 {
    Fq2::new(fq_to_ark(x.c0()), fq_to_ark(x.c1()))
}

impl Group for G2 {
    type Ark = G2Affine;
    type Halo = h2::G2Affine;

    fn to_halo(point: &G2Affine) -> h2::G2Affine {
        match point.xy() {
            Some((x, y)) => h2::G2Affine {
                x: fq2_to_halo(&x),
                y: fq2_to_halo(&y),
            },
            None => h2::G2Affine::identity(),
        }
    }

    fn to_ark(point: &h2::G2Affine) -> G2Affine {
        if bool::from(point.is_identity()) {
            G2Affine::zero()
        } else {
            G2Affine::new_unchecked(fq2_to_ark(&point.x), fq2_to_ark(&point.y))
        }
    }
}

/// Field elements as halo2curves scalars.
pub(super) fn to_halo_scalars(values: &[Fr]) -> Vec<h2::Fr> {
    values
        .iter()
        .map(|x| h2::Fr::from_raw(x.into_bigint().0))
        .collect()
}

/// Fixed bases, ready for repeated MSMs.
pub(super) struct FixedBases<G: Group> {
    /// The non-identity bases with their precomputed multiples.
    table: FixedBaseTable<G::Halo>,
    /// `indices[k]` is the position of `bases[k]` among the original bases.
    indices: Vec<usize>,
    /// Number of original bases.
    len: usize,
}

impl<G: Group> FixedBases<G> {
    /// Converts `points` once and precomputes their table.
    pub(super) fn new(points: &[G::Ark], layout: Layout) -> Self {
        let (indices, bases) = Self::kept(points);
        FixedBases {
            table: FixedBaseTable::new(&bases, layout),
            indices,
            len: points.len(),
        }
    }

    /// The bases of `points` with their table read from the front of
    /// `bytes` ([`Self::write`]), if it is theirs.
    pub(super) fn read(points: &[G::Ark], layout: Layout, bytes: &mut &[u8]) -> Option<Self> {
        let (indices, bases) = Self::kept(points);
        Some(FixedBases {
            table: FixedBaseTable::read(bytes, &bases, layout)?,
            indices,
            len: points.len(),
        })
    }

    /// Appends the table to `out`.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        self.table.write(out);
    }

    /// The non-identity points, converted, with their positions.
    fn kept(points: &[G::Ark]) -> (Vec<usize>, Vec<G::Halo>) {
        points
            .iter()
            .enumerate()
            .filter(|(_, point)| !point.is_zero())
            .map(|(i, point)| (i, G::to_halo(point)))
            .unzip()
    }

    /// Bytes held by the precomputed table.
    pub(super) fn table_bytes(&self) -> usize {
        self.table.table_bytes()
    }

    /// `sum scalars[i] * points[i]`; `scalars` must cover every base
    /// (extra scalars are ignored, as arkworks' MSM does).
    pub(super) fn msm(&self, scalars: &[h2::Fr]) -> Option<<G::Ark as AffineRepr>::Group> {
        if scalars.len() < self.len {
            return None;
        }
        let picked: Vec<h2::Fr> = self.indices.iter().map(|&i| scalars[i]).collect();
        let sum = self.table.msm(&picked).to_affine();
        Some(G::to_ark(&sum).into_group())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Projective, G2Projective};
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::Zero;
    use ark_std::UniformRand;

    const LAYOUT: Layout = Layout {
        window: 8,
        stride: 2,
    };

    #[test]
    fn matches_arkworks_msm_with_identities_and_zero_scalars() {
        let mut rng = ark_std::test_rng();
        let mut g1: Vec<G1Affine> = (0..300).map(|_| G1Affine::rand(&mut rng)).collect();
        let mut g2: Vec<G2Affine> = (0..300).map(|_| G2Affine::rand(&mut rng)).collect();
        g1[7] = G1Affine::zero();
        g2[11] = G2Affine::zero();
        let mut scalars: Vec<Fr> = (0..301).map(|_| Fr::rand(&mut rng)).collect();
        scalars[3] = Fr::zero();
        let halo = to_halo_scalars(&scalars);

        let expected = G1Projective::msm(&g1, &scalars[..300]).unwrap();
        assert_eq!(
            FixedBases::<G1>::new(&g1, LAYOUT)
                .msm(&halo)
                .unwrap()
                .into_affine(),
            expected.into_affine()
        );
        let expected = G2Projective::msm(&g2, &scalars[..300]).unwrap();
        assert_eq!(
            FixedBases::<G2>::new(&g2, LAYOUT)
                .msm(&halo)
                .unwrap()
                .into_affine(),
            expected.into_affine()
        );
        assert!(FixedBases::<G1>::new(&g1, LAYOUT)
            .msm(&halo[..10])
            .is_none());
    }
}
