import { apiRequest } from './http-client';

describe('apiRequest', () => {
  afterEach(() => jest.restoreAllMocks());

  it('calls a malformed --platform what it is, not an unreachable platform', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    await expect(apiRequest('notaurl', 'GET', '/api/claims')).rejects.toThrow(
      '--platform "notaurl" is not a URL (e.g. http://127.0.0.1:3000)',
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('says the platform cannot be reached when nothing answers', async () => {
    jest.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed', { cause: 'ECONNREFUSED' }));
    await expect(apiRequest('http://127.0.0.1:9', 'GET', '/api/claims')).rejects.toThrow(
      'cannot reach the platform at http://127.0.0.1:9 (ECONNREFUSED); is it running? (npm start)',
    );
  });
});
