/**
 * A jest environment for tests that run onnxruntime-node. Jest runs each test file in its own V8 realm, so a
 * Float32Array made there is not `instanceof` the Float32Array of the realm where onnxruntime-node's native
 * addon creates its outputs, and ORT rejects its own results ("A float32 tensor's data must be type of ...").
 * Sharing the outer realm's typed-array constructors makes both sides agree.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxEnvironment;
