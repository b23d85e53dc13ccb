/**
 * Generates the WAT of the bitsliced Curl-P-81 kernel: 128 lanes in WebAssembly SIMD (v128), two rounds per pass,
 * fully unrolled with constant offsets. scripts/buildWasm.mjs assembles it into curlKernel.wasm.
 *
 * Two rounds per pass (PERFORMANCE.md §1): one Curl round is out[i] = S(A[364i], A[364(i+1)]) (indices mod 729).
 * Composing two, with u_j = 547·j (547 = 364² mod 729) and 547·(j−2) ≡ 547·j + 364:
 *   X_j = S(A[u_j], A[u_{j−2}]),  out[j] = S(X_j, X_{j+1}),
 * so each input is loaded once and each output stored once per two rounds. 81 rounds = 40 passes + 1 round.
 *
 * Polarities: with a trit stored as (l, h) (1→(0,1), −1→(1,0), 0→(1,1)) the S-box is
 * t = (l_b ^ h_a) & l_a; l' = ~t; h' = (h_b ^ l_a) | t, whose NOT costs two x64 instructions in V8. Storing either
 * plane inverted (T = ~l, H = ~h) gives three NOT-free variants that chain into each other:
 *   B: (T, h) → (l, H)   l' = (T_b ^ h_a) | T_a          H' = (h_b ^ T_a) & l'
 *   C: (l, H) → (T, H)   T' = l_a & ~(l_b ^ H_a)         H' = (H_b ^ l_a) & ~T'
 *   D: (T, H) → (T, h)   T' = ~T_a & (T_b ^ H_a)         h' = (H_b ^ T_a) | T'
 * Each has the shape P' = f(bP ^ aQ, aP), Q' = g(bQ ^ aP, P'). The input is stored as (l, H), so the passes run
 * CD, BC, DB, CD, …; pass 40 is CD, leaving (T, h) for the final round B, which yields (l, H): a zero trit is
 * l = 1, H = 0.
 *
 * Exports: `memory`; `transform()`: the 729-trit states after 81 rounds of the 128 templates, written to state 0 as
 * plain (l, h) planes; `mine(batches, zeros)`: see below.
 */
import {
  COUNTER_TRIT_OFFSET,
  CURL_STATE_TRITS,
  WASM_B1T6,
  WASM_COUNTER,
  WASM_PAGES,
  WASM_STATE0,
  WASM_STATE1,
  WASM_TEMPLATE,
  WASM_TRIT_BYTES,
} from "../curlLayout.js";

type Variant = "B" | "C" | "D";

/** 40 double rounds, then one single round of variant B. */
const PASSES = 40;
const PASS_TYPES: [Variant, Variant][] = [
  ["C", "D"],
  ["B", "C"],
  ["D", "B"],
];

const get = (name: string) => `(local.get $${name})`;

/** WAT for the two output planes of one S-box variant; `p` names the local that receives P' (Q' reads it). */
function sbox(v: Variant, aP: string, aQ: string, bP: string, bQ: string, p: string): [string, string] {
  const x1 = `(v128.xor ${bP} ${aQ})`;
  const x2 = `(v128.xor ${bQ} ${aP})`;
  const pNew = `(local.get $${p})`;
  switch (v) {
    case "B":
      return [`(v128.or ${x1} ${aP})`, `(v128.and ${x2} ${pNew})`];
    case "C":
      return [`(v128.andnot ${aP} ${x1})`, `(v128.andnot ${x2} ${pNew})`];
    case "D":
      return [`(v128.andnot ${x1} ${aP})`, `(v128.or ${x2} ${pNew})`];
  }
}

const mod = (n: number, m: number) => ((n % m) + m) % m;
const u = (j: number) => mod(547 * j, CURL_STATE_TRITS);

