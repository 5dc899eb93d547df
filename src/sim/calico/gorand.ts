/**
 * Go's math/rand default source (an additive lagged Fibonacci generator, lags 607 and 273, over
 * 64-bit integers) and `big.Int.Rand` for small limits — what Calico's IPAM uses to pick the block a
 * host tries first (issue 11: the real Calico IPAM is the oracle, any node name must match).
 *
 * Go seeds the generator by XOR-ing a seed-derived vector with a fixed table ("cooked" values: the
 * generator's state after 7.8e12 steps from seed 1, see math/rand/gen_cooked.go). That table is not
 * copied here: it is computed once, lazily, by jumping the same recurrence ahead 7.8e12 steps
 * (x^N mod x^607 - x^334 - 1 over Z/2^64, square-and-multiply; about a second).
 */

const LEN = 607;
const TAP = 273;
const MASK64 = (1n << 64n) - 1n;
const INT32MAX = 2147483647;
/** Steps gen_cooked.go runs from seed 1. */
const COOK_STEPS = 7_800_000_000_000n;

/** x[n+1] = 48271 * x[n] mod (2^31 - 1), Schrage's method as Go writes it (int32 arithmetic). */
function seedrand(x: number): number {
  const hi = Math.trunc(x / 44488);
  const lo = x % 44488;
  let r = 48271 * lo - 3399 * hi;
  if (r < 0) r += INT32MAX;
  return r;
}

/** The seed vector both Go's Seed and gen_cooked's srand build (shifts 40/20 vs 20/10). */
function seedVector(seed: number, shifts: [bigint, bigint]): bigint[] {
  let s = seed % INT32MAX;
  if (s < 0) s += INT32MAX;
  if (s === 0) s = 89482311;
  const vec: bigint[] = new Array<bigint>(LEN);
  let x = s;
  for (let i = -20; i < LEN; i++) {
    x = seedrand(x);
    if (i >= 0) {
      let u = BigInt(x) << shifts[0];
      x = seedrand(x);
      u ^= BigInt(x) << shifts[1];
      x = seedrand(x);
      u ^= BigInt(x);
      vec[i] = u & MASK64;
    }
  }
  return vec;
}

/** a * b mod (x^607 - x^334 - 1), coefficients mod 2^64. */
function mulMod(a: bigint[], b: bigint[]): bigint[] {
  const prod = new Array<bigint>(2 * LEN - 1).fill(0n);
  for (let i = 0; i < LEN; i++) {
    const ai = a[i]!;
    if (ai === 0n) continue;
    for (let j = 0; j < LEN; j++) {
      const bj = b[j]!;
      if (bj !== 0n) prod[i + j] = prod[i + j]! + ai * bj;
    }
    if (i % 8 === 7) for (let k = 0; k < prod.length; k++) prod[k] = prod[k]! & MASK64;
  }
  for (let d = prod.length - 1; d >= LEN; d--) {
    // x^607 = x^334 + 1, so x^d = x^(d-273) + x^(d-607)
    const c = prod[d]! & MASK64;
    prod[d - TAP] = (prod[d - TAP]! + c) & MASK64;
    prod[d - LEN] = (prod[d - LEN]! + c) & MASK64;
  }
  return prod.slice(0, LEN).map((c) => c & MASK64);
}

/** x^n mod the characteristic polynomial. */
function xPow(n: bigint): bigint[] {
  let result = new Array<bigint>(LEN).fill(0n);
  result[0] = 1n;
  let base = new Array<bigint>(LEN).fill(0n);
  base[1] = 1n;
  for (let e = n; e > 0n; e >>= 1n) {
    if (e & 1n) result = mulMod(result, base);
    if (e > 1n) base = mulMod(base, base);
  }
  return result;
}

/** Multiply by x in place (a shift and one reduction). */
function timesX(p: bigint[]): bigint[] {
  const top = p[LEN - 1]!;
  const out = [0n, ...p.slice(0, LEN - 1)];
  out[LEN - TAP] = (out[LEN - TAP]! + top) & MASK64; // x^607 → x^334 + 1
  out[0] = (out[0]! + top) & MASK64;
  return out;
}

let cooked: bigint[] | undefined;

/**
 * The state after COOK_STEPS steps from srand(1), as gen_cooked.go prints it. Step k (1-based) writes
 * vec[(334 - k) mod 607] = s_k with s_k = s_(k-607) + s_(k-273); the initial vector gives
 * s_j = vec0[(334 - j) mod 607] for j in (-607, 0]. With u_t = s_(t-606), u_m is x^m mod P applied
 * to u_0..u_606.
 */
function cookedTable(): bigint[] {
  if (cooked) return cooked;
  const vec0 = seedVector(1, [20n, 10n]);
  const mod = (n: bigint, m: bigint): bigint => ((n % m) + m) % m;
  const u = (t: number): bigint => vec0[Number(mod(334n - BigInt(t - 606), BigInt(LEN)))]!;
  const basis = Array.from({ length: LEN }, (_, t) => u(t));
  const out = new Array<bigint>(LEN);
  const first = COOK_STEPS - BigInt(LEN - 1); // k from N-606 to N
  let p = xPow(first + 606n);
  for (let k = first; k <= COOK_STEPS; k++) {
    let v = 0n;
    for (let i = 0; i < LEN; i++) if (p[i] !== 0n) v += p[i]! * basis[i]!;
    out[Number(mod(334n - k, BigInt(LEN)))] = v & MASK64;
    p = timesX(p);
  }
  cooked = out;
  return out;
}

/** Go's `rand.New(rand.NewSource(seed))` for a seed in the int32 range and up to 2^32. */
export class GoRand {
  private tap = 0;
  private feed = LEN - TAP;
  private readonly vec: bigint[];

  constructor(seed: number) {
    const c = cookedTable();
    // Go: seed % int32max on an int64 seed, then int32(seed)
    this.vec = seedVector(seed % INT32MAX, [40n, 20n]).map((u, i) => (u ^ c[i]!) & MASK64);
  }

  uint64(): bigint {
    this.tap = (this.tap + LEN - 1) % LEN;
    this.feed = (this.feed + LEN - 1) % LEN;
    const x = (this.vec[this.feed]! + this.vec[this.tap]!) & MASK64;
    this.vec[this.feed] = x;
    return x;
  }

  int63(): bigint {
    return this.uint64() & ((1n << 63n) - 1n);
  }

  uint32(): number {
    return Number(this.int63() >> 31n);
  }

  /** big.Int.Rand(r, limit) for 0 < limit <= 2^32 on a 64-bit platform: one word, masked to limit's bit length, retried until < limit. */
  bigIntRand(limit: number): number {
    const bits = limit.toString(2).length;
    const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
    for (;;) {
      const lo = this.uint32();
      this.uint32(); // the word's high half (Uint32() << 32), masked away for limits below 2^32
      const v = (lo & mask) >>> 0;
      if (v < limit) return v;
    }
  }
}
