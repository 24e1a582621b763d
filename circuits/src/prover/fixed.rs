//! Fixed-base multi-scalar multiplication with precomputed window tables.
//!
//! The proving key's bases never change, so each base `P` is stored once
//! with its shifted copies `2^(c*s*k) P`. A scalar written in signed
//! `c`-bit digits `d_j` then needs no doublings: digit `j` adds
//! `±table[j / s]` into bucket set `j % s`, bucket `|d_j|`. All windows of
//! all bases share the `s` bucket sets, so the whole MSM costs one
//! affine addition per non-zero digit plus `s` bucket reductions (each
//! set filled and reduced by its own thread), against
//! one reduction per window and a doubling chain for Pippenger over bare
//! bases. The stride `s` trades memory (the table holds `ceil(W / s)`
//! points per base) for `s - 1` more reductions and `c (s - 1)` doublings.
//!
//! Additions into buckets are affine and batched: the denominators of a
//! batch of additions into distinct buckets share one field inversion
//! (Montgomery's trick), so an addition costs about six multiplications.
//! An addition aimed at a bucket already pending in the batch waits for
//! the next one. In G2 the batch inverts norms, not the denominators
//! themselves ([`Coordinate`]): three multiplications in `Fq` per
//! addition where `Fq2`'s would cost about four times as much.
//!
//! Where the CPU has AVX-512 IFMA ([`vectorized`]), the additions of a
//! batch, and of the reduction's lanes, whose `x` differ run eight at a
//! time in 52-bit limbs (`ifma`, about twice as fast); the few left
//! (doublings, `P + (-P)`) take the general path here.

use halo2curves::bn256::{Fq, Fq2};
use halo2curves::ff::{Field, PrimeField};
use halo2curves::group::{Curve, Group};
use halo2curves::serde::SerdeObject;
use halo2curves::CurveAffine;
use rayon::prelude::*;

#[cfg(target_arch = "x86_64")]
mod ifma;

/// A coordinate field: the field its batches of denominators are inverted
/// in (`Fq` itself, or for `Fq2 = Fq[u] / (u^2 + 1)` the norm
/// `N(d) = d0^2 + d1^2` in `Fq`, as `1 / d = conj(d) / N(d)`), and its
/// fastest product and square.
pub(crate) trait Coordinate: Field {
    /// The field of the shared inversion.
    type Norm: Field;
    /// What the batch multiplies up and inverts (non-zero if `self` is).
    fn norm(&self) -> Self::Norm;
    /// `1 / self`, given `1 / self.norm()`.
    fn invert_with(&self, norm_inverse: Self::Norm) -> Self;
    /// `self * other`.
    fn times(&self, other: &Self) -> Self {
        *self * other
    }
    /// `self^2`.
    fn squared(&self) -> Self {
        self.square()
    }
    /// A faster way, if this CPU has one, to add a batch of points into
    /// others with distinct `x`: `sums[k] += addends[k]`.
    fn batch_adder() -> Option<BatchAdder<Self>> {
        None
    }
}

/// Adds `addends[k]` into `sums[k]` for every `k`, their `x` distinct,
/// with scratch memory kept from one batch to the next.
pub(crate) type BatchAdder<F> = fn(&mut [Point<F>], &[Point<F>], &mut Scratch);

/// A batch adder's scratch memory: rows of eight 64-bit words, five at a
/// time (an eight-lane vector of five limbs).
pub(crate) type Scratch = Vec<[[u64; 8]; 5]>;

impl Coordinate for Fq {
    type Norm = Fq;

    fn norm(&self) -> Fq {
        *self
    }

    fn invert_with(&self, norm_inverse: Fq) -> Fq {
        norm_inverse
    }

    /// Eight additions at a time with AVX-512 IFMA where the CPU has it.
    fn batch_adder() -> Option<BatchAdder<Fq>> {
        #[cfg(target_arch = "x86_64")]
        if vectorized() {
            return Some(ifma::add_distinct::<Fq, 1>);
        }
        None
    }
}

/// `Fq2`'s product in three multiplications in `Fq` (Karatsuba) and its
/// square in two, about a fifth faster here than halo2curves' own.
impl Coordinate for Fq2 {
    type Norm = Fq;

    fn norm(&self) -> Fq {
        self.c0().square() + self.c1().square()
    }

    fn invert_with(&self, norm_inverse: Fq) -> Fq2 {
        Fq2::new(*self.c0() * norm_inverse, -(*self.c1() * norm_inverse))
    }

