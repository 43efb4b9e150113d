import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedAddress } from '../../src/webhooks/address-policy.js';
import { SECRET_KEY_FILE, SecretBox } from '../../src/webhooks/secret-box.js';
import { WebhookSender } from '../../src/webhooks/send-webhook.js';
import { startReceiver } from '../support/webhook-receiver.js';

describe('webhooks: which addresses may receive', () => {
  it.each([
    ['169.254.169.254', false, 'link-local'],
    ['169.254.169.254', true, 'link-local'],
    ['fe80::1', true, 'link-local'],
    ['::ffff:169.254.169.254', true, 'link-local'],
    ['127.0.0.1', false, 'loopback'],
    ['::1', false, 'loopback'],
    ['::ffff:127.0.0.1', false, 'loopback'],
    ['10.0.0.8', false, 'private'],
    ['172.20.1.1', false, 'private'],
    ['192.168.0.1', false, 'private'],
    ['100.64.0.1', false, 'private'],
    ['fd00::1', false, 'private'],
    ['0.0.0.0', true, 'reserved'],
    ['224.0.0.1', true, 'reserved'],
    ['127.0.0.1', true, null],
    ['10.0.0.8', true, null],
    ['93.184.216.34', false, null],
    ['2606:4700::1111', false, null],
    ['172.32.0.1', false, null],
    // IPv6 spellings that reach an IPv4 address are judged as that address.
    ['::ffff:7f00:1', false, 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', true, 'link-local'],
    ['::127.0.0.1', false, 'loopback'],
    ['64:ff9b::a9fe:a9fe', true, 'link-local'],
    ['64:ff9b::10.0.0.1', false, 'private'],
    ['64:ff9b:1::a9fe:a9fe', true, 'link-local'],
    ['2002:a9fe:a9fe::1', true, 'link-local'],
    ['2002:c0a8:0001::1', false, 'private'],
    ['64:ff9b::5db8:d822', false, null],
    ['fec0::1', false, 'private'],
  ] as const)('%s (private allowed: %s) → %s', (address, allowPrivate, expected) => {
    expect(refusedAddress(address, allowPrivate)).toBe(expected);
  });
});

describe('webhooks: the sender checks the address it connects to', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const sender = new WebhookSender({ timeoutMs: 2000, allowPrivate: false });
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    sender.close();
    await receiver.close();
  });

  it('a name that resolves to loopback is refused at connection time, not only when saved', async () => {
    // What DNS rebinding looks like to the sender: a name whose answer is now a refused address.
    const outcome = await sender.send(`http://localhost:${receiver.port}/hook`, 'whsec_x', '{}');
    expect(outcome).toMatchObject({ ok: false, status: null });
    expect(outcome.error).toMatch(/^refused: localhost .* loopback address/);
    expect(receiver.received).toHaveLength(0);
  });

  it('an address literal is refused too', async () => {
    const outcome = await sender.send(`http://127.0.0.1:${receiver.port}/hook`, 'whsec_x', '{}');
    expect(outcome.error).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    const metadata = await sender.send('http://169.254.169.254/latest', 'whsec_x', '{}');
    expect(metadata.error).toMatch(/link-local/);
    expect(receiver.received).toHaveLength(0);
  });
});

describe('webhooks: signing secrets are sealed with the installation key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a key file is made on first use, readable by its owner only, and opens what it sealed', () => {
    const box = SecretBox.fromEnvironment({ dataDir: dir, env: {} });
    expect(statSync(join(dir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(SecretBox.fromEnvironment({ dataDir: dir, env: {} }).open(sealed)).toBe('whsec_abc');
    expect(() => SecretBox.fromEnvironment({ env: {} }).open(sealed)).toThrow(/sealed with another key/);
  });

  it('ACQUAINT_SECRET_KEY wins over the key file, and must be long', () => {
    const env = { ACQUAINT_SECRET_KEY: 'k'.repeat(40) };
    const sealed = SecretBox.fromEnvironment({ dataDir: dir, env }).seal('whsec_abc');
    expect(SecretBox.fromEnvironment({ env }).open(sealed)).toBe('whsec_abc');
    expect(() => SecretBox.fromEnvironment({ env: { ACQUAINT_SECRET_KEY: 'short' } })).toThrow(
      /32 characters/,
    );
  });
});
