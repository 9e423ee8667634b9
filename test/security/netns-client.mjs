// Runs inside a network namespace (ip netns exec) and sends the HTTP requests
// it reads from stdin, one JSON object a line, to the server given as argv[2]
// (host:port). The path is sent byte for byte as given, so encoded and
// dot-segment variants reach the server unchanged. Answers go to stdout as
// JSON lines: {id, status, headers, body}.
import http from 'node:http';
import { createInterface } from 'node:readline';

const [host, port] = process.argv[2].split(':');
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const r = JSON.parse(line);
  const req = http.request({ host, port: Number(port), method: r.method, path: r.path, headers: r.headers ?? {}, agent: false }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      process.stdout.write(`${JSON.stringify({ id: r.id, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, 4000) })}\n`);
    });
  });
  req.on('error', (e) => process.stdout.write(`${JSON.stringify({ id: r.id, status: 0, headers: {}, body: String(e.message) })}\n`));
  if (r.body !== undefined) req.write(r.body);
  req.end();
});
