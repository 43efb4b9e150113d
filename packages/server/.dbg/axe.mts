import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { issueSetupToken } from '/work/wt-dashboard/packages/server/src/accounts/first-run-setup.js';
import { launchChromium } from '/work/wt-dashboard/packages/server/test/browser/support/chromium.js';
import { startTestServer } from '/work/wt-dashboard/packages/server/test/support/test-server.js';

const require = createRequire('/work/wt-dashboard/packages/server/package.json');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const server = await startTestServer({});
const browser = await launchChromium();
const page = await browser.newPage();
const token = await issueSetupToken(server.store);
let t = Date.now();
await page.goto(`${server.url}/setup?token=${token}`);
await page.getByRole('heading', { name: 'Welcome to Acquaint' }).waitFor();
console.log('load', Date.now() - t);
t = Date.now();
await page.evaluate(AXE);
const v = await page.evaluate(async () =>
  (await (window as any).axe.run()).violations.map((x: any) => ({
    id: x.id,
    impact: x.impact,
    nodes: x.nodes.map((n: any) => [n.html, n.failureSummary]),
  })),
);
console.log('axe', Date.now() - t);
console.log(JSON.stringify(v, null, 1));
await page.screenshot({ path: '/tmp/dbg/setup.png' });
await browser.close();
await server.close();
