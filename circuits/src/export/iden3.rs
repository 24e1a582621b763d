//! circom's binary R1CS (`.r1cs`) and snarkjs' witness (`.wtns`) files
//! (the iden3 formats), read into an arkworks circuit: the stock
//! arkworks Groth16 peer of the benchmark proves the very constraint
//! system circom compiled, with the witness snarkjs computed.
//!
//! Both files are `magic, version u32, sections u32`, then sections of
//! `type u32, size u64, bytes`; integers little-endian, field elements
//! `n8` bytes little-endian in canonical form.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use ark_relations::lc;
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Iden3Error {
    /// Not the expected kind of file.
    #[error("not a {0} file (bad magic)")]
    Magic(&'static str),
    /// The file ends inside a field or section.
    #[error("the file is truncated")]
    Truncated,
    /// A section the reader needs is absent.
    #[error("section {0} is missing")]
    MissingSection(u32),
    /// The field is not BN254's scalar field.
    #[error("the file is over another field")]
    Field,
    /// A wire number beyond the declared wires.
    #[error("wire {0} is out of range")]
    Wire(u32),
}

/// A cursor over little-endian bytes.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Iden3Error> {
        if self.0.len() < n {
            return Err(Iden3Error::Truncated);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, Iden3Error> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64, Iden3Error> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn field(&mut self, n8: usize) -> Result<Fr, Iden3Error> {
        Ok(Fr::from_le_bytes_mod_order(self.take(n8)?))
    }
}

/// The sections of a file, by type (the first of each type).
fn sections<'a>(bytes: &'a [u8], magic: &'static str) -> Result<Vec<(u32, &'a [u8])>, Iden3Error> {
    let mut cursor = Bytes(bytes);
    if cursor.take(4)? != magic.as_bytes() {
        return Err(Iden3Error::Magic(magic));
    }
    let _version = cursor.u32()?;
    let count = cursor.u32()?;
    let mut sections = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let kind = cursor.u32()?;
        let size = usize::try_from(cursor.u64()?).map_err(|_| Iden3Error::Truncated)?;
        sections.push((kind, cursor.take(size)?));
    }
    Ok(sections)
}

fn section<'a>(sections: &[(u32, &'a [u8])], kind: u32) -> Result<Bytes<'a>, Iden3Error> {
    sections
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, bytes)| Bytes(bytes))
        .ok_or(Iden3Error::MissingSection(kind))
}

/// Reads the field header (`n8`, prime) and checks it is BN254's `r`.
fn field_size(cursor: &mut Bytes) -> Result<usize, Iden3Error> {
    let n8 = cursor.u32()? as usize;
    let prime = cursor.take(n8)?;
    let r = Fr::MODULUS.to_bytes_le();
    if n8 != 32 || prime != r.as_slice() {
        return Err(Iden3Error::Field);
    }
    Ok(n8)
}

/// One side of a constraint: (wire, coefficient) pairs.
pub type Terms = Vec<(u32, Fr)>;

/// A rank-1 constraint system compiled by circom.
#[derive(Clone, Debug)]
pub struct CircomR1cs {
    /// Wires, the constant-one wire 0 included.
    pub wires: u32,
    /// Public wires (outputs, then public inputs), after wire 0.
    pub public: u32,
    /// `A * B = C` per constraint.
    pub constraints: Vec<[Terms; 3]>,
}

impl CircomR1cs {
    /// Parses a `.r1cs` file.
    pub fn parse(bytes: &[u8]) -> Result<Self, Iden3Error> {
        let sections = sections(bytes, "r1cs")?;
        let mut header = section(&sections, 1)?;
        let n8 = field_size(&mut header)?;
        let wires = header.u32()?;
        let outputs = header.u32()?;
        let public_inputs = header.u32()?;
        let _private_inputs = header.u32()?;
        let _labels = header.u64()?;
        let count = header.u32()?;
        let mut body = section(&sections, 2)?;
        let mut constraints = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let mut sides: [Terms; 3] = Default::default();
            for side in &mut sides {
                let factors = body.u32()?;
                for _ in 0..factors {
                    let wire = body.u32()?;
                    if wire >= wires {
                        return Err(Iden3Error::Wire(wire));
                    }
                    side.push((wire, body.field(n8)?));
                }
            }
            constraints.push(sides);
        }
        Ok(CircomR1cs {
            wires,
            public: outputs + public_inputs,
            constraints,
        })
    }
}

/// Parses a `.wtns` file: the value of every wire, wire 0 (one) first.
pub fn parse_witness(bytes: &[u8]) -> Result<Vec<Fr>, Iden3Error> {
    let sections = sections(bytes, "wtns")?;
    let mut header = section(&sections, 1)?;
    let n8 = field_size(&mut header)?;
    let count = header.u32()?;
    let mut values = section(&sections, 2)?;
    (0..count).map(|_| values.field(n8)).collect()
}

