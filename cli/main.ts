/**
 * `sciml-bench`: the SciML-Bench command line for this project's benchmark modules, in Node.
 * Entry: cli/sciml-bench.mjs registers tsx and calls main().
 */
import * as tf from '@tensorflow/tfjs';
import { ParamError } from '../src/lib/harness/params';
import { UsageError } from './args';
import { infoCommand, listCommand } from './commands/catalog';
import { inspectCommand } from './commands/inspect';
import { RUN_USAGE, runCommand } from './commands/run';
import { sysinfoCommand } from './commands/sysinfo';
import packageJson from '../package.json' with { type: 'json' };

export const USAGE = `usage: sciml-bench COMMAND [ARGS]

commands:
  list [all|benchmarks|datasets] [--verify] [--dataset_dir DIR]
                     benchmarks and datasets; --verify shows what is runnable, trained and cached
  info NAME          a benchmark's description and parameters (or a dataset's)
  run NAME ...       train or evaluate a benchmark:
                     ${RUN_USAGE.replace(/\n\s*/g, '\n                       ')}
                     (--backend defaults to cpu; --output_dir defaults to
                     ~/sciml_bench/outputs/NAME/yyyymmdd/MODE, @X means ~/sciml_bench/outputs/NAME/X;
                     --workers: threads for data generation, default min(cores, 8), 0 = none)
  inspect FILE [--json]
                     a run bundle (.zip or output folder), or an array file (.npy, .npz, .h5)
  sysinfo            this machine, the runtime and the available backends

options: --help, --version`;

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  list: listCommand,
  info: infoCommand,
  run: runCommand,
  inspect: inspectCommand,
  sysinfo: sysinfoCommand,
};

/** Runs one command; returns the process exit code (2 for usage and parameter errors). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    process.stdout.write(`sciml-bench ${packageJson.version} (tfjs ${tf.version.tfjs})\n`);
    return 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`sciml-bench: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  // tfjs's "install tfjs-node" banner is not useful here: this CLI runs the browser's code paths on purpose.
  tf.enableProdMode();
  try {
    return await handler(rest);
  } catch (err) {
    const usage = err instanceof UsageError || err instanceof ParamError;
    process.stderr.write(`sciml-bench ${command}: ${usage ? '' : 'error: '}${(err as Error).message}\n`);
    if (!usage && process.env.SCIML_BENCH_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return usage ? 2 : 1;
  }
}
