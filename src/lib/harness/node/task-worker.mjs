// Entry of a Node task-pool worker thread: registers tsx's loader in this thread (a worker does
// not inherit the main thread's), so the TypeScript sources load as they are, then serves tasks.
import { register } from 'tsx/esm/api';

register();
await import('./task-worker.ts');