    #[inline(always)]
    fn times(&self, other: &Fq2) -> Fq2 {
        let (a0, a1, b0, b1) = (self.c0(), self.c1(), other.c0(), other.c1());
        let real = *a0 * b0;
        let imaginary = *a1 * b1;
        let cross = (*a0 + a1) * (*b0 + b1);
        Fq2::new(real - imaginary, cross - real - imaginary)
    }

    #[inline(always)]
    fn squared(&self) -> Fq2 {
        let (a0, a1) = (self.c0(), self.c1());
        Fq2::new((*a0 + a1) * (*a0 - a1), (*a0 * a1).double())
    }

    /// Eight additions at a time with AVX-512 IFMA where the CPU has it.
    fn batch_adder() -> Option<BatchAdder<Fq2>> {
        #[cfg(target_arch = "x86_64")]
        if vectorized() {
            return Some(ifma::add_distinct::<Fq2, 2>);
        }
        None
    }
}

/// Whether the batched additions run eight at a time (AVX-512 IFMA, when
/// the CPU has it and `ZKPAY_MSM_SCALAR` is not set) or one at a time.
pub(crate) fn vectorized() -> bool {
    static VECTORIZED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *VECTORIZED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        if std::env::var_os("ZKPAY_MSM_SCALAR").is_none() {
            return ifma::supported();
        }
        false
    })
}

/// Pending additions per shared inversion.
const BATCH: usize = 512;

/// Retried additions that may wait for another batch rather than go to
/// the overflow. The top digit of a 254-bit scalar takes fewer than 100
/// values, so its additions meet their bucket pending a few times per
/// batch: waiting costs them nothing; the bound keeps a run of additions
/// into one bucket (as many equal small scalars make) from taking one
/// batch each.
const MAX_WAITING: usize = 64;

/// Running sums advanced together in a bucket reduction.
const LANES: usize = 128;

/// The layout of a table: window width and stride.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Bits per signed digit (`c`).
    pub(crate) window: u32,
    /// Digits per stored point (`s`): bucket sets in use.
    pub(crate) stride: u32,
}

impl Layout {
    /// Signed digits per 254-bit scalar: enough that the top digit never
    /// carries (`windows * c >= 255`).
    pub(crate) fn windows(self) -> usize {
        255_usize.div_ceil(self.window as usize)
    }

    /// Points stored per base.
    pub(crate) fn points_per_base(self) -> usize {
        self.windows().div_ceil(self.stride as usize)
    }

    fn buckets_per_set(self) -> usize {
        1 << (self.window - 1)
    }
}

/// An affine point by its coordinates (never the identity).
#[derive(Clone, Copy, Default)]
pub(crate) struct Point<F> {
    x: F,
    y: F,
}

/// Bases with their precomputed shifted copies.
pub(crate) struct FixedBaseTable<C: CurveAffine> {
    layout: Layout,
    /// `table[i * points_per_base + k] = 2^(c*s*k) * base_i`.
    table: Vec<Point<C::Base>>,
    /// Number of bases.
    len: usize,
}

impl<C: CurveAffine> FixedBaseTable<C> {
    /// Precomputes the table of `bases`, none of which may be the identity.
    pub(crate) fn new(bases: &[C], layout: Layout) -> Self {
        assert!((2..=20).contains(&layout.window) && layout.stride >= 1);
        let per_base = layout.points_per_base();
        let shift = (layout.window * layout.stride) as usize;
        // Filled in place: no second copy of the table while it is built.
        let mut table = vec![Point::default(); bases.len() * per_base];
        table
            .par_chunks_mut(1024 * per_base)
            .zip(bases.par_chunks(1024))
            .for_each(|(table, bases)| shifted_copies(bases, per_base, shift, table));
        FixedBaseTable {
            layout,
            table,
            len: bases.len(),
        }
    }

    /// Appends the table to `out`: window, stride (u32 LE), number of
    /// bases (u64 LE), then every point's coordinates in halo2curves' raw
    /// (Montgomery) form.
    pub(crate) fn write(&self, out: &mut Vec<u8>)
    where
        C::Base: SerdeObject,
    {
        out.extend_from_slice(&self.layout.window.to_le_bytes());
        out.extend_from_slice(&self.layout.stride.to_le_bytes());
        out.extend_from_slice(&(self.len as u64).to_le_bytes());
        for point in &self.table {
            out.extend_from_slice(&point.x.to_raw_bytes());
            out.extend_from_slice(&point.y.to_raw_bytes());
        }
    }

