import * as tf from '@tensorflow/tfjs';
tf.enableProdMode();
await tf.setBackend('cpu');
function mk(filters, pool) {
const m = tf.sequential({ layers: [
  tf.layers.conv2d({ inputShape: [16,16,1], filters, kernelSize: 3, activation: 'relu', padding: 'same' }),
  tf.layers.maxPooling2d({ poolSize: pool }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })]});
m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
return m;}
const x = tf.randomNormal([512,16,16,1]); const y = tf.oneHot(tf.randomUniform([512],0,2,'int32'),2);
for (const [f,p] of [[8,2],[4,2],[8,4],[4,4]]) {
const m = mk(f,p);
let t = performance.now(); await m.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 }); console.log(f,p,'epoch1', performance.now()-t);
t = performance.now(); await m.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 }); console.log(f,p,'epoch2', performance.now()-t);
}
const m = mk(8,2);
const conv = m.layers[0];
let t = performance.now();
for (let i=0;i<16;i++) tf.tidy(()=>{ const g = tf.grads((a)=>tf.conv2d(a, tf.ones([3,3,1,8]), 1, 'same').sum()); g([x.slice(0,32)]); });
console.log('16 conv grads', performance.now()-t);
t = performance.now();
for (let i=0;i<16;i++) tf.tidy(()=>{ const g = tf.grads((a)=>tf.maxPool(a, 2, 2, 'valid').sum()); g([tf.randomNormal([32,16,16,8])]); });
console.log('16 pool grads', performance.now()-t);
