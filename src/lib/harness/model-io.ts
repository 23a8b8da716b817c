/**
 * Trained models as files, in memory: `model.json` (the standard tfjs layers-model format, so
 * tf.loadLayersModel can also read it from a folder or URL), `weights.bin` (one shard) and
 * `model_info.json` (our uuid4, benchmark, training parameters and benchmark metadata).
 *
 * Used by run bundles, by the CLI (`--model PATH`) and by the app's IndexedDB store.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ParamValue, TF, TrainedModel } from './contract';

export const MODEL_FORMAT = 'sciml-notebook-model/1';
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const MODEL_INFO_JSON = 'model_info.json';

export interface ModelInfoFile {
  format: typeof MODEL_FORMAT;
  /** uuid4 assigned when the model was trained. */
  id: string;
  benchmark: string;
  trainingParams: Record<string, ParamValue>;
  info: Record<string, unknown>;
  /** ISO time of saving. */
  saved: string;
}

export interface ModelFiles {
  modelJson: tfType.io.ModelJSON;
  weights: Uint8Array;
  info: ModelInfoFile;
}

/** Serialises a trained model (topology, weights, metadata) without touching any storage. */
export async function saveModel(tf: TF, trained: TrainedModel): Promise<ModelFiles> {
  let captured: tfType.io.ModelArtifacts | undefined;
  await trained.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs) throw new Error('model.save produced no topology or weights');
  const weightData = captured.weightData ?? new ArrayBuffer(0);
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData as ArrayBuffer | ArrayBuffer[]));
  const modelJson: tfType.io.ModelJSON = {
    modelTopology: captured.modelTopology,
    format: captured.format ?? 'layers-model',
    generatedBy: captured.generatedBy,
    convertedBy: captured.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: captured.weightSpecs }],
  };
  if (captured.trainingConfig) modelJson.trainingConfig = captured.trainingConfig;
  return {
    modelJson,
    weights,
    info: {
      format: MODEL_FORMAT,
      id: trained.id,
      benchmark: trained.benchmark,
      trainingParams: trained.trainingParams,
      info: trained.info,
      saved: new Date().toISOString(),
    },
  };
}

/** Rebuilds a TrainedModel on the current backend. */
export async function loadModel(tf: TF, files: ModelFiles): Promise<TrainedModel> {
  const weightSpecs = files.modelJson.weightsManifest.flatMap((group) => group.weights);
  const weightData = files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: files.modelJson.modelTopology,
      weightSpecs,
      weightData: weightData as ArrayBuffer,
      format: files.modelJson.format,
      generatedBy: files.modelJson.generatedBy,
      convertedBy: files.modelJson.convertedBy,
    }),
  );
  return {
    model,
    id: files.info.id,
    benchmark: files.info.benchmark,
    trainingParams: files.info.trainingParams,
    info: files.info.info,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value, null, 2) + '\n');
}

/** The three files, keyed by file name. */
export function modelFilesToEntries(files: ModelFiles): Record<string, Uint8Array> {
  return {
    [MODEL_JSON]: jsonBytes(files.modelJson),
    [WEIGHTS_BIN]: files.weights,
    [MODEL_INFO_JSON]: jsonBytes(files.info),
  };
}

/** Reads the three files back; the error names what is missing or malformed. */
export function modelFilesFromEntries(entries: Record<string, Uint8Array>, where = 'model'): ModelFiles {
  const need = (name: string) => {
    const bytes = entries[name];
    if (!bytes) throw new Error(`${where}: ${name} is missing (a model is ${MODEL_JSON} + ${WEIGHTS_BIN} + ${MODEL_INFO_JSON})`);
    return bytes;
  };
  const parse = (name: string) => {
    try {
      return JSON.parse(decoder.decode(need(name))) as unknown;
    } catch (err) {
      if (err instanceof SyntaxError) throw new Error(`${where}: ${name} is not valid JSON (${err.message})`, { cause: err });
      throw err;
    }
  };
  const modelJson = parse(MODEL_JSON) as tfType.io.ModelJSON;
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new Error(`${where}: ${MODEL_JSON} is not a tfjs layers model (no modelTopology / weightsManifest)`);
  }
  const info = parse(MODEL_INFO_JSON) as ModelInfoFile;
  if (info.format !== MODEL_FORMAT || typeof info.id !== 'string' || typeof info.benchmark !== 'string') {
    throw new Error(`${where}: ${MODEL_INFO_JSON} is not a ${MODEL_FORMAT} file`);
  }
  const weights = need(WEIGHTS_BIN);
  const expected = modelJson.weightsManifest
    .flatMap((g) => g.weights)
    .reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * bytesPerElement(w.dtype), 0);
  if (expected !== weights.byteLength) {
    throw new Error(`${where}: ${WEIGHTS_BIN} has ${weights.byteLength} bytes, the manifest expects ${expected}`);
  }
  return { modelJson, weights, info };
}

function bytesPerElement(dtype: string): number {
  if (dtype === 'bool') return 1;
  if (dtype === 'float32' || dtype === 'int32') return 4;
  throw new Error(`model: unsupported weight dtype ${dtype}`);
}
