import { writeH5 } from './src/lib/io/hdf5-write.ts';
import { numericDType } from './src/lib/io/dtype.ts';
import { writeFileSync } from 'node:fs';
const bytes = await writeH5({ a: { dtype: numericDType('i', 8), shape: [3], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]) }, b: { dtype: numericDType('u', 8), shape: [1], data: BigUint64Array.from([2n**64n-1n]) } }, { big: 2n**60n });
writeFileSync('/tmp/i64.h5', bytes);
console.log('superblock version', bytes[8], 'len', bytes.length);
const hex = Buffer.from(bytes).toString('hex');
for (const pat of ['100800000800000000002000', '100000000800000000002000']) { let i = -1; while ((i = hex.indexOf(pat, i + 1)) >= 0) if (i % 2 === 0) console.log(pat, 'at', i / 2); }