    /// Reads back from the front of `bytes` what [`Self::write`] wrote for
    /// `bases` with `layout`: None unless the layout and number of bases
    /// match, every coordinate is a canonical field element, and each base's
    /// first stored point is the base itself.
    pub(crate) fn read(bytes: &mut &[u8], bases: &[C], layout: Layout) -> Option<Self>
    where
        C::Base: SerdeObject,
    {
        let take = |bytes: &mut &[u8], n: usize| -> Option<Vec<u8>> {
            let (head, tail) = bytes.split_at_checked(n)?;
            *bytes = tail;
            Some(head.to_vec())
        };
        let window = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?);
        let stride = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?);
        let len = u64::from_le_bytes(take(bytes, 8)?.try_into().ok()?);
        if (Layout { window, stride }) != layout || len != bases.len() as u64 {
            return None;
        }
        let size = C::Base::default().to_raw_bytes().len();
        let points = bases.len() * layout.points_per_base();
        let (body, tail) = bytes.split_at_checked(points * 2 * size)?;
        *bytes = tail;
        let table: Option<Vec<Point<C::Base>>> = body
            .par_chunks(2 * size)
            .map(|raw| {
                Some(Point {
                    x: C::Base::from_raw_bytes(&raw[..size])?,
                    y: C::Base::from_raw_bytes(&raw[size..])?,
                })
            })
            .collect();
        let table = table?;
        let per_base = layout.points_per_base();
        let first_is_base = bases.iter().enumerate().all(|(i, base)| {
            let point = &table[i * per_base];
            Option::from(base.coordinates()).is_some_and(|xy: halo2curves::Coordinates<C>| {
                *xy.x() == point.x && *xy.y() == point.y
            })
        });
        first_is_base.then_some(FixedBaseTable {
            layout,
            table,
            len: bases.len(),
        })
    }

    /// Bytes held by the table.
    pub(crate) fn table_bytes(&self) -> usize {
        self.table.len() * std::mem::size_of::<Point<C::Base>>()
    }

    /// `sum scalars[i] * base_i`; `scalars.len()` must be the number of bases.
    ///
    /// The work splits into one task per bucket set (digits `j` with
    /// `j % s == t`), and the bases into chunks when there are more
    /// threads than sets: each task reduces one set of buckets, so a
    /// stride of two on two threads costs no more reductions than a stride
    /// of one.
    pub(crate) fn msm(&self, scalars: &[C::Scalar]) -> C::Curve
    where
        C::Base: Coordinate,
    {
        self.msm_with(scalars, C::Base::batch_adder())
    }

    /// [`Self::msm`] with the given batch adder, or none.
    fn msm_with(&self, scalars: &[C::Scalar], adder: Option<BatchAdder<C::Base>>) -> C::Curve
    where
        C::Base: Coordinate,
    {
        assert_eq!(scalars.len(), self.len, "one scalar per base");
        let threads = rayon::current_num_threads().max(1);
        let stride = self.layout.stride as usize;
        let chunks = threads.div_ceil(stride);
        let chunk = self.len.div_ceil(chunks).max(1);
        let per_base = self.layout.points_per_base();
        let tasks: Vec<(usize, usize)> = (0..stride)
            .flat_map(|set| (0..self.len.div_ceil(chunk)).map(move |n| (set, n)))
            .collect();
        let sums: Vec<(usize, C::Curve)> = tasks
            .into_par_iter()
            .map(|(set, n)| {
                let scalars = &scalars[n * chunk..self.len.min((n + 1) * chunk)];
                let table = &self.table[n * chunk * per_base..][..scalars.len() * per_base];
                let sum = Accumulator::<C>::new(self.layout, adder).run(table, scalars, set);
                (set, sum)
            })
            .collect();
        // sum_t 2^(c t) S_t, highest set first.
        let mut total = C::Curve::identity();
        for set in (0..stride).rev() {
            for _ in 0..self.layout.window {
                total = total.double();
            }
            for (_, sum) in sums.iter().filter(|(t, _)| *t == set) {
                total += sum;
            }
        }
        total
    }
}

