import { expect, it } from 'vitest';
import { describeEachBackend } from '../support/test-stores.js';
import { apiClient } from './api-client.js';
import { useBadInputServer } from './bad-input-server.js';

describeEachBackend(
  'bad input: server API URLs and paging numbers that are wrong',
  (backend) => {
    const server = useBadInputServer(backend);

    it(`${backend}: a NUL or broken UTF-8 in the URL is 400, a person id past 2^53 is 400`, async () => {
      const api = apiClient(server());
      for (const url of [
        '/api/users/user%00x',
        '/api/users?q=a%00b',
        '/api/users/%FF%FE',
        '/api/persons/99999999999999999999',
      ]) {
        const response = await api.get(url);
        expect(response.statusCode, url).toBe(400);
        expect(response.json().error.code, url).toBe('INVALID_BODY');
      }
      const merge = await api.post('/api/admin/merge', {
        into: { person_id: 1e20 },
        from: { user_id: 'user-nul' },
      });
      expect(merge.statusCode).toBe(400);
    });

    it(`${backend}: paging numbers past their column's range are 400, never a 500`, async () => {
      const api = apiClient(server());
      const upload = await api.post('/v1/user/profiles', {
        field_name: ['user_id'],
        values: [['user-paged']],
      });
      expect(upload.statusCode).toBe(200);
      const [job] = (await api.get('/api/imports')).json().imports as { id: string }[];
      for (const url of [
        '/api/ingestion/warnings?before=99999999999999999999',
        `/api/imports/${job.id}/users?after=2147483648`,
        `/api/imports/${job.id}/users?after=99999999999999999999`,
      ]) {
        const response = await api.get(url);
        expect([url, response.statusCode, response.json().error?.code]).toEqual([url, 400, 'INVALID_BODY']);
      }
      expect((await api.get(`/api/imports/${job.id}/users?after=2147483647`)).json()).toEqual({
        user_ids: [],
        next: null,
      });
    });
  },
  { ingestionLog: true },
);
