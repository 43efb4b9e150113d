import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Rebuilds the SDK when one of its sources is newer than dist/acquaint.js, so that the browser
 * tests never exercise a stale bundle after an edit (`npm install` builds it the first time).
 */
export function ensureSdkBuilt(): void {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@acquaint/sdk/package.json'));
  const bundle = join(packageDir, 'dist', 'acquaint.js');
  const builtAt = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  const sources = readdirSync(join(packageDir, 'src')).map((name) => join(packageDir, 'src', name));
  const changedAt = Math.max(
    ...[...sources, join(packageDir, 'package.json')].map((f) => statSync(f).mtimeMs),
  );
  if (changedAt > builtAt) execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'inherit' });
}
