/**
 * The Yang model in ambient dimension d on sampled data (technical note §7.6 [R]): the finite-sample
 * form used by `src/sgd` to compare gradient descent and SGD with the token-span flow.
 *
 * Tokens: a seeded random orthonormal dictionary E = [c_1..c_K, μ_1..μ_K] ∈ R^{d×2K}; a sample is
 * X = [c_k, s_1μ_1, …, s_Kμ_K, 0…] (L rows of length d) plus optional Gaussian noise σ_ξ on the
 * non-padding tokens, label y = s_k, with (k, s) uniform. With `overlap` ρ > 0 the tokens are made of
 * unit features with pairwise inner products ρ instead (see `features`), in the same span.
 * Parameters θ, per stored head: W_h (d×d, S_{l1 l2} = x_{l2}ᵀ W_h x_{l1}) or W_K,h and W_Q,h (dk×d,
 * W = W_Kᵀ W_Q), then the neurons w_{h,r} ∈ R^d (m×d per stored head). The flow's coordinates are
 * A_h = Eᵀ W_h E (K̃ = W_K E, Q̃ = W_Q E) and ω_{h,r} = Eᵀ w_{h,r}; with noise-free tokens the
 * gradient lies in the span, so GD on the population of types equals GD on the token-span model.
 *
 * `lossGrad` returns R·∇(mean loss) with R the rates of the training mode (η_w on neurons, η_A on
 * attention, ½ on everything with symmetry imposed, as in the token-span flow), so that gradient
 * descent with it discretises the same flow; for the defaults R = I and it is the plain gradient.
 * Three-stage training switches R in time and is rejected here (train one stage at a time).
 */
import { gemm, randomOrthogonal } from '../../linalg/dense.js';
import type { Vec } from '../../solve/types.js';
import { inputError } from '../../util/errors.js';
import { checkAllocation, FLOAT64, formatCount } from '../../util/limits.js';
import { makeRng, type Rng } from '../../util/rng.js';
import { num } from '../params.js';
import type { FiniteSample, Params } from '../types.js';
import { yangConfig, type YangConfig } from './config.js';
import { makeDataset, mirrorDiagonal } from './data.js';
import { stageRates } from './flow.js';
import { sigmoid, softplus } from './network.js';

export interface AmbientData {
  readonly count: number;
  /** count × L × d token rows. */
  readonly X: Float64Array;
  readonly y: Float64Array;
}

/** Layout of θ in ambient dimension d (the token-span layout with p replaced by d). */
export interface AmbientLayout {
  readonly d: number;
  readonly attnSize: number;
  readonly neuronSize: number;
  readonly n: number;
  attnOffset(h: number): number;
  neuronOffset(h: number): number;
}

export function ambientLayout(c: YangConfig, d: number): AmbientLayout {
  const attnSize = c.keyQuery === 'combined' ? d * d : 2 * c.dk * d;
  const neuronSize = c.m * d;
  return {
    d, attnSize, neuronSize,
    n: c.storedHeads * (attnSize + neuronSize),
    attnOffset: (h) => h * attnSize,
    neuronOffset: (h) => c.storedHeads * attnSize + h * neuronSize,
  };
}

const DICTIONARIES = new Map<string, Float64Array>();
const DICTIONARY_CACHE = 8;

/**
 * The orthonormal dictionary E (d×p, row-major), seeded. Cached (the last few): drawing it
 * orthogonalises a d×d Gaussian matrix, seconds at d = 1024, and every run of a comparison
 * needs the same one. The array is shared: do not modify it.
 */
export function dictionary(K: number, d: number, seed: number): Float64Array {
  const key = `${K},${d},${seed}`;
  const hit = DICTIONARIES.get(key);
  if (hit) return hit;
  const p = 2 * K;
  const rng = makeRng((seed ^ 0x5bd1e995) >>> 0);
  const Q = randomOrthogonal(d, () => rng.normal());
  const E = new Float64Array(d * p);
  for (let i = 0; i < d; i++) for (let j = 0; j < p; j++) E[i * p + j] = Q[i * d + j];
  DICTIONARIES.set(key, E);
  while (DICTIONARIES.size > DICTIONARY_CACHE) DICTIONARIES.delete(DICTIONARIES.keys().next().value as string);
  return E;
}

