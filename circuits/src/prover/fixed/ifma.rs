//! Batched affine additions, eight at a time with AVX-512 IFMA.
//!
//! A batch of additions `sums[k] += addends[k]` (distinct `x`) in G1 needs
//! about six multiplications in `Fq` each: one to multiply up the
//! denominators, two to take each one's inverse back out of the shared
//! inversion, three for the sum. Every one of them is independent across
//! `k`, so lane `l` of a 512-bit vector carries addition `k = 8 g + l` of
//! group `g`: the `vpmadd52{lo,hi}uq` instructions multiply eight pairs of
//! 52-bit limbs at once, and a Montgomery product of eight pairs costs
//! about as much as two scalar ones. G2 runs the same passes over `Fq2`
//! ([`VectorField`]): products in three multiplications in `Fq`, and the
//! shared inversion over the denominators' norms in `Fq`.
//!
//! Elements are the same Montgomery residues as halo2curves' (`a 2^256 mod
//! p`), rewritten in five 52-bit limbs: the reduction's last step clears
//! 48 bits, not 52, so a product is `a b 2^-256` as halo2curves' is and
//! nothing converts between domains. Products are kept below `2p` (valid
//! factors since `4p < 2^256`); the sums written back are canonical.

use super::{Point, Scratch};
use halo2curves::bn256::{Fq, Fq2};
use halo2curves::ff::Field;
use std::arch::x86_64::*;

/// Lanes per vector.
const LANES: usize = 8;

/// Independent product chains (vectors) the batch runs through, so that
/// one chain's multiplication overlaps the other's.
const CHAINS: usize = 2;

/// Bits per limb.
const LIMB_BITS: u32 = 52;

/// `2^52 - 1`.
const MASK: u64 = (1 << LIMB_BITS) - 1;

/// BN254's base field modulus `p`, little-endian 64-bit limbs.
const MODULUS: [u64; 4] = [
    0x3c20_8c16_d87c_fd47,
    0x9781_6a91_6871_ca8d,
    0xb850_45b6_8181_585d,
    0x3064_4e72_e131_a029,
];

/// `p` in 52-bit limbs.
const P: [u64; 5] = to_limbs(&MODULUS);

/// `2p` in 52-bit limbs.
const TWO_P: [u64; 5] = to_limbs(&double(&MODULUS));

/// `-p^-1 mod 2^52`.
const P_PRIME: u64 = {
    // Newton's iteration doubles the correct low bits of an inverse of
    // the odd p[0] modulo 2^64: 1, 2, 4, ..., 64 from x = p[0] (3 bits).
    let mut inverse = MODULUS[0];
    let mut i = 0;
    while i < 5 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(MODULUS[0].wrapping_mul(inverse)));
        i += 1;
    }
    inverse.wrapping_neg() & MASK
};

/// `2 a` for `a < 2^255`.
const fn double(a: &[u64; 4]) -> [u64; 4] {
    [
        a[0] << 1,
        (a[1] << 1) | (a[0] >> 63),
        (a[2] << 1) | (a[1] >> 63),
        (a[3] << 1) | (a[2] >> 63),
    ]
}

/// Four 64-bit limbs as five 52-bit ones.
const fn to_limbs(a: &[u64; 4]) -> [u64; 5] {
    [
        a[0] & MASK,
        ((a[0] >> 52) | (a[1] << 12)) & MASK,
        ((a[1] >> 40) | (a[2] << 24)) & MASK,
        ((a[2] >> 28) | (a[3] << 36)) & MASK,
        a[3] >> 16,
    ]
}

/// Five 52-bit limbs (a value below `2^256`) as four 64-bit ones.
const fn from_limbs(a: &[u64; 5]) -> [u64; 4] {
    [
        a[0] | (a[1] << 52),
        (a[1] >> 12) | (a[2] << 40),
        (a[2] >> 24) | (a[3] << 28),
        (a[3] >> 36) | (a[4] << 16),
    ]
}

/// Whether this CPU runs the vectorized additions.
pub(super) fn supported() -> bool {
    std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512ifma")
}

