/**
 * GPU benchmark: the benchmark models and two raw kernels on tfjs, rows named like
 * bench/reference/torch_models.py so the two tables line up (same models, batches and shapes;
 * tfjs is channels-last, PyTorch channels-first).
 *
 *   npx tsx bench/gpu.ts [--backend webgpu|cpu] [--small] [--reps N] [--only SUBSTR]
 *                        [--out FILE] [--compare torch.json] [--profile FILE] [--diag FILE]
 *                        [--no-custom] [--tfjs-adam] [--tfjs-grads] [--tfjs-bn-grad] [--tfjs-upload]
 *                        [--flag NAME=VALUE]... [--dawn TOGGLE]...
 *
 * Training steps are Adam steps through optimizer.minimize with the layers in training mode
 * (BatchNorm batch statistics, dropout on). Nothing is read back inside the timed loop: the loop
 * queues `reps` steps, then one read of a single element of the last result waits for the GPU, so
 * ms = wall time / reps. The first two steps are warm-up (pipeline compilation) and are reported
 * separately. --profile times every GPU program of one training step per model with WebGPU
 * timestamp queries (tf.profile) and writes the kernels, aggregated, as JSON.
 *
 * --diag splits a few synchronised training steps into host time and GPU wait and counts the
 * WebGPU calls per step (bench/gpu/diag.ts). --flag sets a tfjs flag (tf.env) after the backend
 * is ready (WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64); --dawn passes a toggle to dawn.node's create()
 * (enable-dawn-features=skip_validation).
 *
 * By default everything of src/lib/engine/kernels is installed and the models train with this
 * project's Adam; to measure one part, --no-custom leaves tfjs' webgpu backend as it is, and
 * --tfjs-adam / --tfjs-grads / --tfjs-bn-grad / --tfjs-upload put back tfjs' Adam optimizer,
 * Sum/Mean gradients, BatchNorm gradient or staging-buffer uploads alone.
 *
 * --small shrinks every row (for a software adapter such as SwiftShader, to check that it runs).
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { buildEmDenoiseNet } from '../src/benchmarks/em_denoise/model';
import { buildModel as buildPhaseCnn } from '../src/benchmarks/diffsims/model';
import { buildAutoencoder } from '../src/benchmarks/optical_damage/model';
import { accelerateWebGpu } from '../src/lib/engine/kernels';
import { adam } from '../src/lib/engine/optimizer';
import { diagnoseSteps, formatDiag, type StepDiag } from './gpu/diag';

interface Options {
  backend: 'webgpu' | 'cpu';
  small: boolean;
  maxReps: number;
  only?: string;
  out?: string;
  compare?: string;
  profile?: string;
  /** Register this project's WGSL kernels (--no-custom leaves tfjs' own). */
  custom: boolean;
  /** Keep tfjs-core's Sum/Mean gradients (--tfjs-grads), which upload a host-filled ones tensor. */
  tfjsGrads: boolean;
  /** Train with tfjs' AdamOptimizer (--tfjs-adam) instead of this project's (src/lib/engine/optimizer.ts). */
  tfjsAdam: boolean;
  /** Keep tfjs' staging-buffer uploads (--tfjs-upload) instead of writeBuffer. */
  tfjsUpload: boolean;
  /** Keep tfjs-core's FusedBatchNorm gradient (--tfjs-bn-grad). */
  tfjsBnGrad: boolean;
  diag?: string;
  /** tfjs flags to set once the backend is ready. */
  flags: Record<string, number | boolean>;
  dawnToggles: string[];
}

export interface GpuRow {
  work: string;
  ms: number;
  items_per_s: number | null;
  tflops?: number;
  /** First call (compiles the pipelines) and second call, each synchronised. */
  first_ms: number;
  second_ms: number;
  reps: number;
}

interface KernelTotal {
  kernel: string;
  ms: number;
  calls: number;
  /** Programs the kernel dispatched, with their summed times. */
  programs: Record<string, number>;
}

interface ModelProfile {
  model: string;
  kernelMs: number;
  kernelCalls: number;
  programCalls: number;
  kernels: KernelTotal[];
  /** The largest single kernel calls with their input shapes. */
  topCalls: { kernel: string; ms: number; inputShapes: number[][] }[];
}

