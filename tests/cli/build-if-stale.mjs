// Builds dist/ with tsc when dist/bin/cli.js is missing or older than a TypeScript source. Tests that spawn
// the CLI call it under `flock`, so parallel test files build once. tsc's exit code is ignored: type errors
// elsewhere do not stop it emitting, and the caller checks that dist/bin/cli.js exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sources = ['index.ts', 'engine', 'nodes', 'media', 'ml', 'server', 'bin', 'packs', 'bench'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (info.isFile()) return path.endsWith('.ts') ? info.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = join(root, 'dist', 'bin', 'cli.js');
const stale = !existsSync(built) || statSync(built).mtimeMs < Math.max(...sources.map((s) => newest(join(root, s))));
if (stale) {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: root, stdio: 'ignore' });
  } catch {
    // see above
  }
}
