import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDirectory, restrictFile } from '../storage/private-files.js';

/** Name of the key file kept in the data directory when `ACQUAINT_SECRET_KEY` is not set. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * Encrypts the secrets Acquaint must read back (webhook signing secrets) with AES-256-GCM, so a
 * database dump alone does not reveal them. The key comes from `ACQUAINT_SECRET_KEY` (any long
 * random string; every process of one installation needs the same), else from `secret.key` in
 * the data directory (created on first use, mode 0600), else (an in-memory database) from memory.
 */
export class SecretBox {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** The key of this installation: the environment's, else the data directory's key file. */
  static fromEnvironment(options: { dataDir?: string; env?: NodeJS.ProcessEnv }): SecretBox {
    const env = options.env ?? process.env;
    const fromEnv = env.ACQUAINT_SECRET_KEY;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (fromEnv.length < 32) throw new Error('ACQUAINT_SECRET_KEY must be at least 32 characters');
      return new SecretBox(createHash('sha256').update(fromEnv).digest());
    }
    if (options.dataDir === undefined) return new SecretBox(randomBytes(32));
    return new SecretBox(readOrCreateKeyFile(join(options.dataDir, SECRET_KEY_FILE)));
  }

  /** `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The secret inside `sealed`; throws when it was sealed with another key or altered. */
  open(sealed: string): string {
    const [version, keyId, iv, tag, text] = sealed.split('.');
    if (version !== 'v1' || text === undefined) throw new Error('not a sealed secret');
    if (keyId !== this.keyId) {
      throw new Error(
        `a secret was sealed with another key (${keyId}, this one is ${this.keyId}): set the installation's ACQUAINT_SECRET_KEY or key file`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(text, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** Reads the key file, or creates it with a new random key (mode 0600; two starting processes agree). */
function readOrCreateKeyFile(path: string): Buffer {
  try {
    const key = decodeKey(readFileSync(path, 'utf8'), path);
    restrictFile(path);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  makePrivateDirectory(join(path, '..'));
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return decodeKey(readFileSync(path, 'utf8'), path);
}

function decodeKey(text: string, path: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${path} does not hold a 64-digit hex key`);
  return Buffer.from(hex, 'hex');
}