/// `2^(shift k) P` for `k < per_base`, base by base, for each `P` of
/// `bases`: doublings in affine coordinates, a step of all bases at a time
/// sharing one inversion.
fn shifted_copies<C: CurveAffine>(
    bases: &[C],
    per_base: usize,
    shift: usize,
    table: &mut [Point<C::Base>],
) {
    let mut current: Vec<Point<C::Base>> = bases
        .iter()
        .map(|base| {
            let xy = base.coordinates().expect("bases are not the identity");
            Point {
                x: *xy.x(),
                y: *xy.y(),
            }
        })
        .collect();
    let mut prefixes = Vec::with_capacity(bases.len());
    for k in 0..per_base {
        if k > 0 {
            for _ in 0..shift {
                // lambda = 3x^2 / 2y; y != 0 on a curve of prime order.
                prefixes.clear();
                let mut product = C::Base::ONE;
                for point in &current {
                    prefixes.push(product);
                    product *= point.y.double();
                }
                let mut inverse = product.invert().expect("2y is not zero");
                for (point, prefix) in current.iter_mut().zip(&prefixes).rev() {
                    let inverse_y2 = inverse * prefix;
                    inverse *= point.y.double();
                    let square = point.x.square();
                    let lambda = (square.double() + square) * inverse_y2;
                    let x = lambda.square() - point.x.double();
                    point.y = lambda * (point.x - x) - point.y;
                    point.x = x;
                }
            }
        }
        for (i, point) in current.iter().enumerate() {
            table[i * per_base + k] = *point;
        }
    }
}

/// Scalar `s` as signed digits of `c` bits: `s = sum d_j 2^(c j)` with
/// `d_j` in `(-2^(c-1), 2^(c-1)]`.
fn signed_digits<S: PrimeField>(scalar: &S, layout: Layout, digits: &mut Vec<i32>) {
    let repr = scalar.to_repr();
    let bytes = repr.as_ref();
    let mut limbs = [0u64; 5];
    for (i, byte) in bytes.iter().enumerate().take(32) {
        limbs[i / 8] |= u64::from(*byte) << ((i % 8) * 8);
    }
    let c = layout.window as usize;
    let half = 1i64 << (c - 1);
    let mut carry = 0i64;
    digits.clear();
    for j in 0..layout.windows() {
        let bit = j * c;
        let (limb, offset) = (bit / 64, bit % 64);
        let mut raw = limbs[limb] >> offset;
        if offset + c > 64 {
            raw |= limbs[limb + 1] << (64 - offset);
        }
        let mut digit = (raw & ((1 << c) - 1)) as i64 + carry;
        carry = 0;
        if digit > half {
            digit -= 1 << c;
            carry = 1;
        }
        digits.push(digit as i32);
    }
    debug_assert_eq!(carry, 0, "the top digit never carries");
}

/// A pending addition: a table point, signed, into a bucket.
#[derive(Clone, Copy)]
struct Addition {
    bucket: u32,
    point: u32,
    negate: bool,
}

/// The buckets of one bucket set and its batch of pending additions.
struct Accumulator<C: CurveAffine>
where
    C::Base: Coordinate,
{
    layout: Layout,
    buckets: Vec<Point<C::Base>>,
    filled: Vec<bool>,
    /// `pending[b] == epoch` while bucket `b` has an addition in the batch.
    pending: Vec<u32>,
    /// Projective sums of retried additions that met their bucket pending
    /// with [`MAX_WAITING`] others waiting (a run into one bucket).
    overflow: Vec<C::Curve>,
    /// Whether any addition went to the overflow.
    overflowed: bool,
    epoch: u32,
    batch: Vec<Addition>,
    deferred: Vec<Addition>,
    /// Scratch for the batch's denominators, their norms and the norms'
    /// prefix products.
    denominators: Vec<C::Base>,
    norms: Vec<<C::Base as Coordinate>::Norm>,
    prefixes: Vec<<C::Base as Coordinate>::Norm>,
    /// Scratch for the bucket reduction's batches.
    inversions: Inversions<C::Base>,
    /// The field's batch adder, if any.
    batched: Option<BatchAddition<C::Base>>,
}