/** Bytes of the ambient network's workspace (AmbientNetwork) and of the dictionary and features, for the size check. */
export function ambientWorkspaceBytes(c: YangConfig, d: number): number {
  const { m, L, p } = c;
  const floats = 4 * d * d + 4 * m * d + L * d + 2 * L * L + 2 * L * d + 2 * m * L + 2 * d + L * L + d * Math.max(d, m) + d * d // W, gW; w, gw; Wx; P; Z; pre; u, Y; G; dd; refl
    + d * d + 2 * d * p; // the d×d orthogonal matrix the dictionary is cut from; E and the features
  return floats * FLOAT64;
}

/**
 * The feature vectors the tokens are made of (d×p, row-major): the dictionary E itself for
 * ρ = 0; otherwise F = E·Lcᵀ with Lc Lcᵀ = G = (1 − ρ)I + ρ11ᵀ (Cholesky), so the features are unit vectors with pairwise inner products ρ, in the span of E.
 */
export function features(E: Float64Array, d: number, p: number, rho: number): Float64Array {
  if (rho === 0) return E;
  const Lc = new Float64Array(p * p); // G = Lc Lcᵀ
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? 1 : rho;
      for (let k = 0; k < j; k++) s -= Lc[i * p + k] * Lc[j * p + k];
      Lc[i * p + j] = i === j ? Math.sqrt(s) : s / Lc[j * p + j];
    }
  }
  const F = new Float64Array(d * p);
  for (let r = 0; r < d; r++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i <= j; i++) s += E[r * p + i] * Lc[j * p + i]; // F = E Lcᵀ: FᵀF = Lc EᵀE Lcᵀ = G
    F[r * p + j] = s;
  }
  return F;
}

/** Ambient forward pass and gradient for one batch (allocation-free after construction). */
export class AmbientNetwork {
  private readonly c: YangConfig;
  private readonly lay: AmbientLayout;
  private readonly W: [Float64Array, Float64Array];
  private readonly w: [Float64Array, Float64Array];
  private readonly gW: [Float64Array, Float64Array];
  private readonly gw: [Float64Array, Float64Array];
  private readonly Wx: Float64Array;
  private readonly P: [Float64Array, Float64Array];
  private readonly Z: [Float64Array, Float64Array];
  private readonly pre: [Float64Array, Float64Array];
  private readonly u: Float64Array;
  private readonly G: Float64Array;
  private readonly Y: Float64Array;
  /** d×d scratch (at least m×d) for the sign-mirror products. */
  private readonly dd: Float64Array;
  private readonly refl: Float64Array;
  private readonly agg: number;

