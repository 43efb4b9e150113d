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
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
await page.goto(`${server.url}/`);
await page.getByLabel('E-mail').fill('o@x.example');
await page.getByLabel(/^Password/).fill('password 1234');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { level: 1, name: 'Install' }).waitFor();
for (const path of ['/', '/data-settings', '/users', '/imports', '/team']) {
  await page.goto(`${server.url}${path}`);
  await page.waitForTimeout(1500);
  await page.evaluate(AXE);
  const v = await page.evaluate(async () =>
    (
      await (window as any).axe.run(document, {
        runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      })
    ).violations.map((x: any) => ({
      id: x.id,
      impact: x.impact,
      nodes: x.nodes.slice(0, 2).map((n: any) => [n.html.slice(0, 200), n.failureSummary.slice(0, 300)]),
    })),
  );
  console.log(path, JSON.stringify(v, null, 1));
  await page.screenshot({ path: `/tmp/dbg/${path.replace('/', '') || 'install'}.png`, fullPage: true });
}
await browser.close();
await server.close();
