import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { snippet } from '../src/snippet.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8')) as { version: string };

/**
 * Builds into `outDir` (default dist/): acquaint.js, the minified browser bundle served at
 * /sdk.js; snippet.html, the copy-paste snippet with placeholders; snippet.js + snippet.d.ts,
 * the snippet as a function for the server and dashboard. Each file is written to a temporary
 * name and renamed, so a test reading dist/ never sees half a file while another rebuilds it.
 */
export async function buildSdk(outDir = `${packageDir}dist`): Promise<void> {
  const [bundle] = await esbuildText(`${packageDir}src/index.ts`, {
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    define: { __SDK_VERSION__: JSON.stringify(version) },
    banner: { js: `/*! Acquaint SDK ${version} | MIT */` },
    legalComments: 'none',
  });
  const [snippetModule] = await esbuildText(`${packageDir}src/snippet.ts`, {
    format: 'esm',
    target: 'es2022',
  });
  const snippetSource = readFileSync(`${packageDir}src/snippet.ts`, 'utf8');
  const placeholders = { writeKey: 'YOUR_WRITE_KEY', host: 'https://acquaint.example.com' };

  mkdirSync(outDir, { recursive: true });
  writeAtomically(`${outDir}/acquaint.js`, bundle);
  writeAtomically(`${outDir}/snippet.js`, snippetModule);
  writeAtomically(`${outDir}/snippet.d.ts`, ts.transpileDeclaration(snippetSource, {}).outputText);
  writeAtomically(`${outDir}/snippet.html`, `${snippet(placeholders)}\n`);
}

async function esbuildText(entry: string, options: Parameters<typeof build>[0]): Promise<string[]> {
  const result = await build({ ...options, entryPoints: [entry], write: false, logLevel: 'warning' });
  return result.outputFiles.map((file) => file.text);
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildSdk();