  constructor(c: YangConfig, d: number, E: Float64Array) {
    this.c = c;
    const lay = ambientLayout(c, d);
    this.lay = lay;
    const { m, L } = c;
    this.W = [new Float64Array(d * d), new Float64Array(d * d)];
    this.w = [new Float64Array(m * d), new Float64Array(m * d)];
    this.gW = [new Float64Array(d * d), new Float64Array(d * d)];
    this.gw = [new Float64Array(m * d), new Float64Array(m * d)];
    this.Wx = new Float64Array(L * d);
    this.P = [new Float64Array(L * L), new Float64Array(L * L)];
    this.Z = [new Float64Array(L * d), new Float64Array(L * d)];
    this.pre = [new Float64Array(m * L), new Float64Array(m * L)];
    this.u = new Float64Array(d);
    this.G = new Float64Array(L * L);
    this.Y = new Float64Array(d);
    this.dd = new Float64Array(d * Math.max(d, m));
    // the sign mirror in ambient space: 𝒟 = I − 2 Σ_j μ_j μ_jᵀ (flips the signals, keeps the rest)
    this.refl = new Float64Array(d * d);
    const D = mirrorDiagonal(c.K);
    for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) {
      let s = i === k ? 1 : 0;
      for (let j = 0; j < c.p; j++) if (D[j] < 0) s -= 2 * E[i * c.p + j] * E[k * c.p + j];
      this.refl[i * d + k] = s;
    }
    this.agg = c.aggregate === 'sum' ? 1 : 1 / L;
  }

  private unpack(theta: Vec): void {
    const { d } = this.lay;
    const { keyQuery, dk, m, storedHeads } = this.c;
    for (let h = 0; h < storedHeads; h++) {
      const o = this.lay.attnOffset(h);
      if (keyQuery === 'combined') this.W[h].set(theta.subarray(o, o + d * d));
      else {
        const q = o + dk * d;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
          let s = 0;
          for (let a = 0; a < dk; a++) s += theta[o + a * d + i] * theta[q + a * d + j]; // W = W_Kᵀ W_Q
          this.W[h][i * d + j] = s;
        }
      }
      const w = this.lay.neuronOffset(h);
      this.w[h].set(theta.subarray(w, w + m * d));
    }
    if (storedHeads === 1) {
      const R = this.refl;
      // W_− = 𝒟 W_+ 𝒟 (two d³ products), w_− = 𝒟 w_+ (𝒟 is symmetric: the rows of w times 𝒟)
      gemm(R, 0, this.W[0], 0, this.dd, 0, d, d, d);
      gemm(this.dd, 0, R, 0, this.W[1], 0, d, d, d);
      gemm(this.w[0], 0, R, 0, this.w[1], 0, m, d, d);
    }
  }

  /** Mean loss over the batch and R·∇ of it into grad (grad may be null). */
  lossGrad(theta: Vec, data: AmbientData, idx: Int32Array | null, grad: Vec | null, rates: { neuron: number; attention: number }): number {
    this.unpack(theta);
    const { d } = this.lay;
    const { m, L } = this.c;
    const count = idx ? idx.length : data.count;
    const scale = this.agg / m;
    for (let h = 0; h < 2; h++) { this.gW[h].fill(0); this.gw[h].fill(0); }
    let loss = 0;
    for (let s = 0; s < count; s++) {
      const n = idx ? idx[s] : s;
      const X = data.X.subarray(n * L * d, (n + 1) * L * d);
      const y = data.y[n];
      let F = 0;
      for (let h = 0; h < 2; h++) {
        const W = this.W[h];
        const P = this.P[h];
        const Z = this.Z[h];
        // Wx_{l1} = W x_{l1};  S_{l1 l2} = x_{l2}·(W x_{l1})
        for (let l = 0; l < L; l++) for (let i = 0; i < d; i++) {
          let acc = 0;
          for (let j = 0; j < d; j++) acc += W[i * d + j] * X[l * d + j];
          this.Wx[l * d + i] = acc;
        }
        for (let l1 = 0; l1 < L; l1++) {
          let mx = -Infinity;
          for (let l2 = 0; l2 < L; l2++) {
            let acc = 0;
            for (let i = 0; i < d; i++) acc += X[l2 * d + i] * this.Wx[l1 * d + i];
            P[l1 * L + l2] = acc;
            if (acc > mx) mx = acc;
          }
          let z = 0;
          for (let l2 = 0; l2 < L; l2++) { const e = Math.exp(P[l1 * L + l2] - mx); P[l1 * L + l2] = e; z += e; }
          for (let l2 = 0; l2 < L; l2++) P[l1 * L + l2] /= z;
          for (let i = 0; i < d; i++) {
            let acc = 0;
            for (let l2 = 0; l2 < L; l2++) acc += P[l1 * L + l2] * X[l2 * d + i];
            Z[l1 * d + i] = acc; // ζ_{l1}
          }
        }
        let phi = 0;
        const wh = this.w[h];
        for (let r = 0; r < m; r++) for (let l = 0; l < L; l++) {
          let acc = 0;
          for (let i = 0; i < d; i++) acc += wh[r * d + i] * Z[l * d + i];
          this.pre[h][r * L + l] = acc;
          if (acc > 0) phi += acc;
        }
        F += (h === 0 ? 1 : -1) * scale * phi;
      }
      loss += softplus(-y * F);
      if (!grad) continue;
      const c0 = (-y * sigmoid(-y * F)) / count;
      for (let h = 0; h < 2; h++) {
        const c = c0 * (h === 0 ? 1 : -1) * scale;
        const P = this.P[h];
        const Z = this.Z[h];
        const wh = this.w[h];
        const gw = this.gw[h];
        const gW = this.gW[h];
        // G_{l1 l2} = ∂F/∂S_{l1 l2} (scaled by c), then ∂/∂W += Σ_{l1,l2} G_{l1 l2} x_{l2} x_{l1}ᵀ
        // = Σ_{l2} x_{l2} y_{l2}ᵀ with y_{l2} = Σ_{l1} G_{l1 l2} x_{l1}: L rank-one updates, not L²
        const G = this.G;
        let anyRow = false;
        for (let l1 = 0; l1 < L; l1++) {
          // u = c Σ_r 1[pre > 0] w_r;  ∂/∂w_r += c 1[pre > 0] ζ_{l1}
          this.u.fill(0);
          let any = false;
          for (let r = 0; r < m; r++) {
            if (!(this.pre[h][r * L + l1] > 0)) continue;
            any = true;
            for (let i = 0; i < d; i++) { this.u[i] += c * wh[r * d + i]; gw[r * d + i] += c * Z[l1 * d + i]; }
          }
          if (!any) { G.fill(0, l1 * L, (l1 + 1) * L); continue; }
          anyRow = true;
          let uz = 0;
          for (let i = 0; i < d; i++) uz += this.u[i] * Z[l1 * d + i];
          for (let l2 = 0; l2 < L; l2++) {
            let ux = 0;
            for (let i = 0; i < d; i++) ux += this.u[i] * X[l2 * d + i];
            G[l1 * L + l2] = P[l1 * L + l2] * (ux - uz);
          }
        }
        if (!anyRow) continue;
        const Y = this.Y;
        for (let l2 = 0; l2 < L; l2++) {
          Y.fill(0);
          let nonzero = false;
          for (let l1 = 0; l1 < L; l1++) {
            const g = G[l1 * L + l2];
            if (g === 0) continue;
            nonzero = true;
            for (let j = 0; j < d; j++) Y[j] += g * X[l1 * d + j];
          }
          if (!nonzero) continue;
          for (let i = 0; i < d; i++) {
            const xi = X[l2 * d + i];
            if (xi === 0) continue; // padding tokens and exact zeros of the dictionary
            const row = i * d;
            for (let j = 0; j < d; j++) gW[row + j] += xi * Y[j];
          }
        }
      }
    }
    if (grad) this.writeGradient(theta, grad, rates);
    return loss / count;
  }

  private writeGradient(theta: Vec, grad: Vec, rates: { neuron: number; attention: number }): void {
    const { d } = this.lay;
    const { keyQuery, dk, m, storedHeads } = this.c;
    if (storedHeads === 1) {
      // ½(g_+ + Sᵀ g_−) with Sᵀ: W ↦ 𝒟 W 𝒟, w ↦ 𝒟 w
      const R = this.refl;
      gemm(R, 0, this.gW[1], 0, this.dd, 0, d, d, d);
      gemm(this.dd, 0, R, 0, this.gW[1], 0, d, d, d); // 𝒟 g_W− 𝒟 (g_W− is not needed after this)
      for (let i = 0; i < d * d; i++) this.gW[0][i] = 0.5 * (this.gW[0][i] + this.gW[1][i]);
      gemm(this.gw[1], 0, R, 0, this.dd, 0, m, d, d);
      for (let i = 0; i < m * d; i++) this.gw[0][i] = 0.5 * (this.gw[0][i] + this.dd[i]);
    }
    for (let h = 0; h < storedHeads; h++) {
      const o = this.lay.attnOffset(h);
      const M = this.gW[h];
      if (keyQuery === 'combined') {
        for (let i = 0; i < d * d; i++) grad[o + i] = rates.attention * M[i];
      } else {
        const q = o + dk * d;
        // ∂/∂W_K = W_Q Mᵀ, ∂/∂W_Q = W_K M
        for (let a = 0; a < dk; a++) for (let i = 0; i < d; i++) {
          let sk = 0;
          let sq = 0;
          for (let j = 0; j < d; j++) {
            sk += theta[q + a * d + j] * M[i * d + j];
            sq += theta[o + a * d + j] * M[j * d + i];
          }
          grad[o + a * d + i] = rates.attention * sk;
          grad[q + a * d + i] = rates.attention * sq;
        }
      }
      const w = this.lay.neuronOffset(h);
      for (let i = 0; i < m * d; i++) grad[w + i] = rates.neuron * this.gw[h][i];
    }
  }
}