impl<C: CurveAffine> Accumulator<C>
where
    C::Base: Coordinate,
{
    fn new(layout: Layout, adder: Option<BatchAdder<C::Base>>) -> Self {
        let buckets = layout.buckets_per_set();
        Accumulator {
            layout,
            buckets: vec![Point::default(); buckets],
            filled: vec![false; buckets],
            pending: vec![0; buckets],
            overflow: vec![C::Curve::identity(); buckets],
            overflowed: false,
            epoch: 1,
            batch: Vec::with_capacity(BATCH),
            deferred: Vec::new(),
            denominators: Vec::with_capacity(BATCH),
            norms: Vec::with_capacity(BATCH),
            prefixes: Vec::with_capacity(BATCH),
            inversions: Inversions::new(adder),
            batched: adder.map(BatchAddition::new),
        }
    }

    /// `sum_b (b + 1) * bucket[b]` after adding every digit `j` of
    /// `scalars` with `j % s == set`: the part of their MSM over the bases
    /// whose points are `table` that bucket set `set` holds.
    fn run(mut self, table: &[Point<C::Base>], scalars: &[C::Scalar], set: usize) -> C::Curve {
        let per_base = self.layout.points_per_base();
        let stride = self.layout.stride as usize;
        let mut digits = Vec::with_capacity(self.layout.windows());
        for (i, scalar) in scalars.iter().enumerate() {
            signed_digits(scalar, self.layout, &mut digits);
            for (k, &digit) in digits.iter().skip(set).step_by(stride).enumerate() {
                if digit == 0 {
                    continue;
                }
                let addition = Addition {
                    bucket: digit.unsigned_abs() - 1,
                    point: (i * per_base + k) as u32,
                    negate: digit < 0,
                };
                self.schedule(table, addition, false);
            }
        }
        while !self.batch.is_empty() || !self.deferred.is_empty() {
            self.flush(table);
        }
        if self.overflowed {
            self.fold_overflow();
        }
        self.reduce()
    }

    fn point(table: &[Point<C::Base>], addition: Addition) -> Point<C::Base> {
        let point = table[addition.point as usize];
        if addition.negate {
            Point {
                x: point.x,
                y: -point.y,
            }
        } else {
            point
        }
    }

    /// Queues `addition`; one whose bucket is pending waits for the next
    /// batch, and on a `retry` goes to the projective overflow if
    /// [`MAX_WAITING`] others wait already.
    fn schedule(&mut self, table: &[Point<C::Base>], addition: Addition, retry: bool) {
        let bucket = addition.bucket as usize;
        if !self.filled[bucket] {
            self.buckets[bucket] = Self::point(table, addition);
            self.filled[bucket] = true;
        } else if self.pending[bucket] == self.epoch || (retry && self.batch.len() == BATCH) {
            if retry && self.deferred.len() >= MAX_WAITING {
                let point = Self::point(table, addition);
                self.overflow[bucket] +=
                    C::from_xy(point.x, point.y).expect("table points are on the curve");
                self.overflowed = true;
            } else {
                self.deferred.push(addition);
            }
        } else {
            self.pending[bucket] = self.epoch;
            self.batch.push(addition);
            if self.batch.len() >= BATCH && !retry {
                self.flush(table);
            }
        }
    }

    /// Applies the pending additions with one shared inversion, then
    /// queues the deferred ones again.
    fn flush(&mut self, table: &[Point<C::Base>]) {
        self.apply(table);
        self.epoch += 1;
        for addition in std::mem::take(&mut self.deferred) {
            self.schedule(table, addition, true);
        }
    }

    /// Applies the batch: through the [`Coordinate::batch_adder`] if
    /// there is one, but for the additions whose `x` meet (doublings and
    /// cancellations, rare), which take the general path below.
    fn apply(&mut self, table: &[Point<C::Base>]) {
        if let Some(batched) = &mut self.batched {
            let buckets = &mut self.buckets;
            batched.clear();
            self.batch.retain(|&addition| {
                let bucket = buckets[addition.bucket as usize];
                let point = Self::point(table, addition);
                if bucket.x == point.x {
                    return true;
                }
                batched.push(addition.bucket as usize, bucket, point);
                false
            });
            for (b, sum) in batched.run() {
                buckets[b] = sum;
            }
        }
        if self.batch.is_empty() {
            return;
        }
        self.denominators.clear();
        self.norms.clear();
        self.prefixes.clear();
        let mut product = <C::Base as Coordinate>::Norm::ONE;
        for &addition in &self.batch {
            let bucket = self.buckets[addition.bucket as usize];
            let point = Self::point(table, addition);
            let denominator = slope_denominator(&bucket, &point);
            let norm = denominator.norm();
            self.prefixes.push(product);
            product *= norm;
            self.norms.push(norm);
            self.denominators.push(denominator);
        }
        let mut inverse = product
            .invert()
            .expect("denominators are non-zero: distinct x, or 2y with y != 0");
        for k in (0..self.batch.len()).rev() {
            let addition = self.batch[k];
            let inverse_k = self.denominators[k].invert_with(inverse * self.prefixes[k]);
            inverse *= self.norms[k];
            let index = addition.bucket as usize;
            let point = Self::point(table, addition);
            match affine_sum(&self.buckets[index], &point, inverse_k) {
                Some(sum) => self.buckets[index] = sum,
                None => self.filled[index] = false,
            }
        }
        self.batch.clear();
    }

    /// Adds each non-identity overflow sum into its bucket.
    fn fold_overflow(&mut self) {
        let indices: Vec<usize> = (0..self.overflow.len())
            .filter(|&b| !bool::from(self.overflow[b].is_identity()))
            .collect();
        let sums: Vec<C::Curve> = indices.iter().map(|&b| self.overflow[b]).collect();
        let mut affine = vec![C::identity(); sums.len()];
        C::Curve::batch_normalize(&sums, &mut affine);
        let mut lhs: Vec<Option<Point<C::Base>>> = indices
            .iter()
            .map(|&b| self.filled[b].then_some(self.buckets[b]))
            .collect();
        let rhs: Vec<Option<Point<C::Base>>> = affine.iter().map(affine_point).collect();
        self.inversions.add(&mut lhs, &rhs);
        for (&b, sum) in indices.iter().zip(lhs) {
            self.filled[b] = sum.is_some();
            self.buckets[b] = sum.unwrap_or_default();
        }
    }

    /// `sum_b (b + 1) * bucket[b]` over the set's buckets (a power of two:
    /// `len` of them).
    ///
    /// The running-sum method, in `LANES` lanes of `q = len / LANES`
    /// buckets that advance together, so that their affine additions share
    /// an inversion: lane `j` ends with `R_j`, the sum of its buckets, and
    /// `T_j`, their sum weighted from 1 within the lane; the result is
    /// `sum_j T_j + q sum_j j R_j`, the last sums projective.
    fn reduce(&mut self) -> C::Curve {
        let len = self.layout.buckets_per_set();
        let lanes = LANES.min(len);
        let q = len / lanes;
        let mut running: Vec<Option<Point<C::Base>>> = vec![None; lanes];
        let mut sums: Vec<Option<Point<C::Base>>> = vec![None; lanes];
        let mut lhs = Vec::with_capacity(2 * lanes);
        let mut rhs = Vec::with_capacity(2 * lanes);
        // Step `s` adds bucket `s` of each lane to its running sum, and the
        // running sum before that step to the weighted sum.
        for s in (0..q).rev() {
            lhs.clear();
            rhs.clear();
            lhs.extend_from_slice(&running);
            rhs.extend((0..lanes).map(|j| {
                let b = j * q + s;
                self.filled[b].then_some(self.buckets[b])
            }));
            lhs.extend_from_slice(&sums);
            rhs.extend_from_slice(&running);
            self.inversions.add(&mut lhs, &rhs);
            running.copy_from_slice(&lhs[..lanes]);
            sums.copy_from_slice(&lhs[lanes..]);
        }
        self.inversions.add(&mut sums, &running);
        let curve = |point: &Option<Point<C::Base>>| match point {
            Some(p) => C::from_xy(p.x, p.y)
                .expect("sums of curve points are on the curve")
                .to_curve(),
            None => C::Curve::identity(),
        };
        let mut total = C::Curve::identity();
        let mut suffix = C::Curve::identity();
        let mut weighted = C::Curve::identity();
        for j in (0..lanes).rev() {
            total += curve(&sums[j]);
            if j > 0 {
                suffix += curve(&running[j]);
                weighted += suffix;
            }
        }
        for _ in 0..q.trailing_zeros() {
            weighted = weighted.double();
        }
        total + weighted
    }
}

