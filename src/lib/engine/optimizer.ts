/**
 * Adam (Kingma & Ba 2015, Algorithm 1) as a tfjs Optimizer, for every benchmark model:
 *
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,
 *   θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * in the order tfjs' AdamOptimizer evaluates it, so results agree with it to float32 rounding.
 * Where the backend has the fused 'SciMLAdamUpdate' kernel (webgpu: ./kernels/adam.ts) each
 * variable is one kernel call; elsewhere the same formulas run as tfjs ops, with the scalars made
 * once per step rather than once per variable. β₁ᵗ and β₂ᵗ are kept on the host as tfjs keeps them
 * on the device, a float32 product updated each step (1 − β₂ᵗ in float32 is 1.3e-5 away from the
 * exact value at t = 1, which would show in every first step).
 * State is saved and restored like tfjs' Adam: iterations, then every m, then every v.
 */
import type * as tfType from '@tensorflow/tfjs';
import { ADAM_UPDATE, type AdamUpdateAttrs } from './kernels/adam';

type TF = typeof tfType;
/** tfjs-core's NamedTensor (not re-exported by @tensorflow/tfjs). */
type NamedTensor = { name: string; tensor: tfType.Tensor };

interface Moments {
  m: tfType.Variable;
  v: tfType.Variable;
}

/** An Adam optimizer as a tfjs Optimizer (see the file comment). */
export type FusedAdam = tfType.Optimizer & { readonly learningRate: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

const classes = new WeakMap<TF, new (learningRate: number) => FusedAdam>();

/** The Adam every benchmark compiles its model with (one class per tfjs instance). */
export function adam(tf: TF, learningRate = 1e-3): FusedAdam {
  let Adam = classes.get(tf);
  if (!Adam) {
    Adam = fusedAdamClass(tf);
    classes.set(tf, Adam);
  }
  return new Adam(learningRate);
}

function fusedAdamClass(tf: TF) {
  class FusedAdam extends tf.Optimizer {
    /** tfjs and Keras know this optimizer by that name. */
    static get className(): string {
      return 'Adam';
    }

    private readonly moments = new Map<string, Moments>();
    /** β₁ᵗ and β₂ᵗ for the next step t, in float32. */
    private accBeta1: number;
    private accBeta2: number;

    constructor(
      readonly learningRate: number,
      readonly beta1 = 0.9,
      readonly beta2 = 0.999,
      readonly epsilon = tf.backend().epsilon(),
    ) {
      super();
      this.accBeta1 = Math.fround(beta1);
      this.accBeta2 = Math.fround(beta2);
    }

    applyGradients(variableGradients: tfType.NamedTensorMap | NamedTensor[]): void {
      const named = Array.isArray(variableGradients)
        ? variableGradients
        : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
      const attrs: AdamUpdateAttrs = {
        learningRate: this.learningRate,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        biasCorrection1: Math.fround(1 - this.accBeta1),
        biasCorrection2: Math.fround(1 - this.accBeta2),
      };
      const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
      tf.tidy(() => {
        const update = fused ? fusedUpdate(tf, attrs) : opsUpdate(tf, attrs);
        for (const { name, tensor: gradient } of named) {
          if (gradient == null) continue;
          const value = tf.engine().registeredVariables[name];
          const state = this.momentsOf(name, value);
          const [theta, m, v] = update(value, state.m, state.v, gradient);
          state.m.assign(m);
          state.v.assign(v);
          value.assign(theta);
        }
      });
      this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
      this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
      this.incrementIterations();
    }

    private momentsOf(name: string, value: tfType.Variable): Moments {
      let state = this.moments.get(name);
      if (!state) {
        state = tf.tidy(() => ({ m: tf.zerosLike(value).variable(false), v: tf.zerosLike(value).variable(false) }));
        this.moments.set(name, state);
      }
      return state;
    }

    override dispose(): void {
      for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
      this.moments.clear();
    }

    override async getWeights(): Promise<NamedTensor[]> {
      const entries = [...this.moments.entries()];
      return [
        await this.saveIterations(),
        ...entries.map(([name, s]) => ({ name: `${name}/m`, tensor: s.m })),
        ...entries.map(([name, s]) => ({ name: `${name}/v`, tensor: s.v })),
      ];
    }

    override async setWeights(weightValues: NamedTensor[]): Promise<void> {
      const values = await this.extractIterations(weightValues);
      const half = values.length / 2;
      this.dispose();
      this.accBeta1 = float32Power(this.beta1, this.iterations + 1);
      this.accBeta2 = float32Power(this.beta2, this.iterations + 1);
      for (let i = 0; i < half; i++) {
        const name = values[i].name.replace(/\/m$/, '');
        this.moments.set(name, { m: values[i].tensor.variable(false), v: values[half + i].tensor.variable(false) });
      }
    }

    getConfig(): tfType.serialization.ConfigDict {
      return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    }
  }
  return FusedAdam;
}

/** βⁿ as the running float32 product that applyGradients keeps, so a restored optimizer resumes exactly. */
function float32Power(beta: number, n: number): number {
  const b = Math.fround(beta);
  let acc = b;
  for (let i = 1; i < n; i++) acc = Math.fround(acc * b);
  return acc;
}

type Update = (value: tfType.Tensor, m: tfType.Tensor, v: tfType.Tensor, gradient: tfType.Tensor) => tfType.Tensor[];

function fusedUpdate(tf: TF, attrs: AdamUpdateAttrs): Update {
  return (value, m, v, gradient) =>
    tf.engine().runKernel(ADAM_UPDATE, { value, m, v, gradient }, attrs as unknown as tfType.NamedAttrMap) as tfType.Tensor[];
}

function opsUpdate(tf: TF, a: AdamUpdateAttrs): Update {
  const beta1 = tf.scalar(a.beta1);
  const oneMinusBeta1 = tf.scalar(1 - a.beta1);
  const beta2 = tf.scalar(a.beta2);
  const oneMinusBeta2 = tf.scalar(1 - a.beta2);
  const correction1 = tf.scalar(a.biasCorrection1);
  const correction2 = tf.scalar(a.biasCorrection2);
  const epsilon = tf.scalar(a.epsilon);
  const negLearningRate = tf.scalar(-a.learningRate);
  return (value, m, v, gradient) => {
    const newM = tf.add(tf.mul(m, beta1), tf.mul(gradient, oneMinusBeta1));
    const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), oneMinusBeta2));
    const step = tf.div(tf.div(newM, correction1), tf.add(tf.sqrt(tf.div(newV, correction2)), epsilon));
    return [tf.add(tf.mul(step, negLearningRate), value), newM, newV];
  };
}