/** The finite-sample (ambient) form of the Yang model: see the module header. */
export function yangFiniteSample(p: Params): FiniteSample<AmbientData> {
  const c = yangConfig(p);
  const d = num(p, 'd');
  const noise = num(p, 'noise');
  const overlap = num(p, 'overlap');
  if (d < c.p) throw inputError(`yang: the ambient dimension d = ${d} must be at least 2K = ${c.p}.`);
  if (c.training === 'three-stage') throw inputError('yang: finite-sample training follows one mode at a time; use training=simultaneous, neurons or attention (the three-stage schedule switches the masks in time).');
  if (c.keyQuery === 'separate' && c.dk > d) throw inputError(`yang: dk = ${c.dk} exceeds the ambient dimension d = ${d}.`);
  const seed = typeof p.seed === 'number' ? p.seed : 0;
  const lay = ambientLayout(c, d);
  checkAllocation(`yang: the ambient network at d = ${d}, m = ${c.m} (${formatCount(lay.n)} parameters and the network's workspace)`, ambientWorkspaceBytes(c, d) + 3 * lay.n * FLOAT64, { hint: 'use a smaller d or m' });
  // the dictionary, the features and the network are built on first use (lift, project, sample,
  // lossGrad), so that the form itself is cheap: its sizes can be read before any training
  let built: { readonly E: Float64Array; readonly F: Float64Array; readonly net: AmbientNetwork } | null = null;
  const parts = (): { readonly E: Float64Array; readonly F: Float64Array; readonly net: AmbientNetwork } => {
    if (built) return built;
    const E = dictionary(c.K, d, seed);
    built = { E, F: features(E, d, c.p, overlap), net: new AmbientNetwork(c, d, E) };
    return built;
  };
  const rates = stageRates(c, c.training === 'neurons' || c.training === 'attention' ? c.training : 'simultaneous');
  const data = makeDataset(c.K, c.pad);
  const { p: dim, L, dk, m } = c;
  /** The flow state of θ: A = EᵀWE (K̃ = W_K E, Q̃ = W_Q E), ω = Eᵀw. */
  const project = (theta: Vec, out: Vec): void => {
    const { E } = parts();
    for (let h = 0; h < c.storedHeads; h++) {
      const o = lay.attnOffset(h);
      const oo = c.attnOffset(h);
      if (c.keyQuery === 'combined') {
        for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += E[a * dim + i] * theta[o + a * d + b] * E[b * dim + j];
          out[oo + i * dim + j] = s;
        }
      } else {
        for (let a = 0; a < 2 * dk; a++) for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let b = 0; b < d; b++) s += theta[o + a * d + b] * E[b * dim + j];
          out[oo + a * dim + j] = s;
        }
      }
      const w = lay.neuronOffset(h);
      const ow = c.neuronOffset(h);
      for (let r = 0; r < m; r++) for (let j = 0; j < dim; j++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += E[b * dim + j] * theta[w + r * d + b];
        out[ow + r * dim + j] = s;
      }
    }
  };
  /** θ with nothing outside the span: W = E A Eᵀ (W_K = K̃Eᵀ, …), w = E ω. */
  const lift = (y: Vec): Vec => {
    const { E } = parts();
    const theta = new Float64Array(lay.n);
    for (let h = 0; h < c.storedHeads; h++) {
      const o = lay.attnOffset(h);
      const oo = c.attnOffset(h);
      if (c.keyQuery === 'combined') {
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) {
          let s = 0;
          for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) s += E[a * dim + i] * y[oo + i * dim + j] * E[b * dim + j];
          theta[o + a * d + b] = s;
        }
      } else {
        for (let a = 0; a < 2 * dk; a++) for (let b = 0; b < d; b++) {
          let s = 0;
          for (let j = 0; j < dim; j++) s += y[oo + a * dim + j] * E[b * dim + j];
          theta[o + a * d + b] = s;
        }
      }
      const w = lay.neuronOffset(h);
      const ow = c.neuronOffset(h);
      for (let r = 0; r < m; r++) for (let b = 0; b < d; b++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += E[b * dim + j] * y[ow + r * dim + j];
        theta[w + r * d + b] = s;
      }
    }
    return theta;
  };
  const flowState = new Float64Array(c.n);
  /** Fills `batch` with fresh examples: a uniform type (k, s), its tokens, optional token noise. */
  const drawInto = (rng: Rng, batch: AmbientData): void => {
    const { F } = parts();
    const { X, y } = batch;
    X.fill(0); // padding stays exactly 0
    for (let s = 0; s < batch.count; s++) {
      const tp = data.types[Math.min(data.types.length - 1, Math.floor(rng.uniform() * data.types.length))];
      y[s] = tp.y;
      for (let l = 0; l < L; l++) {
        if (tp.sign[l] === 0) continue;
        for (let i = 0; i < d; i++) X[(s * L + l) * d + i] = tp.sign[l] * F[i * dim + tp.index[l]] + (noise > 0 ? noise * rng.normal() : 0);
      }
    }
  };
  const exampleBytes = (L * d + 1) * FLOAT64; // L tokens of d coordinates, and the label
  const exampleShape = `${L} tokens × ${d} coordinates`;
  return {
    dim: lay.n,
    exampleBytes,
    exampleShape,
    lift: (y) => lift(y),
    sample(rng: Rng, count: number): AmbientData {
      checkAllocation(`yang: ${formatCount(count)} examples × ${exampleShape}`, count * exampleBytes, { of: 'training data', hint: 'draw fewer examples, or use a smaller d or pad' });
      const batch = { count, X: new Float64Array(count * L * d), y: new Float64Array(count) };
      drawInto(rng, batch);
      return batch;
    },
    resample: (rng, batch) => drawInto(rng, batch),
    lossGrad: (theta, batch, idx, grad) => parts().net.lossGrad(theta, batch, idx, grad, rates),
    project,
    residual(theta) {
      project(theta, flowState);
      const back = lift(flowState);
      let s = 0;
      for (let i = 0; i < theta.length; i++) s += (theta[i] - back[i]) ** 2;
      return Math.sqrt(s);
    },
  };
}

/** All K·2^K sample types as ambient data (the exact population), for tests. */
export function populationData(p: Params): AmbientData {
  const c = yangConfig(p);
  const d = num(p, 'd');
  const E = dictionary(c.K, d, typeof p.seed === 'number' ? p.seed : 0);
  const data = makeDataset(c.K, c.pad);
  const { L, p: dim } = c;
  const count = data.types.length;
  const X = new Float64Array(count * L * d);
  const y = new Float64Array(count);
  data.types.forEach((tp, s) => {
    y[s] = tp.y;
    for (let l = 0; l < L; l++) for (let i = 0; i < d; i++) X[(s * L + l) * d + i] = tp.sign[l] * E[i * dim + tp.index[l]];
  });
  return { count, X, y };
}