/// The coordinates of `point`, None for the identity.
fn affine_point<C: CurveAffine>(point: &C) -> Option<Point<C::Base>> {
    Option::from(point.coordinates()).map(|xy: halo2curves::Coordinates<C>| Point {
        x: *xy.x(),
        y: *xy.y(),
    })
}

/// The denominator of the slope of `p + q`: `q.x - p.x`, or `2 p.y` to
/// double; one (no inversion needed) for `P + (-P)`.
#[inline(always)]
fn slope_denominator<F: Field>(p: &Point<F>, q: &Point<F>) -> F {
    if p.x != q.x {
        q.x - p.x
    } else if p.y == q.y {
        p.y.double()
    } else {
        F::ONE
    }
}

/// `p + q` on a curve `y^2 = x^3 + b`, given the inverse of their
/// [`slope_denominator`]; None for `P + (-P)`.
#[inline(always)]
fn affine_sum<F: Coordinate>(p: &Point<F>, q: &Point<F>, inverse: F) -> Option<Point<F>> {
    let lambda = if p.x != q.x {
        (q.y - p.y).times(&inverse)
    } else if p.y == q.y {
        let square = p.x.square();
        (square.double() + square) * inverse
    } else {
        return None;
    };
    let x = lambda.squared() - p.x - q.x;
    Some(Point {
        x,
        y: lambda.times(&(p.x - x)) - p.y,
    })
}

