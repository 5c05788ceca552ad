/**
 * Keys are bound to origins, not names (src/extension/keyStore.ts, over an in-memory SecretStorage): the same name
 * with another URL gets nothing; a name-only key from an earlier version moves only to the origin the user's settings
 * give that name, and is then gone from its old entry; deleting covers both entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyStorageName, LEGACY_PREFIX, OriginKeyStore } from '../../src/extension/keyStore';
import type { SecretStore } from '../../src/extension/keyStore';

class MemoryStore implements SecretStore {
  readonly data = new Map<string, string>();
  async get(key: string) {
    return this.data.get(key);
  }
  async store(key: string, value: string) {
    this.data.set(key, value);
  }
  async delete(key: string) {
    this.data.delete(key);
  }
}

const KEY = 'sk-h12-store-4c1e9b0d77aa';
const userA = { name: 'shared', baseUrl: 'http://127.0.0.1:8000/v1' };

test('a key stored for one origin is read for that origin only, whatever the name says', async () => {
  const mem = new MemoryStore();
  const keys = new OriginKeyStore(mem, () => undefined);
  await keys.set(userA, KEY);
  assert.deepEqual([...mem.data.keys()], ['metacot.apiKey@http://127.0.0.1:8000/shared']);
  assert.equal(await keys.get(userA), KEY);
  assert.equal(await keys.get({ name: 'shared', baseUrl: 'http://127.0.0.1:8000/other/path' }), KEY, 'the path is not part of the origin');
  assert.equal(await keys.get({ name: 'shared', baseUrl: 'http://127.0.0.1:8001/v1' }), undefined, 'another port got the key');
  assert.equal(await keys.get({ name: 'shared', baseUrl: 'https://127.0.0.1:8000/v1' }), undefined, 'another scheme got the key');
  assert.equal(await keys.get({ name: 'shared', baseUrl: 'http://evil.example:8000/v1' }), undefined, 'another host got the key');
  assert.equal(await keys.get({ name: 'other', baseUrl: userA.baseUrl }), undefined, 'another name got the key');
  assert.equal(await keys.get({ name: 'shared', baseUrl: '' }), undefined);
  await assert.rejects(keys.set({ name: 'x', baseUrl: 'not a url' }, KEY), /not an http\(s\) URL/);
  assert.equal(keys.redact(`echo ${KEY}`), 'echo ***');
});

test('a name-only key moves only to the origin user settings give the name; elsewhere it is never returned', async () => {
  const mem = new MemoryStore();
  mem.data.set(`${LEGACY_PREFIX}shared`, KEY);
  const userOrigins: Record<string, string> = { shared: 'http://127.0.0.1:8000' };
  const keys = new OriginKeyStore(mem, (name) => userOrigins[name]);
  // A workspace endpoint of the same name elsewhere: nothing, and the old entry stays for the user's own endpoint.
  assert.equal(await keys.get({ name: 'shared', baseUrl: 'http://127.0.0.1:9999/v1' }), undefined);
  assert.equal(mem.data.get(`${LEGACY_PREFIX}shared`), KEY);
  // The user's endpoint: moved to its origin, the old entry deleted.
  assert.equal(await keys.get(userA), KEY);
  assert.equal(mem.data.has(`${LEGACY_PREFIX}shared`), false);
  assert.equal(mem.data.get(keyStorageName('http://127.0.0.1:8000', 'shared')), KEY);
  assert.equal(await keys.get({ name: 'shared', baseUrl: 'http://127.0.0.1:9999/v1' }), undefined, 'after the move the other origin still gets nothing');
});

test('a name-only key whose name user settings do not define (workspace-only) is never moved nor sent', async () => {
  const mem = new MemoryStore();
  mem.data.set(`${LEGACY_PREFIX}repo-endpoint`, KEY);
  const keys = new OriginKeyStore(mem, () => undefined);
  assert.equal(await keys.get({ name: 'repo-endpoint', baseUrl: 'http://127.0.0.1:8000/v1' }), undefined);
  assert.equal(mem.data.get(`${LEGACY_PREFIX}repo-endpoint`), KEY);
});

test('delete removes the origin entry and a name-only entry of the same name', async () => {
  const mem = new MemoryStore();
  const keys = new OriginKeyStore(mem, () => undefined);
  await keys.set(userA, KEY);
  mem.data.set(`${LEGACY_PREFIX}shared`, 'old-key-1234');
  await keys.set({ name: 'shared', baseUrl: 'http://127.0.0.1:8001/v1' }, 'other-key-5678');
  await keys.delete(userA);
  assert.deepEqual([...mem.data.keys()], [keyStorageName('http://127.0.0.1:8001', 'shared')]);
});
