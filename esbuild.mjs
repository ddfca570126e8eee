// Bundles the extension, the core library and the CLI. `tsc --noEmit` type-checks
// separately (npm run typecheck); esbuild only strips types.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = !process.argv.includes('--dev');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: production ? false : 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // jsonc-parser's UMD main hides its requires from esbuild; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  define: { __MCPH_BUNDLED__: 'true', 'import.meta.url': '__mcphImportMetaUrl' },
  banner: { js: 'var __mcphImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
};

const builds = [
  { ...common, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...common, entryPoints: { core: 'src/core.ts' }, outdir: 'dist', minify: false },
  { ...common, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist' },
  // WebSocket support, required lazily by both bundles on first use (src/transports/websocket.ts).
  { ...common, entryPoints: { ws: 'node_modules/ws/index.js' }, outdir: 'dist', mainFields: ['main'] },
  // The JSON Schema validator for output schemas, required lazily (src/protocol/client.ts).
  { ...common, entryPoints: { jsonschema: 'node_modules/@cfworker/json-schema/dist/esm/index.js' }, outdir: 'dist' },
  // Reading and saving skills, required lazily by the extension (src/vscode/skills.ts).
  { ...common, entryPoints: { skills: 'src/host/skills.ts' }, outdir: 'dist' },
  // The sign-in flow with oauth4webapi, required on the first 401 (src/auth/session.ts).
  { ...common, entryPoints: { auth: 'src/auth/flow.ts' }, outdir: 'dist' },
  // The gateway's JWT validation with jose, required only when JWT options are set (src/gateway/jwtLoader.ts).
  { ...common, entryPoints: { jwt: 'src/gateway/jwt.ts' }, outdir: 'dist' },
  // The quick-input forms, required lazily on first use (src/vscode/formsLoader.ts).
  { ...common, entryPoints: { forms: 'src/vscode/forms.ts' }, outdir: 'dist', external: ['vscode'] },
  // The panels' extension side, required lazily on the first panel (src/vscode/workbenchLoader.ts).
  { ...common, entryPoints: { workbench: 'src/vscode/panels/workbench.ts' }, outdir: 'dist', external: ['vscode'] },
  // The gateway in VS Code, required on the first gateway command (src/vscode/gatewayCommands.ts).
  { ...common, entryPoints: { gateway: 'src/vscode/gateway/gatewayHost.ts' }, outdir: 'dist', external: ['vscode'] },
  // Add Server and Open Configuration, required on first use (src/vscode/extension.ts).
  { ...common, entryPoints: { config: 'src/vscode/configCommands.ts' }, outdir: 'dist', external: ['vscode'] },
  // The MCP App panels and their bridge, required by the workbench on the first app (src/vscode/panels/apps.ts).
  { ...common, entryPoints: { apps: 'src/vscode/panels/apps.ts' }, outdir: 'dist', external: ['vscode'] },
  // The panels' page side: one browser bundle (and its stylesheet) for every panel, and the
  // MCP App page (the sandbox proxy: plain DOM, loaded for apps only).
  {
    bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', minify: production,
    sourcemap: production ? false : 'linked', legalComments: 'none', logLevel: 'warning', metafile: true,
    entryPoints: { workbench: 'src/webviews/browser/main.ts', app: 'src/webviews/browser/appHost.ts' }, outdir: 'dist/webview',
  },
];

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map(b => esbuild.build(b)));
  for (const r of results) {
    for (const [file, out] of Object.entries(r.metafile.outputs)) {
      if (file.endsWith('.js') || file.endsWith('.css')) console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KB`);
    }
  }
  chmodSync('dist/cli.js', 0o755);
  if (!process.argv.includes('--no-types')) emitCoreTypes();
}

/** Declarations for the library entry (dist/core.js), with `.js` specifiers for consumers. */
function emitCoreTypes() {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.core.json'], { stdio: 'inherit' });
  const walk = dir => readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
  for (const f of walk('dist/types').filter(f => f.endsWith('.d.ts'))) {
    const text = readFileSync(f, 'utf8');
    const fixed = text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
    if (fixed !== text) writeFileSync(f, fixed);
  }
  console.log('dist/types/core.d.ts (declarations)');
}
