// Runs the public graphql-http audit suite against a Partner Portal server.
//   node checks/http-audit.mjs http://127.0.0.1:8000/graphql <api key>
// Exits 1 when any MUST or SHOULD audit fails (MAY audits are reported, not enforced).
import { serverAudits } from 'graphql-http';

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  console.error('usage: node checks/http-audit.mjs <url> <api key>');
  process.exit(2);
}
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
const counts = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
let failed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const level = audit.name.split(' ')[0];
  counts[level][1] += 1;
  if (result.status === 'ok') {
    counts[level][0] += 1;
  } else {
    console.log(`${result.status} ${audit.name}: ${result.reason}`);
    if (level !== 'MAY') failed += 1;
  }
}
for (const [level, [ok, all]] of Object.entries(counts)) console.log(`${level}: ${ok}/${all} passed`);
process.exit(failed ? 1 : 0);