/// A batch of denominators inverted with one shared inversion
/// (Montgomery's trick, over their [`Coordinate::norm`]s).
struct Inversions<F: Coordinate> {
    /// The field's batch adder, if any, for the pairs with distinct `x`.
    batched: Option<BatchAddition<F>>,
    /// The pairs of the current `add` left to the shared inversion.
    rest: Vec<usize>,
    denominators: Vec<F>,
    norms: Vec<F::Norm>,
    /// `prefixes[k]` is the product of the norms before `k`.
    prefixes: Vec<F::Norm>,
    product: F::Norm,
}

impl<F: Coordinate> Inversions<F> {
    fn new(adder: Option<BatchAdder<F>>) -> Self {
        Inversions {
            batched: adder.map(BatchAddition::new),
            rest: Vec::new(),
            denominators: Vec::with_capacity(BATCH),
            norms: Vec::with_capacity(BATCH),
            prefixes: Vec::with_capacity(BATCH),
            product: F::Norm::ONE,
        }
    }

    fn clear(&mut self) {
        self.denominators.clear();
        self.norms.clear();
        self.prefixes.clear();
        self.product = F::Norm::ONE;
    }

    /// Adds a non-zero denominator to the batch.
    fn push(&mut self, denominator: F) {
        let norm = denominator.norm();
        self.prefixes.push(self.product);
        self.product *= norm;
        self.norms.push(norm);
        self.denominators.push(denominator);
    }

    /// Calls `f(k, inverse of denominator k)` for each, last first.
    fn invert_each(&mut self, mut f: impl FnMut(usize, F)) {
        let mut inverse = self
            .product
            .invert()
            .expect("denominators are non-zero: distinct x, or 2y with y != 0");
        for k in (0..self.denominators.len()).rev() {
            f(
                k,
                self.denominators[k].invert_with(inverse * self.prefixes[k]),
            );
            inverse *= self.norms[k];
        }
    }

    /// `lhs[k] += rhs[k]` for every `k`, None being the identity: the
    /// pairs with distinct `x` through the batch adder if there is one,
    /// the others (and all without one) sharing an inversion here.
    fn add(&mut self, lhs: &mut [Option<Point<F>>], rhs: &[Option<Point<F>>]) {
        let mut rest = std::mem::take(&mut self.rest);
        rest.clear();
        match &mut self.batched {
            Some(batched) => {
                batched.clear();
                for (k, pair) in lhs.iter().zip(rhs).enumerate() {
                    match pair {
                        (Some(p), Some(q)) if p.x != q.x => batched.push(k, *p, *q),
                        _ => rest.push(k),
                    }
                }
                for (k, sum) in batched.run() {
                    lhs[k] = Some(sum);
                }
            }
            None => rest.extend(0..lhs.len()),
        }
        self.clear();
        for &k in &rest {
            self.push(match (&lhs[k], &rhs[k]) {
                (Some(p), Some(q)) => slope_denominator(p, q),
                _ => F::ONE,
            });
        }
        self.invert_each(|i, inverse| {
            let k = rest[i];
            lhs[k] = match (lhs[k], rhs[k]) {
                (None, q) => q,
                (p, None) => p,
                (Some(p), Some(q)) => affine_sum(&p, &q, inverse),
            };
        });
        self.rest = rest;
    }
}

/// A [`BatchAdder`] with its inputs: the points added into, the points
/// added, where each sum goes, scratch memory.
struct BatchAddition<F> {
    adder: BatchAdder<F>,
    sums: Vec<Point<F>>,
    addends: Vec<Point<F>>,
    targets: Vec<usize>,
    scratch: Scratch,
}

impl<F: Copy> BatchAddition<F> {
    fn new(adder: BatchAdder<F>) -> Self {
        BatchAddition {
            adder,
            sums: Vec::with_capacity(BATCH),
            addends: Vec::with_capacity(BATCH),
            targets: Vec::with_capacity(BATCH),
            scratch: Scratch::new(),
        }
    }

    fn clear(&mut self) {
        self.sums.clear();
        self.addends.clear();
        self.targets.clear();
    }

    /// Queues `sum + addend` (distinct `x`) for `target`.
    fn push(&mut self, target: usize, sum: Point<F>, addend: Point<F>) {
        self.sums.push(sum);
        self.addends.push(addend);
        self.targets.push(target);
    }