/// Eight elements of `Fq`, limb by limb.
type Limbs = [__m512i; 5];

/// A group of eight elements of `Fq` as stored between the passes.
type Group = [[u64; LANES]; 5];

/// A coordinate field the vectors add in: `N` components in `Fq`.
///
/// Its vector values are *reduced*: for `Fq` normalized residues below
/// `2p`, for `Fq2` canonical components. The methods take and return
/// reduced values; they may only run where [`supported`] holds.
pub(super) trait VectorField<const N: usize>: Copy {
    /// The components.
    fn components(&self) -> [Fq; N];
    /// The element of `components`.
    fn from_components(components: [Fq; N]) -> Self;
    /// `a b`.
    unsafe fn mul(a: &[Limbs; N], b: &[Limbs; N]) -> [Limbs; N];
    /// `a^2`.
    unsafe fn square(a: &[Limbs; N]) -> [Limbs; N];
    /// The norm of `a` in `Fq`, inverted in its place: `a` itself for
    /// `Fq`, `a0^2 + a1^2` for `Fq2`.
    unsafe fn norm(a: &[Limbs; N]) -> Limbs;
    /// `1 / a`, given `1 / norm(a)`.
    unsafe fn invert_with(a: &[Limbs; N], norm_inverse: &Limbs) -> [Limbs; N];
}

impl VectorField<1> for Fq {
    fn components(&self) -> [Fq; 1] {
        [*self]
    }