function parseOptions(argv: string[]): Options {
  const opts: Options = { backend: 'webgpu', small: false, maxReps: 20, custom: true, tfjsGrads: false, tfjsAdam: false, tfjsUpload: false, tfjsBnGrad: false, flags: {}, dawnToggles: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--backend') {
      const b = next();
      if (b !== 'webgpu' && b !== 'cpu') throw new Error(`--backend must be webgpu or cpu, got ${b}`);
      opts.backend = b;
    } else if (a === '--small') opts.small = true;
    else if (a === '--no-custom') opts.custom = false;
    else if (a === '--tfjs-grads') opts.tfjsGrads = true;
    else if (a === '--tfjs-adam') opts.tfjsAdam = true;
    else if (a === '--tfjs-upload') opts.tfjsUpload = true;
    else if (a === '--tfjs-bn-grad') opts.tfjsBnGrad = true;
    else if (a === '--reps') opts.maxReps = Math.max(1, Number.parseInt(next(), 10));
    else if (a === '--only') opts.only = next();
    else if (a === '--out') opts.out = next();
    else if (a === '--compare') opts.compare = next();
    else if (a === '--profile') opts.profile = next();
    else if (a === '--diag') opts.diag = next();
    else if (a === '--dawn') opts.dawnToggles.push(next());
    else if (a === '--flag') {
      const [name, value] = next().split('=');
      opts.flags[name] = value === 'true' ? true : value === 'false' ? false : Number(value);
    }    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/**
 * Dawn in Node (as src/lib/engine/node-backend.ts does), with Dawn toggles: timestamps are
 * quantised by default, which would round most kernels of a profile to zero.
 */
async function initWebGpu(dawnToggles: readonly string[]): Promise<string> {
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create(['disable-dawn-features=timestamp_quantization', ...dawnToggles]);
  const g = globalThis as { navigator?: object };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('Dawn found no WebGPU adapter (a Vulkan loader and driver are needed)');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise its webgpu backend');
  await tf.ready();
  const i = adapter.info;
  const features = adapter.features.has('timestamp-query') ? 'timestamp-query' : 'no timestamp-query';
  return `${i.vendor} ${i.architecture} ${i.device} ${i.description} (${features})`.replace(/\s+/g, ' ').trim();
}

/** Waits for all queued GPU work by reading one element of `t`. */
async function sync(t: tf.Tensor): Promise<void> {
  const probe = tf.tidy(() => t.reshape([-1]).slice(0, 1));
  await probe.data();
  probe.dispose();
}

/**
 * Times `call` (which returns a tensor that the caller owns) without reading back between calls.
 * Reps are chosen from the second warm-up call so that each row takes about `targetMs`.
 */
async function timeCalls(call: () => tf.Tensor, maxReps: number, targetMs = 4000): Promise<Omit<GpuRow, 'work' | 'items_per_s'>> {
  const once = async () => {
    const t0 = performance.now();
    const out = call();
    await sync(out);
    out.dispose();
    return performance.now() - t0;
  };
  const first = await once();
  const second = await once();
  const reps = Math.min(maxReps, Math.max(3, Math.round(targetMs / Math.max(second, 1e-3))));
  const t0 = performance.now();
  let last: tf.Tensor | undefined;
  for (let r = 0; r < reps; r++) {
    last?.dispose();
    last = call();
  }
  await sync(last!);
  const ms = (performance.now() - t0) / reps;
  last!.dispose();
  return { ms, first_ms: first, second_ms: second, reps };
}

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

interface ModelCase {
  name: string;
  build: () => tf.LayersModel;
  x: () => tf.Tensor;
  y: () => tf.Tensor;
  loss: LossFn;
  batch: number;
}

function trainStepFn(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: LossFn, tfjsAdam: boolean): () => tf.Tensor {
  const optimizer = tfjsAdam ? tf.train.adam(1e-3) : adam(tf, 1e-3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return () => optimizer.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), true, vars)!;
}

const mse: LossFn = (yTrue, yPred) => tf.losses.meanSquaredError(yTrue, yPred) as tf.Scalar;
const crossEntropy: LossFn = (yTrue, yPred) => tf.metrics.categoricalCrossentropy(yTrue, yPred).mean() as tf.Scalar;