    /// Adds the queued pairs: each target with its sum.
    fn run(&mut self) -> impl Iterator<Item = (usize, Point<F>)> + '_ {
        if !self.sums.is_empty() {
            (self.adder)(&mut self.sums, &self.addends, &mut self.scratch);
        }
        self.targets.iter().copied().zip(self.sums.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2curves::bn256::{Fr, G1Affine, G2Affine};
    use halo2curves::msm::msm_best;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn random_bases<C: CurveAffine>(n: usize, rng: &mut StdRng) -> Vec<C> {
        (0..n)
            .map(|_| C::Curve::random(&mut *rng).to_affine())
            .collect()
    }

    fn check<C: CurveAffine<ScalarExt = Fr, Base: Coordinate>>(layout: Layout, rng: &mut StdRng) {
        let mut bases: Vec<C> = random_bases(700, rng);
        let mut scalars: Vec<Fr> = (0..700).map(|_| Fr::random(&mut *rng)).collect();
        // Edge cases: zero, one, minus one, small values, r - 2^k, a base
        // repeated so that buckets double and cancel, and one small scalar
        // for many bases.
        scalars[0] = Fr::ZERO;
        scalars[1] = Fr::ONE;
        scalars[2] = -Fr::ONE;
        scalars[3] = Fr::from(1 << (layout.window - 1));
        scalars[4] = -Fr::from(1 << (layout.window - 1));
        scalars[5] = Fr::from(u64::MAX);
        for k in 6..40 {
            bases[k] = bases[6];
            scalars[k] = if k % 2 == 0 { scalars[6] } else { -scalars[6] };
        }
        for k in 40..60 {
            bases[k] = bases[40];
            scalars[k] = scalars[40];
        }
        // Many additions into one bucket: most meet it pending and go to
        // the projective overflow, folded back before the reduction.
        for scalar in &mut scalars[60..200] {
            *scalar = Fr::from(3);
        }
        let expected = msm_best(&scalars, &bases).to_affine();
        let table = FixedBaseTable::new(&bases, layout);
        assert_eq!(table.msm(&scalars).to_affine(), expected, "{layout:?}");
        // The general path too, where the CPU has a batch adder.
        if C::Base::batch_adder().is_some() {
            let general = table.msm_with(&scalars, None).to_affine();
            assert_eq!(general, expected, "{layout:?} without the batch adder");
        }
    }

    #[test]
    fn matches_pippenger_for_every_layout() {
        let mut rng = StdRng::seed_from_u64(7);
        for window in [3, 4, 8, 13, 16] {
            for stride in [1, 2, 3] {
                let layout = Layout { window, stride };
                check::<G1Affine>(layout, &mut rng);
            }
        }
        check::<G2Affine>(
            Layout {
                window: 13,
                stride: 1,
            },
            &mut rng,
        );
        check::<G2Affine>(
            Layout {
                window: 11,
                stride: 2,
            },
            &mut rng,
        );
    }

    #[test]
    fn an_fq2_denominator_is_inverted_through_its_norm() {
        let mut rng = StdRng::seed_from_u64(9);
        for d in (0..100).map(|_| Fq2::random(&mut rng)).chain([Fq2::ONE]) {
            let inverse = d.invert_with(d.norm().invert().expect("a non-zero norm"));
            assert_eq!(inverse * d, Fq2::ONE);
        }
    }

    #[test]
    fn fq2_products_and_squares_match_halo2curves() {
        let mut rng = StdRng::seed_from_u64(10);
        for _ in 0..100 {
            let (a, b) = (Fq2::random(&mut rng), Fq2::random(&mut rng));
            assert_eq!(a.times(&b), a * b);
            assert_eq!(a.squared(), a.square());
        }
        let minus_one = -Fq2::ONE;
        assert_eq!(minus_one.times(&minus_one), Fq2::ONE);
        assert_eq!(Fq2::ZERO.squared(), Fq2::ZERO);
    }

    #[test]
    fn signed_digits_recompose_the_scalar() {
        let mut rng = StdRng::seed_from_u64(8);
        let layout = Layout {
            window: 13,
            stride: 1,
        };
        let mut digits = Vec::new();
        for scalar in (0..200)
            .map(|_| Fr::random(&mut rng))
            .chain([-Fr::ONE, Fr::ZERO])
        {
            signed_digits(&scalar, layout, &mut digits);
            let base = Fr::from(1 << layout.window);
            let mut value = Fr::ZERO;
            for &digit in digits.iter().rev() {
                let magnitude = Fr::from(u64::from(digit.unsigned_abs()));
                value = value * base + if digit < 0 { -magnitude } else { magnitude };
                assert!(digit.unsigned_abs() <= 1 << (layout.window - 1));
            }
            assert_eq!(value, scalar);
        }
    }
}
