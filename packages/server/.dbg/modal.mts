import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createOwner } from '../src/accounts/first-run-setup.js';
import { launchChromium } from '../test/browser/support/chromium.js';
import { startTestServer } from '../test/support/test-server.js';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const server = await startTestServer({});
await createOwner(server.store, { email: 'o@x.example', password: 'password 1234' });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
await page.goto(`${server.url}/`);
await page.getByLabel('E-mail').fill('o@x.example');
await page.getByLabel(/^Password/).fill('password 1234');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
await server.app.inject({
  method: 'POST',
  url: '/v1/identify',
  headers: { authorization: 'Basic ' + Buffer.from(server.writeKey + ':').toString('base64') },
  payload: { userId: 'u1', anonymousId: 'a1', traits: { age: 'x' } },
});
await server.settled();
await page.goto(`${server.url}/data-settings`);
await page.getByRole('button', { name: 'Change type of age' }).click();
await page.getByRole('button', { name: 'Preview' }).click();
await page.getByTestId('type-preview').waitFor();
await page.evaluate(AXE);
const v = await page.evaluate(async () =>
  (await (window as any).axe.run(document, { runOnly: ['wcag2aa'] })).violations.map((x: any) => ({
    id: x.id,
    nodes: x.nodes.map((n: any) => [n.html.slice(0, 200), n.failureSummary]),
  })),
);
console.log(JSON.stringify(v, null, 1));
await page.screenshot({ path: '/tmp/dbg/modal.png' });
await browser.close();
await server.close();
