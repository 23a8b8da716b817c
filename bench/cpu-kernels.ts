/**
 * One training step of each benchmark model on tfjs' cpu backend, with tfjs' stock kernels and
 * then with this project's fast cpu kernels (src/lib/engine/kernels/cpu-fast.ts), at sizes small
 * enough for the stock kernels. Prints ms per step: the median of the timed steps after a warm-up.
 *
 *   npx tsx bench/cpu-kernels.ts [--steps N]
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel as buildDiffsimsCnn } from '../src/benchmarks/diffsims/model';
import { buildEmDenoiseNet } from '../src/benchmarks/em_denoise/model';
import { buildAutoencoder } from '../src/benchmarks/optical_damage/model';
import { useFastCpuKernels } from '../src/lib/engine/kernels/cpu-fast';
import { median } from './lib/step-timer';

interface Workload {
  name: string;
  build: () => tf.LayersModel;
  x: () => tf.Tensor;
  y: (x: tf.Tensor) => tf.Tensor;
}

const workloads: Workload[] = [
  {
    name: 'diffsims 1-D CNN, batch 64 × 147',
    build: () => buildDiffsimsCnn(tf, { nPhases: 3, learningRate: 1e-3, seed: 0 }),
    x: () => tf.randomUniform([64, 147, 1], 0, 1, 'float32', 1),
    y: () => tf.oneHot(tf.randomUniform([64], 0, 3, 'int32', 2), 3),
  },
  {
    name: 'optical_damage autoencoder L64, batch 8 × 40²',
    build: () => {
      const m = buildAutoencoder(tf, { inputSize: 40, latentSize: 64 }, 0);
      m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
      return m;
    },
    x: () => tf.randomUniform([8, 40, 40, 1], 0, 1, 'float32', 3),
    y: (x) => x.clone(),
  },
  {
    name: 'em_denoise EMDenoiseNet, batch 8 × 32²',
    build: () => {
      const m = buildEmDenoiseNet(tf, { size: 32, seed: 0 });
      m.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
      return m;
    },
    x: () => tf.randomUniform([8, 32, 32, 1], 0, 1, 'float32', 4),
    y: (x) => x.clone(),
  },
];

async function msPerStep(w: Workload, steps: number): Promise<number> {
  const model = w.build();
  const x = w.x();
  const y = w.y(x);
  await model.trainOnBatch(x, y); // warm-up
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push(performance.now() - t0);
  }
  tf.dispose([x, y]);
  model.dispose();
  return median(times);
}

const stepsFlag = process.argv.indexOf('--steps');
const steps = stepsFlag > 0 ? Number(process.argv[stepsFlag + 1]) : 3;
await tf.setBackend('cpu');
tf.enableProdMode();
const stock: number[] = [];
for (const w of workloads) stock.push(await msPerStep(w, steps));
useFastCpuKernels(tf);
console.log('| model | stock tfjs cpu ms/step | fast cpu kernels ms/step | × |');
console.log('|---|---:|---:|---:|');
for (let i = 0; i < workloads.length; i++) {
  const fast = await msPerStep(workloads[i], steps);
  console.log(`| ${workloads[i].name} | ${stock[i].toFixed(0)} | ${fast.toFixed(0)} | ${(stock[i] / fast).toFixed(1)} |`);
}