/** One double round from the state at $s to the state at $d (natural trit order in both). */
function passFunction(name: string, [v1, v2]: [Variant, Variant]): string {
  const body: string[] = [];
  const aSlot = (j: number) => mod(j, 3);
  const xSlot = (j: number) => (j === 0 ? "0" : String(1 + (j % 2)));
  const load = (j: number) => {
    const off = u(j) * WASM_TRIT_BYTES;
    const k = aSlot(j);
    body.push(`(local.set $aP${k} (v128.load offset=${off} (local.get $s)))`);
    body.push(`(local.set $aQ${k} (v128.load offset=${off + 16} (local.get $s)))`);
  };
  const computeX = (j: number) => {
    const a = aSlot(j);
    const b = aSlot(j - 2);
    const x = xSlot(j);
    const [p, q] = sbox(v1, get(`aP${a}`), get(`aQ${a}`), get(`aP${b}`), get(`aQ${b}`), `xP${x}`);
    body.push(`(local.set $xP${x} ${p})`);
    body.push(`(local.set $xQ${x} ${q})`);
  };
  const storeOut = (j: number, xa: string, xb: string) => {
    const off = j * WASM_TRIT_BYTES;
    const [p, q] = sbox(v2, get(`xP${xa}`), get(`xQ${xa}`), get(`xP${xb}`), get(`xQ${xb}`), "t");
    body.push(`(v128.store offset=${off} (local.get $d) (local.tee $t ${p}))`);
    body.push(`(v128.store offset=${off + 16} (local.get $d) ${q})`);
  };
  load(-2);
  load(-1);
  for (let j = 0; j < CURL_STATE_TRITS; j++) {
    load(j);
    computeX(j);
    if (j > 0) storeOut(j - 1, xSlot(j - 1), xSlot(j));
  }
  storeOut(CURL_STATE_TRITS - 1, xSlot(CURL_STATE_TRITS - 1), xSlot(0));
  const locals = ["aP0", "aQ0", "aP1", "aQ1", "aP2", "aQ2", "xP0", "xQ0", "xP1", "xQ1", "xP2", "xQ2", "t"];
  return [
    `(func $${name} (param $s i32) (param $d i32)`,
    `  ${locals.map((l) => `(local $${l} v128)`).join(" ")}`,
    ...body.map((l) => `  ${l}`),
    ")",
  ].join("\n");
}

/** The 40 passes: template → state0 → state1 → …; the result (polarity (T, h)) lands in state1. */
function passCalls(): string[] {
  const calls: string[] = [];
  for (let k = 0; k < PASSES; k++) {
    const src = k === 0 ? WASM_TEMPLATE : k % 2 === 1 ? WASM_STATE0 : WASM_STATE1;
    const dst = k % 2 === 1 ? WASM_STATE1 : WASM_STATE0;
    const [v1, v2] = PASS_TYPES[k % 3]!;
    calls.push(`(call $pass${v1}${v2} (i32.const ${src}) (i32.const ${dst}))`);
  }
  return calls;
}

/**
 * Final round B for all 729 trits from state1, written to state0 as plain (l, h) = (l', ~H'): trits 0..242 are the
 * hash; the rest lets a caller absorb further blocks (template = this state with its first 243 trits replaced).
 */
function transformFunction(): string {
  const body = passCalls();
  const at = (i: number, plane: number) =>
    `(v128.load offset=${WASM_STATE1 + mod(364 * i, CURL_STATE_TRITS) * WASM_TRIT_BYTES + plane * 16} (i32.const 0))`;
  for (let i = 0; i < CURL_STATE_TRITS; i++) {
    const [p, q] = sbox("B", at(i, 0), at(i, 1), at(i + 1, 0), at(i + 1, 1), "t");
    const off = WASM_STATE0 + i * WASM_TRIT_BYTES;
    body.push(`(v128.store offset=${off} (i32.const 0) (local.tee $t ${p}))`);
    body.push(`(v128.store offset=${off + 16} (i32.const 0) (v128.not ${q}))`);
  }
  return ['(func (export "transform") (local $t v128)', ...body.map((l) => `  ${l}`), ")"].join("\n");
}

/** Writes the b1t6 trits of the 7 counter bytes (nonce bytes 1..7) into the template, broadcast to all lanes. */
function counterTrits(): string[] {
  const out: string[] = [];
  for (let byte = 0; byte < 7; byte++) {
    out.push(
      `(local.set $row (i32.add (i32.const ${WASM_B1T6}) (i32.mul (i32.const 12) (i32.wrap_i64 (i64.and (i64.shr_u (local.get $counter) (i64.const ${8 * byte})) (i64.const 255))))))`,
    );
    for (let t = 0; t < 6; t++) {
      const off = WASM_TEMPLATE + (COUNTER_TRIT_OFFSET + 6 * byte + t) * WASM_TRIT_BYTES;
      out.push(`(v128.store offset=${off} (i32.const 0) (i8x16.splat (i32.load8_u offset=${2 * t} (local.get $row))))`);
      out.push(
        `(v128.store offset=${off + 16} (i32.const 0) (i8x16.splat (i32.load8_u offset=${2 * t + 1} (local.get $row))))`,
      );
    }
  }
  return out;
}

