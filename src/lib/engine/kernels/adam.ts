/**
 * 'SciMLAdamUpdate': one Adam step for one variable on tfjs' webgpu backend, in three programs
 * (new first moment, new second moment, new value) with the hyper-parameters as uniforms.
 * tfjs' AdamOptimizer spends 14 elementwise programs and 6 scalar uploads (each a fresh mapped
 * staging buffer) per variable and step; on an H100 those, not the arithmetic, set the step time.
 * The arithmetic and its order are tfjs' (../optimizer.ts states the formulas).
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { elementwiseProgram, type UniformData } from './program';

export const ADAM_UPDATE = 'SciMLAdamUpdate';

/** Hyper-parameters of one step; the bias corrections 1 − βᵗ are computed by the caller. */
export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  biasCorrection1: number;
  biasCorrection2: number;
}

const UNIFORMS = 'beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, epsilon : f32, negLearningRate : f32, biasCorrection1 : f32, biasCorrection2 : f32,';

const elementwise = (name: string, shape: number[], inputs: string[], body: string) =>
  elementwiseProgram(`sciml_adam_${name}`, shape, inputs, UNIFORMS, body);

// tfjs: add(mul(m, β₁), mul(g, 1 − β₁)) and add(mul(v, β₂), mul(square(g), 1 − β₂)).
const firstMoment = (shape: number[]) =>
  elementwise('m', shape, ['m', 'g'], 'result[index] = m[index] * uniforms.beta1 + g[index] * uniforms.oneMinusBeta1;');
const secondMoment = (shape: number[]) =>
  elementwise('v', shape, ['v', 'g'], 'let g2 = g[index] * g[index];\n result[index] = v[index] * uniforms.beta2 + g2 * uniforms.oneMinusBeta2;');
// tfjs: add(mul(div(div(m, 1 − β₁ᵗ), add(sqrt(div(v, 1 − β₂ᵗ)), ε)), −η), θ), with the new m and v.
const newValue = (shape: number[]) =>
  elementwise(
    'value',
    shape,
    ['value', 'm', 'v'],
    `let mHat = m[index] / uniforms.biasCorrection1;
     let vHat = v[index] / uniforms.biasCorrection2;
     result[index] = (mHat / (sqrt(vHat) + uniforms.epsilon)) * uniforms.negLearningRate + value[index];`,
  );

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { value, m, v, gradient } = inputs as Record<'value' | 'm' | 'v' | 'gradient', tf.TensorInfo>;
    const a = attrs as unknown as AdamUpdateAttrs;
    for (const t of [m, v, gradient]) {
      if (!tf.util.arraysEqual(t.shape, value.shape)) throw new Error(`${ADAM_UPDATE}: shape ${t.shape} differs from the variable's ${value.shape}`);
    }
    const gpu = backend as WebGPUBackend;
    const uniforms: UniformData = [
      { type: 'float32', data: [a.beta1] },
      { type: 'float32', data: [1 - a.beta1] },
      { type: 'float32', data: [a.beta2] },
      { type: 'float32', data: [1 - a.beta2] },
      { type: 'float32', data: [a.epsilon] },
      { type: 'float32', data: [-a.learningRate] },
      { type: 'float32', data: [a.biasCorrection1] },
      { type: 'float32', data: [a.biasCorrection2] },
    ];
    const shape = value.shape.slice();
    const newM = gpu.runWebGPUProgram(firstMoment(shape), [m, gradient], 'float32', uniforms);
    const newV = gpu.runWebGPUProgram(secondMoment(shape), [v, gradient], 'float32', uniforms);
    const newTheta = gpu.runWebGPUProgram(newValue(shape), [value, newM, newV], 'float32', uniforms);
    return [newTheta, newM, newV];
  },
};
