/** `sciml-bench sysinfo`: the machine, the runtime and the tfjs backends available here. */
import { cpus, freemem, hostname, platform, release, totalmem } from 'node:os';
import { statfs } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { adapterLabel, probeWebGpu } from '../../src/lib/engine/node-backend';
import { DEFAULT_DATASET_ROOT } from '../../src/lib/harness/node/dataset-cache';
import { parseArgs } from '../args';
import { formatBytes, table } from '../format';
import { OUTPUT_ROOT } from '../paths';

async function diskFree(path: string): Promise<string> {
  try {
    const fs = await statfs(path);
    return `${formatBytes(fs.bavail * fs.bsize)} free of ${formatBytes(fs.blocks * fs.bsize)}`;
  } catch {
    return 'unknown';
  }
}

export async function sysinfoCommand(argv: readonly string[]): Promise<number> {
  parseArgs(argv, {});
  const cpuList = cpus();
  const webgpu = await probeWebGpu();
  const a = webgpu.adapter;
  const rows: string[][] = [
    ['node', `${hostname()}: ${platform()} ${release()}`],
    ['cpu', `${cpuList[0]?.model ?? 'unknown'} × ${cpuList.length}`],
    ['memory', `${formatBytes(freemem())} free of ${formatBytes(totalmem())}`],
    ['disk (home)', await diskFree(process.env.HOME ?? '/')],
    ['runtime', `node ${process.version} (${process.arch})`],
    ['tfjs', tf.version.tfjs],
    ['backend cpu', 'available (plain JavaScript)'],
    [
      'backend webgpu',
      a ? `available: ${adapterLabel(a)}, max buffer ${formatBytes(a.maxBufferSize)}` : `not available — ${webgpu.failure}`,
    ],
    ['datasets', DEFAULT_DATASET_ROOT],
    ['outputs', OUTPUT_ROOT],
  ];
  process.stdout.write(table(rows) + '\n');
  return 0;
}
