// The two npm WireMock clients (wiremock-captain, wiremock-rest-client) driving a server:
// bench/stub_fuzz.py --npm-clients runs this against WireMock and podlab and compares the
// printed lines. Usage: node drive.js PORT (NODE_PATH naming the clients' node_modules).
const { WireMock } = require('wiremock-captain');
const { WireMockRestClient } = require('wiremock-rest-client');

const strip = (value) => JSON.stringify(value, (key, v) =>
  ['id', 'uuid', 'loggedDate', 'loggedDateString', 'port', 'absoluteUrl', 'Host', 'User-Agent',
   'timing', 'clientIp', 'headers'].includes(key) ? undefined : v);

async function main() {
  const base = `http://127.0.0.1:${process.argv[2]}`;
  const captain = new WireMock(base);
  const rest = new WireMockRestClient(base, { logLevel: 'silent' });
  await rest.global.resetAll();
  await captain.register({ method: 'GET', endpoint: '/c/1' }, { status: 200, body: { ok: true } });
  await captain.register(
    { method: 'POST', endpoint: '/c/post', body: { a: 1 } },
    { status: 201, headers: { 'X-T': 't' }, body: 'made' },
  );
  await captain.register(
    { method: 'GET', endpoint: '/c/s' },
    { status: 200, body: 'first' },
    { scenario: { scenarioName: 'S', requiredScenarioState: 'Started', newScenarioState: 'Two' } },
  );
  await rest.mappings.createMapping({
    request: { method: 'PUT', urlPath: '/r/1', headers: { 'X-A': { contains: 'b' } } },
    response: { status: 204 },
  });
  for (const [method, path, body, headers] of [
    ['GET', '/c/1', undefined, {}], ['POST', '/c/post', '{"a":1}', { 'Content-Type': 'application/json' }],
    ['POST', '/c/post', '{"a":2}', { 'Content-Type': 'application/json' }], ['GET', '/c/s', undefined, {}],
    ['GET', '/c/s', undefined, {}], ['PUT', '/r/1', undefined, { 'X-A': 'abc' }],
    ['PUT', '/r/1', undefined, { 'X-A': 'zz' }], ['DELETE', '/none', undefined, {}],
  ]) {
    const r = await fetch(base + path, { method, body, headers });
    const text = await r.text();
    console.log(method, path, '->', r.status, text.includes('Request was not matched') ? '<404 report>' : text);
  }
  const mappings = await captain.getAllMappings();
  console.log('mappings', (mappings.mappings || mappings).length);
  const seen = await captain.getRequestsForAPI('GET', '/c/1');
  console.log('GET /c/1 seen', (seen.requests || seen).length);
  const unmatched = await rest.requests.getUnmatchedRequests();
  console.log('unmatched', strip((unmatched.requests || unmatched).map((e) => e.url)));
  console.log('count', strip(await rest.requests.getCount({ method: 'POST', url: '/c/post' })));
  const near = await rest.requests.getUnmatchedNearMisses();
  console.log('near misses', near.nearMisses.length, strip(near.nearMisses.map((n) => n.matchResult)));
  console.log('scenarios', strip((await rest.scenarios.getAllScenarios()).scenarios));
  await captain.resetAllScenarios();
  console.log('after reset', strip((await rest.scenarios.getAllScenarios()).scenarios.map((s) => s.state)));
  try {
    await rest.mappings.createMapping({ request: { method: 'GET', url: '/x', headers: { X: { matches: '[' } } } });
    console.log('bad regex taken');
  } catch (e) {
    console.log('bad regex refused', String(e.message || e).split('\n')[0]);
  }
}

main().catch((e) => { console.log('failed', String(e && e.message || e).split('\n')[0]); });
