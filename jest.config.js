/** Jest runs the TypeScript sources as ES modules through ts-jest (transpile only; `tsc` type-checks). */
export default {
  // Typed arrays shared with the outer realm: onnxruntime-node's addon checks them with instanceof.
  testEnvironment: '<rootDir>/tests/support/realm-environment.cjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 30000,
};