/**
 * `mine(batches, zeros) -> lane | -1`: for up to `batches` consecutive counters starting at the i64 at
 * WASM_COUNTER, hash the template with the counter's trits and test whether some lane's hash ends in `zeros` zero
 * trits (TIP-12 counts from trit 242 downwards). On success the counter stays at the successful batch and the
 * lowest such lane is returned; otherwise the counter is advanced past the last batch.
 *
 * Only the final round's trits 242, 241, … are computed, each from state1 at runtime offsets; the loop stops as soon
 * as no lane is still all-zero (after about five trits for 128 lanes).
 */
function mineFunction(): string {
  const ia0 = mod(364 * 242, CURL_STATE_TRITS);
  const ib0 = mod(364 * 243, CURL_STATE_TRITS);
  const T = WASM_TRIT_BYTES;
  return `(func (export "mine") (param $batches i32) (param $zeros i32) (result i32)
  (local $counter i64) (local $row i32) (local $k i32) (local $ia i32) (local $ib i32) (local $acc v128) (local $lo i64)
  (local.set $counter (i64.load (i32.const ${WASM_COUNTER})))
  (block $done
    (loop $batch
      (br_if $done (i32.eqz (local.get $batches)))
      ${counterTrits().join("\n      ")}
      ${passCalls().join("\n      ")}
      (local.set $acc (v128.const i64x2 -1 -1))
      (local.set $ia (i32.const ${ia0 * T}))
      (local.set $ib (i32.const ${ib0 * T}))
      (local.set $k (local.get $zeros))
      (block $checked
        (loop $trit
          (br_if $checked (i32.eqz (local.get $k)))
          ;; zero iff l' & ~H' = l' & ~(h_b ^ T_a), with l' = (T_b ^ h_a) | T_a
          (local.set $acc (v128.and (local.get $acc)
            (v128.andnot
              (v128.or
                (v128.xor (v128.load offset=${WASM_STATE1} (local.get $ib)) (v128.load offset=${WASM_STATE1 + 16} (local.get $ia)))
                (v128.load offset=${WASM_STATE1} (local.get $ia)))
              (v128.xor (v128.load offset=${WASM_STATE1 + 16} (local.get $ib)) (v128.load offset=${WASM_STATE1} (local.get $ia))))))
          (br_if $checked (i32.eqz (v128.any_true (local.get $acc))))
          (local.set $ib (local.get $ia))
          (local.set $ia (i32.sub (local.get $ia) (i32.const ${364 * T})))
          (if (i32.lt_s (local.get $ia) (i32.const 0))
            (then (local.set $ia (i32.add (local.get $ia) (i32.const ${CURL_STATE_TRITS * T})))))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $trit)))
      (if (v128.any_true (local.get $acc))
        (then
          (i64.store (i32.const ${WASM_COUNTER}) (local.get $counter))
          (local.set $lo (i64x2.extract_lane 0 (local.get $acc)))
          (if (i64.ne (local.get $lo) (i64.const 0))
            (then (return (i32.wrap_i64 (i64.ctz (local.get $lo))))))
          (return (i32.add (i32.const 64) (i32.wrap_i64 (i64.ctz (i64x2.extract_lane 1 (local.get $acc))))))))
      (local.set $counter (i64.add (local.get $counter) (i64.const 1)))
      (local.set $batches (i32.sub (local.get $batches) (i32.const 1)))
      (br $batch)))
  (i64.store (i32.const ${WASM_COUNTER}) (local.get $counter))
  (i32.const -1))`;
}

export function generateWat(): string {
  const passes = PASS_TYPES.map(([v1, v2]) => passFunction(`pass${v1}${v2}`, [v1, v2]));
  return [
    "(module",
    `(memory (export "memory") ${WASM_PAGES})`,
    ...passes,
    transformFunction(),
    mineFunction(),
    ")",
  ].join("\n");
}
