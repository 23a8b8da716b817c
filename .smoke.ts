import { inspectReport } from '/work/main/src/lib/io/inspect.ts';
for (const f of process.argv.slice(2)) {
  try { console.log(await inspectReport(f)); } catch (e) { console.log('ERROR', (e as Error).message); }
}