/// A circom constraint system with a witness (or none, for the setup), as
/// an arkworks circuit: wires `1..=public` are instance variables.
#[derive(Clone)]
pub struct CircomCircuit<'a> {
    /// The constraints.
    pub r1cs: &'a CircomR1cs,
    /// Every wire's value, or `None` for the setup.
    pub witness: Option<&'a [Fr]>,
}

impl ConstraintSynthesizer<Fr> for CircomCircuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let value = |wire: u32| -> Result<Fr, SynthesisError> {
            self.witness
                .and_then(|w| w.get(wire as usize).copied())
                .ok_or(SynthesisError::AssignmentMissing)
        };
        let mut variables = Vec::with_capacity(self.r1cs.wires as usize);
        variables.push(Variable::One);
        for wire in 1..self.r1cs.wires {
            variables.push(if wire <= self.r1cs.public {
                cs.new_input_variable(|| value(wire))?
            } else {
                cs.new_witness_variable(|| value(wire))?
            });
        }
        let combination = |terms: &Terms| {
            terms
                .iter()
                .fold(lc!(), |lc: LinearCombination<Fr>, (wire, coefficient)| {
                    lc + (*coefficient, variables[*wire as usize])
                })
        };
        for [a, b, c] in &self.r1cs.constraints {
            cs.enforce_constraint(combination(a), combination(b), combination(c))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Bn254;
    use ark_groth16::Groth16;
    use ark_snark::SNARK;
    use rand::SeedableRng;

    fn header(magic: &str, sections: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = magic.as_bytes().to_vec();
        out.extend(1u32.to_le_bytes());
        out.extend((sections.len() as u32).to_le_bytes());
        for (kind, bytes) in sections {
            out.extend(kind.to_le_bytes());
            out.extend((bytes.len() as u64).to_le_bytes());
            out.extend(bytes);
        }
        out
    }

    fn field_header() -> Vec<u8> {
        let mut out = 32u32.to_le_bytes().to_vec();
        out.extend(Fr::MODULUS.to_bytes_le());
        out
    }

    fn element(x: u64) -> Vec<u8> {
        Fr::from(x).into_bigint().to_bytes_le()
    }

    /// out = x * y (wire 1 public output, 2 and 3 private inputs).
    fn product_r1cs() -> Vec<u8> {
        let mut h = field_header();
        for n in [4u32, 1, 0, 2] {
            h.extend(n.to_le_bytes());
        }
        h.extend(4u64.to_le_bytes());
        h.extend(1u32.to_le_bytes());
        let mut c = Vec::new();
        for (wire, coefficient) in [(2u32, 1u64), (3, 1), (1, 1)] {
            c.extend(1u32.to_le_bytes());
            c.extend(wire.to_le_bytes());
            c.extend(element(coefficient));
        }
        header("r1cs", &[(1, h), (2, c)])
    }

    fn witness(values: &[u64]) -> Vec<u8> {
        let mut h = field_header();
        h.extend((values.len() as u32).to_le_bytes());
        let v = values.iter().flat_map(|x| element(*x)).collect();
        header("wtns", &[(1, h), (2, v)])
    }

    #[test]
    fn proves_a_circom_product_and_rejects_a_wrong_witness() {
        let r1cs = CircomR1cs::parse(&product_r1cs()).unwrap();
        assert_eq!((r1cs.wires, r1cs.public, r1cs.constraints.len()), (4, 1, 1));
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let setup = CircomCircuit {
            r1cs: &r1cs,
            witness: None,
        };
        let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(setup, &mut rng).unwrap();
        let good = parse_witness(&witness(&[1, 42, 6, 7])).unwrap();
        let circuit = CircomCircuit {
            r1cs: &r1cs,
            witness: Some(&good),
        };
        let proof = Groth16::<Bn254>::prove(&pk, circuit, &mut rng).unwrap();
        assert!(Groth16::<Bn254>::verify(&vk, &[Fr::from(42u64)], &proof).unwrap());
        assert!(!Groth16::<Bn254>::verify(&vk, &[Fr::from(43u64)], &proof).unwrap());

        let bad = parse_witness(&witness(&[1, 43, 6, 7])).unwrap();
        let cs = ark_relations::r1cs::ConstraintSystem::new_ref();
        CircomCircuit {
            r1cs: &r1cs,
            witness: Some(&bad),
        }
        .generate_constraints(cs.clone())
        .unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn refuses_malformed_files() {
        let r1cs = product_r1cs();
        assert!(matches!(
            CircomR1cs::parse(&r1cs[..r1cs.len() - 1]),
            Err(Iden3Error::Truncated)
        ));
        assert!(matches!(
            CircomR1cs::parse(&witness(&[1])),
            Err(Iden3Error::Magic("r1cs"))
        ));
        let mut other_field = witness(&[1]);
        other_field[28] ^= 1; // the first byte of the prime
        assert!(matches!(
            parse_witness(&other_field),
            Err(Iden3Error::Field)
        ));
    }
}