    fn from_components([value]: [Fq; 1]) -> Fq {
        value
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mul(a: &[Limbs; 1], b: &[Limbs; 1]) -> [Limbs; 1] {
        [mul(&a[0], &b[0])]
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn square(a: &[Limbs; 1]) -> [Limbs; 1] {
        [mul(&a[0], &a[0])]
    }

    unsafe fn norm(a: &[Limbs; 1]) -> Limbs {
        a[0]
    }

    unsafe fn invert_with(_: &[Limbs; 1], norm_inverse: &Limbs) -> [Limbs; 1] {
        [*norm_inverse]
    }
}

/// `Fq2 = Fq[u] / (u^2 + 1)`: products in three multiplications
/// (Karatsuba), squares in two.
impl VectorField<2> for Fq2 {
    fn components(&self) -> [Fq; 2] {
        [*self.c0(), *self.c1()]
    }

    fn from_components([c0, c1]: [Fq; 2]) -> Fq2 {
        Fq2::new(c0, c1)
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mul(a: &[Limbs; 2], b: &[Limbs; 2]) -> [Limbs; 2] {
        let (p, two_p) = (splat(&P), splat(&TWO_P));
        let real = mul(&a[0], &b[0]);
        let imaginary = mul(&a[1], &b[1]);
        let cross = mul(&add(&a[0], &a[1]), &add(&b[0], &b[1]));
        // real - imaginary < 4p; cross - real - imaginary < 6p.
        let c0 = combine(&real, &[&two_p], &[&imaginary]);
        let four_p = add(&two_p, &two_p);
        let c1 = combine(&cross, &[&four_p], &[&real, &imaginary]);
        [
            canonical(&c0, &p, &two_p),
            canonical(&subtract_if_above(&c1, &four_p), &p, &two_p),
        ]
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn square(a: &[Limbs; 2]) -> [Limbs; 2] {
        let (p, two_p) = (splat(&P), splat(&TWO_P));
        // (a0 + a1)(a0 - a1) + 2 a0 a1 u.
        let c0 = mul(&add(&a[0], &a[1]), &combine(&a[0], &[&p], &[&a[1]]));
        let cross = mul(&a[0], &a[1]);
        [
            canonical(&c0, &p, &two_p),
            canonical(&add(&cross, &cross), &p, &two_p),
        ]
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn norm(a: &[Limbs; 2]) -> Limbs {
        let sum = add(&mul(&a[0], &a[0]), &mul(&a[1], &a[1]));
        canonical(&sum, &splat(&P), &splat(&TWO_P))
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn invert_with(a: &[Limbs; 2], norm_inverse: &Limbs) -> [Limbs; 2] {
        let (p, two_p) = (splat(&P), splat(&TWO_P));
        // conj(a) / N(a): the imaginary part 2p - a1 / N(a), in (0, 2p].
        let imaginary = combine(&two_p, &[], &[&mul(&a[1], norm_inverse)]);
        [
            canonical(&mul(&a[0], norm_inverse), &p, &two_p),
            canonical(&imaginary, &p, &two_p),
        ]
    }
}

/// `sums[k] += addends[k]` for every `k`, given `sums[k].x != addends[k].x`.
///
/// Panics unless [`supported`].
pub(super) fn add_distinct<F: VectorField<N>, const N: usize>(
    sums: &mut [Point<F>],
    addends: &[Point<F>],
    scratch: &mut Scratch,
) {
    assert!(supported(), "AVX-512 IFMA is not available on this CPU");
    assert_eq!(sums.len(), addends.len());
    // SAFETY: the CPU supports the target features (checked above).
    unsafe { add_distinct_ifma(sums, addends, scratch) }
}

#[target_feature(enable = "avx512f,avx512ifma")]
fn add_distinct_ifma<F: VectorField<N>, const N: usize>(
    sums: &mut [Point<F>],
    addends: &[Point<F>],
    scratch: &mut Scratch,
) {
    let groups = sums.len().div_ceil(LANES * CHAINS) * CHAINS;
    // Padding lanes add (1, 0) to (0, 0): a non-zero denominator, results
    // unused.
    let mut one = [Fq::ZERO; N];
    one[0] = Fq::ONE;
    let (one, zero) = (F::from_components(one), F::from_components([Fq::ZERO; N]));
    let (p, two_p) = (splat(&P), splat(&TWO_P));
    let difference = |a: &[Limbs; N], b: &[Limbs; N]| -> [Limbs; N] {
        std::array::from_fn(|i| canonical(&combine(&a[i], &[&p], &[&b[i]]), &p, &two_p))
    };
    // Forward: denominators q.x - p.x, their norms and, per lane and
    // chain, the products of the norms before each, kept per group in
    // `scratch` as p.x, p.y, q.x, q.y, the denominator (N groups each),
    // the norm and the prefix product.
    let stride = 5 * N + 2;
    scratch.clear();
    let mut products = [splat(&to_limbs(&Fq::ONE.0)); CHAINS];
    for g in 0..groups {
        let c = g % CHAINS;
        let (px, py) = gather(sums, g * LANES, Point { x: zero, y: zero });
        let (qx, qy) = gather(addends, g * LANES, Point { x: one, y: zero });
        let d = difference(&qx, &px);
        // SAFETY (here and below): the target features are enabled.
        let norm = unsafe { F::norm(&d) };
        for value in [&px, &py, &qx, &qy, &d] {
            scratch.extend(store_all(value));
        }
        scratch.push(store(&norm));
        scratch.push(store(&products[c]));
        products[c] = mul(&products[c], &norm);
    }
    // One inversion for all chains and lanes.
    let mut lane_products = [Fq::ONE; CHAINS * LANES];
    for (c, product) in products.iter().enumerate() {
        let group = store(&canonical(product, &p, &two_p));
        for l in 0..LANES {
            lane_products[c * LANES + l] = Fq(from_limbs(&std::array::from_fn(|i| group[i][l])));
        }
    }
    let lane_inverses = invert_all(&lane_products);
    let mut inverses: [Limbs; CHAINS] = std::array::from_fn(|c| {
        let group: Group = std::array::from_fn(|i| {
            std::array::from_fn(|l| to_limbs(&lane_inverses[c * LANES + l].0)[i])
        });
        load(&group)
    });
    // Backward: each denominator's inverse, then the sum.
    for g in (0..groups).rev() {
        let c = g % CHAINS;
        let row = &scratch[g * stride..][..stride];
        let column = |k: usize| -> [Limbs; N] { std::array::from_fn(|n| load(&row[k * N + n])) };
        let norm_inverse = mul(&inverses[c], &load(&row[5 * N + 1]));
        inverses[c] = mul(&inverses[c], &load(&row[5 * N]));
        let (px, py, qx, qy) = (column(0), column(1), column(2), column(3));
        let inverse = unsafe { F::invert_with(&column(4), &norm_inverse) };
        let lambda = unsafe { F::mul(&difference(&qy, &py), &inverse) };
        // x = lambda^2 - p.x - q.x, y = lambda (p.x - x) - p.y.
        let square = unsafe { F::square(&lambda) };
        let x = difference(&difference(&square, &px), &qx);
        let product = unsafe { F::mul(&lambda, &difference(&px, &x)) };
        let y = difference(&product, &py);
        if let Some(points) = sums.get_mut(g * LANES..) {
            scatter(&x, &y, points);
        }
    }
}

/// Eight points from `points[start..]` (`pad` past its end) as their
/// coordinates' limbs: per component, the rows of their 64-bit words
/// transposed into columns.
#[target_feature(enable = "avx512f")]
fn gather<F: VectorField<N>, const N: usize>(
    points: &[Point<F>],
    start: usize,
    pad: Point<F>,
) -> ([Limbs; N], [Limbs; N]) {
    let rows: [[F; 2]; LANES] = std::array::from_fn(|l| {
        let point = points.get(start + l).unwrap_or(&pad);
        [point.x, point.y]
    });
    let mut x = [[_mm512_setzero_si512(); 5]; N];
    let mut y = x;
    for n in 0..N {
        let words = transpose(&std::array::from_fn(|l| {
            let [px, py] = rows[l].map(|c| c.components()[n].0);
            let row = [px[0], px[1], px[2], px[3], py[0], py[1], py[2], py[3]];
            // SAFETY: eight u64s: one unaligned 512-bit load.
            unsafe { _mm512_loadu_si512(row.as_ptr().cast()) }
        }));
        x[n] = words_to_limbs(&[words[0], words[1], words[2], words[3]]);
        y[n] = words_to_limbs(&[words[4], words[5], words[6], words[7]]);
    }
    (x, y)
}

/// Writes the eight points of canonical `x` and `y` to the front of
/// `points` (as many as it holds).
#[target_feature(enable = "avx512f")]
fn scatter<F: VectorField<N>, const N: usize>(
    x: &[Limbs; N],
    y: &[Limbs; N],
    points: &mut [Point<F>],
) {
    let mut components = [[[[0u64; 4]; N]; 2]; LANES];
    for n in 0..N {
        let [x0, x1, x2, x3] = limbs_to_words(&x[n]);
        let [y0, y1, y2, y3] = limbs_to_words(&y[n]);
        let rows = transpose(&[x0, x1, x2, x3, y0, y1, y2, y3]);
        for (l, row) in rows.iter().enumerate() {
            let mut words = [0u64; 8];
            // SAFETY: eight u64s: one unaligned 512-bit store.
            unsafe { _mm512_storeu_si512(words.as_mut_ptr().cast(), *row) };
            components[l][0][n] = [words[0], words[1], words[2], words[3]];
            components[l][1][n] = [words[4], words[5], words[6], words[7]];
        }
    }
    for (point, [x, y]) in points.iter_mut().zip(components) {
        *point = Point {
            x: F::from_components(x.map(Fq)),
            y: F::from_components(y.map(Fq)),
        };
    }
}

/// The 8 x 8 transpose of 64-bit words: `out[j][i] = rows[i][j]`.
#[target_feature(enable = "avx512f")]
fn transpose(rows: &[__m512i; 8]) -> [__m512i; 8] {
    let index = |i: [i64; 8]| _mm512_set_epi64(i[7], i[6], i[5], i[4], i[3], i[2], i[1], i[0]);
    // Pairs of rows interleave words, then pairs of words, then halves.
    let steps = [
        (
            index([0, 8, 2, 10, 4, 12, 6, 14]),
            index([1, 9, 3, 11, 5, 13, 7, 15]),
            1,
        ),
        (
            index([0, 1, 8, 9, 4, 5, 12, 13]),
            index([2, 3, 10, 11, 6, 7, 14, 15]),
            2,
        ),
        (
            index([0, 1, 2, 3, 8, 9, 10, 11]),
            index([4, 5, 6, 7, 12, 13, 14, 15]),
            4,
        ),
    ];
    let mut t = *rows;
    for (low, high, distance) in steps {
        let mut next = t;
        for i in (0..8).filter(|i| i & distance == 0) {
            next[i] = _mm512_permutex2var_epi64(t[i], low, t[i + distance]);
            next[i + distance] = _mm512_permutex2var_epi64(t[i], high, t[i + distance]);
        }
        t = next;
    }
    t
}

/// Four 64-bit words as five 52-bit limbs, lane by lane.
#[target_feature(enable = "avx512f")]
fn words_to_limbs(w: &[__m512i; 4]) -> Limbs {
    let mask = _mm512_set1_epi64(MASK as i64);
    let join = |low: __m512i, high: __m512i, shift: u32| {
        let low = _mm512_srl_epi64(low, _mm_set_epi64x(0, i64::from(64 - shift)));
        let high = _mm512_sll_epi64(high, _mm_set_epi64x(0, i64::from(shift)));
        _mm512_and_si512(_mm512_or_si512(low, high), mask)
    };
    [
        _mm512_and_si512(w[0], mask),
        join(w[0], w[1], 12),
        join(w[1], w[2], 24),
        join(w[2], w[3], 36),
        _mm512_srli_epi64::<16>(w[3]),
    ]
}

/// Five 52-bit limbs (a value below `2^256`) as four 64-bit words.
#[target_feature(enable = "avx512f")]
fn limbs_to_words(l: &Limbs) -> [__m512i; 4] {
    let join = |low: __m512i, high: __m512i, shift: u32| {
        let low = _mm512_srl_epi64(low, _mm_set_epi64x(0, i64::from(shift)));
        let high = _mm512_sll_epi64(high, _mm_set_epi64x(0, i64::from(52 - shift)));
        _mm512_or_si512(low, high)
    };
    [
        _mm512_or_si512(l[0], _mm512_slli_epi64::<52>(l[1])),
        join(l[1], l[2], 12),
        join(l[2], l[3], 24),
        join(l[3], l[4], 36),
    ]
}

/// The inverses of non-zero `values`, sharing one inversion.
fn invert_all<const N: usize>(values: &[Fq; N]) -> [Fq; N] {
    let mut prefixes = [Fq::ONE; N];
    let mut product = Fq::ONE;
    for (prefix, value) in prefixes.iter_mut().zip(values) {
        *prefix = product;
        product *= value;
    }
    let mut inverse = product.invert().expect("denominators are non-zero");
    let mut inverses = [Fq::ONE; N];
    for k in (0..N).rev() {
        inverses[k] = inverse * prefixes[k];
        inverse *= values[k];
    }
    inverses
}

#[target_feature(enable = "avx512f")]
fn splat(limbs: &[u64; 5]) -> Limbs {
    std::array::from_fn(|i| _mm512_set1_epi64(limbs[i] as i64))
}

#[target_feature(enable = "avx512f")]
fn load(group: &Group) -> Limbs {
    // SAFETY: each row is eight u64s: one unaligned 512-bit load.
    std::array::from_fn(|i| unsafe { _mm512_loadu_si512(group[i].as_ptr().cast()) })
}

#[target_feature(enable = "avx512f")]
fn store(limbs: &Limbs) -> Group {
    let mut group = [[0; LANES]; 5];
    for (row, limb) in group.iter_mut().zip(limbs) {
        // SAFETY: each row is eight u64s: one unaligned 512-bit store.
        unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), *limb) }
    }
    group
}

/// Carries each limb's bits above 52 (or its borrow, limbs being signed)
/// into the next; the top limb keeps the sign.
#[target_feature(enable = "avx512f")]
fn normalize(mut t: Limbs) -> Limbs {
    let mask = _mm512_set1_epi64(MASK as i64);
    for i in 0..4 {
        let carry = _mm512_srai_epi64::<52>(t[i]);
        t[i] = _mm512_and_si512(t[i], mask);
        t[i + 1] = _mm512_add_epi64(t[i + 1], carry);
    }
    t
}

#[target_feature(enable = "avx512f")]
fn store_all<const N: usize>(values: &[Limbs; N]) -> [Group; N] {
    std::array::from_fn(|n| store(&values[n]))
}

/// `a + b`, normalized.
#[target_feature(enable = "avx512f")]
fn add(a: &Limbs, b: &Limbs) -> Limbs {
    normalize(std::array::from_fn(|i| _mm512_add_epi64(a[i], b[i])))
}

/// `a + sum(plus) - sum(minus)`, normalized (signed limbs keep any borrow).
#[target_feature(enable = "avx512f")]
fn combine(a: &Limbs, plus: &[&Limbs], minus: &[&Limbs]) -> Limbs {
    normalize(std::array::from_fn(|i| {
        let mut t = a[i];
        for b in plus {
            t = _mm512_add_epi64(t, b[i]);
        }
        for b in minus {
            t = _mm512_sub_epi64(t, b[i]);
        }
        t
    }))
}

/// `t - c` where that is not negative, else `t`.
#[target_feature(enable = "avx512f")]
fn subtract_if_above(t: &Limbs, c: &Limbs) -> Limbs {
    let difference = normalize(std::array::from_fn(|i| _mm512_sub_epi64(t[i], c[i])));
    let negative = _mm512_cmplt_epi64_mask(difference[4], _mm512_setzero_si512());
    std::array::from_fn(|i| _mm512_mask_blend_epi64(negative, difference[i], t[i]))
}

/// The canonical residue of normalized `t < 4p`.
#[target_feature(enable = "avx512f")]
fn canonical(t: &Limbs, p: &Limbs, two_p: &Limbs) -> Limbs {
    subtract_if_above(&subtract_if_above(t, two_p), p)
}

/// `a b 2^-256 mod p`, below `2p`, for normalized `a, b < 2p`.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
fn mul(a: &Limbs, b: &Limbs) -> Limbs {
    let zero = _mm512_setzero_si512();
    let mask = _mm512_set1_epi64(MASK as i64);
    let p = splat(&P);
    let p_prime = _mm512_set1_epi64(P_PRIME as i64);
    // Columns of the product, each a sum of 52-bit halves (below 2^57).
    let mut t = [zero; 10];
    for i in 0..5 {
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a[i], b[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a[i], b[j]);
        }
    }
    // Montgomery reduction: four steps clear 52 bits each, the last 48.
    for i in 0..5 {
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64::<52>(t[i]));
        t[i] = _mm512_and_si512(t[i], mask);
        let mut m = _mm512_madd52lo_epu64(zero, t[i], p_prime);
        if i == 4 {
            m = _mm512_and_si512(m, _mm512_set1_epi64((1 << 48) - 1));
        }
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], m, p[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], m, p[j]);
        }
        if i < 4 {
            t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64::<52>(t[i]));
        }
    }
    for k in 4..9 {
        t[k + 1] = _mm512_add_epi64(t[k + 1], _mm512_srli_epi64::<52>(t[k]));
        t[k] = _mm512_and_si512(t[k], mask);
    }
    // The result is t[4..] / 2^48: t[4]'s low 48 bits are zero.
    std::array::from_fn(|j| {
        let high = _mm512_slli_epi64::<4>(t[j + 5]);
        let low = _mm512_srli_epi64::<48>(t[j + 4]);
        _mm512_and_si512(_mm512_or_si512(high, low), mask)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2curves::bn256::{Fq, G1Affine, G2Affine};
    use halo2curves::group::{Curve, Group as _};
    use halo2curves::CurveAffine;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn constants_describe_the_field() {
        assert_eq!(from_limbs(&P), MODULUS);
        assert_eq!(Fq::from_raw(MODULUS), Fq::ZERO);
        // p * (-p') = 1 mod 2^52.
        assert_eq!(MODULUS[0].wrapping_mul(P_PRIME.wrapping_neg()) & MASK, 1);
    }

    #[test]
    fn limbs_round_trip() {
        let mut rng = StdRng::seed_from_u64(11);
        for value in (0..100).map(|_| Fq::random(&mut rng)).chain([-Fq::ONE]) {
            assert_eq!(from_limbs(&to_limbs(&value.0)), value.0);
        }
    }

    /// Checks `add_distinct` against halo2curves' own additions in the
    /// curve `C` over `F`.
    fn check_sums<C, F, const N: usize>(seed: u64)
    where
        C: CurveAffine<Base = F>,
        F: VectorField<N> + Default + PartialEq + std::fmt::Debug,
    {
        let mut rng = StdRng::seed_from_u64(seed);
        let point = |rng: &mut StdRng| {
            let affine = C::Curve::random(rng).to_affine();
            let xy = affine.coordinates().unwrap();
            Point {
                x: *xy.x(),
                y: *xy.y(),
            }
        };
        // Every tail length and a few batches of many groups.
        for n in (1..=40).chain([511, 512]) {
            let mut sums: Vec<Point<F>> = (0..n).map(|_| point(&mut rng)).collect();
            let addends: Vec<Point<F>> = (0..n).map(|_| point(&mut rng)).collect();
            let expected: Vec<C> = sums
                .iter()
                .zip(&addends)
                .map(|(p, q)| {
                    let p = C::from_xy(p.x, p.y).unwrap();
                    let q = C::from_xy(q.x, q.y).unwrap();
                    (p + q).to_affine()
                })
                .collect();
            add_distinct::<F, N>(&mut sums, &addends, &mut Vec::new());
            for (sum, expected) in sums.iter().zip(&expected) {
                let xy = expected.coordinates().unwrap();
                assert_eq!((sum.x, sum.y), (*xy.x(), *xy.y()), "batch of {n}");
            }
        }
    }

    #[test]
    fn sums_match_halo2curves() {
        if !supported() {
            eprintln!("skipped: no AVX-512 IFMA on this CPU");
            return;
        }
        check_sums::<G1Affine, Fq, 1>(12);
        check_sums::<G2Affine, Fq2, 2>(14);
    }

    #[test]
    fn products_match_halo2curves_for_lazy_inputs() {
        if !supported() {
            eprintln!("skipped: no AVX-512 IFMA on this CPU");
            return;
        }
        // SAFETY: the features were detected above.
        unsafe { check_products() }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    fn check_products() {
        let mut rng = StdRng::seed_from_u64(13);
        let (p, two_p) = (splat(&P), splat(&TWO_P));
        let mut values: Vec<Fq> = (0..64).map(|_| Fq::random(&mut rng)).collect();
        values.extend([Fq::ZERO, Fq::ONE, -Fq::ONE, -Fq::ONE, Fq::ONE]);
        values.resize(80, -Fq::ONE);
        for chunk in values.chunks(16) {
            let (a, b) = chunk.split_at(8);
            // Inputs as residues below 2p: each lifted by p where possible.
            let lifted = |v: &[Fq], lift: bool| -> Group {
                std::array::from_fn(|i| {
                    std::array::from_fn(|l| {
                        let limbs = to_limbs(&v[l].0);
                        if lift {
                            let sum = normalize_scalar(std::array::from_fn(|i| limbs[i] + P[i]));
                            sum[i]
                        } else {
                            limbs[i]
                        }
                    })
                })
            };
            for (lift_a, lift_b) in [(false, false), (true, false), (true, true)] {
                let product = mul(&load(&lifted(a, lift_a)), &load(&lifted(b, lift_b)));
                let group = store(&canonical(&product, &p, &two_p));
                for l in 0..LANES {
                    let limbs: [u64; 5] = std::array::from_fn(|i| group[i][l]);
                    assert_eq!(Fq(from_limbs(&limbs)), a[l] * b[l]);
                }
            }
        }
    }

    /// Carries a non-negative scalar limb vector.
    fn normalize_scalar(mut t: [u64; 5]) -> [u64; 5] {
        for i in 0..4 {
            t[i + 1] += t[i] >> 52;
            t[i] &= MASK;
        }
        t
    }
}