function modelCases(small: boolean): ModelCase[] {
  const em = small ? { size: 32, batch: 2 } : { size: 256, batch: 32 };
  const ds = small ? { batch: 4 } : { batch: 64 };
  const ae = small ? { size: 16, latent: 8, batch: 2 } : { size: 200, latent: 512, batch: 32 };
  const phases = 3;
  return [
    {
      name: `em_denoise %s b${em.batch} ${em.size}^2`,
      build: () => buildEmDenoiseNet(tf, { size: em.size, seed: 1 }),
      x: () => tf.randomUniform([em.batch, em.size, em.size, 1], 0, 1, 'float32', 1),
      y: () => tf.randomUniform([em.batch, em.size, em.size, 1], 0, 1, 'float32', 2),
      loss: mse,
      batch: em.batch,
    },
    {
      name: `diffsims CNN %s b${ds.batch}`,
      build: () => buildPhaseCnn(tf, { nPhases: phases, learningRate: 1e-3, seed: 1 }),
      x: () => tf.randomUniform([ds.batch, 147, 1], 0, 1, 'float32', 3),
      y: () => tf.oneHot(tf.randomUniform([ds.batch], 0, phases, 'int32', 4), phases),
      loss: crossEntropy,
      batch: ds.batch,
    },
    {
      name: `optical_damage AE L${ae.latent} %s b${ae.batch}`,
      build: () => buildAutoencoder(tf, { inputSize: ae.size, latentSize: ae.latent }, 1),
      x: () => tf.randomUniform([ae.batch, ae.size, ae.size, 1], 0, 1, 'float32', 5),
      y: () => tf.randomUniform([ae.batch, ae.size, ae.size, 1], 0, 1, 'float32', 6),
      loss: mse,
      batch: ae.batch,
    },
  ];
}

/** Sums tf.profile's kernels by name (kernelTimeMs is the GPU time of the kernel's programs). */
function summarise(model: string, info: Awaited<ReturnType<typeof tf.profile>>): ModelProfile {
  const byName = new Map<string, KernelTotal>();
  let programCalls = 0;
  const calls: ModelProfile['topCalls'] = [];
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const total: KernelTotal = byName.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0, programs: {} };
    total.ms += ms;
    total.calls += 1;
    // extraInfo reads "ProgramName: ms, ProgramName: ms".
    for (const part of (typeof k.extraInfo === 'string' ? k.extraInfo : '').split(', ').filter(Boolean)) {
      const [program, value] = part.split(': ');
      total.programs[program] = (total.programs[program] ?? 0) + Number(value);
      programCalls++;
    }
    byName.set(k.name, total);
    calls.push({ kernel: k.name, ms, inputShapes: k.inputShapes });
  }
  const kernels = [...byName.values()].sort((a, b) => b.ms - a.ms);
  calls.sort((a, b) => b.ms - a.ms);
  return {
    model,
    kernelMs: kernels.reduce((s, k) => s + k.ms, 0),
    kernelCalls: info.kernels.length,
    programCalls,
    kernels,
    topCalls: calls.slice(0, 15),
  };
}

