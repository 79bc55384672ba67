#!/usr/bin/env node
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm install` through `prepare`).
import('../dist/bin/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin/cli.js')) {
    console.error('cinegraph: dist/ is missing; run `npm run build` (npm install does it) first.');
    process.exit(2);
  }
  throw error;
});
