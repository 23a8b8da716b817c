import { initNodeTf } from './src/lib/engine/node-backend.ts';
const r = await initNodeTf('webgpu');
console.log(r.backend, r.notice, r.adapter);
const a = r.tf.tensor([1,2,3,4],[2,2]);
console.log(await r.tf.matMul(a,a).data());
process.exit(0);