function printProfile(p: ModelProfile): void {
  console.log(`\nprofile: ${p.model} — ${p.kernelMs.toFixed(1)} ms of GPU programs, ${p.kernelCalls} kernels, ${p.programCalls} programs`);
  for (const k of p.kernels.slice(0, 12)) {
    const share = p.kernelMs > 0 ? (100 * k.ms) / p.kernelMs : 0;
    const programs = Object.entries(k.programs).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', ');
    console.log(`  ${k.kernel.padEnd(28)} ${k.ms.toFixed(2).padStart(9)} ms ${share.toFixed(1).padStart(5)}%  ×${k.calls}  [${programs}]`);
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  let adapter = 'cpu';
  if (opts.backend === 'webgpu') {
    adapter = await initWebGpu(opts.dawnToggles);
    if (opts.custom) accelerateWebGpu({ gradients: !opts.tfjsGrads, batchNormGradient: !opts.tfjsBnGrad, writeBufferUploads: !opts.tfjsUpload });
    for (const [name, value] of Object.entries(opts.flags)) tf.env().set(name, value);
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
  }
  const settings = [...Object.entries(opts.flags).map(([k, v]) => `${k}=${v}`), ...opts.dawnToggles].join(' ');
  console.log(`tfjs ${tf.version.tfjs} on ${tf.getBackend()} — ${adapter}${opts.custom ? (opts.tfjsGrads ? ' (tfjs Sum/Mean gradients)' : '') : ' (tfjs kernels only)'}${opts.tfjsAdam ? ' (tfjs Adam)' : ''}${opts.tfjsUpload ? ' (tfjs uploads)' : ''}${opts.tfjsBnGrad ? ' (tfjs BatchNorm gradient)' : ''}${settings ? ` [${settings}]` : ''}`);
  const wanted = (name: string) => !opts.only || name.includes(opts.only);
  const rows: GpuRow[] = [];
  const profiles: ModelProfile[] = [];
  const diags: { work: string; steps: StepDiag[] }[] = [];

  for (const c of modelCases(opts.small)) {
    const trainName = c.name.replace('%s', 'train step');
    const inferName = c.name.replace('%s', 'inference');
    if (!wanted(trainName) && !wanted(inferName)) continue;
    const model = c.build();
    const x = c.x();
    const y = c.y();
    if (wanted(trainName)) {
      const step = trainStepFn(model, x, y, c.loss, opts.tfjsAdam);
      const t = await timeCalls(step, opts.maxReps);
      rows.push({ work: trainName, items_per_s: (c.batch * 1000) / t.ms, ...t });
      console.log(`${trainName}: ${t.ms.toFixed(2)} ms (${t.reps} reps; first ${t.first_ms.toFixed(0)} ms)`);
      if (opts.diag && opts.backend === 'webgpu') {
        const steps = await diagnoseSteps(step, 3);
        diags.push({ work: trainName, steps });
        console.log(formatDiag(trainName, steps));
      }
      if (opts.profile && opts.backend === 'webgpu') {
        const info = await tf.profile(() => {
          step().dispose();
        });
        const p = summarise(trainName, info);
        profiles.push(p);
        printProfile(p);
      }
    }
    if (wanted(inferName)) {
      // One batch of c.batch (predict would otherwise split it into batches of 32 and concatenate).
      const t = await timeCalls(() => model.predict(x, { batchSize: c.batch }) as tf.Tensor, opts.maxReps);
      rows.push({ work: inferName, items_per_s: (c.batch * 1000) / t.ms, ...t });
      console.log(`${inferName}: ${t.ms.toFixed(2)} ms (${t.reps} reps)`);
    }
    model.dispose();
    tf.dispose([x, y]);
  }

  const n = opts.small ? 256 : 4096;
  const matmulName = `matmul ${n}^2 fp32`;
  if (wanted(matmulName)) {
    const a = tf.randomUniform([n, n], 0, 1, 'float32', 7);
    const b = tf.randomUniform([n, n], 0, 1, 'float32', 8);
    const t = await timeCalls(() => tf.matMul(a, b), opts.maxReps);
    rows.push({ work: matmulName, items_per_s: null, tflops: (2 * n ** 3) / (t.ms * 1e9), ...t });
    tf.dispose([a, b]);
  }
  const conv = opts.small ? { batch: 2, size: 32 } : { batch: 32, size: 256 };
  const convName = `conv2d 3x3 32->32 b${conv.batch} ${conv.size}^2`;
  if (wanted(convName)) {
    const x = tf.randomUniform([conv.batch, conv.size, conv.size, 32], 0, 1, 'float32', 9);
    const filter = tf.randomUniform([3, 3, 32, 32], -0.1, 0.1, 'float32', 10);
    const bias = tf.randomUniform([32], -0.1, 0.1, 'float32', 11);
    const t = await timeCalls(() => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, bias, strides: 1, pad: 'same' }), opts.maxReps);
    const flops = 2 * conv.batch * conv.size ** 2 * 32 * 32 * 9;
    rows.push({ work: convName, items_per_s: null, tflops: flops / (t.ms * 1e9), ...t });
    tf.dispose([x, filter, bias]);
  }

  const reference = opts.compare ? (JSON.parse(await readFile(opts.compare, 'utf8')) as { device?: string; torch?: string; rows: GpuRow[] }) : undefined;
  console.log(`\n${formatRows(rows, reference?.rows)}`);
  if (reference) console.log(`torch: ${reference.torch} on ${reference.device}; × = tfjs throughput / torch throughput (torch ms / tfjs ms)`);
  if (opts.out) {
    const report = { tfjs: tf.version.tfjs, backend: tf.getBackend(), adapter, custom_kernels: opts.custom, tfjs_grads: opts.tfjsGrads, tfjs_adam: opts.tfjsAdam, tfjs_upload: opts.tfjsUpload, tfjs_bn_grad: opts.tfjsBnGrad, flags: opts.flags, dawn_toggles: opts.dawnToggles, node: process.version, rows };
    await writeFile(opts.out, JSON.stringify(report, null, 1));
  }
  if (opts.profile) await writeFile(opts.profile, JSON.stringify(profiles, null, 1));
  if (opts.diag) await writeFile(opts.diag, JSON.stringify(diags, null, 1));
}

export function formatRows(rows: readonly GpuRow[], reference?: readonly GpuRow[]): string {
  const ref = new Map((reference ?? []).map((r) => [r.work, r]));
  const header = ['work', 'tfjs ms', 'tfjs TFLOP/s', 'first ms', 'reps'];
  if (reference) header.push('torch ms', 'torch TFLOP/s', '×');
  const lines = [header];
  for (const r of rows) {
    const line = [r.work, r.ms.toFixed(2), r.tflops?.toFixed(2) ?? '', r.first_ms.toFixed(0), String(r.reps)];
    if (reference) {
      const b = ref.get(r.work);
      line.push(b ? b.ms.toFixed(2) : '—', b?.tflops?.toFixed(2) ?? '', b ? (b.ms / r.ms).toFixed(3) : '—');
    }
    lines.push(line);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
